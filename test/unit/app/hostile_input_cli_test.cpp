// Issue 17's findings that the command line must turn into clear errors (exit 2) at once: sizes that do
// not fit in memory, files that never end, sweep and capacity ranges that overflow or are not numbers,
// inputs `check` must catch before `run` does, unbounded error output, and the traces a killed run or
// sweep leaves. (progress_guard_test.cpp has the hangs and runaway event rates; units_test.cpp the
// duration overflows.)
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/support/cli_runner.h"

namespace wakesim::app {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::write_text;

int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// Item 4: the documented maxima multiply to more memory than any machine has; check and run say so
// with the estimate instead of running for a minute and dying. --max-memory sets the limit.
TEST(HostileInputCli, AConfigurationThatCannotFitIsRefusedWithTheEstimate) {
  for (const std::string command : {"check", "run"}) {
    std::vector<std::string> args = {command, "default", "--set", "vms.count=1048576", "--set", "vms.vcpus=4096"};
    if (command == "run") args.insert(args.end(), {"--out", testing::fresh_temp_dir("too-big").string()});
    const auto o = cli(args);
    EXPECT_EQ(o.status, 2) << command << "\n" << o.err;
    EXPECT_NE(o.err.find("would need about"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("4294967296 vCPUs"), std::string::npos) << o.err;
  }
  auto o = cli({"check", "default", "--set", "vms.count=1048576", "--set", "vms.vcpus=1", "--max-memory", "4GiB"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("more than 4 GiB (--max-memory)"), std::string::npos) << o.err;
  o = cli({"check", "default", "--max-memory", "lots"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("--max-memory lots: error: 'lots' is not a size unit; expected a size with a unit"),
            std::string::npos)
      << o.err;
  EXPECT_EQ(cli({"check", "default", "--max-memory", "1GiB"}).status, 0);
}

// Item 8: a file that never ends (/dev/zero) is refused at the size limit, quickly, wherever a file is
// named: a configuration, a sweep's base, a replay trace, a latency matrix.
TEST(HostileInputCli, EndlessFilesAreRefusedAtTheSizeLimit) {
  const auto start = std::chrono::steady_clock::now();
  auto o = cli({"check", "/dev/zero"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("/dev/zero: error: is not a regular file"), std::string::npos) << o.err;
  o = cli({"check", "default", "--set", "vms.device_arrivals=replay(/dev/zero)"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("replay file '/dev/zero' is a device, not a file"), std::string::npos) << o.err;
  o = cli({"check", "default", "--set", "host.cache.latency_matrix=/dev/zero"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("host.cache.latency_matrix: the file is a device, not a file"), std::string::npos) << o.err;
  const fs::path dir = testing::fresh_temp_dir("endless");
  const fs::path spec =
      write_text(dir / "s.toml", "base = \"/dev/zero\"\n[[axis]]\nkey = \"vms.count\"\nvalues = [1, 2]\n");
  o = cli({"sweep", spec.string(), "--dry-run"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("s.toml:1:8: error: base: /dev/zero: error: is not a regular file"), std::string::npos) << o.err;
  // A file that is merely too large, named where any path is taken.
  const fs::path big = dir / "big.toml";
  {
    std::ofstream out(big);
    const std::string line(1023, '#');
    for (int i = 0; i < 65 * 1024; ++i) out << line << '\n';
  }
  o = cli({"check", big.string()});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find(big.string() + ": error: the configuration file is larger than 64 MiB"), std::string::npos)
      << o.err;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 30);
}

// Item 8: thousands of problems print the first 20 and a count, not megabytes.
TEST(HostileInputCli, ErrorOutputIsCappedWithACount) {
  const fs::path dir = testing::fresh_temp_dir("many-keys");
  std::string text = "[vms]\n";
  for (int i = 0; i < 5000; ++i) text += "unknown_" + std::to_string(i) + " = 1\n";
  const fs::path file = write_text(dir / "c.toml", text);
  const auto o = cli({"check", file.string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_LE(count_lines(o.err), 22) << o.err.substr(0, 2000);
  EXPECT_NE(o.err.find("... and 4980 more problems"), std::string::npos) << o.err.substr(o.err.size() - 300);
}

// Item 6: axes whose product passes 2^64 and ranges that are not numbers are refused, not "0 points".
TEST(HostileInputCli, SweepAxesThatOverflowOrAreNotNumbersAreRefused) {
  const fs::path dir = testing::fresh_temp_dir("overflow-sweep");
  // Sixteen axes of 16 values: 2^64 points from only 256 values.
  std::string text = "base = \"mm1\"\n";
  for (int a = 0; a < 16; ++a)
    text += "[[axis]]\nkey = \"queue.key" + std::to_string(a) + "\"\nrange = { from = 1, to = 16, step = 1 }\n";
  auto o = cli({"sweep", write_text(dir / "huge.toml", text).string(), "--dry-run"});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("huge.toml:1:1: error: the axes make 2^64 points or more; at most 1000000 are allowed"),
            std::string::npos)
      << o.err;
  // Four axes of 65,536 values (the campaign's input): refused by their total, before they are all parsed.
  text = "base = \"mm1\"\n";
  for (const char* key : {"queue.servers", "vms.count", "vms.vcpus", "host.sockets"})
    text += std::string("[[axis]]\nkey = \"") + key + "\"\nrange = { from = 1, to = 65536, step = 1 }\n";
  o = cli({"sweep", write_text(dir / "wide.toml", text).string(), "--dry-run"});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("the axes have more than 100000 values in all"), std::string::npos) << o.err;
  o = cli({"sweep",
           write_text(dir / "nan.toml",
                      "base = \"mm1\"\n[[axis]]\nkey = \"queue.servers\"\n"
                      "range = { from = nan, to = 4, step = 1 }\n")
               .string(),
           "--dry-run"});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("nan.toml:4:9: error: range: 'from' and 'to' must be finite numbers"), std::string::npos)
      << o.err;
  o = cli({"sweep",
           write_text(dir / "inf.toml",
                      "base = \"mm1\"\n[[axis]]\nkey = \"queue.servers\"\n"
                      "range = { from = 1, to = 4, step = inf }\n")
               .string(),
           "--dry-run"});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("range.step: expected a positive finite number"), std::string::npos) << o.err;
}

// Item 6: capacity ranges are finite, fit the key, and --format has exactly one {}.
TEST(HostileInputCli, CapacityRangesAndFormatsAreChecked) {
  const std::vector<std::string> base = {
      "capacity", "default",          "--vary", "vms.count",
      "--slo",    "wakeup.p99<=50us", "--out",  testing::fresh_temp_dir("capacity-range").string()};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return cli(args);
  };
  auto o = with({"--range", "1:1e18"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("--range 1:1e18: error: vms.count: 1000000000000000000 is out of range"), std::string::npos)
      << o.err;
  o = with({"--range", "1:2e6"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("--range 1:2e6: error: vms.count: must be <= 1048576, got 2000000"), std::string::npos) << o.err;
  o = with({"--range", "1:inf"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("--range 1:inf: error: LO and HI must be finite numbers"), std::string::npos) << o.err;
  o = with({"--range", "nan:4"});
  EXPECT_EQ(o.status, 2) << o.err;
  o = with({"--range", "1.5:4"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("vms.count takes integers"), std::string::npos) << o.err;
  o = cli({"capacity", "mm1", "--vary", "queue.interarrival", "--range", "10:40", "--format", "exp({}us){}", "--slo",
           "wait.mean<=5us"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("must contain {} once"), std::string::npos) << o.err;
}

// Item 7: what `run` would trip over while building the model, `check` reports first, once, with the
// file and line; and the documented minimum of lost_wakeup_timeout is a valid setting.
TEST(HostileInputCli, CheckBuildsTheModelAndCatchesWhatRunWould) {
  const fs::path dir = testing::fresh_temp_dir("check-builds");
  const fs::path matrix = write_text(dir / "matrix.csv", "0, 50\n50, oops\n");
  const std::vector<std::string> sets = {"--set", "host.preset=icelake-2s",
                                         "--set", "host.sockets=1",
                                         "--set", "host.cores_per_socket=1",
                                         "--set", "host.threads_per_core=2",
                                         "--set", "host.cache.latency_matrix=" + matrix.string(),
                                         "--set", "vms.count=1"};
  for (const std::string command : {"check", "run"}) {
    std::vector<std::string> args = {command, "default"};
    if (command == "run") args.insert(args.end(), {"--out", (dir / "out").string()});
    args.insert(args.end(), sets.begin(), sets.end());
    const auto o = cli(args);
    EXPECT_EQ(o.status, 2) << command << "\n" << o.err;
    EXPECT_NE(o.err.find(matrix.string() + ":2:4: error: host.cache.latency_matrix: 'oops'"), std::string::npos)
        << o.err;
    EXPECT_EQ(o.err.find("failed"), std::string::npos) << o.err;  // one error, not one per run
    EXPECT_FALSE(fs::exists(dir / "out"));
  }
  auto o = cli({"check", "default", "--set", "kernel.lost_wakeup_timeout=1us"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("kernel.lost_wakeup_timeout: must be >= 1ms"), std::string::npos) << o.err;
  o = cli({"run", "default", "--set", "kernel.lost_wakeup_timeout=1ms", "--set", "run.duration=20ms", "--design",
           "single-lock", "--replicates", "1", "--out", testing::fresh_temp_dir("timeout-1ms").string()});
  EXPECT_EQ(o.status, 0) << o.err;
}

// Item 8: a run is written whole or not at all, and a run whose every replicate failed says so.
TEST(HostileInputCli, ARunDirectoryIsWholeAndSaysWhenItsRunsFailed) {
  const fs::path dir = testing::fresh_temp_dir("run-atomic");
  auto o = cli({"run", "mm1", "--replicates", "1", "--out", (dir / "ok").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(nlohmann::json::parse(testing::slurp(dir / "ok" / "summary.json"))["status"], "complete");
  // Runs that each hit an invariant violation (rcu-list without its reuse guard, under stress): the
  // directory is written and says so.
  std::vector<std::string> args = {"run",          "default", "--design", "rcu-list",
                                   "--replicates", "2",       "--out",    (dir / "failed").string()};
  for (const char* set :
       {"host.preset=icelake-2s", "host.cores_per_socket=4", "host.threads_per_core=1", "vms.count=8", "vms.vcpus=4",
        "vms.affinity=floating", "vms.device_arrivals=poisson(5k/s)", "vms.request=exp(10us)",
        "vms.ipi_probability=0.5", "vms.timer_arrivals=poisson(1k/s)", "run.warmup=1ms", "run.duration=50ms",
        "design.walk_stall_probability=0.2", "design.walk_stall=50us", "design.rcu_reuse_guard=false"})
    args.insert(args.end(), {"--set", set});
  o = cli(args);
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_EQ(nlohmann::json::parse(testing::slurp(dir / "failed" / "summary.json"))["status"], "failed");
  for (const auto& entry : fs::directory_iterator(dir))
    EXPECT_EQ(entry.path().filename().string().find(".new"), std::string::npos) << entry.path();
}

// Item 8: a sweep killed between writing a file and renaming it leaves NAME.tmp.PID; --resume removes
// those of processes that are gone.
TEST(HostileInputCli, ResumeRemovesTheTemporariesOfAKilledSweep) {
  const fs::path dir = testing::fresh_temp_dir("stale-tmp");
  const fs::path spec = write_text(dir / "s.toml",
                                   "base = \"mm1\"\nreplicates = 1\n[set]\n\"run.duration\" = \"1ms\"\n"
                                   "[[axis]]\nkey = \"queue.servers\"\nvalues = [1, 2]\n");
  auto o = cli({"sweep", spec.string(), "--out", (dir / "out").string(), "--quiet"});
  ASSERT_EQ(o.status, 0) << o.err;
  const fs::path stale = write_text(dir / "out" / "summary.json.tmp.999999999", "partial");
  const fs::path live = write_text(dir / "out" / "summary.json.tmp.1", "pid 1 is alive");
  o = cli({"sweep", spec.string(), "--out", (dir / "out").string(), "--resume", "--quiet"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
}

}  // namespace
}  // namespace wakesim::app
