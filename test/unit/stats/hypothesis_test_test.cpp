// Paired and Welch t-tests against values computed independently (closed forms and numerical
// integration of the t density), the degenerate cases, and Holm's adjustment on a worked example.
#include "sim/stats/hypothesis_test.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace wakesim::stats {
namespace {

TEST(HypothesisTest, PairedTMatchesTheClosedFormForTwoDegreesOfFreedom) {
  // d = {1, 2, 3}: mean 2, sd 1, t = 2 sqrt(3); with 2 dof the two-sided p is 1 - t / sqrt(2 + t^2).
  const std::vector<double> a{11, 12, 13}, b{10, 10, 10};
  const TestResult r = paired_t_test(a, b);
  EXPECT_DOUBLE_EQ(r.difference, 2.0);
  EXPECT_EQ(r.n, 3u);
  EXPECT_DOUBLE_EQ(r.dof, 2.0);
  EXPECT_NEAR(r.p, 1 - std::sqrt(6.0 / 7.0), 1e-12);
  // 95% CI: 2 -+ t_{0.975,2} / sqrt(3), t_{0.975,2} = 4.302653
  EXPECT_NEAR(r.lo, 2 - 4.302652730 / std::sqrt(3.0), 1e-6);
  EXPECT_NEAR(r.hi, 2 + 4.302652730 / std::sqrt(3.0), 1e-6);
}

TEST(HypothesisTest, PairedTMatchesAKnownValue) {
  // d = {0.3, 0.2, 0.6, 0.3, 0.8}: t = 3.91983, 4 dof, two-sided p = 0.0172501 (as R's t.test(paired=TRUE)).
  const std::vector<double> a{5.1, 4.9, 5.6, 5.8, 6.0}, b{4.8, 4.7, 5.0, 5.5, 5.2};
  const TestResult r = paired_t_test(a, b);
  EXPECT_NEAR(r.difference, 0.44, 1e-12);
  EXPECT_NEAR(r.p, 0.0172501357, 1e-8);
}

TEST(HypothesisTest, WelchMatchesAKnownValue) {
  // Welch-Satterthwaite dof 6.745, t = 3.63262, two-sided p = 0.0089221.
  const std::vector<double> a{10.1, 9.8, 10.4, 10.0, 9.9, 10.3}, b{9.2, 9.9, 9.4, 9.6, 9.0};
  const TestResult r = welch_t_test(a, b);
  EXPECT_NEAR(r.dof, 6.745012204, 1e-6);
  EXPECT_NEAR(r.p, 0.0089220784, 1e-7);
  EXPECT_LT(r.lo, r.difference);
  EXPECT_GT(r.hi, r.difference);
}

TEST(HypothesisTest, OneReplicateGivesNoVerdict) {
  const std::vector<double> a{5}, b{3};
  EXPECT_TRUE(std::isnan(paired_t_test(a, b).p));
  EXPECT_TRUE(std::isnan(welch_t_test(a, b).p));
  EXPECT_TRUE(std::isnan(paired_t_test({}, {}).p));
}

TEST(HypothesisTest, ZeroSpreadIsExactEqualityOrACertainDifference) {
  const std::vector<double> a{4, 7, 9}, same{4, 7, 9}, shifted{5, 8, 10};
  EXPECT_EQ(paired_t_test(a, same).p, 1.0);
  EXPECT_EQ(paired_t_test(a, shifted).p, 0.0);
  EXPECT_EQ(paired_t_test(a, shifted).difference, -1.0);
  const std::vector<double> zeros{0, 0, 0};
  EXPECT_EQ(welch_t_test(zeros, zeros).p, 1.0);
}

TEST(HypothesisTest, HolmOnAWorkedExample) {
  // Sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04 -> monotone: 0.02, 0.03, 0.06, 0.06.
  const std::vector<double> adjusted = holm_adjust({0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(adjusted.size(), 4u);
  EXPECT_NEAR(adjusted[0], 0.03, 1e-15);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[2], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[3], 0.02, 1e-15);
}

TEST(HypothesisTest, HolmCapsAtOneAndSkipsMissingVerdicts) {
  const std::vector<double> adjusted = holm_adjust({std::nan(""), 0.01, 0.04, 0.6});
  EXPECT_TRUE(std::isnan(adjusted[0]));
  EXPECT_NEAR(adjusted[1], 0.03, 1e-15);  // m = 3, not 4
  EXPECT_NEAR(adjusted[2], 0.08, 1e-15);
  EXPECT_NEAR(adjusted[3], 0.6, 1e-15);
  EXPECT_EQ(holm_adjust({0.6, 0.7}), (std::vector<double>{1.0, 1.0}));  // 2 x 0.6 capped at 1
}

}  // namespace
}  // namespace wakesim::stats
