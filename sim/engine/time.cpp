#include "sim/engine/time.h"

#include <cmath>
#include <cstdlib>

namespace wakesim::engine {

Time Time::from_seconds(double seconds) { return Time(std::llround(seconds * 1e12)); }
Time Time::from_ns(double ns) { return Time(std::llround(ns * 1e3)); }

std::string to_string(Time t) {
  struct Unit {
    int64_t ps;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {1'000'000'000'000, "s"}, {1'000'000'000, "ms"}, {1'000'000, "us"}, {1'000, "ns"}, {1, "ps"}};
  const int64_t v = t.ps();
  if (v == 0) return "0s";
  if (v == std::numeric_limits<int64_t>::max()) return "inf";
  const uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  for (const Unit& u : kUnits) {
    if (mag < static_cast<uint64_t>(u.ps) && u.ps != 1) continue;
    const uint64_t scale = static_cast<uint64_t>(u.ps);
    const uint64_t frac = mag % scale;
    if (frac == 0) return fmt::format("{}{}{}", v < 0 ? "-" : "", mag / scale, u.name);
    int digits = 0;
    for (uint64_t p = scale; p > 1; p /= 10) ++digits;
    std::string f = fmt::format("{:0{}}", frac, digits);
    while (f.back() == '0') f.pop_back();
    return fmt::format("{}{}.{}{}", v < 0 ? "-" : "", mag / scale, f, u.name);
  }
  return fmt::format("{}ps", v);
}

Time Rate::mean_interval() const {
  if (per_second <= 0) return Time::max();
  return Time::from_seconds(1.0 / per_second);
}

std::string to_string(Rate r) { return fmt::format("{:g}/s", r.per_second); }

}  // namespace wakesim::engine
