// Confidence intervals for the summaries that a results file reports across replicates.
//
// mean_ci: the Student t interval mean +- t_{n-1, (1+level)/2} * s / sqrt(n), which assumes the
// samples are i.i.d. and (approximately) normal: use it on per-replicate means or batch means, not on
// raw correlated observations from one run. paired_difference_ci applies it to a[i] - b[i], the right
// comparison when replicate i of designs A and B used the same seed (common random numbers): the
// shared noise cancels and the interval is much narrower than comparing two independent CIs.
// t quantiles come from Boost.Math (students_t).
//
// quantile_ci: the distribution-free interval [x_(r), x_(s)] for the p-quantile from the order
// statistics of n i.i.d. samples (Conover, Practical Nonparametric Statistics, 3rd ed., section 3.2).
// The number of samples below the true quantile is Binomial(n, p); r and s are the exact binomial
// ranks with at most (1 - level)/2 probability in each tail (Boost.Math binomial CDF), so the coverage
// is at least `level` for a continuous distribution (ties make it approximate).
//
// Degenerate inputs: n == 0 gives NaN everywhere; n == 1 gives mean_ci half_width = +infinity with
// lo = -infinity, hi = +infinity. A quantile_ci rank that would fall outside 1..n gives an infinite
// bound on that side (too few samples for that level). level must be in (0, 1) and p in (0, 1):
// anything else is a caller bug (WAKESIM_CHECK).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "sim/stats/running_stats.h"

namespace wakesim::stats {

struct ConfidenceInterval {
  double mean = 0;
  double half_width = 0;
  double lo = 0;
  double hi = 0;
  size_t n = 0;
};

// Two-sided Student t critical value: the (1 + level)/2 quantile with `dof` degrees of freedom.
double t_critical(double level, double dof);

ConfidenceInterval mean_ci(const RunningStats& stats, double level = 0.95);
ConfidenceInterval mean_ci(std::span<const double> samples, double level = 0.95);
// CI of the mean of a[i] - b[i]; a and b must have the same length.
ConfidenceInterval paired_difference_ci(std::span<const double> a, std::span<const double> b, double level = 0.95);

struct QuantileInterval {
  double estimate = 0;  // sample quantile, linear between order statistics (Hyndman and Fan type 7)
  double lo = 0;        // x_(lo_rank), or -infinity when lo_rank == 0
  double hi = 0;        // x_(hi_rank), or +infinity when hi_rank == n + 1
  size_t lo_rank = 0;   // 1-based ranks into the sorted samples
  size_t hi_rank = 0;
  double coverage = 0;  // exact P(x_(lo_rank) <= true quantile < x_(hi_rank)) for a continuous distribution
  size_t n = 0;
};

QuantileInterval quantile_ci(std::vector<double> samples, double p, double level = 0.95);

}  // namespace wakesim::stats
