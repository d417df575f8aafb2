// Derived keys (sim/experiment/derived_keys.h): vms.vcpus_per_pcpu sets vms.count exactly or is refused
// with the nearest achievable ratios, conflicts with vms.count in one source, is listed by `list keys`,
// and its achieved value is a column of runs.csv (one run) and of a sweep's runs.csv and aggregates.csv.
#include "sim/experiment/derived_keys.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sim/config/loader.h"
#include "sim/engine/errors.h"
#include "sim/experiment/config.h"
#include "sim/workload/arrival_process.h"
#include "test/support/cli_runner.h"

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::slurp;

// The built-in default workload: 16 pCPUs (2 sockets x 8 cores, no SMT), 12 VMs of 8 vCPUs.
Config with(const std::vector<std::string>& overrides) { return load_default_config(overrides).config; }

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const engine::UserError& e) {
    return e.what();
  }
  return "";
}

std::vector<std::vector<std::string>> csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::istringstream l(line);
    for (std::string cell; std::getline(l, cell, ',');) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

// The values of `column` in a CSV, row by row.
std::vector<std::string> column(const std::string& text, const std::string& name) {
  const auto rows = csv(text);
  std::vector<std::string> out;
  if (rows.empty()) return out;
  const auto at = std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin();
  if (static_cast<size_t>(at) == rows[0].size()) return {"no column " + name};
  for (size_t r = 1; r < rows.size(); ++r) out.push_back(rows[r].at(static_cast<size_t>(at)));
  return out;
}

TEST(DerivedKeys, TheRatioSetsTheVmCountWithTheFinalHostShape) {
  Config c = with({"vms.vcpus_per_pcpu=2"});
  EXPECT_EQ(c.vms.count, 4);  // 2 x 16 pCPUs / 8 vCPUs
  EXPECT_DOUBLE_EQ(vcpus_per_pcpu(c), 2.0);
  EXPECT_EQ(c.vms.vcpus_per_pcpu, 0.0) << "reset after the derivation: the resolved config holds vms.count alone";
  // SMT on doubles the pCPUs, wherever the key that says so is written.
  c = with({"vms.vcpus_per_pcpu=2", "host.threads_per_core=2"});
  EXPECT_EQ(c.vms.count, 8);
  c = with({"vms.vcpus_per_pcpu=1.5", "vms.pcpus=8", "vms.vcpus=4"});
  EXPECT_EQ(c.vms.count, 3);
  EXPECT_DOUBLE_EQ(vcpus_per_pcpu(c), 1.5);
  // Not set: the count stays and the achieved ratio is reported.
  c = with({});
  EXPECT_EQ(c.vms.count, 12);
  EXPECT_DOUBLE_EQ(vcpus_per_pcpu(c), 6.0);
  EXPECT_EQ(derived_values(c), (std::vector<std::pair<std::string, std::string>>{
                                   {"vms.vcpus_per_pcpu", "6"}, {"vms.device_rate_per_pcpu", "12000"}}));
  c.scenario = "queue";
  EXPECT_TRUE(derived_values(c).empty()) << "only the kvm scenario has VMs";
}

TEST(DerivedKeys, ARatioThatNeedsPartOfAVmIsRefusedWithTheNearestAchievable) {
  EXPECT_EQ(error_of([] { with({"vms.vcpus_per_pcpu=1.3"}); }),
            "--set vms.vcpus_per_pcpu=1.3: error: vms.vcpus_per_pcpu: 1.3 needs 2.6 VMs of 8 vCPUs on 16 pCPUs, not a "
            "whole number of VMs; nearest achievable: 1 (vms.count = 2) or 1.5 (vms.count = 3) (or change vms.vcpus "
            "or vms.pcpus)");
  EXPECT_EQ(error_of([] { with({"vms.vcpus_per_pcpu=0.25"}); }),
            "--set vms.vcpus_per_pcpu=0.25: error: vms.vcpus_per_pcpu: 0.25 needs 0.5 VMs of 8 vCPUs on 16 pCPUs; the "
            "smallest achievable is 0.5 (vms.count = 1)");
  EXPECT_NE(error_of([] { with({"vms.vcpus_per_pcpu=-1"}); }).find("must be >= 0"), std::string::npos);
}

