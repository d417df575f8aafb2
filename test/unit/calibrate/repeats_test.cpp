// Repeated sweeps combined point by point (sim/calibrate/repeats.h): the median of the repeats and
// their spread, and a refusal when the repeats did not run the same plan.
#include "sim/calibrate/repeats.h"

#include <stdexcept>

#include <gtest/gtest.h>

namespace wakesim::calibrate {
namespace {

TEST(Repeats, EachPointIsTheMedianOfItsRepeatsWithTheirSpread) {
  const std::vector<std::vector<WalkPoint>> repeats = {
      {{0, 1.0}, {1 << 20, 9.0}},
      {{0, 1.2}, {1 << 20, 18.0}},
      {{0, 1.1}, {1 << 20, 11.0}},
  };
  const std::vector<WalkPoint> combined = combine_repeats(repeats);
  ASSERT_EQ(combined.size(), 2u);
  EXPECT_EQ(combined[1].pollution_bytes, uint64_t{1} << 20);
  EXPECT_DOUBLE_EQ(combined[0].ns_per_node, 1.1);
  EXPECT_DOUBLE_EQ(combined[0].spread, 1.2);
  EXPECT_DOUBLE_EQ(combined[1].ns_per_node, 11.0);  // not the mean (12.67): one slow sweep does not move it
  EXPECT_DOUBLE_EQ(combined[1].spread, 2.0);
}

TEST(Repeats, AnEvenCountTakesTheMeanOfTheMiddleTwoAndOneRepeatHasNoSpread) {
  const std::vector<ChasePoint> two =
      combine_repeats(std::vector<std::vector<ChasePoint>>{{{4096, 4.0}}, {{4096, 5.0}}});
  EXPECT_DOUBLE_EQ(two[0].ns_per_load, 4.5);
  EXPECT_DOUBLE_EQ(two[0].spread, 1.25);
  const std::vector<ChasePoint> one = combine_repeats(std::vector<std::vector<ChasePoint>>{{{4096, 4.0}}});
  EXPECT_DOUBLE_EQ(one[0].ns_per_load, 4.0);
  EXPECT_DOUBLE_EQ(one[0].spread, 1.0);
}

TEST(Repeats, AZeroValueKeepsTheSpreadFinite) {
  EXPECT_DOUBLE_EQ(spread_of({0.0, 2.0}), 2000.0);
  EXPECT_DOUBLE_EQ(spread_of({3.0}), 1.0);
  EXPECT_THROW(spread_of({}), std::logic_error);
}

TEST(Repeats, RepeatsOfDifferentPlansAreRefused) {
  EXPECT_THROW(combine_repeats(std::vector<std::vector<WalkPoint>>{}), std::logic_error);
  EXPECT_THROW(combine_repeats(std::vector<std::vector<WalkPoint>>{{{0, 1.0}}, {{0, 1.0}, {64, 2.0}}}),
               std::logic_error);
  EXPECT_THROW(combine_repeats(std::vector<std::vector<WalkPoint>>{{{0, 1.0}}, {{64, 1.0}}}), std::logic_error);
}

}  // namespace
}  // namespace wakesim::calibrate
