#include "sim/config/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "sim/engine/int128.h"
#include "sim/engine/text.h"

namespace wakesim::config {
namespace {

// Splits "1.25us" into the numeric part "1.25" and the unit "us".
void split_number(std::string_view s, std::string_view& number, std::string_view& unit) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '_' ||
                          // a sign leads the number or its exponent ("2e-3"; format_rate writes those)
                          ((s[i] == '+' || s[i] == '-') && (i == 0 || s[i - 1] == 'e' || s[i - 1] == 'E')) ||
                          ((s[i] == 'e' || s[i] == 'E') && i + 1 < s.size() &&
                           (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '-' || s[i + 1] == '+'))))
    ++i;
  number = s.substr(0, i);
  unit = engine::trim(s.substr(i));
}

constexpr const char* kDurationHint = "a duration with a unit, like \"50ns\", \"1.2us\", \"10ms\" or \"1s\"";

// A finite non-negative floating-point number ("1.5", "2e3", "1_000"), or nothing.
std::optional<double> parse_number(std::string_view number) {
  std::string digits;
  for (char c : number)
    if (c != '_') digits += c;
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value) || value < 0)
    return std::nullopt;
  return value;
}

// A plain non-negative decimal ("1.25", "1_000"): its whole digits and its fraction digits without
// trailing zeros, for exact arithmetic in integers. `hint` says what was expected, for the error.
struct Decimal {
  std::string whole;
  std::string frac;
};
std::optional<Decimal> parse_decimal(std::string_view number, const char* hint, std::string& error) {
  if (number.find_first_of("eE+-") != std::string_view::npos) {
    error = fmt::format("expected a plain non-negative decimal number in {}", hint);
    return std::nullopt;
  }
  std::string digits;
  for (char c : number)
    if (c != '_') digits += c;
  const size_t dot = digits.find('.');
  Decimal d{digits.substr(0, dot), dot == std::string::npos ? "" : digits.substr(dot + 1)};
  if ((d.whole.empty() && d.frac.empty()) || d.frac.find('.') != std::string::npos) {
    error = fmt::format("'{}' is not a number; expected {}", number, hint);
    return std::nullopt;
  }
  while (!d.frac.empty() && d.frac.back() == '0') d.frac.pop_back();
  return d;
}

}  // namespace

std::optional<engine::Time> parse_duration(std::string_view text, std::string& error) {
  const std::string_view s = engine::trim(text);
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
  const std::optional<Decimal> decimal = parse_decimal(number, kDurationHint, error);
  if (!decimal) return std::nullopt;
  const auto too_long = [&] {
    error = fmt::format("'{}' is too long a duration (the limit is about 53 days)", text);
    return std::nullopt;
  };
  // Digits are accumulated with a bound, so no string of digits can wrap the 128-bit sum.
  engine::Int128 ps = 0;
  for (char c : decimal->whole) {
    ps = ps * 10 + (c - '0');
    if (ps > std::numeric_limits<int64_t>::max()) return too_long();
  }
  ps *= scale;
  int64_t place = scale;
  for (char c : decimal->frac) {
    if (place % 10 != 0) {
      error = fmt::format("'{}' is finer than the simulator's 1 ps resolution", text);
      return std::nullopt;
    }
    place /= 10;
    ps += static_cast<engine::Int128>(c - '0') * place;
  }
  if (ps > std::numeric_limits<int64_t>::max() / 2) return too_long();
  return engine::Time::from_ps(static_cast<int64_t>(ps));
}

std::optional<engine::Rate> parse_rate(std::string_view text, std::string& error) {
  const std::string_view s = engine::trim(text);
  std::string_view number, unit;
  split_number(s, number, unit);
  const char* hint = "a rate, like \"200k/s\", \"1.5M/s\", \"40/ms\" or \"10kHz\"";
  const std::optional<double> parsed = parse_number(number);
  if (!parsed) {
    error = fmt::format("expected {}", hint);
    return std::nullopt;
  }
  const double value = *parsed;
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
  const double rate = value * multiplier * per;
  // One event per picosecond is the clock's resolution: a faster rate has intervals that round to 0 ps.
  if (!std::isfinite(rate) || rate > 1e12) {
    error = fmt::format(
        "'{}' is too large a rate: at most 1e12/s (1000G/s, one event per picosecond, the "
        "simulated clock's resolution)",
        text);
    return std::nullopt;
  }
  return engine::Rate{rate};
}

