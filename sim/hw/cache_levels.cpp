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

}  // namespace

const char* to_string(Level level) {
  switch (level) {
    case Level::kL1:
      return "l1";
    case Level::kL2:
      return "l2";
    case Level::kLlc:
      return "llc";
    case Level::kMemory:
      return "memory";
  }
  return "?";
}

SurvivalCurve::SurvivalCurve(engine::Bytes capacity, int ways)
    : capacity_(std::max<uint64_t>(capacity.value, 64)), step_(std::max<uint64_t>(capacity_ / kSteps, 1)) {
  constexpr double kOne = 4294967296.0;  // 2^32
  // Below one in a million the outcome is taken as certain (no hash is needed there).
  constexpr double kCertain = 1e-6;
  threshold_.resize(kSteps * kCapacities);
  bool sure = true;
  gone_from_ = step_ * threshold_.size();
  for (uint64_t i = 0; i < threshold_.size(); ++i) {
    // Entry i covers distances [i, i+1) steps; it uses the upper end (conservative).
    const double x = static_cast<double>((i + 1) * step_) / static_cast<double>(capacity_);
    double p = poisson_below(static_cast<double>(ways) * x, ways);
    if (p > 1 - kCertain) p = 1;
    if (p < kCertain) p = 0;
    threshold_[i] = static_cast<uint64_t>(std::floor(p * kOne));
    if (sure && p == 1) sure_below_ = (i + 1) * step_;
    else sure = false;
    if (p == 0) {
      gone_from_ = i * step_;
      break;
    }
  }
}

double SurvivalCurve::probability(uint64_t distance) const {
  if (distance < sure_below_) return 1.0;
  if (distance >= gone_from_) return 0.0;
  return static_cast<double>(threshold_[step_of(distance)]) / 4294967296.0;
}

CacheLevels::CacheLevels(const CacheParams& p)
    : curves_{SurvivalCurve(p.l1_size, p.l1_ways), SurvivalCurve(p.l2_size, p.l2_ways),
              SurvivalCurve(p.llc_size, p.llc_ways)},
      latency_{p.l1_latency, p.l2_latency, p.llc_latency, engine::Time::zero()} {}

}  // namespace wakesim::hw
