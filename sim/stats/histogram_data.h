// The exported form of a LatencyHistogram, for results files and for merging shards: the non-empty
// buckets plus the exact count, sum, minimum and maximum. LatencyHistogram::from_data(h.data())
// rebuilds h exactly (every field, so quantiles and the mean are bit-identical after a round trip).
//
// The sum of many int64 picosecond values can exceed 2^63 (10^9 samples of 10 ms already do), and a
// JSON number is a double, exact only to 2^53; so the sum travels as a decimal string of an unsigned
// 128-bit integer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wakesim::stats {

__extension__ using Uint128 = unsigned __int128;  // __extension__: GCC/Clang builtin, silences -Wpedantic

// One bucket of the log-linear axis: it holds the integers lower_ps..upper_ps (both inclusive).
struct HistogramBucket {
  int64_t lower_ps = 0;
  int64_t upper_ps = 0;
  uint64_t count = 0;
  bool operator==(const HistogramBucket&) const = default;
};

struct HistogramData {
  std::vector<HistogramBucket> buckets;  // non-empty buckets only, in ascending order
  int64_t min_ps = 0;                    // exact extremes; 0 when there are no samples
  int64_t max_ps = 0;
  std::string sum_ps = "0";  // exact sum of all samples, decimal
  bool operator==(const HistogramData&) const = default;
};

std::string to_decimal(Uint128 v);
// Parses a non-empty string of decimal digits that fits in 128 bits; throws engine::UserError naming
// `what` otherwise.
Uint128 parse_decimal_u128(std::string_view text, std::string_view what);

}  // namespace wakesim::stats
