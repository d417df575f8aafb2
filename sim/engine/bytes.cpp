#include "sim/engine/bytes.h"

#include <cmath>

namespace wakesim::engine {

std::string to_string(Bytes b) {
  const uint64_t v = b.value;
  if (v != 0 && v % (uint64_t{1} << 30) == 0) return fmt::format("{}GiB", v >> 30);
  if (v != 0 && v % (uint64_t{1} << 20) == 0) return fmt::format("{}MiB", v >> 20);
  if (v != 0 && v % (uint64_t{1} << 10) == 0) return fmt::format("{}KiB", v >> 10);
  return fmt::format("{}B", v);
}

std::string to_string(ByteRate r) {
  const double v = r.per_second;
  // Only whole multiples get a prefix, so that parsing the text back multiplies exactly.
  if (v >= 1e9 && std::fmod(v, 1e9) == 0) return fmt::format("{}GB/s", v / 1e9);
  if (v >= 1e6 && std::fmod(v, 1e6) == 0) return fmt::format("{}MB/s", v / 1e6);
  if (v >= 1e3 && std::fmod(v, 1e3) == 0) return fmt::format("{}kB/s", v / 1e3);
  return fmt::format("{}B/s", v);
}

}  // namespace wakesim::engine
