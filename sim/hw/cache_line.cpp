#include "sim/hw/cache_line.h"

#include <algorithm>

namespace wakesim::hw {

bool CacheLine::held_by(PcpuId p) const {
  return std::any_of(copies_.begin(), copies_.end(), [p](const LineCopy& c) { return c.pcpu == p.value; });
}

}  // namespace wakesim::hw
