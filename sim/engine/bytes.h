// Amounts of memory and rates of touching memory, as strong types: cache capacities and working sets
// (Bytes), and how fast work that is not modelled line by line touches new memory (ByteRate).
// Integer bytes, so that cache-pollution accounting is exact and runs are bit-reproducible.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace wakesim::engine {

struct Bytes {
  uint64_t value = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  constexpr auto operator<=>(const Bytes&) const = default;
  static constexpr Bytes kib(uint64_t n) { return Bytes{n << 10}; }
  static constexpr Bytes mib(uint64_t n) { return Bytes{n << 20}; }
  static constexpr Bytes gib(uint64_t n) { return Bytes{n << 30}; }
};

// Exact text with the largest binary unit that divides the value, e.g. "48KiB", "1280KiB", "0B".
std::string to_string(Bytes b);

// Bytes per simulated second.
struct ByteRate {
  double per_second = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  constexpr auto operator<=>(const ByteRate&) const = default;
};
std::string to_string(ByteRate r);  // e.g. "2GB/s"

}  // namespace wakesim::engine

template <>
struct fmt::formatter<wakesim::engine::Bytes> : fmt::formatter<std::string> {
  auto format(wakesim::engine::Bytes b, format_context& ctx) const {
    return fmt::formatter<std::string>::format(wakesim::engine::to_string(b), ctx);
  }
};
