// Verdicts end to end through the command line: `wakesim run` and `wakesim sweep` print them (the sweep's
// output ends with them) and write them to summary.json; `wakesim compare A B` pairs replicates when the
// seeds match (CRN) and uses Welch's test otherwise, and says which.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sim/app/cli.h"
#include "test/support/cli_runner.h"

namespace wakesim::app {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::slurp;
using Outcome = testing::CliOutcome;

// The lock micro-benchmark, short: two designs (ticket, qspinlock), differing clearly at 8 pCPUs.
std::vector<std::string> lockbench_run(const fs::path& out, const std::string& seed) {
  return {
      "run",          "lockbench", "--set",  "run.warmup=0", "--set", "run.duration=300us", "--set", "lockbench.cpus=8",
      "--replicates", "3",         "--seed", seed,           "--out", out.string()};
}

fs::path run_once(const std::string& name, const std::string& seed) {
  fs::path dir = testing::fresh_temp_dir("compare-" + name);
  const Outcome o = cli(lockbench_run(dir, seed));
  EXPECT_EQ(o.status, 0) << o.err;
  return dir;
}

nlohmann::json read_json(const fs::path& file) { return nlohmann::json::parse(slurp(file)); }

TEST(Verdicts, RunPrintsThemAndSummaryJsonCarriesThem) {
  const fs::path dir = testing::fresh_temp_dir("verdict-run");
  const Outcome o = cli(lockbench_run(dir, "1"));
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("verdicts against ticket (paired t-test over replicates with common seeds (CRN); "
                       "Holm-Bonferroni over"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("qspinlock vs ticket"), std::string::npos) << o.out;
  const nlohmann::json v = read_json(dir / "summary.json").at("verdicts");
  EXPECT_EQ(v.at("reference"), "ticket");
  EXPECT_EQ(v.at("correction"), "holm");
  EXPECT_EQ(v.at("alpha"), 0.05);
  ASSERT_FALSE(v.at("rows").empty());
  EXPECT_EQ(v.at("comparisons"), v.at("rows").size());
  bool any_significant = false;
  for (const auto& row : v.at("rows")) {
    EXPECT_EQ(row.at("design"), "qspinlock");
    for (const char* key :
         {"metric", "difference", "ci95_low", "ci95_high", "relative", "p", "p_adjusted", "significant"})
      EXPECT_TRUE(row.contains(key)) << key;
    any_significant = any_significant || row.at("significant").get<bool>();
  }
  EXPECT_TRUE(any_significant) << "ticket and qspinlock differ clearly at 8 pCPUs";
}

TEST(Verdicts, ReferenceIsChosenAndChecked) {
  const fs::path dir = testing::fresh_temp_dir("verdict-reference");
  std::vector<std::string> args = lockbench_run(dir, "1");
  args.insert(args.end(), {"--reference", "qspinlock"});
  const Outcome o = cli(args);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("ticket vs qspinlock"), std::string::npos) << o.out;
  EXPECT_EQ(read_json(dir / "summary.json").at("verdicts").at("reference"), "qspinlock");

  args.back() = "mcs";
  fs::remove_all(dir);
  const Outcome bad = cli(args);
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--reference mcs: error: not one of the designs compared (ticket, qspinlock)"),
            std::string::npos)
      << bad.err;
}

TEST(Compare, SameSeedsArePairedAndIdenticalResultsAreNotSignificant) {
  const fs::path a = run_once("crn-a", "5"), b = run_once("crn-b", "5");
  const Outcome o = cli({"compare", a.string(), b.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("paired t-test over replicates with common seeds (CRN)"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("Welch"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("p_adj="), std::string::npos) << "identical runs cannot differ significantly:\n" << o.out;
  EXPECT_NE(o.out.find("= (n.s.)"), std::string::npos) << o.out;
  const nlohmann::json j = nlohmann::json::parse(cli({"compare", a.string(), b.string(), "--json"}).out);
  for (const auto& row : j.at("verdicts").at("rows")) {
    EXPECT_EQ(row.at("test"), "paired-t");
    EXPECT_EQ(row.at("significant"), false);
  }
}

TEST(Compare, DifferentSeedsUseWelch) {
  const fs::path a = run_once("welch-a", "5"), b = run_once("welch-b", "6");
  const Outcome o = cli({"compare", a.string(), b.string(), "--metric", "throughput", "--design", "ticket"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("Welch's t-test (seeds differ: independent samples)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("over 1 comparison,"), std::string::npos) << o.out;
  const nlohmann::json j = nlohmann::json::parse(cli({"compare", a.string(), b.string(), "--json"}).out);
  EXPECT_EQ(j.at("verdicts").at("test"), "welch-t");
}

TEST(Compare, UnknownMetricOrDirectoryIsBadInput) {
  const fs::path a = run_once("bad-a", "5");
  Outcome o = cli({"compare", a.string(), a.string(), "--metric", "throughput_per_s"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("--metric throughput_per_s: error: scenario 'lockbench' has no metric"), std::string::npos)
      << o.err;
  o = cli({"compare", a.string(), "/no/such/dir"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("/no/such/dir: error: no such results directory"), std::string::npos) << o.err;
}

TEST(Compare, SweepsMatchPointsAndTheSweepEndsWithVerdicts) {
  const fs::path spec_dir = testing::fresh_temp_dir("verdict-sweep-spec");
  fs::create_directories(spec_dir);
  std::ofstream(spec_dir / "s.toml") << R"X(base = "lockbench"
replicates = 2
[set]
"run.duration" = "200us"
"run.warmup" = "0"
[[axis]]
key = "lockbench.cpus"
values = [2, 8]
)X";
  const fs::path a = testing::fresh_temp_dir("verdict-sweep-a"), b = testing::fresh_temp_dir("verdict-sweep-b");
  Outcome o = cli({"sweep", (spec_dir / "s.toml").string(), "--out", a.string(), "--quiet", "--jobs", "2"});
  ASSERT_EQ(o.status, 0) << o.err;
  // The output ends with the verdict table: one row per point and design.
  const size_t at = o.out.rfind("verdicts against ticket per point");
  ASSERT_NE(at, std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("results:", at), std::string::npos) << "the verdicts come last:\n" << o.out;
  EXPECT_NE(o.out.find("p0000 2", at), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("p0001 8", at), std::string::npos) << o.out;
  const nlohmann::json v = read_json(a / "summary.json").at("verdicts");
  EXPECT_EQ(v.at("correction"), "holm");
  EXPECT_EQ(v.at("rows")[0].at("point"), 0);

  o = cli({"sweep", (spec_dir / "s.toml").string(), "--out", b.string(), "--quiet", "--jobs", "1"});
  ASSERT_EQ(o.status, 0) << o.err;
  o = cli({"compare", a.string(), b.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("lockbench.cpus=2"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("lockbench.cpus=8"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("(CRN)"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("p_adj="), std::string::npos) << o.out;

  const fs::path run = run_once("kind", "1");
  o = cli({"compare", a.string(), run.string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("compare two of the same kind"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace wakesim::app
