// `wakesim calibrate` end to end with --quick (about a second of measuring): the side-by-side table,
// the host file that loads as a preset, and the refusals.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "sim/app/cli.h"
#include "sim/experiment/host_file.h"
#include "test/support/cli_runner.h"

namespace wakesim::app {
namespace {

using testing::cli;

TEST(CalibrateCli, QuickWritesAHostFileThatLoadsAsAPreset) {
  const auto dir = testing::fresh_temp_dir("calibrate-quick");
  const std::string out = (dir / "host.toml").string();
  const testing::CliOutcome o = cli({"calibrate", "--quick", "--out", out, "--jobs", "1"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("pointer chase, ns per load"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("wakeup-list walk of 16 nodes after pollution"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("sim/meas"), std::string::npos);
  EXPECT_NE(o.err.find("calibrate ["), std::string::npos) << "a progress bar on the error stream";
  // Inside a VM the curves can move between invocations: the output says so (and only there).
  const bool virtualized = o.out.find(", virtualized (") != std::string::npos;
  EXPECT_EQ(o.out.find("note: measured inside a virtual machine") != std::string::npos, virtualized) << o.out;
  EXPECT_EQ(o.out.find("--repeat 3 shows how far they move") != std::string::npos, virtualized) << o.out;
  ASSERT_TRUE(std::filesystem::exists(out));

  const testing::CliOutcome check =
      cli({"check", std::string(WAKESIM_SOURCE_DIR) + "/workloads/default.toml", "--set", "host.preset=" + out});
  EXPECT_EQ(check.status, 0) << check.err;
  // The simulator runs on it.
  const testing::CliOutcome run =
      cli({"run", std::string(WAKESIM_SOURCE_DIR) + "/workloads/default.toml", "--set", "host.preset=" + out, "--set",
           "scenario=memory", "--set", "memory.pollution=1MiB", "--design", "walk", "--out", (dir / "r").string()});
  EXPECT_EQ(run.status, 0) << run.err;

  // An existing file is kept unless --force.
  const testing::CliOutcome again = cli({"calibrate", "--quick", "--out", out});
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.err.find("the file exists; pass --force"), std::string::npos) << again.err;
}

TEST(CalibrateCli, RepeatsShowAndRecordHowFarEachPointMoved) {
  const auto dir = testing::fresh_temp_dir("calibrate-repeat");
  const std::string out = (dir / "host.toml").string();
  const testing::CliOutcome o = cli({"calibrate", "--quick", "--repeat", "2", "--out", out, "--jobs", "1"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("   repeats\n"), std::string::npos) << "a spread column: " << o.out;
  EXPECT_NE(o.out.find("points moved by more than 25% between the 2 repeats (widest x"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("--repeat 3 shows how far"), std::string::npos) << "not suggested when repeating: " << o.out;
  const experiment::StoredCalibration stored = experiment::read_host_file(out);
  EXPECT_EQ(stored.repeats, 2);
  ASSERT_FALSE(stored.walk.empty());
  for (const calibrate::WalkPoint& p : stored.walk) EXPECT_GE(p.spread, 1.0);
  for (const calibrate::ChasePoint& p : stored.chase) EXPECT_GE(p.spread, 1.0);
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("measured ns per node (median of 2 repeats), simulated ns per node, spread"), std::string::npos)
      << text;

  const testing::CliOutcome zero = cli({"calibrate", "--quick", "--repeat", "0", "--out", out, "--force"});
  EXPECT_EQ(zero.status, 2);
  EXPECT_NE(zero.err.find("--repeat"), std::string::npos) << zero.err;
}

TEST(CalibrateCli, RejectsContradictoryOptions) {
  const testing::CliOutcome o = cli({"calibrate", "--quick", "--full", "--out", "/nonexistent/x.toml"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("--quick and --full exclude each other"), std::string::npos) << o.err;
  const testing::CliOutcome d = cli({"calibrate", "--quick", "--out", "/tmp"});
  EXPECT_EQ(d.status, 2);
  EXPECT_NE(d.err.find("is a directory"), std::string::npos) << d.err;
  const testing::CliOutcome n = cli({"calibrate", "--nodes", "0"});
  EXPECT_EQ(n.status, 2);
}

}  // namespace
}  // namespace wakesim::app
