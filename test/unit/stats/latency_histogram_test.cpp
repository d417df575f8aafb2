// LatencyHistogram against distributions with closed-form quantiles, against the exact order
// statistics of the same samples, and for exact merge, export/import and edge cases.
#include "sim/stats/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "sim/engine/random.h"

namespace wakesim::stats {
namespace {

using engine::Time;
using namespace engine::literals;

// The nearest-rank order statistic x_(ceil(p n)) of sorted samples (x_(1) for p == 0).
int64_t nearest_rank(const std::vector<int64_t>& sorted, double p) {
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::max<size_t>(rank, 1) - 1];
}

double relative_error(Time got, double want) { return std::abs(static_cast<double>(got.ps()) - want) / want; }

class HistogramExponentialTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine::RandomStream rng(42, 0, "histogram-exp");
    samples_ = new std::vector<int64_t>();
    for (int i = 0; i < 1'000'000; ++i) {
      const auto ps = static_cast<int64_t>(std::llround(rng.exponential(kMeanPs)));
      samples_->push_back(ps);
      hist_.record_ps(ps);
    }
    std::sort(samples_->begin(), samples_->end());
  }
  static void TearDownTestSuite() { delete samples_; }

  static constexpr double kMeanPs = 10e6;  // 10 us
  static inline LatencyHistogram hist_;
  static inline std::vector<int64_t>* samples_ = nullptr;
};

TEST_F(HistogramExponentialTest, QuantilesMatchTheClosedForm) {
  // Exponential: the p-quantile is -mean * ln(1 - p). Sampling error at 1e6 samples is < 0.5% here.
  EXPECT_LT(relative_error(hist_.p50(), kMeanPs * std::log(2.0)), 0.015);
  EXPECT_LT(relative_error(hist_.p90(), kMeanPs * std::log(10.0)), 0.015);
  EXPECT_LT(relative_error(hist_.p99(), kMeanPs * std::log(100.0)), 0.015);
  EXPECT_LT(relative_error(hist_.p999(), kMeanPs * std::log(1000.0)), 0.015);
  EXPECT_LT(std::abs(hist_.mean() - kMeanPs) / kMeanPs, 0.005);
  EXPECT_EQ(hist_.count(), 1'000'000u);
}

TEST_F(HistogramExponentialTest, QuantilesAreWithinOneBucketOfTheExactOrderStatistic) {
  // The estimate lies in the bucket of x_(ceil(p n)), so it is within 1/128 of it; the interpolation
  // usually does much better (checked on average).
  double total = 0;
  int checked = 0;
  for (int k = 1; k < 1000; ++k) {
    const double p = k * 0.001;
    const auto exact = static_cast<double>(nearest_rank(*samples_, p));
    const double err = relative_error(hist_.quantile(p), exact);
    ASSERT_LE(err, 1.0 / 128) << "p = " << p;
    total += err;
    ++checked;
  }
  for (const double p : {0.9999, 0.99999}) {
    EXPECT_LE(relative_error(hist_.quantile(p), static_cast<double>(nearest_rank(*samples_, p))), 1.0 / 128);
  }
  EXPECT_LT(total / checked, 0.002);
}

TEST_F(HistogramExponentialTest, ExtremesAndSumAreExact) {
  EXPECT_EQ(hist_.min().ps(), samples_->front());
  EXPECT_EQ(hist_.max().ps(), samples_->back());
  EXPECT_EQ(hist_.quantile(0), hist_.min());
  EXPECT_EQ(hist_.quantile(1), hist_.max());
  Uint128 sum = 0;
  for (const int64_t v : *samples_) sum += static_cast<Uint128>(v);
  EXPECT_TRUE(hist_.sum_ps() == sum);
}

TEST(HistogramTest, UniformQuantilesAreLinear) {
  engine::RandomStream rng(7, 0, "histogram-uniform");
  const auto dist = engine::Distribution::uniform(1e6, 2e6);  // 1 us .. 2 us
  LatencyHistogram h;
  for (int i = 0; i < 500'000; ++i) h.record(dist.sample_time(rng));
  for (const double p : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99}) {
    EXPECT_LT(relative_error(h.quantile(p), 1e6 + p * 1e6), 0.005) << "p = " << p;
  }
  EXPECT_LT(std::abs(h.mean() - 1.5e6) / 1.5e6, 0.001);
}

