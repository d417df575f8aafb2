#include "sim/hw/cache_line.h"

#include <algorithm>

namespace wakesim::hw {

bool CacheLine::held_by(PcpuId p) const {
  if (has_owner_) return owner_ == p;
  return std::find(sharers_.begin(), sharers_.end(), p) != sharers_.end();
}

}  // namespace wakesim::hw
