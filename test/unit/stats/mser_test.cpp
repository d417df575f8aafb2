// MSER-5 warm-up truncation: an obvious initial transient is cut at about its end, a stationary
// series is barely cut, and hand-checkable small cases.
#include "sim/stats/mser.h"

#include <vector>

#include <gtest/gtest.h>

#include "sim/engine/errors.h"
#include "sim/engine/random.h"

namespace wakesim::stats {
namespace {

std::vector<double> normal_series(uint64_t seed, int n, double mean, double sd) {
  engine::RandomStream rng(seed, 0, "mser");
  std::vector<double> x;
  x.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) x.push_back(mean + sd * rng.standard_normal());
  return x;
}

TEST(MserTest, TruncatesAnObviousInitialTransient) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    std::vector<double> x(200, 100.0);
    const std::vector<double> steady = normal_series(seed, 2000, 10.0, 1.0);
    x.insert(x.end(), steady.begin(), steady.end());
    const size_t cut = mser5(x);
    EXPECT_GE(cut, 190u) << "seed " << seed;
    EXPECT_LE(cut, 260u) << "seed " << seed;
    EXPECT_EQ(cut % 5, 0u);
  }
}

TEST(MserTest, TruncatesADecayingTransientNearItsEnd) {
  // Exponential approach to the steady state: 50 + 40 exp(-i / 100), gone (< 0.1) by i ~ 600.
  std::vector<double> x = normal_series(3, 5000, 50.0, 2.0);
  for (size_t i = 0; i < x.size(); ++i) x[i] += 40.0 * std::exp(-static_cast<double>(i) / 100.0);
  const size_t cut = mser5(x);
  EXPECT_GE(cut, 150u);
  EXPECT_LE(cut, 800u);
}

TEST(MserTest, StationarySeriesIsBarelyTruncated) {
  size_t total = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<double> x = normal_series(100 + seed, 2000, 10.0, 1.0);
    const size_t cut = mser5(x);
    EXPECT_LE(cut, 400u) << "seed " << seed;  // never a fifth of the run
    total += cut;
  }
  EXPECT_LE(total / 20, 100u);  // on average at most 5%
}

TEST(MserTest, ShortSeriesAreNotTruncated) {
  EXPECT_EQ(mser5({}), 0u);
  EXPECT_EQ(mser5(std::vector<double>(9, 1.0)), 0u);
  EXPECT_EQ(mser(std::vector<double>{5.0}, 1), 0u);
  EXPECT_THROW(mser(std::vector<double>(10, 1.0), 0), engine::InternalError);
}

TEST(MserTest, SmallHandCheckedCases) {
  // Batch 1: one outlier then a constant: deleting it gives statistic 0.
  EXPECT_EQ(mser(std::vector<double>{9, 1, 1, 1, 1, 1}, 1), 1u);
  // A constant series: every d gives 0; the smallest d wins.
  EXPECT_EQ(mser(std::vector<double>(100, 4.0), 1), 0u);
  // Batch means 10, 10, 0, 1, 0, 1 (batch 2): d may not exceed k/2 = 3, and d = 2 removes the jump.
  EXPECT_EQ(mser(std::vector<double>{10, 10, 10, 10, 0, 0, 1, 1, 0, 0, 1, 1}, 2), 4u);
}

}  // namespace
}  // namespace wakesim::stats
