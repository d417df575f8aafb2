// Paired and Welch t-tests and Holm's correction; see hypothesis_test.h for the degenerate cases.
#include "sim/stats/hypothesis_test.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <boost/math/distributions/students_t.hpp>

#include "sim/engine/errors.h"
#include "sim/stats/confidence.h"
#include "sim/stats/running_stats.h"
#include "sim/stats/special_values.h"

namespace wakesim::stats {
namespace {

// The result for a difference whose standard error is zero or unknown.
TestResult degenerate(double difference, size_t n, bool no_verdict) {
  if (no_verdict) return {difference, -kInf, kInf, kNaN, 0, n};
  return {difference, difference, difference, difference == 0 ? 1.0 : 0.0, 0, n};
}

TestResult from_t(double difference, double standard_error, double dof, size_t n, double level) {
  const double half = t_critical(level, dof) * standard_error;
  return {difference, difference - half, difference + half, t_two_sided_p(difference / standard_error, dof), dof, n};
}

}  // namespace

double t_two_sided_p(double t, double dof) {
  if (std::isnan(t) || !(dof > 0)) return kNaN;
  if (std::isinf(t)) return 0;
  return 2 * boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<>(dof), std::abs(t)));
}

TestResult paired_t_test(std::span<const double> a, std::span<const double> b, double level) {
  WAKESIM_CHECK(a.size() == b.size(), "paired_t_test: {} samples against {}", a.size(), b.size());
  RunningStats d;
  for (size_t i = 0; i < a.size(); ++i) d.add(a[i] - b[i]);
  const size_t n = a.size();
  if (n < 2) return degenerate(n == 1 ? d.mean() : kNaN, n, true);
  if (d.stddev() == 0) return degenerate(d.mean(), n, false);
  return from_t(d.mean(), d.stddev() / std::sqrt(static_cast<double>(n)), static_cast<double>(n - 1), n, level);
}

TestResult welch_t_test(std::span<const double> a, std::span<const double> b, double level) {
  RunningStats sa, sb;
  for (const double x : a) sa.add(x);
  for (const double x : b) sb.add(x);
  const size_t n = std::min(a.size(), b.size());
  const double difference = n > 0 ? sa.mean() - sb.mean() : kNaN;
  if (n < 2) return degenerate(difference, n, true);
  const double va = sa.variance() / static_cast<double>(a.size());
  const double vb = sb.variance() / static_cast<double>(b.size());
  if (va + vb == 0) return degenerate(difference, n, false);
  const double dof = (va + vb) * (va + vb) /
                     (va * va / static_cast<double>(a.size() - 1) + vb * vb / static_cast<double>(b.size() - 1));
  return from_t(difference, std::sqrt(va + vb), dof, n, level);
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<size_t> order;
  for (size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return p[x] < p[y]; });
  std::vector<double> adjusted(p.size(), kNaN);
  const double m = static_cast<double>(order.size());
  double running = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(k)) * p[order[k]]));
    adjusted[order[k]] = running;
  }
  return adjusted;
}

}  // namespace wakesim::stats
