// Strong identifiers for hardware entities.
#pragma once

#include <compare>
#include <cstdint>

#include <fmt/format.h>

namespace wakesim::hw {

struct PcpuId {
  uint32_t value = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  constexpr auto operator<=>(const PcpuId&) const = default;
};

// Interrupt vectors (the kernel model names the ones it uses).
struct Vector {
  uint8_t value = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  constexpr auto operator<=>(const Vector&) const = default;
};

}  // namespace wakesim::hw

template <>
struct fmt::formatter<wakesim::hw::PcpuId> : fmt::formatter<uint32_t> {
  auto format(wakesim::hw::PcpuId p, format_context& ctx) const {
    return fmt::formatter<uint32_t>::format(p.value, ctx);
  }
};
