// Log spacing is what a cache curve needs: capacities span 32 KiB to hundreds of MiB, and each level's
// transition is about as wide in octaves wherever it sits.
#include "sim/calibrate/sizes.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace wakesim::calibrate {

std::vector<uint64_t> log_spaced_sizes(uint64_t first, uint64_t last, double per_octave, uint64_t multiple) {
  if (first == 0 || first > last || !(per_octave > 0) || multiple == 0)
    throw std::logic_error(
        fmt::format("log_spaced_sizes({}, {}, {}, {}): bad arguments", first, last, per_octave, multiple));
  const double octaves = std::log2(static_cast<double>(last) / static_cast<double>(first));
  const auto steps = static_cast<int>(std::floor(octaves * per_octave + 1e-9));
  std::vector<uint64_t> sizes;
  auto add = [&](uint64_t size) {
    size = std::max(multiple, size / multiple * multiple);
    if (sizes.empty() || size > sizes.back()) sizes.push_back(size);
  };
  for (int i = 0; i <= steps; ++i)
    add(static_cast<uint64_t>(std::llround(static_cast<double>(first) * std::exp2(i / per_octave))));
  add(last);
  return sizes;
}

uint64_t round_up_to_power_of_two(uint64_t bytes) {
  uint64_t p = 1;
  while (p < bytes) p <<= 1;
  return p;
}

std::string format_bytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return fmt::format("{} B", bytes);
  return fmt::format("{:.3g} {}", value, kUnits[unit]);
}

}  // namespace wakesim::calibrate
