// LatencyHistogram: quantile search, merging, export and rebuild. The record path is inline in the header.
#include "sim/stats/latency_histogram.h"

#include <algorithm>
#include <cmath>

#include <boost/histogram/make_histogram.hpp>

namespace wakesim::stats {

using engine::Time;

LatencyHistogram::LatencyHistogram()
    : counts_(boost::histogram::make_histogram_with(boost::histogram::dense_storage<uint64_t>(), LogLinearAxis{})) {}

void LatencyHistogram::record_n(Time t, uint64_t count) {
  const int64_t ps = t.ps();
  WAKESIM_CHECK(ps >= 0, "LatencyHistogram: negative duration {} ps", ps);
  if (count == 0) return;
  counts_.at(LogLinearAxis::bucket_of(ps)) += count;
  note(ps, count);
}

double LatencyHistogram::mean() const {
  if (count_ == 0) return 0;
  return static_cast<double>(static_cast<long double>(sum_ps_) / static_cast<long double>(count_));
}

Time LatencyHistogram::quantile(double p) const {
  WAKESIM_CHECK(p >= 0 && p <= 1, "LatencyHistogram::quantile: p must be in [0, 1], got {}", p);
  if (count_ == 0) return Time::zero();
  if (p == 0) return min();
  if (p == 1) return max();
  const long double rank = static_cast<long double>(p) * static_cast<long double>(count_);
  const int first = LogLinearAxis::bucket_of(min_ps_);
  const int last = LogLinearAxis::bucket_of(max_ps_);
  uint64_t below = 0;  // samples in buckets before i
  for (int i = first; i <= last; ++i) {
    const uint64_t c = counts_.at(i);
    if (c == 0) continue;
    if (static_cast<long double>(below + c) >= rank || i == last) {
      // The bucket's c samples are taken as spread evenly over its integers lower..upper.
      const long double within = (rank - static_cast<long double>(below)) / static_cast<long double>(c);
      const long double f = std::clamp(within, 0.0L, 1.0L);
      const int64_t lower = LogLinearAxis::bucket_lower(i);
      const int64_t upper = LogLinearAxis::bucket_upper(i);
      const auto offset = static_cast<int64_t>(std::llround(f * static_cast<long double>(upper - lower)));
      return Time::from_ps(std::clamp(lower + offset, min_ps_, max_ps_));
    }
    below += c;
  }
  return max();  // not reached: the last bucket always ends the loop
}

LatencyHistogram& LatencyHistogram::operator+=(const LatencyHistogram& other) {
  if (other.count_ == 0) return *this;
  counts_ += other.counts_;
  count_ += other.count_;
  sum_ps_ += other.sum_ps_;
  min_ps_ = std::min(min_ps_, other.min_ps_);
  max_ps_ = std::max(max_ps_, other.max_ps_);
  return *this;
}

void LatencyHistogram::clear() {
  // Every sample lies in [min, max], so only those buckets can be non-zero: zeroing them is enough,
  // and much cheaper than the whole axis (about 7,000 buckets) for the narrow histograms a run resets
  // after its warm-up.
  if (count_ > 0) {
    const auto last = LogLinearAxis::bucket_of(max_ps_);
    for (auto b = LogLinearAxis::bucket_of(min_ps_); b <= last; ++b) counts_.at(b) = 0;
  }
  count_ = 0;
  sum_ps_ = 0;
  min_ps_ = INT64_MAX;
  max_ps_ = 0;
}

std::vector<HistogramBucket> LatencyHistogram::buckets() const {
  std::vector<HistogramBucket> out;
  if (count_ == 0) return out;
  for (int i = LogLinearAxis::bucket_of(min_ps_), last = LogLinearAxis::bucket_of(max_ps_); i <= last; ++i) {
    if (const uint64_t c = counts_.at(i); c != 0) {
      out.push_back({LogLinearAxis::bucket_lower(i), LogLinearAxis::bucket_upper(i), c});
    }
  }
  return out;
}

HistogramData LatencyHistogram::data() const {
  return HistogramData{.buckets = buckets(), .min_ps = min().ps(), .max_ps = max().ps(), .sum_ps = to_decimal(sum_ps_)};
}

LatencyHistogram LatencyHistogram::from_data(const HistogramData& data) {
  LatencyHistogram h;
  const Uint128 sum = parse_decimal_u128(data.sum_ps, "histogram sum_ps");
  if (data.buckets.empty()) {
    if (data.min_ps != 0 || data.max_ps != 0 || sum != 0) {
      throw engine::UserError("histogram: no buckets but a non-zero min_ps, max_ps or sum_ps");
    }
    return h;
  }
  int previous = -1;
  for (const HistogramBucket& b : data.buckets) {
    const int i = b.lower_ps >= 0 ? LogLinearAxis::bucket_of(b.lower_ps) : -1;
    if (i < 0 || LogLinearAxis::bucket_lower(i) != b.lower_ps || LogLinearAxis::bucket_upper(i) != b.upper_ps) {
      throw engine::UserError(
          fmt::format("histogram: [{}, {}] ps is not a bucket of the log-linear axis", b.lower_ps, b.upper_ps));
    }
    if (i <= previous) {
      throw engine::UserError(fmt::format("histogram: bucket [{}, {}] ps is out of order", b.lower_ps, b.upper_ps));
    }
    if (b.count == 0 || h.count_ + b.count < h.count_) {
      throw engine::UserError(
          fmt::format("histogram: bucket [{}, {}] ps has a zero count or the total overflows", b.lower_ps, b.upper_ps));
    }
    h.counts_.at(i) = b.count;
    h.count_ += b.count;
    previous = i;
  }
  const HistogramBucket& first = data.buckets.front();
  const HistogramBucket& last = data.buckets.back();
  if (data.min_ps < first.lower_ps || data.min_ps > first.upper_ps || data.max_ps < last.lower_ps ||
      data.max_ps > last.upper_ps) {
    throw engine::UserError(fmt::format("histogram: min_ps {} or max_ps {} lies outside the first or last bucket",
                                        data.min_ps, data.max_ps));
  }
  if (sum < static_cast<Uint128>(data.min_ps) * h.count_ || sum > static_cast<Uint128>(data.max_ps) * h.count_) {
    throw engine::UserError(
        fmt::format("histogram: sum_ps {} is not between count * min_ps and count * max_ps", data.sum_ps));
  }
  h.min_ps_ = data.min_ps;
  h.max_ps_ = data.max_ps;
  h.sum_ps_ = sum;
  return h;
}

bool LatencyHistogram::operator==(const LatencyHistogram& other) const {
  return count_ == other.count_ && sum_ps_ == other.sum_ps_ && min().ps() == other.min().ps() &&
         max_ps_ == other.max_ps_ && counts_ == other.counts_;
}

}  // namespace wakesim::stats
