// Simulated time: an integer number of picoseconds in a strong type, so that event order never
// depends on floating-point rounding and a run is bit-reproducible. 2^63 ps is about 106 days.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

#include <fmt/format.h>

namespace wakesim::engine {

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time from_ps(int64_t ps) { return Time(ps); }
  static constexpr Time zero() { return Time(0); }
  static constexpr Time max() { return Time(std::numeric_limits<int64_t>::max()); }
  // Rounds to the nearest picosecond (halves away from zero).
  static Time from_seconds(double seconds);
  static Time from_ns(double ns);

  constexpr int64_t ps() const { return ps_; }
  // Divisions, not products with 1e-3 etc.: a whole number of ps converts to the nearest double (1234567 ps
  // is 1234.567 ns exactly as printed, not 1234.5670000000002).
  constexpr double ns() const { return static_cast<double>(ps_) / 1e3; }
  constexpr double us() const { return static_cast<double>(ps_) / 1e6; }
  constexpr double seconds() const { return static_cast<double>(ps_) / 1e12; }
  // `count` events in this span, per second: count * 10^12 / ps, exact for counts below about 3.7e7
  // until the one rounding of the division (49352 in 100 ms is 493520/s, not 493520.00000000006).
  constexpr double per_second(double count) const { return count * 1e12 / static_cast<double>(ps_); }

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Time o) const { return Time(ps_ + o.ps_); }
  constexpr Time operator-(Time o) const { return Time(ps_ - o.ps_); }
  constexpr Time& operator+=(Time o) {
    ps_ += o.ps_;
    return *this;
  }
  constexpr Time& operator-=(Time o) {
    ps_ -= o.ps_;
    return *this;
  }
  constexpr Time operator*(int64_t k) const { return Time(ps_ * k); }
  constexpr Time operator/(int64_t k) const { return Time(ps_ / k); }
  constexpr double operator/(Time o) const { return static_cast<double>(ps_) / static_cast<double>(o.ps_); }

 private:
  constexpr explicit Time(int64_t ps) : ps_(ps) {}
  int64_t ps_ = 0;
};

constexpr Time operator*(int64_t k, Time t) { return t * k; }

// Exact decimal text with the largest unit that keeps an integer part, e.g. "1.5us", "250ns", "0s".
// parse_time() reads it back exactly.
std::string to_string(Time t);

// A rate of events per simulated second (e.g. interrupt arrivals).
struct Rate {
  double per_second = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  constexpr auto operator<=>(const Rate&) const = default;
  // Mean interval between events; Time::max() for a zero rate.
  Time mean_interval() const;
};
std::string to_string(Rate r);

namespace literals {
constexpr Time operator""_ps(unsigned long long v) { return Time::from_ps(static_cast<int64_t>(v)); }
constexpr Time operator""_ns(unsigned long long v) { return Time::from_ps(static_cast<int64_t>(v) * 1'000); }
constexpr Time operator""_us(unsigned long long v) { return Time::from_ps(static_cast<int64_t>(v) * 1'000'000); }
constexpr Time operator""_ms(unsigned long long v) { return Time::from_ps(static_cast<int64_t>(v) * 1'000'000'000); }
constexpr Time operator""_s(unsigned long long v) { return Time::from_ps(static_cast<int64_t>(v) * 1'000'000'000'000); }
// Fractional literals (1.5_us) are rounded to the picosecond at compile time.
constexpr Time round_ps(long double ps) { return Time::from_ps(static_cast<int64_t>(ps + (ps < 0 ? -0.5L : 0.5L))); }
constexpr Time operator""_ns(long double v) { return round_ps(v * 1e3L); }
constexpr Time operator""_us(long double v) { return round_ps(v * 1e6L); }
constexpr Time operator""_ms(long double v) { return round_ps(v * 1e9L); }
}  // namespace literals

}  // namespace wakesim::engine

template <>
struct fmt::formatter<wakesim::engine::Time> : fmt::formatter<std::string> {
  auto format(wakesim::engine::Time t, format_context& ctx) const {
    return fmt::formatter<std::string>::format(wakesim::engine::to_string(t), ctx);
  }
};
