// The bucket layout of LatencyHistogram: a log-linear ("HDR histogram", Tene 2012) axis over the
// non-negative int64 picosecond values, written as a Boost.Histogram custom axis.
//
// Values 0..255 ps have one exact bucket each. Above that, every power-of-two octave [2^k, 2^(k+1)),
// k >= 8, is split into kSubBuckets = 128 linear sub-buckets of width 2^(k-7) ps. A bucket is therefore
// never wider than 1/128 of its lower edge, so:
//   - any value in a bucket is within 1/128 (0.78%) of any other value in the same bucket, which is the
//     "<= 1% relative error from 1 ns to 10 s" the statistics need (a quantile lands in the bucket of
//     the exact order statistic);
//   - the bucket midpoint is within 1/256 (0.39%) of every value in the bucket.
// The axis covers the whole int64 range (the last bucket ends at INT64_MAX), so there is no overflow
// bucket and no value is ever clamped; it has 7296 buckets (57 KiB of uint64 counters).
//
// Bucket of v: with shift = max(0, 56 - countl_zero(v)), index = 128 * shift + (v >> shift). Integer
// operations only: no log(), no table, no branch on the value's magnitude.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

namespace wakesim::stats {

class LogLinearAxis {
 public:
  using value_type = int64_t;
  using index_type = int;

  static constexpr int kSubBucketBits = 7;
  static constexpr int64_t kSubBuckets = int64_t{1} << kSubBucketBits;  // 128 per octave
  static constexpr int64_t kExactLimit = 2 * kSubBuckets;               // 0..255 ps are exact
  static constexpr index_type kBucketCount = 7296;                      // bucket_of(INT64_MAX) + 1

  // Bucket holding v; v must be >= 0 (LatencyHistogram checks before filling).
  static constexpr index_type bucket_of(int64_t v) {
    const auto u = static_cast<uint64_t>(v);
    const int shift = std::max(0, 63 - kSubBucketBits - std::countl_zero(u));
    return static_cast<index_type>((int64_t{shift} << kSubBucketBits) + static_cast<int64_t>(u >> shift));
  }
  // Smallest and largest value (inclusive) in bucket i, 0 <= i < kBucketCount.
  static constexpr int64_t bucket_lower(index_type i) {
    if (i < kExactLimit) return i;
    const int shift = (i >> kSubBucketBits) - 1;
    return (kSubBuckets + (i & (kSubBuckets - 1))) << shift;
  }
  static constexpr int64_t bucket_upper(index_type i) {
    if (i < kExactLimit) return i;
    const int shift = (i >> kSubBucketBits) - 1;
    // Written as lower + (width - 1) so that the last bucket ends at INT64_MAX without overflowing.
    return bucket_lower(i) + ((int64_t{1} << shift) - 1);
  }

  // Boost.Histogram axis interface. Every non-negative int64 has a bucket (inclusive, no flow bins).
  index_type index(value_type v) const { return bucket_of(v); }
  value_type value(index_type i) const { return bucket_lower(i); }  // a discrete axis: a bucket's representative
  static constexpr index_type size() { return kBucketCount; }
  static constexpr bool inclusive() { return true; }
  static constexpr unsigned options() { return 0; }
  bool operator==(const LogLinearAxis&) const { return true; }
  bool operator!=(const LogLinearAxis&) const { return false; }
};

static_assert(LogLinearAxis::bucket_of(INT64_MAX) + 1 == LogLinearAxis::kBucketCount);
static_assert(LogLinearAxis::bucket_upper(LogLinearAxis::kBucketCount - 1) == INT64_MAX);
static_assert(LogLinearAxis::bucket_of(255) == 255 && LogLinearAxis::bucket_of(256) == 256);
static_assert(LogLinearAxis::bucket_lower(256) == 256 && LogLinearAxis::bucket_upper(256) == 257);

}  // namespace wakesim::stats
