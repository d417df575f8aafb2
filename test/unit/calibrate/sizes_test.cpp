#include "sim/calibrate/sizes.h"

#include <gtest/gtest.h>

#include "sim/calibrate/statistics.h"

namespace wakesim::calibrate {
namespace {

TEST(LogSpacedSizes, CoversTheRangeWithTheRequestedDensity) {
  const auto sizes = log_spaced_sizes(8 * kKiB, kGiB, 4, kLineBytes);
  EXPECT_EQ(sizes.front(), 8 * kKiB);
  EXPECT_EQ(sizes.back(), kGiB);
  EXPECT_EQ(sizes.size(), 17u * 4 + 1);
  for (size_t i = 1; i < sizes.size(); ++i) {
    EXPECT_GT(sizes[i], sizes[i - 1]);
    EXPECT_EQ(sizes[i] % kLineBytes, 0u);
  }
  EXPECT_EQ(log_spaced_sizes(16 * kKiB, 64 * kMiB, 0.5, kLineBytes),
            (std::vector<uint64_t>{16 * kKiB, 64 * kKiB, 256 * kKiB, kMiB, 4 * kMiB, 16 * kMiB, 64 * kMiB}));
  // The last size is always included, even off the grid.
  EXPECT_EQ(log_spaced_sizes(kKiB, 3 * kKiB, 1, 64), (std::vector<uint64_t>{kKiB, 2 * kKiB, 3 * kKiB}));
  EXPECT_EQ(log_spaced_sizes(kKiB, kKiB, 3, 64), (std::vector<uint64_t>{kKiB}));
  EXPECT_THROW(log_spaced_sizes(2 * kKiB, kKiB, 1, 64), std::logic_error);
}

TEST(FormatBytes, UsesBinaryUnitsAndThreeDigits) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(48 * kKiB), "48 KiB");
  EXPECT_EQ(format_bytes(1'482'880), "1.41 MiB");
  EXPECT_EQ(format_bytes(508 * kMiB), "508 MiB");
  EXPECT_EQ(format_bytes(kGiB), "1 GiB");
}

TEST(RoundUpToPowerOfTwo, Rounds) {
  EXPECT_EQ(round_up_to_power_of_two(1), 1u);
  EXPECT_EQ(round_up_to_power_of_two(3), 4u);
  EXPECT_EQ(round_up_to_power_of_two(32 * kMiB), 32 * kMiB);
  EXPECT_EQ(round_up_to_power_of_two(33 * kMiB), 64 * kMiB);
}

TEST(Statistics, MedianAndMedianOfMeansIgnoreOutliers) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median({1, 2, 1000}), 2);
  EXPECT_THROW(median({}), std::logic_error);
  EXPECT_DOUBLE_EQ(median_of_means({5, 1, 1000}), 5);  // too few for groups: the median
  // A dithered 22 ns interval on a 10 ns grid reads 20 four times in five and 30 once; two reads were
  // hit by interrupts. The median stays on the grid; the median of means finds the interval.
  std::vector<double> quantised(200);
  for (size_t i = 0; i < quantised.size(); ++i) quantised[i] = i % 5 == 0 ? 30 : 20;
  quantised[17] = 5000;
  quantised[101] = 7000;
  EXPECT_DOUBLE_EQ(median(quantised), 20);
  EXPECT_NEAR(median_of_means(quantised), 22, 0.6);
  EXPECT_DOUBLE_EQ(percentile({5, 1, 3}, 0.5), 3);
  EXPECT_DOUBLE_EQ(percentile({0, 10}, 0.1), 1);
  EXPECT_DOUBLE_EQ(percentile({7}, 0.9), 7);
  EXPECT_THROW(percentile({}, 0.5), std::logic_error);
}

}  // namespace
}  // namespace wakesim::calibrate