namespace {

constexpr const char* kBytesHint = "a size with a unit, like \"48KiB\", \"1.25MiB\", \"54MB\" or \"0B\"";

// The multiplier of a size unit, or 0 if `unit` is not one.
uint64_t size_unit(std::string_view unit) {
  if (unit == "B") return 1;
  if (unit == "kB" || unit == "KB") return 1'000;
  if (unit == "MB") return 1'000'000;
  if (unit == "GB") return 1'000'000'000;
  if (unit == "KiB") return uint64_t{1} << 10;
  if (unit == "MiB") return uint64_t{1} << 20;
  if (unit == "GiB") return uint64_t{1} << 30;
  return 0;
}

}  // namespace

std::optional<engine::Bytes> parse_bytes(std::string_view text, std::string& error) {
  const std::string_view s = engine::trim(text);
  std::string_view number, unit;
  split_number(s, number, unit);
  const uint64_t scale = size_unit(unit);
  if (unit.empty() && number == "0") return engine::Bytes{0};
  if (scale == 0 || number.empty()) {
    error = unit.empty() ? fmt::format("expected {}", kBytesHint)
                         : fmt::format("'{}' is not a size unit; expected {}", unit, kBytesHint);
    return std::nullopt;
  }
  const std::optional<Decimal> decimal = parse_decimal(number, kBytesHint, error);
  if (!decimal) return std::nullopt;
  const std::string& whole = decimal->whole;
  const std::string& frac = decimal->frac;
  if (whole.size() > 30 || frac.size() > 18) {
    error = fmt::format("'{}' is too large or too precise a size", text);
    return std::nullopt;
  }
  // value = (whole . frac) * scale, exactly: numerator / 10^len(frac).
  engine::Uint128 numerator = 0;
  for (char c : whole + frac) numerator = numerator * 10 + static_cast<unsigned>(c - '0');
  engine::Uint128 denominator = 1;
  for (size_t i = 0; i < frac.size(); ++i) denominator *= 10;
  const engine::Uint128 limit = engine::Uint128{1} << 62;
  if (numerator > limit) {
    error = fmt::format("'{}' is too large a size (the limit is 4 EiB)", text);
    return std::nullopt;
  }
  const engine::Uint128 scaled = numerator * scale;
  if (scaled % denominator != 0) {
    error = fmt::format("'{}' is not a whole number of bytes", text);
    return std::nullopt;
  }
  if (scaled / denominator > limit) {
    error = fmt::format("'{}' is too large a size (the limit is 4 EiB)", text);
    return std::nullopt;
  }
  return engine::Bytes{static_cast<uint64_t>(scaled / denominator)};
}

std::optional<engine::ByteRate> parse_byte_rate(std::string_view text, std::string& error) {
  const std::string_view s = engine::trim(text);
  const char* hint = "a memory rate, like \"2GB/s\", \"500MiB/s\" or \"1.5KiB/us\"";
  std::string_view number, unit;
  split_number(s, number, unit);
  if (unit.empty() && number == "0") return engine::ByteRate{0};
  const size_t slash = unit.find('/');
  const std::string_view size = slash == std::string_view::npos ? unit : unit.substr(0, slash);
  const std::string_view per = slash == std::string_view::npos ? std::string_view{} : unit.substr(slash + 1);
  const uint64_t scale = size_unit(size);
  double per_second = 0;
  if (per == "s") per_second = 1;
  else if (per == "ms") per_second = 1e3;
  else if (per == "us" || per == "µs") per_second = 1e6;
  else if (per == "ns") per_second = 1e9;
  const std::optional<double> parsed = parse_number(number);
  if (scale == 0 || per_second == 0 || !parsed) {
    error = unit.empty() || scale == 0 || per_second == 0
                ? fmt::format("expected {}", hint)
                : fmt::format("'{}' is not a non-negative number; expected {}", number, hint);
    return std::nullopt;
  }
  const double bytes_per_second = *parsed * static_cast<double>(scale) * per_second;
  if (!(bytes_per_second <= 1e15)) {
    error = fmt::format("'{}' is faster than any memory (the limit is 1PB/s)", text);
    return std::nullopt;
  }
  return engine::ByteRate{bytes_per_second};
}

std::string format_bytes(engine::Bytes b) { return engine::to_string(b); }
std::string format_byte_rate(engine::ByteRate r) { return engine::to_string(r); }

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
