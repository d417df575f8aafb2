#include "sim/calibrate/sysfs.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "sim/engine/text.h"

namespace wakesim::calibrate {
namespace {

template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string> read_text(const std::filesystem::path& path) {
  const std::optional<std::string> content = engine::read_whole_file(path);
  if (!content) return std::nullopt;
  return engine::trimmed(*content);
}

std::optional<int> read_int(const std::filesystem::path& path) {
  const auto text = read_text(path);
  if (!text) return std::nullopt;
  return parse_number<int>(*text);
}

std::optional<std::vector<int>> parse_cpu_list(std::string_view text) {
  text = engine::trim(text);
  std::vector<int> cpus;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = engine::trim(text.substr(0, comma));
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
  text = engine::trim(text);
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
    if (colon != std::string_view::npos && engine::trim(line.substr(0, colon)) == key)
      return std::string(engine::trim(line.substr(colon + 1)));
  }
  return std::nullopt;
}

}  // namespace wakesim::calibrate
