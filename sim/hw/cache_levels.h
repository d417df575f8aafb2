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

#include <algorithm>
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
  // Whether a copy at stack distance `distance` is still in the cache; `u()` gives a uniform 32-bit
  // hash of the copy (only called between the certain ends of the curve).
  template <class Hash>
  bool survives(uint64_t distance, Hash&& u) const {
    if (distance < sure_below_) return true;
    if (distance >= gone_from_) return false;
    return u() < threshold_[step_of(distance)];
  }
  double probability(uint64_t distance) const;         // for tests and reports
  uint64_t sure_below() const { return sure_below_; }  // distances below this always survive
  uint64_t capacity() const { return capacity_; }

 private:
  size_t step_of(uint64_t distance) const {
    return std::min<size_t>(static_cast<size_t>(distance / step_), threshold_.size() - 1);
  }
  static constexpr uint64_t kSteps = 256;      // table entries per capacity
  static constexpr uint64_t kCapacities = 16;  // the table covers distances up to 16 capacities
  uint64_t capacity_;
  uint64_t step_;                    // bytes of distance per table entry
  uint64_t sure_below_ = 0;          // below this distance P(survive) rounds to 1
  uint64_t gone_from_ = 0;           // from this distance on it rounds to 0
  std::vector<uint64_t> threshold_;  // P * 2^32 per step
};

class CacheLevels {
 public:
  explicit CacheLevels(const CacheParams& params);

  // Where a copy is: `core_distance()` bytes brought into its core's private caches since its last
  // access (the copy is in no private cache if `in_private` is false), `llc_distance()` into its LLC
  // domain (computed only when needed). `line` and `mark` pick the copy's hash.
  template <class CoreDistance, class LlcDistance>
  Level locate(bool in_private, CoreDistance&& core_distance, LlcDistance&& llc_distance, uint32_t line,
               uint64_t mark) const {
    if (in_private) {
      const Level level = private_level(core_distance(), line, mark);
      if (level != Level::kMemory) return level;
    }
    if (curves_[2].survives(llc_distance(),
                            [&] { return static_cast<uint32_t>(mix(copy_hash(line, mark) ^ 0x9e3779b97f4a7c15ULL)); }))
      return Level::kLlc;
    return Level::kMemory;
  }
  // Whether a private copy at core distance `d` is in L1 or L2 (kMemory: in neither); locate()'s first
  // step, and the fast path of an access by the holder.
  Level private_level(uint64_t d, uint32_t line, uint64_t mark) const {
    uint64_t h = 0;
    auto hash = [&]() -> uint64_t {
      if (h == 0) h = copy_hash(line, mark);
      return h;
    };
    if (curves_[0].survives(d, [&] { return static_cast<uint32_t>(hash()); })) return Level::kL1;
    if (curves_[1].survives(d, [&] { return static_cast<uint32_t>(hash() >> 32); })) return Level::kL2;
    return Level::kMemory;
  }
  engine::Time latency(Level level) const { return latency_[static_cast<size_t>(level)]; }
  const SurvivalCurve& curve(Level level) const { return curves_[static_cast<size_t>(level)]; }

 private:
  // The copy's uniform draws: L1 from the low half, L2 from the high half, the LLC from a further mix.
  static uint64_t copy_hash(uint32_t line, uint64_t mark) {
    return mix((static_cast<uint64_t>(line) << 32) ^ mark) | 1;
  }
  // SplitMix64's finaliser: a uniform 64-bit hash of the input.
  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::vector<SurvivalCurve> curves_;  // L1, L2, LLC
  engine::Time latency_[4];
};

}  // namespace wakesim::hw
