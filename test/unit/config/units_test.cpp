#include "sim/config/units.h"

#include <gtest/gtest.h>

namespace wakesim::config {
namespace {

using namespace engine::literals;

engine::Time duration(const char* text) {
  std::string error;
  auto t = parse_duration(text, error);
  EXPECT_TRUE(t.has_value()) << text << ": " << error;
  return t.value_or(engine::Time::zero());
}

std::string duration_error(const char* text) {
  std::string error;
  EXPECT_FALSE(parse_duration(text, error).has_value()) << text;
  return error;
}

TEST(Units, DurationsAreExactDecimals) {
  EXPECT_EQ(duration("1.2us"), engine::Time::from_ps(1'200'000));
  EXPECT_EQ(duration("50ns"), 50_ns);
  EXPECT_EQ(duration("0.001ns"), engine::Time::from_ps(1));
  EXPECT_EQ(duration("2s"), 2_s);
  EXPECT_EQ(duration(" 10ms "), 10_ms);
  EXPECT_EQ(duration("1_000ns"), 1_us);
  EXPECT_EQ(duration("0"), engine::Time::zero());
  EXPECT_EQ(duration("7ps"), engine::Time::from_ps(7));
}

TEST(Units, DurationErrorsSayWhatWasExpected) {
  EXPECT_EQ(duration_error("50"), "expected a duration with a unit, like \"50ns\", \"1.2us\", \"10ms\" or \"1s\"");
  EXPECT_EQ(
      duration_error("5 parsecs"),
      "'parsecs' is not a time unit; expected a duration with a unit, like \"50ns\", \"1.2us\", \"10ms\" or \"1s\"");
  EXPECT_EQ(duration_error("0.0001ns"), "'0.0001ns' is finer than the simulator's 1 ps resolution");
  EXPECT_EQ(duration_error("-5us"),
            "expected a plain non-negative decimal number in a duration with a unit, like \"50ns\", \"1.2us\", "
            "\"10ms\" or \"1s\"");
}

// Issue 17: long digit strings used to wrap the 128-bit sum silently ("3402...461ps" became 5 ps).
TEST(Units, LongDurationsAreRefusedNeverWrapped) {
  EXPECT_NE(duration_error("340282366920938463463374607431768211461ps").find("too long a duration"), std::string::npos);
  EXPECT_NE(duration_error("1000000000000000000000000000s").find("too long a duration"), std::string::npos);
  EXPECT_NE(duration_error("99999999999999999999999999999999999999999999999999999999999us").find("too long"),
            std::string::npos);
  EXPECT_NE(duration_error("4611687s").find("too long"), std::string::npos);  // just past int64 max / 2 ps
  EXPECT_EQ(duration("4611686s"), engine::Time::from_ps(4'611'686'000'000'000'000));
  std::string error;
  EXPECT_FALSE(parse_rate("1e308G/s", error).has_value());
  EXPECT_NE(error.find("too large a rate"), std::string::npos) << error;
  // Faster than one event per picosecond (the fuzzer's mmpp(166666666666666666666666666/s:1ms, ...)): its
  // intervals round to 0 ps and its text no longer round-trips.
  EXPECT_FALSE(parse_rate("166666666666666666666666666/s", error).has_value());
  EXPECT_NE(error.find("at most 1e12/s"), std::string::npos) << error;
  EXPECT_FALSE(parse_rate("1001G/s", error).has_value());
  ASSERT_TRUE(parse_rate("1000G/s", error).has_value());
  EXPECT_EQ(parse_rate("1000G/s", error)->per_second, 1e12);
}

TEST(Units, DurationsRoundTripThroughText) {
  for (int64_t ps :
       {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1500}, int64_t{1'234'567}, int64_t{5'000'000'000'000}}) {
    const auto t = engine::Time::from_ps(ps);
    EXPECT_EQ(duration(format_duration(t).c_str()), t) << ps;
  }
}

TEST(Units, Rates) {
  std::string error;
  EXPECT_DOUBLE_EQ(parse_rate("200k/s", error)->per_second, 200e3);
  EXPECT_DOUBLE_EQ(parse_rate("1.5M/s", error)->per_second, 1.5e6);
  EXPECT_DOUBLE_EQ(parse_rate("40/ms", error)->per_second, 40e3);
  EXPECT_DOUBLE_EQ(parse_rate("10kHz", error)->per_second, 10e3);
  EXPECT_DOUBLE_EQ(parse_rate("3/us", error)->per_second, 3e6);
  EXPECT_DOUBLE_EQ(parse_rate("2.5e-3/s", error)->per_second, 2.5e-3);
  EXPECT_DOUBLE_EQ(parse_rate("1E+3/ms", error)->per_second, 1e6);
  EXPECT_FALSE(parse_rate("200k", error).has_value());
  EXPECT_EQ(error, "'k' is not a rate unit; expected a rate, like \"200k/s\", \"1.5M/s\", \"40/ms\" or \"10kHz\"");
  EXPECT_FALSE(parse_rate("fast", error).has_value());
  EXPECT_EQ(error, "expected a rate, like \"200k/s\", \"1.5M/s\", \"40/ms\" or \"10kHz\"");
}

TEST(Units, RatesRoundTripThroughText) {
  std::string error;
  // The fuzzer's poisson(00.0000000000000000000000000129.../s): format_rate writes an exponent, and
  // the parser once stopped at the exponent's sign.
  for (double r : {0.0, 1.0, 1234.5, 200e3, 1.5e6, 3e9, 1234567.0, 1.2901968507486339e-26, 2.5e-3}) {
    EXPECT_EQ(parse_rate(format_rate(engine::Rate{r}), error)->per_second, r) << format_rate(engine::Rate{r});
  }
  EXPECT_EQ(format_rate(engine::Rate{200e3}), "200k/s");
}

}  // namespace
}  // namespace wakesim::config
