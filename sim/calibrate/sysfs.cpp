#include "sim/calibrate/sysfs.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace wakesim::calibrate {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::string(trim(content.str()));
}

std::optional<int> read_int(const std::filesystem::path& path) {
  const auto text = read_text(path);
  if (!text) return std::nullopt;
  return parse_number<int>(*text);
}

std::optional<std::vector<int>> parse_cpu_list(std::string_view text) {
  text = trim(text);
  std::vector<int> cpus;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto dash = item.find('-');
    const auto first = parse_number<int>(item.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : parse_number<int>(item.substr(dash + 1));
    if (!first || !last || *first < 0 || *last < *first) return std::nullopt;
    for (int cpu = *first; cpu <= *last; ++cpu) cpus.push_back(cpu);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::optional<uint64_t> parse_size(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  uint64_t multiplier = 1;
  switch (text.back()) {
    case 'K':
      multiplier = uint64_t{1} << 10;
      break;
    case 'M':
      multiplier = uint64_t{1} << 20;
      break;
    case 'G':
      multiplier = uint64_t{1} << 30;
      break;
    default:
      break;
  }
  if (multiplier != 1) text.remove_suffix(1);
  const auto value = parse_number<uint64_t>(text);
  if (!value) return std::nullopt;
  return *value * multiplier;
}

std::optional<std::string> cpuinfo_field(std::string_view cpuinfo, std::string_view key) {
  while (!cpuinfo.empty()) {
    const auto newline = cpuinfo.find('\n');
    const std::string_view line = cpuinfo.substr(0, newline);
    cpuinfo = newline == std::string_view::npos ? std::string_view{} : cpuinfo.substr(newline + 1);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && trim(line.substr(0, colon)) == key)
      return std::string(trim(line.substr(colon + 1)));
  }
  return std::nullopt;
}

}  // namespace wakesim::calibrate
