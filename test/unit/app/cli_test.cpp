// The `wakesim` command line end to end (in process): exit statuses, user-facing messages, the results
// directory, and byte-identical results whatever the thread count.
#include "sim/app/cli.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/support/cli_runner.h"

namespace wakesim::app {
namespace {

using testing::cli;
using testing::slurp;
using Outcome = testing::CliOutcome;

std::filesystem::path temp_dir(const std::string& name) { return testing::fresh_temp_dir("cli-" + name); }

const std::string kMm1 = std::string(WAKESIM_SOURCE_DIR) + "/workloads/mm1.toml";

TEST(Cli, VersionNamesTheGitRevision) {
  const Outcome o = cli({"--version"});
  EXPECT_EQ(o.status, 0);
  EXPECT_TRUE(o.out.starts_with("wakesim 0.1.0 (git ")) << o.out;
}

TEST(Cli, HelpListsTheCommands) {
  const Outcome o = cli({"--help"});
  EXPECT_EQ(o.status, 0);
  for (const char* command : {"run", "check", "list"}) EXPECT_NE(o.out.find(command), std::string::npos) << command;
}

TEST(Cli, UnknownCommandIsBadInput) {
  const Outcome o = cli({"frobnicate"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("wakesim: error:"), std::string::npos) << o.err;
}

TEST(Cli, CheckAcceptsAPresetByName) {
  const Outcome o = cli({"check", "mm1"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("mm1.toml: ok (scenario 'queue', designs: fifo)"), std::string::npos) << o.out;
}

TEST(Cli, CheckMissingFile) {
  const Outcome o = cli({"check", "no-such-config.toml"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "no-such-config.toml: error: no such file; a configuration is a .toml file or a preset name (wakesim "
            "list workloads)\n");
}

TEST(Cli, CheckReportsFileLineAndKey) {
  const auto dir = temp_dir("bad-config");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.toml") << "scenario = \"queue\"\n[queue]\nserverz = 2\n";
  const Outcome o = cli({"check", (dir / "bad.toml").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            (dir / "bad.toml").string() + ":3:1: error: queue.serverz: unknown key (did you mean 'queue.servers'?)\n");
}

TEST(Cli, UnknownScenarioListsTheKnownOnes) {
  const Outcome o = cli({"check", kMm1, "--set", "scenario=queu"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(
      o.err.find("scenario: 'queu' is not a scenario; known: kvm, lockbench, memory, queue (did you mean 'queue'?)"),
      std::string::npos)
      << o.err;
}

TEST(Cli, RunRejectsAnUnknownDesign) {
  const Outcome o = cli({"run", kMm1, "--design", "lifo", "--out", temp_dir("bad-design").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "error: run.designs: 'lifo' is not a design of scenario 'queue'; known: fifo (did you mean 'fifo'?)\n");
}

TEST(Cli, RunRejectsABadOverride) {
  const Outcome o = cli({"run", "--set", "run.duration=10", "--out", temp_dir("bad-override").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "--set run.duration=10: error: run.duration: expected a duration string with a unit, like \"50ns\", "
            "got an integer\n");
}

TEST(Cli, ListKeysShowsEveryKeyWithItsDefault) {
  const Outcome o = cli({"list", "keys"});
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("queue.servers"), std::string::npos);
  EXPECT_NE(o.out.find("run.duration"), std::string::npos);
  EXPECT_NE(o.out.find("exp(12.5us)"), std::string::npos);
}

TEST(Cli, ListWorkloadsShowsEachPresetsFirstLine) {
  const Outcome o = cli({"list", "workloads"});
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("mm1"), std::string::npos);
  EXPECT_NE(o.out.find("M/M/1 queue at 80% load"), std::string::npos) << o.out;
}

TEST(Cli, RunWritesTheResultsDirectory) {
  const auto dir = temp_dir("results");
  const Outcome o = cli({"run", kMm1, "--set", "run.duration=20ms", "--replicates", "3", "--out", dir.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("wait.p99"), std::string::npos) << o.out;
  for (const char* f : {"manifest.json", "summary.json", "runs.csv", "config.toml", "timings.csv",
                        "histograms/fifo/wait.csv", "histograms/fifo/response.csv"})
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  const auto summary = nlohmann::json::parse(slurp(dir / "summary.json"));
  EXPECT_EQ(summary["schema_version"], 1);
  EXPECT_EQ(summary["runs"].size(), 3u);
  EXPECT_EQ(summary["runs"][0]["design"], "fifo");
  const auto manifest = nlohmann::json::parse(slurp(dir / "manifest.json"));
  EXPECT_EQ(manifest["replicate_seeds"].size(), 3u);
  EXPECT_NE(manifest["resolved_config"].get<std::string>().find("duration = \"20ms\""), std::string::npos);
  // The resolved configuration reproduces the run exactly.
  const auto again = temp_dir("results-again");
  ASSERT_EQ(cli({"run", (dir / "config.toml").string(), "--out", again.string()}).status, 0);
  EXPECT_EQ(slurp(dir / "summary.json"), slurp(again / "summary.json"));
}

TEST(Cli, ResultsAreByteIdenticalForAnyThreadCount) {
  const auto one = temp_dir("jobs1"), two = temp_dir("jobs2");
  const std::vector<std::string> common = {"run", kMm1, "--set", "run.duration=20ms", "--replicates", "4"};
  auto with = [&](const std::string& jobs, const std::filesystem::path& dir) {
    auto args = common;
    args.insert(args.end(), {"--jobs", jobs, "--out", dir.string()});
    return cli(args).status;
  };
  ASSERT_EQ(with("1", one), 0);
  ASSERT_EQ(with("2", two), 0);
  for (const char* f : {"summary.json", "runs.csv", "config.toml", "histograms/fifo/wait.csv"})
    EXPECT_EQ(slurp(one / f), slurp(two / f)) << f;
}

TEST(Cli, DifferentSeedsGiveDifferentResults) {
  const auto a = temp_dir("seed1"), b = temp_dir("seed2");
  ASSERT_EQ(cli({"run", kMm1, "--set", "run.duration=20ms", "--seed", "1", "--out", a.string()}).status, 0);
  ASSERT_EQ(cli({"run", kMm1, "--set", "run.duration=20ms", "--seed", "2", "--out", b.string()}).status, 0);
  EXPECT_NE(slurp(a / "runs.csv"), slurp(b / "runs.csv"));
}

}  // namespace
}  // namespace wakesim::app

namespace wakesim::app {
namespace {

TEST(Cli, KvmRunWritesTablesPairedDifferencesAndWarmupWarnings) {
  const auto dir = temp_dir("kvm-tables");
  const Outcome o = cli({"run", "--set", "vms.count=4", "--set", "run.warmup=0", "--set", "run.duration=20ms",
                         "--replicates", "2", "--out", dir.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("verdicts against single-lock"), std::string::npos) << o.out;
  EXPECT_NE(o.err.find("consider a longer run.warmup"), std::string::npos) << o.err;
  for (const char* f : {"irq_off.csv", "locks.csv", "histograms/rcu-list/wakeup.csv"})
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  EXPECT_NE(slurp(dir / "locks.csv").find("wakeup_vcpus_on_cpu_lock_in"), std::string::npos);
  const auto summary = nlohmann::json::parse(slurp(dir / "summary.json"));
  ASSERT_FALSE(summary["paired_differences"].empty());
  EXPECT_EQ(summary["paired_differences"][0]["reference"], "single-lock");
  bool warned = false;
  for (const auto& run : summary["runs"]) warned = warned || run.contains("warnings");
  EXPECT_TRUE(warned);
}

}  // namespace
}  // namespace wakesim::app
