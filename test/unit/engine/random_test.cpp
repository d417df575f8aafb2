// Random streams: keyed by (seed, entity, purpose), reproducible, independent; samplers have the
// moments and quantiles their distributions should have.
#include "sim/engine/random.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace wakesim::engine {
namespace {

std::vector<uint64_t> first_values(RandomStream s, int n) {
  std::vector<uint64_t> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back(s.next_u64());
  return out;
}

TEST(RandomStream, SameKeySameValues) {
  EXPECT_EQ(first_values(RandomStream(1, 2, "a"), 100), first_values(RandomStream(1, 2, "a"), 100));
}

TEST(RandomStream, DifferentKeysDifferentValues) {
  const auto base = first_values(RandomStream(1, 2, "a"), 4);
  EXPECT_NE(base, first_values(RandomStream(2, 2, "a"), 4));
  EXPECT_NE(base, first_values(RandomStream(1, 3, "a"), 4));
  EXPECT_NE(base, first_values(RandomStream(1, 2, "b"), 4));
}

// Known-answer test: these exact values must never change, or every stored result would shift.
TEST(RandomStream, KnownAnswer) {
  RandomStream s(12345, 6, "known-answer");
  EXPECT_EQ(s.next_u64(), 9544028597998473362ull);
  EXPECT_EQ(s.next_u64(), 12223598689662925510ull);
  EXPECT_EQ(s.uniform01(), 0.58938773370181585);
  EXPECT_EQ(s.exponential(1.0), 0.25783352681681265);
}

TEST(RandomStream, UniformRangesAndBelow) {
  RandomStream s(3, 0, "uniform");
  double sum = 0;
  std::set<uint64_t> seen;
  for (int i = 0; i < 100000; ++i) {
    const double u = s.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    const double v = s.uniform_open01();
    ASSERT_GT(v, 0.0);
    ASSERT_LT(v, 1.0);
    sum += u;
    const uint64_t k = s.below(7);
    ASSERT_LT(k, 7u);
    seen.insert(k);
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);
  EXPECT_EQ(seen.size(), 7u);
}

struct MomentCase {
  const char* name;
  Distribution d;
};

class DistributionMoments : public ::testing::TestWithParam<MomentCase> {};

// Sample mean and variance within 5 standard errors of the closed form.
TEST_P(DistributionMoments, SampleMomentsMatchClosedForm) {
  const Distribution& d = GetParam().d;
  RandomStream s(11, 0, "moments");
  constexpr int kN = 400000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < kN; ++i) {
    const double x = d.sample(s);
    ASSERT_GE(x, 0.0);
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / kN;
  const double var = sum2 / kN - mean * mean;
  const double se = std::sqrt(d.variance() / kN);
  EXPECT_NEAR(mean, d.mean(), 5 * se + 1e-12 * d.mean()) << GetParam().name;
  EXPECT_NEAR(var, d.variance(), 0.03 * d.variance() + 1e-9) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(AllKinds, DistributionMoments,
                         ::testing::Values(MomentCase{"constant", Distribution::constant(5.0)},
                                           MomentCase{"uniform", Distribution::uniform(2.0, 10.0)},
                                           MomentCase{"exponential", Distribution::exponential(3.0)},
                                           MomentCase{"lognormal", Distribution::lognormal_mean_cv(10.0, 0.5)},
                                           MomentCase{"pareto", Distribution::bounded_pareto(2.5, 1.0, 50.0)},
                                           MomentCase{"empirical",
                                                      Distribution::empirical({{1.0, 0.0}, {2.0, 0.5}, {10.0, 1.0}})}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Distribution, ExponentialMedianAndLogNormalMedian) {
  RandomStream s(5, 0, "median");
  std::vector<double> e, l;
  for (int i = 0; i < 200001; ++i) {
    e.push_back(Distribution::exponential(1.0).sample(s));
    l.push_back(Distribution::lognormal_mean_cv(1.0, 1.0).sample(s));
  }
  std::nth_element(e.begin(), e.begin() + 100000, e.end());
  std::nth_element(l.begin(), l.begin() + 100000, l.end());
  EXPECT_NEAR(e[100000], std::log(2.0), 0.01);
  EXPECT_NEAR(l[100000], std::exp(-0.5 * std::log(2.0)), 0.01);  // median = e^mu, mu = -sigma^2/2
}

TEST(Distribution, BoundedParetoStaysInBounds) {
  RandomStream s(6, 0, "pareto");
  const auto d = Distribution::bounded_pareto(1.1, 3.0, 30.0);
  for (int i = 0; i < 100000; ++i) {
    const double x = d.sample(s);
    ASSERT_GE(x, 3.0);
    ASSERT_LE(x, 30.0);
  }
}

TEST(Distribution, SampleTimeRoundsToPicoseconds) {
  RandomStream s(1, 0, "t");
  EXPECT_EQ(Distribution::constant(1234.4).sample_time(s), Time::from_ps(1234));
  EXPECT_EQ(Distribution::constant(1234.5).sample_time(s), Time::from_ps(1235));
}

}  // namespace
}  // namespace wakesim::engine