TEST(DerivedKeys, CountAndRatioInOneSourceConflictAndALaterSourceWins) {
  const fs::path dir = testing::fresh_temp_dir("derived-conflict");
  const fs::path both =
      testing::write_text(dir / "both.toml", "scenario = \"kvm\"\n[vms]\ncount = 4\nvcpus_per_pcpu = 2\n");
  EXPECT_EQ(error_of([&] { load_config(both, {}); }),
            both.string() + ":4:1: error: vms.vcpus_per_pcpu: sets vms.count, which this file also sets (" +
                both.string() + ":3:1); keep one of them");
  EXPECT_EQ(error_of([] {
              with({"vms.count=3", "vms.vcpus_per_pcpu=2"});
            }),
            "--set vms.vcpus_per_pcpu=2: error: vms.vcpus_per_pcpu: sets vms.count, which the --set list also sets "
            "(--set vms.count=3); keep one of them");
  // Checked without validation too (a sweep spec's [set] and axes are one --set list).
  EXPECT_NE(error_of([] { load_default_config({"vms.count=3", "vms.vcpus_per_pcpu=2"}, false); }), "");
  // The file's count, overridden by a --set ratio; the file's ratio, overridden by a --set count.
  EXPECT_EQ(with({"vms.vcpus_per_pcpu=2"}).vms.count, 4);  // workloads/default.toml sets vms.count = 12
  const fs::path ratio = testing::write_text(dir / "ratio.toml", "scenario = \"kvm\"\n[vms]\nvcpus_per_pcpu = 2\n");
  EXPECT_EQ(load_config(ratio, {}).config.vms.count, 2 * 128 / 4);  // icelake-2s: 128 pCPUs, 4 vCPUs per VM
  EXPECT_EQ(load_config(ratio, {"vms.count=5"}).config.vms.count, 5);
  // 0 is "not set", so the resolved configuration (which writes every key) loads back to the same run.
  const Config c = with({"vms.vcpus_per_pcpu=2"});
  const fs::path resolved = testing::write_text(dir / "resolved.toml", config::to_toml(c));
  EXPECT_EQ(load_config(resolved, {}).config.vms.count, 4);
  fs::remove_all(dir);
}

TEST(DerivedKeys, ListKeysShowsTheRatioAsDerived) {
  const auto o = cli({"list", "keys"});
  ASSERT_EQ(o.status, 0) << o.err;
  std::istringstream lines(o.out);
  std::string found;
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("vms.vcpus_per_pcpu ")) found = line;
  EXPECT_NE(found.find("derived:"), std::string::npos) << o.out;
  EXPECT_NE(found.find("sets vms.count"), std::string::npos) << found;
}

