#include "sim/hw/cache_levels.h"

#include <algorithm>
#include <cmath>

namespace wakesim::hw {
namespace {

// P(Poisson(lambda) < k), by summing the terms (k is at most a few hundred ways).
double poisson_below(double lambda, int k) {
  if (lambda <= 0) return 1.0;
  double term = std::exp(-lambda);
  double sum = 0;
  for (int i = 0; i < k; ++i) {
    sum += term;
    term *= lambda / static_cast<double>(i + 1);
  }
  return std::min(sum, 1.0);
}

// SplitMix64's finaliser: a uniform 64-bit hash of the input.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

const char* to_string(Level level) {
  switch (level) {
    case Level::kL1: return "l1";
    case Level::kL2: return "l2";
    case Level::kLlc: return "llc";
    case Level::kMemory: return "memory";
  }
  return "?";
}

SurvivalCurve::SurvivalCurve(engine::Bytes capacity, int ways) : capacity_(std::max<uint64_t>(capacity.value, 64)) {
  constexpr double kOne = 4294967296.0;  // 2^32
  threshold_.resize(kSteps * kCapacities);
  bool sure = true;
  for (uint64_t i = 0; i < threshold_.size(); ++i) {
    // The step covers distances [i, i+1) / kSteps capacities; use its upper end (conservative).
    const double x = static_cast<double>(i + 1) / static_cast<double>(kSteps);
    const double p = poisson_below(static_cast<double>(ways) * x, ways);
    threshold_[i] = static_cast<uint64_t>(std::floor(p * kOne));
    if (sure && threshold_[i] >= static_cast<uint64_t>(kOne)) sure_below_ = (i + 1) * capacity_ / kSteps;
    else sure = false;
  }
  gone_from_ = capacity_ * kCapacities;
  for (uint64_t i = 0; i < threshold_.size(); ++i)
    if (threshold_[i] == 0) {
      gone_from_ = i * capacity_ / kSteps;
      break;
    }
}

double SurvivalCurve::probability(uint64_t distance) const {
  if (distance < sure_below_) return 1.0;
  if (distance >= gone_from_) return 0.0;
  return static_cast<double>(threshold_[static_cast<size_t>((static_cast<engine::Uint128>(distance) * kSteps) /
                                                            capacity_)]) /
         4294967296.0;
}

CacheLevels::CacheLevels(const CacheParams& p)
    : curves_{SurvivalCurve(p.l1_size, p.l1_ways), SurvivalCurve(p.l2_size, p.l2_ways),
              SurvivalCurve(p.llc_size, p.llc_ways)},
      latency_{p.l1_latency, p.l2_latency, p.llc_latency, engine::Time::zero()} {}

Level CacheLevels::locate(uint64_t core_distance, uint64_t llc_distance, uint32_t line, uint64_t mark) const {
  const uint64_t h = mix((static_cast<uint64_t>(line) << 32) ^ mark);
  if (core_distance != UINT64_MAX) {
    if (curves_[0].survives(core_distance, static_cast<uint32_t>(h))) return Level::kL1;
    if (curves_[1].survives(core_distance, static_cast<uint32_t>(h >> 32))) return Level::kL2;
  }
  const uint64_t h2 = mix(h ^ 0x9e3779b97f4a7c15ULL);
  if (curves_[2].survives(llc_distance, static_cast<uint32_t>(h2))) return Level::kLlc;
  return Level::kMemory;
}

}  // namespace wakesim::hw
