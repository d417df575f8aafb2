// Welford's update and Chan et al.'s merge; see running_stats.h.
#include "sim/stats/running_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/stats/special_values.h"

namespace wakesim::stats {

void RunningStats::add(double x) {
  if (n_ == 0) {
    min_ = max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  ++n_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (x - mean_);  // uses the updated mean: this product is never negative
}

RunningStats& RunningStats::operator+=(const RunningStats& other) {
  if (other.n_ == 0) return *this;
  if (n_ == 0) return *this = other;
  const auto na = static_cast<double>(n_);
  const auto nb = static_cast<double>(other.n_);
  const double n = na + nb;
  const double delta = other.mean_ - mean_;
  mean_ += delta * (nb / n);
  m2_ += other.m2_ + delta * delta * (na * nb / n);
  n_ += other.n_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  return *this;
}

double RunningStats::mean() const { return n_ == 0 ? kNaN : mean_; }
double RunningStats::variance() const { return n_ < 2 ? kNaN : m2_ / static_cast<double>(n_ - 1); }
double RunningStats::population_variance() const { return n_ == 0 ? kNaN : m2_ / static_cast<double>(n_); }
double RunningStats::stddev() const { return std::sqrt(variance()); }
double RunningStats::min() const { return n_ == 0 ? kNaN : min_; }
double RunningStats::max() const { return n_ == 0 ? kNaN : max_; }

}  // namespace wakesim::stats