TEST(DerivedKeys, ARunWritesTheAchievedRatioToRunsCsv) {
  const fs::path dir = testing::fresh_temp_dir("derived-run");
  const auto o = cli({"run", "--design", "single-lock", "--replicates", "1", "--set", "vms.count=2", "--set",
                      "run.duration=2ms", "--set", "run.warmup=1ms", "--out", dir.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  const std::string runs = slurp(dir / "runs.csv");
  EXPECT_TRUE(runs.starts_with("vms.vcpus_per_pcpu,vms.device_rate_per_pcpu,design,replicate,")) << runs.substr(0, 80);
  EXPECT_EQ(column(runs, "vms.vcpus_per_pcpu"), std::vector<std::string>{"1"});  // 2 x 8 / 16
  fs::remove_all(dir);
}

// A short kvm sweep over the ratio, with a constraint that skips its last value.
const std::string kRatioSweep = R"X(designs = ["single-lock"]
replicates = 1
constraint = "vms.vcpus_per_pcpu < 2"
[set]
"run.duration" = "2ms"
"run.warmup" = "1ms"
[[axis]]
key = "vms.vcpus_per_pcpu"
values = [0.5, 1, 2]
)X";

TEST(DerivedKeys, ASweepOverTheRatioSetsTheCountPerPointAndWritesTheRatio) {
  const fs::path dir = testing::fresh_temp_dir("derived-sweep");
  const fs::path spec = testing::write_text(dir / "s.toml", kRatioSweep);
  const auto o = cli({"sweep", spec.string(), "--quiet", "--out", (dir / "out").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("2 points, 2 runs"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("1 skipped by the constraint"), std::string::npos) << o.out;
  EXPECT_NE(slurp(dir / "out" / "points" / "p0000" / "config.toml").find("count = 1\n"), std::string::npos);
  EXPECT_NE(slurp(dir / "out" / "points" / "p0001" / "config.toml").find("count = 2\n"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "out" / "points" / "p0002"));
  EXPECT_NE(slurp(dir / "out" / "sweep.json").find("\"skipped_points\": 1"), std::string::npos);
  const std::string runs = slurp(dir / "out" / "runs.csv");
  EXPECT_TRUE(runs.starts_with("point,vms.vcpus_per_pcpu,vms.device_rate_per_pcpu,design,")) << runs.substr(0, 80);
  EXPECT_EQ(column(runs, "vms.vcpus_per_pcpu"), (std::vector<std::string>{"0.5", "1"}));
  // Each point's own results directory carries the achieved ratio too.
  EXPECT_EQ(column(slurp(dir / "out" / "points" / "p0001" / "runs.csv"), "vms.vcpus_per_pcpu"),
            std::vector<std::string>{"1"});

  // Swept by count, the achieved ratio is a column of its own, in runs.csv and aggregates.csv.
  const fs::path by_count = testing::write_text(dir / "c.toml", R"X(designs = ["single-lock"]
replicates = 1
[set]
"run.duration" = "2ms"
"run.warmup" = "1ms"
[[axis]]
key = "vms.count"
values = [1, 3]
)X");
  const auto c = cli({"sweep", by_count.string(), "--quiet", "--out", (dir / "count").string()});
  ASSERT_EQ(c.status, 0) << c.err;
  const std::string count_runs = slurp(dir / "count" / "runs.csv");
  EXPECT_TRUE(count_runs.starts_with("point,vms.count,vms.vcpus_per_pcpu,vms.device_rate_per_pcpu,design,"))
      << count_runs.substr(0, 80);
  EXPECT_EQ(column(count_runs, "vms.vcpus_per_pcpu"), (std::vector<std::string>{"0.5", "1.5"}));
  const std::string aggregates = slurp(dir / "count" / "aggregates.csv");
  EXPECT_TRUE(aggregates.starts_with("point,vms.count,vms.vcpus_per_pcpu,vms.device_rate_per_pcpu,design,metric,"))
      << aggregates.substr(0, 80);
  for (const std::string& v : column(aggregates, "vms.vcpus_per_pcpu")) EXPECT_TRUE(v == "0.5" || v == "1.5") << v;
  fs::remove_all(dir);
}

TEST(DerivedKeys, TheDeviceRatePerPcpuHoldsTheHostLoadWhateverTheRatio) {
  // 12k/s per pCPU on 16 pCPUs: 192k/s over the host, spread over however many vCPUs there are.
  Config c = with({"vms.vcpus_per_pcpu=16", "vms.device_rate_per_pcpu=12k/s"});
  EXPECT_EQ(c.vms.count, 32);
  EXPECT_DOUBLE_EQ(c.vms.device_arrivals.mean_rate(), 750.0);  // 192k / 256 vCPUs
  EXPECT_DOUBLE_EQ(device_rate_per_pcpu(c), 12000.0);
  EXPECT_EQ(c.vms.device_rate_per_pcpu.per_second, 0.0) << "reset: the resolved config holds the arrivals alone";
  // Only the first 2 vCPUs of each VM take device interrupts: they take all of the load.
  c = with({"vms.vcpus_per_pcpu=2", "vms.device_vcpus=2", "vms.device_rate_per_pcpu=3k/s"});
  EXPECT_DOUBLE_EQ(c.vms.device_arrivals.mean_rate(), 3000.0 * 16 / (4 * 2));
  // The shape is kept: an MMPP's states are scaled together, the mean rate is the one asked for.
  c = with({"vms.device_arrivals=mmpp(1k/s:1ms, 3k/s:1ms)", "vms.device_rate_per_pcpu=24k/s"});
  EXPECT_EQ(workload::format_arrivals(c.vms.device_arrivals), "mmpp(2k/s:1ms, 6k/s:1ms)");
  c = with({"vms.device_arrivals=periodic(1ms)", "vms.device_rate_per_pcpu=3k/s"});
  EXPECT_EQ(workload::format_arrivals(c.vms.device_arrivals), "periodic(2ms)");  // 3k x 16 / 96 = 500/s
  // A later --set vms.device_arrivals overrides a rate written in the file.
  const fs::path dir = testing::fresh_temp_dir("derived-rate");
  const fs::path rate =
      testing::write_text(dir / "rate.toml", "scenario = \"kvm\"\n[vms]\ndevice_rate_per_pcpu = \"8k/s\"\n");
  EXPECT_DOUBLE_EQ(device_rate_per_pcpu(load_config(rate, {}).config), 8000.0);
  EXPECT_DOUBLE_EQ(load_config(rate, {"vms.device_arrivals=poisson(10/s)"}).config.vms.device_arrivals.mean_rate(),
                   10.0);
  fs::remove_all(dir);
  // Nothing to scale: an error that says what to set.
  EXPECT_EQ(error_of([] {
              with({"vms.device_arrivals=none", "vms.device_rate_per_pcpu=1k/s"});
            }),
            "--set vms.device_rate_per_pcpu=1k/s: error: vms.device_rate_per_pcpu: scales vms.device_arrivals to the "
            "asked load, but vms.device_arrivals = \"none\" has no arrivals to scale; set a process such as "
            "\"poisson(1k/s)\" (its shape is kept, its rate replaced)");
}

TEST(DerivedKeys, ASweepAxisRecordsItsScaleForFigures) {
  const fs::path dir = testing::fresh_temp_dir("derived-scale");
  const fs::path spec = testing::write_text(dir / "s.toml", R"X(designs = ["single-lock", "rcu-list"]
replicates = 2
[set]
"run.duration" = "2ms"
"run.warmup" = "1ms"
[[axis]]
key = "vms.vcpus_per_pcpu"
values = [1, 2]
scale = "log"
[[axis]]
key = "vms.device_rate_per_pcpu"
values = ["1k/s", "2k/s"]
)X");
  const auto o = cli({"sweep", spec.string(), "--quiet", "--out", (dir / "out").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  const std::string summary = slurp(dir / "out" / "summary.json");
  const auto json = nlohmann::json::parse(summary);
  ASSERT_EQ(json.at("axes").size(), 2u);
  EXPECT_EQ(json["axes"][0]["keys"], nlohmann::json::array({"vms.vcpus_per_pcpu"}));
  EXPECT_EQ(json["axes"][0]["scale"], "log");
  EXPECT_TRUE(json["axes"][1]["scale"].is_null()) << "not said in the spec";
  // The swept rate is written as the spec wrote it, with its number for plots; the achieved one too.
  const std::string runs = slurp(dir / "out" / "runs.csv");
  EXPECT_TRUE(runs.starts_with("point,vms.vcpus_per_pcpu,vms.device_rate_per_pcpu,vms.device_rate_per_pcpu#value,"))
      << runs.substr(0, 120);
  // Every paired difference carries its paired t-test p-value (in [0, 1], or null without a verdict).
  for (const auto& d : json.at("paired_differences")) {
    ASSERT_TRUE(d.contains("p")) << d.dump();
    if (!d["p"].is_null()) {
      EXPECT_TRUE(d["p"].get<double>() >= 0 && d["p"].get<double>() <= 1) << d.dump();
    }
  }
  // A bad scale is refused at load, with where and what is expected.
  const fs::path bad = testing::write_text(dir / "bad.toml",
                                           "[[axis]]\nkey = \"vms.count\"\nvalues = [1, 2]\nscale = \"logarithmic\"\n");
  const auto b = cli({"sweep", bad.string(), "--out", (dir / "bad").string()});
  EXPECT_EQ(b.status, 2) << b.out;
  EXPECT_NE(b.err.find("bad.toml:4:9: error: axis.scale: expected \"linear\" or \"log\""), std::string::npos) << b.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wakesim::experiment
