// RunningStats against a two-pass computation, including data whose mean dwarfs its spread, and the
// parallel merge against accumulating everything in one.
#include "sim/stats/running_stats.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "sim/engine/random.h"

namespace wakesim::stats {
namespace {

struct TwoPass {
  double mean = 0;
  double variance = 0;
};

// The reference: two passes in long double (64-bit mantissa).
TwoPass two_pass(const std::vector<double>& x) {
  long double mean = 0;
  for (const double v : x) mean += v;
  mean /= static_cast<long double>(x.size());
  long double ss = 0;
  for (const double v : x) ss += (v - mean) * (v - mean);
  return {static_cast<double>(mean), static_cast<double>(ss / static_cast<long double>(x.size() - 1))};
}

std::vector<double> normal_samples(uint64_t seed, int n, double mean, double sd) {
  engine::RandomStream rng(seed, 0, "running-stats");
  std::vector<double> x;
  x.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) x.push_back(mean + sd * rng.standard_normal());
  return x;
}

TEST(RunningStatsTest, MatchesTwoPassWithALargeOffset) {
  // Mean 1e9, standard deviation 1: the naive sum-of-squares formula loses every significant digit.
  const std::vector<double> x = normal_samples(1, 100'000, 1e9, 1.0);
  RunningStats s;
  for (const double v : x) s.add(v);
  const TwoPass want = two_pass(x);
  EXPECT_EQ(s.count(), x.size());
  EXPECT_NEAR(s.mean(), want.mean, 1e-13 * want.mean);
  EXPECT_NEAR(s.variance(), want.variance, 1e-6 * want.variance);
  // The textbook one-pass formula (sum of squares minus n mean^2) fails here; Welford does not.
  double sum = 0;
  double sum_sq = 0;
  for (const double v : x) {
    sum += v;
    sum_sq += v * v;
  }
  const auto n = static_cast<double>(x.size());
  const double naive = (sum_sq - sum * sum / n) / (n - 1);
  EXPECT_GT(std::abs(naive - want.variance), 0.5);
  EXPECT_NEAR(s.stddev(), 1.0, 0.01);
  EXPECT_EQ(s.min(), *std::min_element(x.begin(), x.end()));
  EXPECT_EQ(s.max(), *std::max_element(x.begin(), x.end()));
}

TEST(RunningStatsTest, SmallExactCase) {
  RunningStats s;
  for (const double v : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) s.add(v);
  EXPECT_DOUBLE_EQ(s.mean(), 5.0);
  EXPECT_DOUBLE_EQ(s.population_variance(), 4.0);
  EXPECT_DOUBLE_EQ(s.variance(), 32.0 / 7.0);
  EXPECT_DOUBLE_EQ(s.sum_squared_deviations(), 32.0);
}

TEST(RunningStatsTest, MergeEqualsAccumulatingEverything) {
  const std::vector<double> x = normal_samples(2, 30'001, 1e6, 50.0);
  RunningStats all;
  RunningStats parts[3];
  for (size_t i = 0; i < x.size(); ++i) {
    all.add(x[i]);
    parts[i * 3 / x.size()].add(x[i]);
  }
  RunningStats merged;
  merged.merge(RunningStats());  // empty into empty
  merged.merge(parts[0]);
  merged += parts[1];
  merged += parts[2];
  merged += RunningStats();
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_NEAR(merged.mean(), all.mean(), 1e-9 * all.mean());
  EXPECT_NEAR(merged.variance(), all.variance(), 1e-9 * all.variance());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
}

TEST(RunningStatsTest, UndefinedQuantitiesAreNaN) {
  RunningStats s;
  EXPECT_EQ(s.count(), 0u);
  EXPECT_TRUE(std::isnan(s.mean()));
  EXPECT_TRUE(std::isnan(s.min()));
  EXPECT_TRUE(std::isnan(s.variance()));
  s.add(3.0);
  EXPECT_EQ(s.mean(), 3.0);
  EXPECT_EQ(s.population_variance(), 0.0);
  EXPECT_TRUE(std::isnan(s.variance()));
  s.clear();
  EXPECT_EQ(s.count(), 0u);
}

}  // namespace
}  // namespace wakesim::stats
