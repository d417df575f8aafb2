// Arrival processes: long-run rates match their means, periodic is exact, on/off and MMPP are
// burstier than Poisson, replay reproduces its file, and every malformed spec or file is a clear error.
#include "sim/workload/arrival_process.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "sim/engine/errors.h"

namespace wakesim::workload {
namespace {

using namespace engine::literals;
using engine::Time;

ArrivalSpec parse(const std::string& text) {
  std::string error;
  auto spec = parse_arrivals(text, error);
  EXPECT_TRUE(spec.has_value()) << text << ": " << error;
  return spec.value_or(ArrivalSpec{});
}

std::string parse_error(const std::string& text) {
  std::string error;
  EXPECT_FALSE(parse_arrivals(text, error).has_value()) << text;
  return error;
}

// Arrival counts in consecutive windows of `window` over `horizon`.
std::vector<double> counts(const ArrivalSpec& spec, Time horizon, Time window, int64_t vcpu = 0) {
  ArrivalProcess p(spec, engine::RandomStream(3, static_cast<uint64_t>(vcpu), "arrival-test"), vcpu);
  std::vector<double> c(static_cast<size_t>(horizon / window), 0.0);
  for (Time t = p.next(Time::zero()); t < horizon; t = p.next(t)) c[static_cast<size_t>(t / window)] += 1;
  return c;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double index_of_dispersion(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size()) / m;
}

TEST(ArrivalProcess, LongRunRateMatchesTheMeanRate) {
  for (const char* text : {"poisson(20k/s)", "periodic(50us, jitter=10us)", "onoff(on=1ms, off=3ms, rate=80k/s)",
                           "mmpp(5k/s:4ms, 50k/s:1ms)"}) {
    const ArrivalSpec spec = parse(text);
    // 100 s holds ~25,000 on/off or MMPP cycles: the rate estimate's relative sd is ~0.9%.
    const auto c = counts(spec, 100_s, 10_ms);
    const double rate = mean(c) * 100;  // windows of 10 ms
    EXPECT_NEAR(rate, spec.mean_rate(), 0.03 * spec.mean_rate()) << text;
  }
}

TEST(ArrivalProcess, BurstyProcessesAreOverdispersedAndPoissonIsNot) {
  EXPECT_NEAR(index_of_dispersion(counts(parse("poisson(20k/s)"), 20_s, 1_ms)), 1.0, 0.1);
  EXPECT_GT(index_of_dispersion(counts(parse("onoff(on=1ms, off=3ms, rate=80k/s)"), 20_s, 1_ms)), 5.0);
  EXPECT_GT(index_of_dispersion(counts(parse("mmpp(5k/s:4ms, 50k/s:1ms)"), 20_s, 1_ms)), 3.0);
  EXPECT_LT(index_of_dispersion(counts(parse("periodic(50us)"), 20_s, 1_ms)), 0.05);
}

// Issue 17: a process whose every state is silent used to loop forever looking for its next arrival.
TEST(ArrivalProcess, SilentProcessesHaveNoArrivalsAndReturn) {
  for (const char* text : {"mmpp(0/s:1ms, 0/s:1ms)", "onoff(on=1ms, off=1ms, rate=0/s)", "poisson(0/s)"}) {
    ArrivalProcess p(parse(text), engine::RandomStream(3, 0, "arrival-test"), 0);
    EXPECT_EQ(p.next(Time::zero()), Time::max()) << text;
  }
  // One silent state among others still gives arrivals, at the other state's rate.
  EXPECT_GT(
      mean(counts(parse("mmpp(0/s:1ms, 10k/s:1ms)"), Time::from_ps(1'000'000'000'000), Time::from_ps(1'000'000'000))),
      0);
}

TEST(ArrivalProcess, PeriodicWithoutJitterIsExactlyPeriodic) {
  ArrivalProcess p(parse("periodic(1ms)"), engine::RandomStream(1, 0, "p"), 0);
  const Time first = p.next(Time::zero());
  EXPECT_LT(first, 1_ms);
  Time t = first;
  for (int i = 1; i <= 100; ++i) {
    const Time next = p.next(t);
    EXPECT_EQ(next - t, 1_ms);
    t = next;
  }
}

TEST(ArrivalProcess, ReplayFollowsTheFileAndItsVcpuColumn) {
  const auto path = std::filesystem::temp_directory_path() / "wakesim-replay.csv";
  std::ofstream(path) << "# captured arrivals\ntime_us,vcpu\n10,0\n20,1\n30.5,0\n";
  const ArrivalSpec spec = parse("replay(" + path.string() + ")");
  ArrivalProcess v0(spec, engine::RandomStream(1, 0, "r"), 0);
  EXPECT_EQ(v0.next(Time::zero()), 10_us);
  EXPECT_EQ(v0.next(10_us), 30.5_us);
  EXPECT_EQ(v0.next(30.5_us), Time::max());
  ArrivalProcess v1(spec, engine::RandomStream(1, 1, "r"), 1);
  EXPECT_EQ(v1.next(Time::zero()), 20_us);
  EXPECT_EQ(format_arrivals(spec), "replay(" + path.string() + ")");
  std::filesystem::remove(path);
}

TEST(ArrivalProcess, ReplayErrorsNameTheFileAndLine) {
  const auto path = std::filesystem::temp_directory_path() / "wakesim-replay-bad.csv";
  std::ofstream(path) << "time_us\n10\nsoon\n";
  EXPECT_EQ(
      parse_error("replay(" + path.string() + ")"),
      "replay(" + path.string() + "): replay file '" + path.string() + "' line 3: 'soon' is not a non-negative time");
  std::ofstream(path) << "when\n10\n";
  EXPECT_EQ(parse_error("replay(" + path.string() + ")"),
            "replay(" + path.string() + "): replay file '" + path.string() +
                "' line 1: expected a header with a time column named time_ns, time_us, time_ms or time_s (and "
                "optionally vcpu)");
  std::filesystem::remove(path);
  EXPECT_EQ(parse_error("replay(/nonexistent.csv)"),
            "replay(/nonexistent.csv): replay file '/nonexistent.csv' cannot be opened");
}

// Found by the arrivals fuzzer (test/fuzz/): an MMPP with a silent state of 531,011 s, asked for
// arrivals far past every run's end, overflowed the clock. Sums now saturate at "never".
TEST(ArrivalProcess, AskedFarPastTheRunsEndItSaysNeverInsteadOfOverflowing) {
  ArrivalProcess process(parse("mmpp(0k/s:531011871ms, 50k/s:50us)"), engine::RandomStream(1, 0, "test"), 0);
  Time now;
  for (int i = 0; i < 1000; ++i) {
    const Time next = process.next(now);
    ASSERT_GE(next, now);
    if (next == Time::max()) break;
    now = next;
  }
  ArrivalProcess periodic(parse("periodic(4000000s)"), engine::RandomStream(1, 0, "test"), 0);
  now = Time();
  for (int i = 0; i < 10; ++i) now = std::max(now, periodic.next(now));
  EXPECT_EQ(periodic.next(now), Time::max());
}

// Found by the arrivals fuzzer: a busy state of 2 ps at 2k/s needs about 250 million state changes per
// arrival; next() says so instead of spinning.
TEST(ArrivalProcess, ArrivalsTooRareToFindAreBadInputNotAHang) {
  ArrivalProcess process(parse("mmpp(2k/s:2ps, 0k/s:190us)"), engine::RandomStream(1, 0, "test"), 0);
  try {
    process.next(Time());
    FAIL() << "expected a UserError";
  } catch (const engine::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("no arrival in 1000000 state changes"), std::string::npos) << e.what();
  }
}

TEST(ArrivalProcess, SpecsRoundTripThroughText) {
  for (const char* text : {"none", "poisson(20k/s)", "periodic(1ms)", "periodic(1ms, jitter=10us)",
                           "onoff(on=1ms, off=9ms, rate=10k/s)", "mmpp(1k/s:9ms, 20k/s:1ms)"})
    EXPECT_EQ(format_arrivals(parse(text)), text);
}

TEST(ArrivalProcess, MalformedSpecs) {
  EXPECT_EQ(parse_error("poisson(fast)"),
            "poisson(fast): expected a rate, like \"200k/s\", \"1.5M/s\", \"40/ms\" or \"10kHz\"");
  EXPECT_EQ(parse_error("gamma(1k/s)"),
            "'gamma' is not an arrival process; expected one of: poisson(rate), periodic(period[, jitter=t]), "
            "onoff(on=t, off=t, rate=r), mmpp(rate:stay, ...), replay(file.csv), none");
  EXPECT_EQ(parse_error("mmpp(1k/s)"),
            "mmpp(1k/s): expected at least two states rate:stay, e.g. mmpp(1k/s:9ms, 20k/s:1ms)");
  EXPECT_EQ(parse_error("onoff(on=1ms, rate=1k/s)"),
            "onoff(on=1ms, rate=1k/s): expected onoff(on=t, off=t, rate=r), e.g. onoff(on=1ms, off=9ms, rate=10k/s)");
  EXPECT_EQ(parse_error("periodic(1ms, jitter=1ms)"),
            "periodic(1ms, jitter=1ms): needs period > 0 and jitter <= period / 2");
}

}  // namespace
}  // namespace wakesim::workload
