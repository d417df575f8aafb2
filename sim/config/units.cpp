#include "sim/config/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "sim/engine/int128.h"

namespace wakesim::config {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits "1.25us" into the numeric part "1.25" and the unit "us".
void split_number(std::string_view s, std::string_view& number, std::string_view& unit) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '_' ||
                          ((s[i] == '+' || s[i] == '-') && i == 0) ||
                          ((s[i] == 'e' || s[i] == 'E') && i + 1 < s.size() &&
                           (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '-' || s[i + 1] == '+'))))
    ++i;
  number = s.substr(0, i);
  unit = trim(s.substr(i));
}

constexpr const char* kDurationHint = "a duration with a unit, like \"50ns\", \"1.2us\", \"10ms\" or \"1s\"";

}  // namespace

std::optional<engine::Time> parse_duration(std::string_view text, std::string& error) {
  const std::string_view s = trim(text);
  std::string_view number, unit;
  split_number(s, number, unit);
  int64_t scale = 0;  // picoseconds per unit
  if (unit == "ps") scale = 1;
  else if (unit == "ns") scale = 1'000;
  else if (unit == "us" || unit == "µs") scale = 1'000'000;
  else if (unit == "ms") scale = 1'000'000'000;
  else if (unit == "s") scale = 1'000'000'000'000;
  else if (unit.empty() && number == "0") return engine::Time::zero();
  if (scale == 0 || number.empty()) {
    error = unit.empty() ? fmt::format("expected {}", kDurationHint)
                         : fmt::format("'{}' is not a time unit; expected {}", unit, kDurationHint);
    return std::nullopt;
  }
  if (number.find_first_of("eE+-") != std::string_view::npos) {
    error = fmt::format("expected a plain non-negative decimal number in {}", kDurationHint);
    return std::nullopt;
  }
  // Exact decimal: whole part and fraction digits, in integers.
  std::string digits;
  for (char c : number)
    if (c != '_') digits += c;
  const size_t dot = digits.find('.');
  const std::string whole = digits.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : digits.substr(dot + 1);
  if ((whole.empty() && frac.empty()) || frac.find('.') != std::string::npos) {
    error = fmt::format("'{}' is not a number; expected {}", number, kDurationHint);
    return std::nullopt;
  }
  engine::Int128 ps = 0;
  for (char c : whole) ps = ps * 10 + (c - '0');
  ps *= scale;
  int64_t place = scale;
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  for (char c : frac) {
    if (place % 10 != 0) {
      error = fmt::format("'{}' is finer than the simulator's 1 ps resolution", text);
      return std::nullopt;
    }
    place /= 10;
    ps += static_cast<engine::Int128>(c - '0') * place;
  }
  if (ps > std::numeric_limits<int64_t>::max() / 2) {
    error = fmt::format("'{}' is too long a duration (the limit is about 53 days)", text);
    return std::nullopt;
  }
  return engine::Time::from_ps(static_cast<int64_t>(ps));
}

std::optional<engine::Rate> parse_rate(std::string_view text, std::string& error) {
  const std::string_view s = trim(text);
  std::string_view number, unit;
  split_number(s, number, unit);
  const char* hint = "a rate, like \"200k/s\", \"1.5M/s\", \"40/ms\" or \"10kHz\"";
  double value = 0;
  std::string digits;
  for (char c : number)
    if (c != '_') digits += c;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value) ||
      value < 0) {
    error = fmt::format("expected {}", hint);
    return std::nullopt;
  }
  double multiplier = 1;
  std::string_view u = unit;
  if (!u.empty() && (u.front() == 'k' || u.front() == 'K')) multiplier = 1e3, u.remove_prefix(1);
  else if (!u.empty() && u.front() == 'M' && u != "M") multiplier = 1e6, u.remove_prefix(1);
  else if (!u.empty() && u.front() == 'G') multiplier = 1e9, u.remove_prefix(1);
  double per = 0;  // events per second for one event per unit
  if (u == "/s" || u == "Hz" || u == "hz") per = 1;
  else if (u == "/ms") per = 1e3;
  else if (u == "/us") per = 1e6;
  if (per == 0) {
    error = unit.empty() ? fmt::format("expected {}", hint)
                         : fmt::format("'{}' is not a rate unit; expected {}", unit, hint);
    return std::nullopt;
  }
  return engine::Rate{value * multiplier * per};
}

std::string format_duration(engine::Time t) { return engine::to_string(t); }

std::string format_rate(engine::Rate r) {
  const double v = r.per_second;
  // Only whole multiples get a prefix, so that parsing the text back multiplies exactly.
  if (v >= 1e9 && std::fmod(v, 1e9) == 0) return fmt::format("{}G/s", v / 1e9);
  if (v >= 1e6 && std::fmod(v, 1e6) == 0) return fmt::format("{}M/s", v / 1e6);
  if (v >= 1e3 && std::fmod(v, 1e3) == 0) return fmt::format("{}k/s", v / 1e3);
  return fmt::format("{}/s", v);
}

}  // namespace wakesim::config
