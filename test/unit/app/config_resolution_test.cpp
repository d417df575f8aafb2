// CONFIG on the command line (sim/app/workloads_dir.cpp): a path is a file, a bare name a preset, an
// ambiguous name is refused, a directory never loads; and --out onto an existing directory
// (sim/app/results_dir.cpp): refused unless --force, which replaces it whole.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/support/cli_runner.h"
#include "test/support/working_directory.h"

namespace wakesim::app {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::slurp;
using Outcome = testing::CliOutcome;

fs::path resolve_test_dir(const std::string& name) { return testing::fresh_temp_dir("resolve-" + name); }
const std::string kPresets = std::string(WAKESIM_SOURCE_DIR) + "/workloads";

TEST(ConfigResolution, ADirectoryIsNeverAConfiguration) {
  // Before: `wakesim check /tmp` read nothing from the directory and said "ok" (the default kvm model).
  const Outcome o = cli({"check", "/tmp"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "/tmp: error: is a directory; a configuration is a .toml file or a preset name\n");
  for (const char* command : {"run", "lockdep"}) {
    const Outcome r = cli({command, "/tmp"});
    EXPECT_EQ(r.status, 2) << command;
    EXPECT_EQ(r.err, "/tmp: error: is a directory; a configuration is a .toml file or a preset name\n") << command;
  }
  const Outcome c = cli({"capacity", "/tmp", "--vary", "vms.count", "--range", "1:2", "--slo", "wakeup.p99<=50us"});
  EXPECT_EQ(c.status, 2);
  EXPECT_NE(c.err.find("is a directory"), std::string::npos) << c.err;
}

TEST(ConfigResolution, AResultsDirectoryPointsAtItsConfigToml) {
  const fs::path dir = resolve_test_dir("results");
  ASSERT_EQ(cli({"run", "mm1", "--set", "run.duration=5ms", "--replicates", "2", "--out", dir.string()}).status, 0);
  const Outcome o = cli({"check", dir.string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, dir.string() +
                       ": error: is a directory; a configuration is a .toml file or a preset name (a "
                       "results directory's configuration is " +
                       (dir / "config.toml").string() + ")\n");
  fs::remove_all(dir);
}

// Before: after `run mm1 --out mm1`, `mm1` named the results directory: `capacity mm1 ...` loaded
// nothing from it and failed with "scenario 'kvm' has no metric 'wait.mean'", and `run mm1` ran the
// default kvm model. A directory is not a candidate: the bare name stays the preset.
TEST(ConfigResolution, ABareNameIsThePresetEvenNextToADirectoryOfThatName) {
  const fs::path cwd = resolve_test_dir("same-name");
  testing::WorkingDirectory in(cwd);
  ASSERT_EQ(cli({"run", "mm1", "--set", "run.duration=5ms", "--replicates", "2", "--out", "mm1"}).status, 0);
  ASSERT_TRUE(fs::is_directory("mm1"));
  const Outcome check = cli({"check", "mm1"});
  EXPECT_EQ(check.status, 0) << check.err;
  EXPECT_EQ(check.out, kPresets + "/mm1.toml: ok (scenario 'queue', designs: fifo)\n");
  const Outcome capacity =
      cli({"capacity", "mm1", "--vary", "queue.servers", "--range", "1:2", "--slo", "wait.mean<=1000us", "--set",
           "run.duration=5ms", "--replicates", "2", "--max-replicates", "2", "--quiet", "--out", "cap"});
  EXPECT_EQ(capacity.status, 0) << capacity.err;
  EXPECT_NE(capacity.out.find("fifo"), std::string::npos) << capacity.out;
  fs::current_path(fs::temp_directory_path());
  fs::remove_all(cwd);
}

TEST(ConfigResolution, ABareNameThatIsAlsoAFileHereIsRefused) {
  const fs::path cwd = resolve_test_dir("ambiguous");
  testing::WorkingDirectory in(cwd);
  std::ofstream("mm1") << "scenario = \"queue\"\n";
  const Outcome o = cli({"check", "mm1"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "mm1: error: names both the preset " + kPresets +
                       "/mm1.toml and the file ./mm1 in this directory; write ./mm1 for the file, or rename it\n");
  // ./NAME picks the file.
  const Outcome file = cli({"check", "./mm1"});
  EXPECT_EQ(file.status, 0) << file.err;
  EXPECT_EQ(file.out, "./mm1: ok (scenario 'queue', designs: fifo)\n");
}

TEST(ConfigResolution, ABareNameIsNeverAFile) {
  const fs::path cwd = resolve_test_dir("bare-file");
  testing::WorkingDirectory in(cwd);
  std::ofstream("mine") << "scenario = \"queue\"\n";
  const Outcome o = cli({"check", "mine"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "mine: error: not a preset; for the file in this directory write ./mine (a bare name is always a "
            "preset: wakesim list workloads)\n");
}

TEST(ConfigResolution, AnUnknownNameSuggestsAPreset) {
  const Outcome o = cli({"check", "defualt"});
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(o.err.starts_with("defualt: error: no such preset (did you mean 'default'?); presets: default, "))
      << o.err;
  EXPECT_NE(o.err.find(", mm1, "), std::string::npos) << o.err;
  EXPECT_TRUE(o.err.ends_with("(wakesim list workloads); a file is named by a path, e.g. ./defualt.toml\n")) << o.err;
}

TEST(ConfigResolution, AMissingPathNamesThePresetItMayMean) {
  const fs::path cwd = resolve_test_dir("missing");
  testing::WorkingDirectory in(cwd);
  const Outcome o = cli({"check", "mm1.toml"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "mm1.toml: error: no such file (did you mean the preset 'mm1'? a preset is named without .toml)\n");
}

// --out onto a directory that holds something: refused before any run, untouched.
TEST(OutDirectory, AnExistingNonEmptyDirectoryIsRefused) {
  const fs::path dir = resolve_test_dir("out-taken");
  fs::create_directories(dir);
  std::ofstream(dir / "notes.txt") << "mine\n";
  const std::string expected = dir.string() +
                               ": error: --out: the directory exists and is not empty; add --force to "
                               "replace it, or choose another --out\n";
  const Outcome run = cli({"run", "mm1", "--set", "run.duration=5ms", "--out", dir.string()});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err, expected);
  const Outcome capacity = cli({"capacity", "mm1", "--vary", "queue.servers", "--range", "1:2", "--slo",
                                "wait.mean<=10us", "--quiet", "--out", dir.string()});
  EXPECT_EQ(capacity.status, 2);
  EXPECT_EQ(capacity.err, expected);
  EXPECT_EQ(slurp(dir / "notes.txt"), "mine\n");
  // An empty directory is fine.
  const fs::path empty = resolve_test_dir("out-empty");
  fs::create_directories(empty);
  EXPECT_EQ(cli({"run", "mm1", "--set", "run.duration=5ms", "--out", empty.string()}).status, 0);
  EXPECT_TRUE(fs::exists(empty / "summary.json"));
  fs::remove_all(dir);
  fs::remove_all(empty);
}

// --force replaces a results directory whole: the old figures are gone, no temporary is left beside it.
TEST(OutDirectory, ForceReplacesAResultsDirectoryWhole) {
  const fs::path parent = resolve_test_dir("force");
  const fs::path dir = parent / "results";
  ASSERT_EQ(cli({"run", "mm1", "--set", "run.duration=5ms", "--seed", "1", "--out", dir.string()}).status, 0);
  fs::create_directories(dir / "figures");
  std::ofstream(dir / "figures" / "old.png") << "old figure";
  const std::string before = slurp(dir / "runs.csv");
  const Outcome o = cli({"run", "mm1", "--set", "run.duration=5ms", "--seed", "2", "--out", dir.string(), "--force"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_FALSE(fs::exists(dir / "figures"));
  EXPECT_TRUE(fs::exists(dir / "summary.json"));
  EXPECT_NE(slurp(dir / "runs.csv"), before);
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(parent)) entries.push_back(e.path().filename().string());
  EXPECT_EQ(entries, std::vector<std::string>{"results"});
  // capacity too.
  const fs::path cap = parent / "capacity";
  const std::vector<std::string> search = {
      "capacity",          "mm1",   "--vary",           "queue.servers", "--range", "1:2",       "--slo",
      "wait.mean<=1000us", "--set", "run.duration=5ms", "--quiet",       "--out",   cap.string()};
  ASSERT_EQ(cli(search).status, 0);
  std::ofstream(cap / "capacity.png") << "old figure";
  auto forced = search;
  forced.push_back("--force");
  const Outcome again = cli(forced);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_FALSE(fs::exists(cap / "capacity.png"));
  EXPECT_TRUE(fs::exists(cap / "capacity.json"));
  fs::remove_all(parent);
}

// --force deletes only what a results directory is (it has a manifest.json), never the current directory.
TEST(OutDirectory, ForceLeavesOtherDirectoriesAlone) {
  const fs::path dir = resolve_test_dir("not-results");
  fs::create_directories(dir);
  std::ofstream(dir / "thesis.tex") << "years of work\n";
  const Outcome o = cli({"run", "mm1", "--set", "run.duration=5ms", "--out", dir.string(), "--force"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, dir.string() +
                       ": error: --force: not a wakesim results directory (it has no manifest.json), so it "
                       "is left alone; choose another --out\n");
  EXPECT_EQ(slurp(dir / "thesis.tex"), "years of work\n");
  {
    testing::WorkingDirectory in(dir);
    std::ofstream("manifest.json") << "{}\n";
    const Outcome here = cli({"run", "mm1", "--set", "run.duration=5ms", "--out", ".", "--force"});
    EXPECT_EQ(here.status, 2);
    EXPECT_EQ(here.err,
              ".: error: --force: this is the current directory or one above it; it is left alone; choose "
              "another --out\n");
  }
  EXPECT_TRUE(fs::exists(dir / "thesis.tex"));
  std::ofstream(dir / "file") << "x";
  const Outcome file = cli({"run", "mm1", "--set", "run.duration=5ms", "--out", (dir / "file").string()});
  EXPECT_EQ(file.status, 2);
  EXPECT_EQ(file.err,
            (dir / "file").string() + ": error: --out: exists and is not a directory; choose another --out\n");
  fs::remove_all(dir);
}

// Issue 15 item 3: a misspelt choice or preset in a configuration file gets a "did you mean".
TEST(ConfigResolution, AMisspeltChoiceOrPresetInAFileGetsASuggestion) {
  const fs::path dir = testing::fresh_temp_dir("did-you-mean");
  const fs::path file = testing::write_text(dir / "c.toml", "[host]\npreset = \"ice-lake-2s\"\nlock = \"qspinlok\"\n");
  const Outcome o = cli({"check", file.string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find(file.string() +
                       ":2:10: error: host.preset: \"ice-lake-2s\" is not a preset; known: icelake-2s, "
                       "sapphire-rapids-2s, epyc-milan-2s, or a file path (containing '/' or ending in .toml) (did you "
                       "mean 'icelake-2s'?)"),
            std::string::npos)
      << o.err;
}

}  // namespace
}  // namespace wakesim::app
