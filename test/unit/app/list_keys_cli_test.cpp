// Defaults made visible: `wakesim list keys` says it shows the schema's defaults; `list keys --config X
// [--set K=V]...` shows every key's effective value and where it came from; a host preset chosen with
// --set over a file that fixes the host's shape warns, key by key.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/cli_runner.h"

namespace wakesim::app {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using Outcome = testing::CliOutcome;

const std::string kDefault = std::string(WAKESIM_SOURCE_DIR) + "/workloads/default.toml";

struct Row {
  std::string value, origin;
};

// KEY -> (VALUE, FROM) from the table `list keys --config` prints (columns split at runs of 2+ spaces).
std::map<std::string, Row> rows(const std::string& out) {
  std::map<std::string, Row> table;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("#") || line.starts_with("KEY ")) continue;
    std::vector<std::string> cells;
    size_t start = 0;
    while (start < line.size()) {
      size_t gap = line.find("  ", start);
      if (gap == std::string::npos) gap = line.size();
      cells.push_back(line.substr(start, gap - start));
      start = line.find_first_not_of(' ', gap);
      if (start == std::string::npos) break;
    }
    if (cells.size() == 3) table[cells[0]] = Row{cells[1], cells[2]};
  }
  return table;
}

TEST(ListKeys, PlainListSaysItShowsSchemaDefaults) {
  const Outcome o = cli({"list", "keys"});
  ASSERT_EQ(o.status, 0) << o.err;
  const std::regex header(
      "# Schema defaults: a key's value when nothing sets it. The built-in default workload, what\n# `wakesim run` "
      "runs "
      "without CONFIG, sets [0-9]+ of them, e.g. scenario = \"kvm\", host.preset = \"icelake-2s\", vms.count = 12;\n"
      "# `wakesim list keys --config default` shows its effective values and where each comes from.\nKEY ");
  // Only the head is matched: std::regex recurses per character, and the whole table overflows the stack
  // of an unoptimised sanitizer build.
  const size_t table = o.out.find("\nKEY ");
  ASSERT_NE(table, std::string::npos) << o.out;
  EXPECT_TRUE(std::regex_match(o.out.substr(0, table + 5), header)) << o.out;
}

TEST(ListKeys, ConfigShowsEffectiveValuesAndTheirOrigins) {
  const Outcome o = cli({"list", "keys", "--config", "default", "--set", "run.seed=7"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.err, "");
  auto table = rows(o.out);
  EXPECT_EQ(table["scenario"].value, "\"kvm\"");
  EXPECT_EQ(table["scenario"].origin, kDefault + ":9");
  EXPECT_EQ(table["host.cores_per_socket"].value, "8");
  EXPECT_EQ(table["host.cores_per_socket"].origin, kDefault + ":18");
  EXPECT_EQ(table["host.preset"].origin, kDefault + ":17");
  EXPECT_EQ(table["host.sockets"].value, "2");
  EXPECT_EQ(table["host.sockets"].origin, "host.preset = \"icelake-2s\"");
  EXPECT_EQ(table["host.cache.l2_ways"].origin, "host.preset = \"icelake-2s\"");
  EXPECT_EQ(table["run.seed"].value, "7");
  EXPECT_EQ(table["run.seed"].origin, "--set run.seed=7");
  EXPECT_EQ(table["queue.servers"].value, "1");
  EXPECT_EQ(table["queue.servers"].origin, "default");
}

TEST(ListKeys, ADerivedKeyNamesWhatItSet) {
  const fs::path dir = testing::fresh_temp_dir("list-derived");
  fs::create_directories(dir);
  const fs::path file = dir / "ratio.toml";
  std::ofstream(file) << "scenario = \"kvm\"\n[vms]\nvcpus = 4\nvcpus_per_pcpu = 2\n";
  const Outcome o = cli({"list", "keys", "--config", file.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  auto table = rows(o.out);
  EXPECT_EQ(table["vms.vcpus_per_pcpu"].value, "2");
  EXPECT_EQ(table["vms.vcpus_per_pcpu"].origin, file.string() + ":4");
  EXPECT_EQ(table["vms.count"].value, "64");  // 2 x 128 pCPUs of icelake-2s / 4 vCPUs per VM
  EXPECT_EQ(table["vms.count"].origin, "vms.vcpus_per_pcpu = 2 at " + file.string() + ":4");
  fs::remove_all(dir);
}

TEST(ListKeys, SetNeedsConfig) {
  const Outcome o = cli({"list", "keys", "--set", "run.seed=7"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "wakesim list keys: error: --set needs --config (--config default for the built-in default workload)\n");
  const Outcome d = cli({"list", "designs", "--config", "default"});
  EXPECT_EQ(d.status, 2);
  EXPECT_EQ(d.err, "wakesim list designs: error: --config and --set go with 'list keys' only\n");
}

// A 16-core "Sapphire Rapids" is never silent: the file's topology keys still win over a preset chosen
// with --set (as any explicit key does), and each one is named.
TEST(PresetTopology, ChangingThePresetWarnsAboutTheFilesTopologyKeys) {
  const Outcome o = cli({"run", "--set", "host.preset=sapphire-rapids-2s", "--design", "nonesuch"});
  EXPECT_EQ(o.status, 2);  // the design is refused after loading, before any run: the warning is already out
  const std::string where = "--set host.preset=sapphire-rapids-2s: warning: ";
  EXPECT_TRUE(o.err.starts_with(
      where + "host.cores_per_socket = 8 from workloads/default.toml:18 overrides sapphire-rapids-2s's 56\n" + where +
      "host.threads_per_core = 1 from workloads/default.toml:19 overrides sapphire-rapids-2s's 2\n" + where +
      "so the host has 2 x 8 x 1 = 16 pCPUs, not sapphire-rapids-2s's 2 x 56 x 2 = 224; to take the preset's, add "
      "--set host.cores_per_socket=56 --set host.threads_per_core=2\nerror: run.designs: 'nonesuch'"))
      << o.err;
  // check and list keys --config warn the same way.
  const Outcome check = cli({"check", "default", "--set", "host.preset=sapphire-rapids-2s"});
  EXPECT_EQ(check.status, 0);
  EXPECT_NE(check.err.find(where + "host.cores_per_socket = 8 from " + kDefault + ":18 overrides"), std::string::npos)
      << check.err;
  const Outcome list = cli({"list", "keys", "--config", "default", "--set", "host.preset=sapphire-rapids-2s"});
  EXPECT_NE(list.err.find(where + "host.threads_per_core = 1 from"), std::string::npos) << list.err;
  EXPECT_EQ(rows(list.out)["host.cache.llc_size"].origin, "host.preset = \"sapphire-rapids-2s\"");
}

TEST(PresetTopology, NoWarningWhenTheTopologyIsChosenToo) {
  // The keys set on the command line with the preset, or the file's own preset: nothing to warn about.
  EXPECT_EQ(cli({"check", "default", "--set", "host.preset=sapphire-rapids-2s", "--set", "host.cores_per_socket=56",
                 "--set", "host.threads_per_core=2"})
                .err,
            "");
  EXPECT_EQ(cli({"check", "default"}).err, "");
  // Overriding only one of them still names the other.
  const Outcome one =
      cli({"check", "default", "--set", "host.preset=sapphire-rapids-2s", "--set", "host.cores_per_socket=56"});
  EXPECT_EQ(one.err.find("host.cores_per_socket ="), std::string::npos) << one.err;
  EXPECT_NE(one.err.find("host.threads_per_core = 1 from"), std::string::npos) << one.err;
}

}  // namespace
}  // namespace wakesim::app