TEST(HistogramTest, ConstantGivesExactQuantiles) {
  LatencyHistogram h;
  for (int i = 0; i < 1000; ++i) h.record(5_us);
  for (const double p : {0.0, 0.001, 0.5, 0.99, 0.9999, 1.0}) EXPECT_EQ(h.quantile(p), 5_us) << "p = " << p;
  EXPECT_EQ(h.mean(), 5e6);
  EXPECT_EQ(h.min(), 5_us);
  EXPECT_EQ(h.max(), 5_us);
}

TEST(HistogramTest, ExactRangeGivesTheNearestRankOrderStatistic) {
  LatencyHistogram h;
  std::vector<int64_t> values;
  for (int64_t v = 0; v < 100; ++v) {
    h.record_ps(v);
    values.push_back(v);
  }
  for (int k = 0; k < 100; ++k) {
    const double p = 0.005 + k * 0.01;
    EXPECT_EQ(h.quantile(p).ps(), nearest_rank(values, p)) << "p = " << p;
  }
  EXPECT_EQ(h.p50().ps(), 49);
  EXPECT_EQ(h.p99().ps(), 98);
}

TEST(HistogramTest, QuantileOneIsTheExactMaximumInsideAWideBucket) {
  LatencyHistogram h;
  h.record(1_us);
  h.record_ps(12'345'678'901);  // 12.3 ms, in a bucket 2^27 ps (134 us) wide
  h.record_ps(12'345'678'900);
  EXPECT_EQ(h.quantile(1).ps(), 12'345'678'901);
  EXPECT_EQ(h.max().ps(), 12'345'678'901);
  EXPECT_EQ(h.quantile(0), 1_us);
  // Below p = 1 the estimate is interpolated inside that bucket (and never above the maximum).
  const int bucket = LogLinearAxis::bucket_of(12'345'678'900);
  for (const double p : {0.5, 0.9, 0.9999}) {
    EXPECT_EQ(LogLinearAxis::bucket_of(h.quantile(p).ps()), bucket) << "p = " << p;
    EXPECT_LE(h.quantile(p).ps(), 12'345'678'901) << "p = " << p;
  }
}

TEST(HistogramTest, QuantileIsMonotoneInP) {
  engine::RandomStream rng(3, 0, "histogram-monotone");
  const auto dist = engine::Distribution::lognormal_mean_cv(2e6, 3.0);
  LatencyHistogram h;
  for (int i = 0; i < 20'000; ++i) h.record(dist.sample_time(rng));
  Time previous = h.quantile(0);
  for (int k = 1; k <= 10'000; ++k) {
    const Time q = h.quantile(k / 10'000.0);
    ASSERT_GE(q, previous) << "p = " << k / 10'000.0;
    previous = q;
  }
}

TEST(HistogramTest, MergeEqualsRecordingEverythingIntoOne) {
  engine::RandomStream rng(11, 0, "histogram-merge");
  LatencyHistogram all;
  LatencyHistogram a;
  LatencyHistogram b;
  LatencyHistogram c;  // stays empty
  for (int i = 0; i < 100'000; ++i) {
    const auto ps = static_cast<int64_t>(rng.exponential(3e6));
    all.record_ps(ps);
    (i % 3 == 0 ? a : b).record_ps(ps);
  }
  LatencyHistogram merged;
  merged += a;
  merged.merge(c);
  merged.merge(b);
  EXPECT_TRUE(merged == all);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.p99(), all.p99());
  EXPECT_EQ(merged.mean(), all.mean());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_FALSE(merged == a);
}

TEST(HistogramTest, RecordNEqualsRepeatedRecord) {
  LatencyHistogram once;
  LatencyHistogram repeated;
  once.record_n(700_ns, 5);
  once.record_n(3_ms, 2);
  once.record_n(9_s, 0);  // records nothing, not even the maximum
  for (int i = 0; i < 5; ++i) repeated.record(700_ns);
  for (int i = 0; i < 2; ++i) repeated.record(3_ms);
  EXPECT_TRUE(once == repeated);
  EXPECT_EQ(once.max(), 3_ms);
}

TEST(HistogramTest, ExportImportRoundTripIsExact) {
  engine::RandomStream rng(5, 0, "histogram-export");
  LatencyHistogram h;
  for (int i = 0; i < 50'000; ++i) h.record_ps(static_cast<int64_t>(rng.exponential(1e5)));
  h.record_ps(INT64_MAX);  // the sum exceeds 2^63; the last bucket's upper edge is INT64_MAX
  h.record_ps(INT64_MAX);

  const HistogramData data = h.data();
  uint64_t total = 0;
  for (size_t i = 0; i < data.buckets.size(); ++i) {
    EXPECT_GT(data.buckets[i].count, 0u);
    if (i > 0) {
      EXPECT_GT(data.buckets[i].lower_ps, data.buckets[i - 1].upper_ps);
    }
    total += data.buckets[i].count;
  }
  EXPECT_EQ(total, h.count());
  EXPECT_EQ(data.buckets.back().upper_ps, INT64_MAX);

  const LatencyHistogram back = LatencyHistogram::from_data(data);
  EXPECT_TRUE(back == h);
  EXPECT_EQ(back.data(), data);
  EXPECT_EQ(back.p99(), h.p99());
  EXPECT_EQ(back.mean(), h.mean());
}

TEST(HistogramTest, ImportRejectsMalformedData) {
  LatencyHistogram h;
  h.record(10_us);
  h.record(20_us);
  const HistogramData good = h.data();

  HistogramData misaligned = good;
  misaligned.buckets[0].lower_ps += 1;
  EXPECT_THROW(LatencyHistogram::from_data(misaligned), engine::UserError);

  HistogramData reversed = good;
  std::swap(reversed.buckets[0], reversed.buckets[1]);
  EXPECT_THROW(LatencyHistogram::from_data(reversed), engine::UserError);

  HistogramData bad_max = good;
  bad_max.max_ps = 30'000'000;
  EXPECT_THROW(LatencyHistogram::from_data(bad_max), engine::UserError);

  HistogramData bad_sum = good;
  bad_sum.sum_ps = "12x";
  EXPECT_THROW(LatencyHistogram::from_data(bad_sum), engine::UserError);
  bad_sum.sum_ps = "1";  // below count * min
  EXPECT_THROW(LatencyHistogram::from_data(bad_sum), engine::UserError);
}

TEST(HistogramTest, EmptyHistogramReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.min(), Time::zero());
  EXPECT_EQ(h.max(), Time::zero());
  EXPECT_EQ(h.p50(), Time::zero());
  EXPECT_EQ(h.quantile(1), Time::zero());
  EXPECT_TRUE(h.buckets().empty());
  EXPECT_TRUE(LatencyHistogram::from_data(h.data()) == h);

  h.record(1_us);
  h.clear();
  EXPECT_TRUE(h == LatencyHistogram());
}

TEST(HistogramTest, HugeValuesDoNotOverflowTheSum) {
  LatencyHistogram h;
  h.record_n(Time::max(), 4);
  EXPECT_EQ(h.mean(), static_cast<double>(INT64_MAX));
  EXPECT_EQ(h.data().sum_ps, "36893488147419103228");  // 4 * (2^63 - 1)
  EXPECT_EQ(h.quantile(0.5), Time::max());
}

TEST(HistogramTest, InvalidInputIsASimulatorBug) {
  LatencyHistogram h;
  EXPECT_THROW(h.record_ps(-1), engine::InternalError);
  EXPECT_THROW(h.record_n(Time::from_ps(-5), 1), engine::InternalError);
  h.record(1_us);
  EXPECT_THROW((void)h.quantile(1.5), engine::InternalError);
  EXPECT_THROW((void)h.quantile(std::nan("")), engine::InternalError);
}

}  // namespace
}  // namespace wakesim::stats
