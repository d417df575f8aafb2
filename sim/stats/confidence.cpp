// Student t and order-statistic confidence intervals; see confidence.h for the assumptions.
#include "sim/stats/confidence.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "sim/engine/errors.h"
#include "sim/stats/special_values.h"

namespace wakesim::stats {

namespace {

void check_level(double level) {
  WAKESIM_CHECK(level > 0 && level < 1, "confidence level must be in (0, 1), got {}", level);
}

// Largest k in 0..n with P(B <= k) <= tail, or -1 if there is none.
int64_t lower_tail_rank(const boost::math::binomial_distribution<>& b, int64_t n, int64_t guess, double tail) {
  auto cdf = [&](int64_t k) { return boost::math::cdf(b, static_cast<double>(k)); };
  int64_t k = std::clamp<int64_t>(guess, -1, n);
  while (k + 1 <= n && cdf(k + 1) <= tail) ++k;
  while (k >= 0 && cdf(k) > tail) --k;
  return k;
}

// Smallest k in 0..n with P(B > k) <= tail (it exists: P(B > n) = 0).
int64_t upper_tail_rank(const boost::math::binomial_distribution<>& b, int64_t n, int64_t guess, double tail) {
  auto sf = [&](int64_t k) { return boost::math::cdf(boost::math::complement(b, static_cast<double>(k))); };
  int64_t k = std::clamp<int64_t>(guess, 0, n);
  while (k - 1 >= 0 && sf(k - 1) <= tail) --k;
  while (k < n && sf(k) > tail) ++k;
  return k;
}

}  // namespace

double t_critical(double level, double dof) {
  check_level(level);
  return boost::math::quantile(boost::math::students_t_distribution<>(dof), 0.5 + level / 2);
}

ConfidenceInterval mean_ci(const RunningStats& stats, double level) {
  check_level(level);
  const uint64_t n = stats.count();
  if (n == 0) return {kNaN, kNaN, kNaN, kNaN, 0};
  if (n == 1) return {stats.mean(), kInf, -kInf, kInf, 1};
  const double t = t_critical(level, static_cast<double>(n - 1));
  const double half = t * stats.stddev() / std::sqrt(static_cast<double>(n));
  return {stats.mean(), half, stats.mean() - half, stats.mean() + half, static_cast<size_t>(n)};
}

ConfidenceInterval mean_ci(std::span<const double> samples, double level) {
  RunningStats stats;
  for (const double x : samples) stats.add(x);
  return mean_ci(stats, level);
}

ConfidenceInterval paired_difference_ci(std::span<const double> a, std::span<const double> b, double level) {
  WAKESIM_CHECK(a.size() == b.size(), "paired_difference_ci: {} samples against {}", a.size(), b.size());
  RunningStats diff;
  for (size_t i = 0; i < a.size(); ++i) diff.add(a[i] - b[i]);
  return mean_ci(diff, level);
}

QuantileInterval quantile_ci(std::vector<double> samples, double p, double level) {
  check_level(level);
  WAKESIM_CHECK(p > 0 && p < 1, "quantile_ci: p must be in (0, 1), got {}", p);
  const auto n = static_cast<int64_t>(samples.size());
  if (n == 0) return {kNaN, kNaN, kNaN, 0, 0, kNaN, 0};
  std::sort(samples.begin(), samples.end());
  auto order_stat = [&](int64_t rank) { return samples[static_cast<size_t>(rank - 1)]; };

  QuantileInterval out;
  out.n = samples.size();
  const double h = static_cast<double>(n - 1) * p;  // type 7: 0-based fractional index
  const auto below = static_cast<size_t>(std::floor(h));
  const size_t above = std::min(below + 1, samples.size() - 1);
  out.estimate = samples[below] + (h - static_cast<double>(below)) * (samples[above] - samples[below]);

  // Start the exact search from the normal approximation np -+ z sqrt(np(1-p)).
  const boost::math::binomial_distribution<> binomial(static_cast<double>(n), p);
  const double tail = (1 - level) / 2;
  const double np = static_cast<double>(n) * p;
  const double spread = -boost::math::quantile(boost::math::normal(), tail) * std::sqrt(np * (1 - p));
  const int64_t k_lo = lower_tail_rank(binomial, n, static_cast<int64_t>(std::floor(np - spread)), tail);
  const int64_t k_hi = upper_tail_rank(binomial, n, static_cast<int64_t>(std::ceil(np + spread)), tail);

  // x_(r) <= quantile  <=>  B >= r;  quantile < x_(s)  <=>  B <= s - 1.  So r = k_lo + 1, s = k_hi + 1.
  const int64_t r = k_lo + 1;
  const int64_t s = k_hi + 1;
  out.lo_rank = static_cast<size_t>(r);
  out.hi_rank = static_cast<size_t>(s);
  out.lo = r >= 1 ? order_stat(r) : -kInf;
  out.hi = s <= n ? order_stat(s) : kInf;
  const double below_lo = k_lo >= 0 ? boost::math::cdf(binomial, static_cast<double>(k_lo)) : 0.0;
  out.coverage = boost::math::cdf(binomial, static_cast<double>(k_hi)) - below_lo;
  return out;
}

}  // namespace wakesim::stats
