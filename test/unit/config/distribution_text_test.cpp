#include "sim/config/distribution_text.h"

#include <gtest/gtest.h>

namespace wakesim::config {
namespace {

using engine::Distribution;

Distribution parse(const char* text, DistributionUnit unit = DistributionUnit::kDuration) {
  std::string error;
  auto d = parse_distribution(text, unit, error);
  EXPECT_TRUE(d.has_value()) << text << ": " << error;
  return d.value_or(Distribution());
}

std::string parse_error(const char* text, DistributionUnit unit = DistributionUnit::kDuration) {
  std::string error;
  EXPECT_FALSE(parse_distribution(text, unit, error).has_value()) << text;
  return error;
}

TEST(DistributionText, Forms) {
  EXPECT_EQ(parse("10us"), Distribution::constant(10e6));
  EXPECT_EQ(parse("const(10us)"), Distribution::constant(10e6));
  EXPECT_EQ(parse("exp(10us)"), Distribution::exponential(10e6));
  EXPECT_EQ(parse("exp(mean=10us)"), Distribution::exponential(10e6));
  EXPECT_EQ(parse("uniform(1us, 3us)"), Distribution::uniform(1e6, 3e6));
  EXPECT_EQ(parse("uniform(min=1us, max=3us)"), Distribution::uniform(1e6, 3e6));
  EXPECT_EQ(parse("lognormal(mean=10us, cv=0.5)"), Distribution::lognormal_mean_cv(10e6, 0.5));
  EXPECT_EQ(parse("pareto(alpha=1.5, min=1us, max=1ms)"), Distribution::bounded_pareto(1.5, 1e6, 1e9));
  EXPECT_EQ(parse("empirical(1us@0, 5us@0.5, 20us@1)"), Distribution::empirical({{1e6, 0.0}, {5e6, 0.5}, {20e6, 1.0}}));
  EXPECT_EQ(parse("exp(2.5)", DistributionUnit::kNumber), Distribution::exponential(2.5));
}

TEST(DistributionText, RoundTrip) {
  for (const char* text : {"const(10us)", "exp(12.5us)", "uniform(1us, 3us)", "lognormal(mean=10us, cv=0.5)",
                           "pareto(alpha=1.5, min=1us, max=1ms)", "empirical(1us@0, 5us@0.5, 20us@1)"}) {
    const Distribution d = parse(text);
    EXPECT_EQ(format_distribution(d, DistributionUnit::kDuration), text);
    EXPECT_EQ(parse(format_distribution(d, DistributionUnit::kDuration).c_str()), d);
  }
}

TEST(DistributionText, Errors) {
  EXPECT_EQ(parse_error("gauss(1us)"),
            "'gauss' is not a distribution; expected one of: a value, const(v), exp(mean), uniform(lo, hi), "
            "lognormal(mean=m, cv=c), pareto(alpha=a, min=lo, max=hi), empirical(v@p, ...)");
  EXPECT_EQ(
      parse_error("exp(10)"),
      "exp(...): parameter 'mean': expected a duration with a unit, like \"50ns\", \"1.2us\", \"10ms\" or \"1s\"");
  EXPECT_EQ(parse_error("exp(10us"), "'exp(10us': missing ')'");
  EXPECT_EQ(parse_error("lognormal(mean=10us)"), "lognormal(...): missing parameter 'cv'");
  EXPECT_EQ(parse_error("exp(mean=1us, shape=2)"), "exp(...): unknown parameter 'shape'");
  EXPECT_EQ(parse_error("uniform(3us, 1us)"), "uniform(3us, 1us): needs 0 <= min <= max");
  EXPECT_EQ(parse_error("exp(0us)"), "exp(0us): the mean must be positive");
  EXPECT_EQ(parse_error("empirical(1us@0.2, 2us@1)"),
            "empirical(1us@0.2, 2us@1): needs at least two points, the first at probability 0 and the last at 1");
  // Found by the distribution fuzzer (test/fuzz/): a bare negative number was a negative constant, and a
  // lognormal cv whose square overflows made every sample NaN.
  EXPECT_EQ(parse_error("-1", DistributionUnit::kNumber), "'-1': must not be negative");
  EXPECT_EQ(parse_error("lognormal(mean=1us, cv=1e300)"),
            "lognormal(mean=1us, cv=1e300): cv is too large (cv^2 must be a finite number, cv < 1e154)");
}

}  // namespace
}  // namespace wakesim::config
