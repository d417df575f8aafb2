// Which cache level a copy of a line still sits in, given how many bytes its core and its LLC domain
// have brought in since the copy was last touched (its stack distances, from Pollution's counters).
//
// The model is LRU within sets whose lines are spread over the sets as if at random (physical
// addresses hash over the sets and slices): a copy survives `distance` bytes of new data in a cache of
// `capacity` bytes and `ways` ways when fewer than `ways` of the new lines fell into its set. The new
// lines per set are then Poisson with mean ways * distance / capacity, so
//     P(survive) = P(Poisson(ways * distance / capacity) < ways),
// which is 1 for distances well below the capacity, about 0.5 at the capacity and 0 beyond a few
// capacities: a fully associative LRU cache's step, smoothed the way set-associative caches smooth it
// (the more ways, the sharper). Whether a given copy survives is decided by a hash of the line and
// its last-touch counter, compared with that probability: deterministic, no random stream, and
// consistent over time (a copy found evicted stays evicted as the distance grows).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/bytes.h"
#include "sim/engine/int128.h"
#include "sim/engine/time.h"
#include "sim/hw/host_params.h"

namespace wakesim::hw {

enum class Level : uint8_t { kL1, kL2, kLlc, kMemory };
const char* to_string(Level level);

// P(survive) as a function of distance, tabulated at construction.
class SurvivalCurve {
 public:
  SurvivalCurve(engine::Bytes capacity, int ways);
  // Whether a copy at stack distance `distance` is still in the cache; `u` is a uniform 32-bit hash.
  bool survives(uint64_t distance, uint32_t u) const {
    if (distance < sure_below_) return true;
    if (distance >= gone_from_) return false;
    return u < threshold_[static_cast<size_t>((static_cast<engine::Uint128>(distance) * kSteps) / capacity_)];
  }
  double probability(uint64_t distance) const;  // for tests and reports
  uint64_t capacity() const { return capacity_; }

 private:
  static constexpr uint64_t kSteps = 256;      // table entries per capacity
  static constexpr uint64_t kCapacities = 16;  // the table covers distances up to 16 capacities
  uint64_t capacity_;
  uint64_t sure_below_ = 0;  // below this distance P(survive) rounds to 1
  uint64_t gone_from_ = 0;   // from this distance on it rounds to 0
  std::vector<uint64_t> threshold_;  // P * 2^32 per step
};

class CacheLevels {
 public:
  explicit CacheLevels(const CacheParams& params);

  // Where a copy is: `core_distance` bytes brought into its core's private caches since its last
  // access (UINT64_MAX: the copy is not in a private cache), `llc_distance` into its LLC domain.
  // `line` and `mark` pick the copy's hash.
  Level locate(uint64_t core_distance, uint64_t llc_distance, uint32_t line, uint64_t mark) const;
  engine::Time latency(Level level) const { return latency_[static_cast<size_t>(level)]; }
  const SurvivalCurve& curve(Level level) const { return curves_[static_cast<size_t>(level)]; }

 private:
  std::vector<SurvivalCurve> curves_;  // L1, L2, LLC
  engine::Time latency_[4];
};

}  // namespace wakesim::hw
