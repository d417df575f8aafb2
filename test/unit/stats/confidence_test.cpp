// Confidence intervals: the t critical value, the empirical coverage of the mean interval, the
// variance reduction of paired (common-random-number) differences, and the exact order-statistic
// interval for a quantile against Conover's tables and by simulation.
#include "sim/stats/confidence.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "sim/engine/errors.h"
#include "sim/engine/random.h"

namespace wakesim::stats {
namespace {

TEST(ConfidenceTest, StudentTCriticalValues) {
  EXPECT_NEAR(t_critical(0.95, 9), 2.262, 0.0005);  // n = 10
  EXPECT_NEAR(t_critical(0.95, 1), 12.706, 0.0005);
  EXPECT_NEAR(t_critical(0.99, 29), 2.756, 0.0005);
  EXPECT_NEAR(t_critical(0.95, 1e6), 1.960, 0.0005);
}

TEST(ConfidenceTest, KnownSmallSample) {
  const std::vector<double> x = {10, 12, 14, 16, 18, 20, 22, 24, 26, 28};  // mean 19, s = sqrt(110/3)
  const ConfidenceInterval ci = mean_ci(x);
  EXPECT_EQ(ci.n, 10u);
  EXPECT_DOUBLE_EQ(ci.mean, 19.0);
  EXPECT_NEAR(ci.half_width, 2.262157 * std::sqrt(110.0 / 3.0) / std::sqrt(10.0), 1e-5);
  EXPECT_DOUBLE_EQ(ci.lo, ci.mean - ci.half_width);
  EXPECT_DOUBLE_EQ(ci.hi, ci.mean + ci.half_width);
}

TEST(ConfidenceTest, NinetyFivePercentIntervalCoversTheMeanAboutNinetyFivePercentOfTheTime) {
  engine::RandomStream rng(2024, 0, "ci-coverage");
  constexpr int kTrials = 2000;
  constexpr double kMean = 50.0;
  int covered = 0;
  for (int t = 0; t < kTrials; ++t) {
    std::vector<double> x;
    x.reserve(10);
    for (int i = 0; i < 10; ++i) x.push_back(kMean + 4.0 * rng.standard_normal());
    const ConfidenceInterval ci = mean_ci(x);
    if (ci.lo <= kMean && kMean <= ci.hi) ++covered;
  }
  const double coverage = static_cast<double>(covered) / kTrials;
  EXPECT_GT(coverage, 0.93);
  EXPECT_LT(coverage, 0.97);
}

TEST(ConfidenceTest, PairedDifferenceCancelsCommonNoise) {
  // Replicate i of both "designs" shares the noise term (common random numbers); B is 1 slower.
  engine::RandomStream rng(8, 0, "ci-paired");
  std::vector<double> a;
  std::vector<double> b;
  for (int i = 0; i < 20; ++i) {
    const double shared = 10.0 * rng.standard_normal();
    a.push_back(100.0 + shared + 0.1 * rng.standard_normal());
    b.push_back(101.0 + shared + 0.1 * rng.standard_normal());
  }
  const ConfidenceInterval paired = paired_difference_ci(a, b);
  EXPECT_LT(paired.lo, -1.0);
  EXPECT_GT(paired.hi, -1.0);
  EXPECT_LT(paired.half_width, 0.2);
  EXPECT_GT(mean_ci(a).half_width, 10 * paired.half_width);
  std::vector<double> diff;
  for (size_t i = 0; i < a.size(); ++i) diff.push_back(a[i] - b[i]);
  EXPECT_DOUBLE_EQ(paired.half_width, mean_ci(diff).half_width);
}

TEST(ConfidenceTest, DegenerateSampleSizes) {
  const ConfidenceInterval none = mean_ci(std::vector<double>{});
  EXPECT_EQ(none.n, 0u);
  EXPECT_TRUE(std::isnan(none.mean));
  EXPECT_TRUE(std::isnan(none.half_width));
  const ConfidenceInterval one = mean_ci(std::vector<double>{7.0});
  EXPECT_EQ(one.mean, 7.0);
  EXPECT_TRUE(std::isinf(one.half_width));
  EXPECT_TRUE(std::isinf(one.lo) && one.lo < 0);
  EXPECT_TRUE(std::isinf(one.hi) && one.hi > 0);
  EXPECT_THROW(paired_difference_ci(std::vector<double>{1.0}, std::vector<double>{1.0, 2.0}), engine::InternalError);
  EXPECT_THROW(mean_ci(std::vector<double>{1.0, 2.0}, 1.0), engine::InternalError);
}

TEST(ConfidenceQuantileTest, MedianOfTwentyMatchesConoversTable) {
  // n = 20, p = 0.5, 95%: [x_(6), x_(15)] with coverage 0.9586 (Conover, Table A3 / example 3.2).
  std::vector<double> x;
  for (int i = 20; i >= 1; --i) x.push_back(i * 1.5);  // unsorted on purpose: x_(k) = 1.5 k
  const QuantileInterval q = quantile_ci(x, 0.5, 0.95);
  EXPECT_EQ(q.lo_rank, 6u);
  EXPECT_EQ(q.hi_rank, 15u);
  EXPECT_EQ(q.lo, 9.0);
  EXPECT_EQ(q.hi, 22.5);
  EXPECT_NEAR(q.coverage, 0.9586, 0.0001);
  EXPECT_DOUBLE_EQ(q.estimate, 15.75);  // type 7: halfway between x_(10) and x_(11)
}

TEST(ConfidenceQuantileTest, TooFewSamplesGiveAnUnboundedSide) {
  // With 10 samples no order statistic bounds the 99th percentile from above at 95%.
  std::vector<double> x;
  for (int i = 1; i <= 10; ++i) x.push_back(i);
  const QuantileInterval q = quantile_ci(x, 0.99, 0.95);
  EXPECT_EQ(q.hi_rank, 11u);
  EXPECT_TRUE(std::isinf(q.hi));
  EXPECT_GE(q.coverage, 0.95);
  EXPECT_TRUE(std::isnan(quantile_ci({}, 0.5).lo));
}

TEST(ConfidenceQuantileTest, CoverageOfTheNinetiethPercentileBySimulation) {
  // Exponential(mean 1): the 0.9-quantile is ln 10. The exact interval's coverage is >= 95%, and the
  // simulated coverage matches the reported one.
  engine::RandomStream rng(99, 0, "quantile-ci");
  const double truth = std::log(10.0);
  constexpr int kTrials = 2000;
  int covered = 0;
  double reported = 0;
  for (int t = 0; t < kTrials; ++t) {
    std::vector<double> x;
    x.reserve(200);
    for (int i = 0; i < 200; ++i) x.push_back(rng.exponential(1.0));
    const QuantileInterval q = quantile_ci(x, 0.9, 0.95);
    if (q.lo <= truth && truth <= q.hi) ++covered;
    reported = q.coverage;
  }
  const double coverage = static_cast<double>(covered) / kTrials;
  EXPECT_GE(reported, 0.95);
  EXPECT_NEAR(coverage, reported, 0.015);
}

TEST(ConfidenceQuantileTest, LargeSampleRanksFollowTheNormalApproximation) {
  std::vector<double> x(1'000'000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  const QuantileInterval q = quantile_ci(x, 0.99, 0.95);
  const double spread = 1.959964 * std::sqrt(1e6 * 0.99 * 0.01);  // about 195 ranks
  EXPECT_NEAR(static_cast<double>(q.lo_rank), 990'000 - spread, 3);
  EXPECT_NEAR(static_cast<double>(q.hi_rank), 990'000 + spread, 3);
  EXPECT_GE(q.coverage, 0.95);
  EXPECT_LT(q.coverage, 0.952);
}

}  // namespace
}  // namespace wakesim::stats
