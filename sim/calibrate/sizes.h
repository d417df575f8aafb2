// Byte sizes for the sweeps: log-spaced working sets and pollution volumes, and their human-readable
// form for progress messages ("4 MiB", "1.5 KiB").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wakesim::calibrate {

inline constexpr uint64_t kKiB = uint64_t{1} << 10;
inline constexpr uint64_t kMiB = uint64_t{1} << 20;
inline constexpr uint64_t kGiB = uint64_t{1} << 30;
inline constexpr uint64_t kLineBytes = 64;  // x86 cache line (CPUID and sysfs agree on every x86 CPU we know)

// Sizes first, first * 2^(1/per_octave), ... up to and including last (always the final element),
// each rounded down to a multiple of `multiple` (>= 1) and deduplicated. first <= last, per_octave > 0.
std::vector<uint64_t> log_spaced_sizes(uint64_t first, uint64_t last, double per_octave, uint64_t multiple);

// The smallest power of two >= bytes (bytes >= 1).
uint64_t round_up_to_power_of_two(uint64_t bytes);

// "512 B", "48 KiB", "1.19 MiB", "1 GiB": three significant digits at most, binary units.
std::string format_bytes(uint64_t bytes);

}  // namespace wakesim::calibrate
