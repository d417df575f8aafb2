#include "sim/engine/time.h"

#include <gtest/gtest.h>

namespace wakesim::engine {
namespace {

using namespace literals;

TEST(Time, LiteralsAreExactPicoseconds) {
  EXPECT_EQ((1_ns).ps(), 1000);
  EXPECT_EQ((2_us).ps(), 2'000'000);
  EXPECT_EQ((3_ms).ps(), 3'000'000'000);
  EXPECT_EQ((1_s).ps(), 1'000'000'000'000);
  EXPECT_EQ((1.5_us).ps(), 1'500'000);
  EXPECT_EQ((0.25_ns).ps(), 250);
}

TEST(Time, ArithmeticAndComparison) {
  EXPECT_EQ(1_us + 500_ns, 1.5_us);
  EXPECT_EQ(1_us - 500_ns, 500_ns);
  EXPECT_EQ(3 * 10_ns, 30_ns);
  EXPECT_EQ(30_ns / 3, 10_ns);
  EXPECT_DOUBLE_EQ(1_us / 250_ns, 4.0);
  EXPECT_LT(999_ps, 1_ns);
}

TEST(Time, PrintsExactlyWithTheLargestWholeUnit) {
  EXPECT_EQ(to_string(Time::zero()), "0s");
  EXPECT_EQ(to_string(1.5_us), "1.5us");
  EXPECT_EQ(to_string(250_ns), "250ns");
  EXPECT_EQ(to_string(Time::from_ps(1'234'567)), "1.234567us");
  EXPECT_EQ(to_string(Time::from_ps(7)), "7ps");
  EXPECT_EQ(to_string(2_s), "2s");
  EXPECT_EQ(to_string(Time::from_ps(-1500)), "-1.5ns");
  EXPECT_EQ(fmt::format("{}", 10_ms), "10ms");
}

TEST(Time, FromSecondsRounds) {
  EXPECT_EQ(Time::from_seconds(1e-9), 1_ns);
  EXPECT_EQ(Time::from_ns(0.0004), Time::zero());
  EXPECT_EQ(Time::from_ns(0.0006), Time::from_ps(1));
}

TEST(Rate, MeanInterval) {
  EXPECT_EQ(Rate{1e6}.mean_interval(), 1_us);
  EXPECT_EQ(Rate{0}.mean_interval(), Time::max());
}

}  // namespace
}  // namespace wakesim::engine
