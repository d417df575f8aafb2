// Streaming mean, variance, minimum and maximum of a series of doubles in O(1) memory: Welford's
// update (Welford 1962) per sample, and the pairwise combination of Chan, Golub and LeVeque (1979) to
// merge accumulators from shards, threads or replicates. Both avoid the cancellation of the textbook
// sum / sum-of-squares formula when the mean is large relative to the spread.
//
// Undefined quantities are NaN: mean(), min(), max() of an empty accumulator, variance() and stddev()
// with fewer than two samples.
#pragma once

#include <cstdint>

namespace wakesim::stats {

class RunningStats {
 public:
  void add(double x);
  RunningStats& operator+=(const RunningStats& other);
  void merge(const RunningStats& other) { *this += other; }
  void clear() { *this = RunningStats(); }

  uint64_t count() const { return n_; }
  double mean() const;
  double variance() const;             // sample variance, divisor n - 1
  double population_variance() const;  // divisor n; NaN when empty
  double stddev() const;               // sqrt(variance())
  double min() const;
  double max() const;
  double sum_squared_deviations() const { return m2_; }  // sum of (x - mean)^2

 private:
  uint64_t n_ = 0;
  double mean_ = 0;
  double m2_ = 0;
  double min_ = 0;
  double max_ = 0;
};

}  // namespace wakesim::stats
