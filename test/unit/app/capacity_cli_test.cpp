// `wakesim capacity` output: per design the last passing and the first failing probe with each SLO's
// estimate and 95% interval (terminal and capacity.json), and a progress count that includes the
// adaptive replicates and never passes 100%.
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/support/cli_runner.h"

namespace wakesim::app {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::slurp;
using Outcome = testing::CliOutcome;

// M/M/c at 4 Erlangs: "wait.mean <= 5us" needs 6 servers (Erlang C: 5.54 us with 5, 1.42 us with 6).
TEST(CapacityCli, ShowsTheLastPassingAndFirstFailingProbes) {
  const fs::path out = testing::fresh_temp_dir("capacity-boundary");
  const Outcome o = cli({"capacity", "mm1", "--vary", "queue.servers", "--range", "4:12", "--slo", "wait.mean<=5us",
                         "--set", "queue.interarrival=exp(2.5us)", "--set", "run.duration=100ms", "--set",
                         "run.warmup=10ms", "--quiet", "--out", out.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto doc = nlohmann::json::parse(slurp(out / "capacity.json"));
  const auto& d = doc["designs"][0];
  ASSERT_EQ(d["status"], "found");
  ASSERT_EQ(d["direction"], "min");
  const double answer = d["answer"].get<double>();
  const auto& pass = d["last_pass"];
  const auto& fail = d["first_fail"];
  EXPECT_EQ(pass["value"].get<double>(), answer);
  EXPECT_EQ(fail["value"].get<double>(), answer - 1);  // the smallest holding value: its failing neighbour is below
  EXPECT_TRUE(pass["holds"].get<bool>());
  EXPECT_FALSE(fail["holds"].get<bool>());
  for (const auto* probe : {&pass, &fail}) {
    const auto& slo = (*probe)["slos"][0];
    EXPECT_EQ(slo["metric"], "wait.mean");
    EXPECT_EQ(slo["threshold"].get<double>(), 5000.0);
    const double lo = slo["ci95"][0].get<double>(), hi = slo["ci95"][1].get<double>();
    EXPECT_LE(lo, slo["estimate"].get<double>());
    EXPECT_GE(hi, slo["estimate"].get<double>());
    EXPECT_GE((*probe)["replicates"].get<int>(), 3);
  }
  EXPECT_EQ(pass["slos"][0]["verdict"], "pass");
  EXPECT_NE(fail["slos"][0]["verdict"], "pass");
  // The terminal table says the same: "fifo  last pass  6: wait.mean 1.4us [1.3us, 1.5us] against <= 5us: pass (3
  // replicates)".
  const std::regex pass_line("  fifo +last pass +" + std::to_string(static_cast<int>(answer)) +
                             R"(: wait\.mean \S+ \[\S+, \S+\] against <= 5us: pass \(\d+ replicates\))");
  const std::regex fail_line(
      "   +first fail +" + std::to_string(static_cast<int>(answer) - 1) +
      R"(: wait\.mean \S+ \[\S+, \S+\] against <= 5us: (fail|uncertain, counts as failing) \(\d+ replicates\))");
  EXPECT_TRUE(std::regex_search(o.out, pass_line)) << o.out;
  EXPECT_TRUE(std::regex_search(o.out, fail_line)) << o.out;
  fs::remove_all(out);
}

TEST(CapacityCli, AWholeRangeThatHoldsHasNoFailingProbe) {
  const fs::path out = testing::fresh_temp_dir("capacity-all");
  const Outcome o = cli({"capacity", "mm1", "--vary", "queue.servers", "--range", "2:3", "--slo", "wait.mean<=1ms",
                         "--set", "run.duration=20ms", "--quiet", "--out", out.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto d = nlohmann::json::parse(slurp(out / "capacity.json"))["designs"][0];
  EXPECT_EQ(d["status"], "all");
  EXPECT_EQ(d["last_pass"]["value"].get<double>(), 3.0);
  EXPECT_TRUE(d["first_fail"].is_null());
  EXPECT_NE(o.out.find("first fail          -: none: the whole range meets the SLOs"), std::string::npos) << o.out;
  fs::remove_all(out);
}

// Before: "progress: 44/27 runs (163%)": the adaptive replicates were never counted in the total.
TEST(CapacityCli, ProgressCountsAdaptiveRunsAndNeverPassesTheTotal) {
  const fs::path out = testing::fresh_temp_dir("capacity-progress");
  const Outcome o =
      cli({"capacity", "mm1", "--vary", "queue.interarrival", "--range", "10.5:40.0", "--format", "exp({}us)", "--slo",
           "wait.mean<=40us", "--set", "run.duration=100ms", "--out", out.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto d = nlohmann::json::parse(slurp(out / "capacity.json"))["designs"][0];
  const int runs = d["runs"].get<int>();
  const std::regex line(R"(progress: (\d+)/(\d+) runs \((\d+)%\))");
  int lines = 0, last_done = 0, last_total = 0;
  for (std::sregex_iterator it(o.err.begin(), o.err.end(), line), end; it != end; ++it, ++lines) {
    const int done = std::stoi((*it)[1]), total = std::stoi((*it)[2]), percent = std::stoi((*it)[3]);
    EXPECT_LE(done, total) << it->str();
    EXPECT_LE(percent, 100) << it->str();
    last_done = done, last_total = total;
  }
  EXPECT_GE(lines, 2) << o.err;
  // It ends on the true count: every run made, planned or adaptive.
  EXPECT_EQ(last_done, runs) << o.err;
  EXPECT_EQ(last_total, runs) << o.err;
  fs::remove_all(out);
}

}  // namespace
}  // namespace wakesim::app
