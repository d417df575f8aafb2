// Two-sample tests of "is the mean difference zero?" and the correction for testing many at once.
//
// paired_t_test: Student's t on the per-replicate differences d[i] = a[i] - b[i], n - 1 degrees of
// freedom. The right test when replicate i of both samples used the same seed (common random numbers):
// the shared noise cancels. welch_t_test: Welch's unequal-variance t for independent samples, with the
// Welch-Satterthwaite degrees of freedom. Both are two-sided and assume (approximately) normal
// replicate means, as mean_ci does (confidence.h). t tails come from Boost.Math (students_t).
//
// Degenerate inputs never pretend to a verdict:
//   - fewer than 2 values (in either sample): p = NaN, interval infinite (no verdict possible);
//   - zero spread: if the difference is exactly 0, p = 1 (exact equality, e.g. identical designs or a
//     counter that is 0 everywhere); otherwise p = 0 (every replicate differs by the same amount).
//
// holm_adjust: Holm's step-down adjustment (Holm 1979), which controls the family-wise error rate at
// alpha for any dependence between the tests: sort the m p-values, p_(i) -> max_{j<=i} min(1, (m-j+1)
// p_(j)). NaN p-values (no verdict) are not counted in m and stay NaN.
#pragma once

#include <span>
#include <vector>

namespace wakesim::stats {

struct TestResult {
  double difference = 0;  // mean of a minus mean of b
  double lo = 0, hi = 0;  // its confidence interval
  double p = 0;           // two-sided p-value; NaN when no verdict is possible
  double dof = 0;         // degrees of freedom of the t distribution used
  size_t n = 0;           // pairs (paired) or the smaller sample (Welch)
};

// a and b must have the same length.
TestResult paired_t_test(std::span<const double> a, std::span<const double> b, double level = 0.95);
TestResult welch_t_test(std::span<const double> a, std::span<const double> b, double level = 0.95);

// Two-sided p-value of a t statistic with `dof` degrees of freedom.
double t_two_sided_p(double t, double dof);

std::vector<double> holm_adjust(const std::vector<double>& p);

}  // namespace wakesim::stats
