// A histogram of non-negative durations (wakeup latency, lock wait and hold times, IRQ-off time) in
// integer picoseconds, with the exact count, sum, minimum and maximum alongside.
//
// Buckets follow LogLinearAxis (log_linear_axis.h): exact below 256 ps, then 128 linear sub-buckets per
// power-of-two octave, over the whole int64 range. A quantile is therefore within one bucket width of
// the exact sample quantile: at most 1/128 (0.78%) relative error, typically much less because it is
// interpolated within the bucket. Counts are kept in a Boost.Histogram with dense uint64 storage.
//
// record() is on the simulator's hot path: it computes the bucket with integer operations and
// increments one counter; it never allocates. A negative duration is a simulator bug (WAKESIM_CHECK).
//
// Empty histogram: count() == 0 and mean(), min(), max() and every quantile are zero.
// Histograms from different runs, shards or replicates merge exactly (operator+=); data()/from_data()
// export and rebuild one exactly for results files.
#pragma once

#include <cstdint>
#include <tuple>
#include <vector>

#include <boost/histogram/histogram.hpp>
#include <boost/histogram/storage_adaptor.hpp>

#include "sim/engine/errors.h"
#include "sim/engine/time.h"
#include "sim/stats/histogram_data.h"
#include "sim/stats/log_linear_axis.h"

namespace wakesim::stats {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void record(engine::Time t) { record_ps(t.ps()); }
  void record_ps(int64_t ps) {
    WAKESIM_CHECK(ps >= 0, "LatencyHistogram: negative duration {} ps", ps);
    counts_(ps);
    note(ps, 1);
  }
  // Records `count` samples of the same duration (count 0 records nothing).
  void record_n(engine::Time t, uint64_t count);

  uint64_t count() const { return count_; }
  double mean() const;  // in picoseconds
  engine::Time min() const { return engine::Time::from_ps(count_ == 0 ? 0 : min_ps_); }
  engine::Time max() const { return engine::Time::from_ps(max_ps_); }
  Uint128 sum_ps() const { return sum_ps_; }

  // The p-quantile, 0 <= p <= 1: the bucket where the cumulative count reaches p * count(), linearly
  // interpolated inside it, clamped to [min(), max()]. quantile(0) == min() and quantile(1) == max()
  // exactly. Values in the exact range (< 256 ps) give the nearest-rank order statistic x_(ceil(p n)).
  engine::Time quantile(double p) const;
  engine::Time p50() const { return quantile(0.5); }
  engine::Time p90() const { return quantile(0.9); }
  engine::Time p99() const { return quantile(0.99); }
  engine::Time p999() const { return quantile(0.999); }
  engine::Time p9999() const { return quantile(0.9999); }

  LatencyHistogram& operator+=(const LatencyHistogram& other);
  void merge(const LatencyHistogram& other) { *this += other; }
  void clear();

  // Non-empty buckets in ascending order.
  std::vector<HistogramBucket> buckets() const;
  HistogramData data() const;
  // Rebuilds a histogram from data(); throws engine::UserError if the data is not a valid export
  // (a bucket that is not one of this axis's buckets, out of order or empty; extremes outside the
  // first or last bucket; a malformed sum).
  static LatencyHistogram from_data(const HistogramData& data);

  bool operator==(const LatencyHistogram& other) const;

 private:
  using Counts = boost::histogram::histogram<std::tuple<LogLinearAxis>, boost::histogram::dense_storage<uint64_t>>;

  void note(int64_t ps, uint64_t n) {
    count_ += n;
    sum_ps_ += static_cast<Uint128>(ps) * n;
    if (ps < min_ps_) min_ps_ = ps;
    if (ps > max_ps_) max_ps_ = ps;
  }

  Counts counts_;
  uint64_t count_ = 0;
  Uint128 sum_ps_ = 0;
  int64_t min_ps_ = INT64_MAX;  // sentinels while empty; min()/max() report zero then
  int64_t max_ps_ = 0;
};

}  // namespace wakesim::stats
