// 128-bit integers (a GCC/Clang extension; __extension__ keeps -Wpedantic quiet).
#pragma once

namespace wakesim::engine {
__extension__ using Uint128 = unsigned __int128;
__extension__ using Int128 = __int128;
}  // namespace wakesim::engine
