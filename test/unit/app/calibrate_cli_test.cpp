// `wakesim calibrate` end to end with --quick (about a second of measuring): the side-by-side table,
// the host file that loads as a preset, and the refusals.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sim/app/cli.h"
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
