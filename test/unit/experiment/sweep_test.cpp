// Sweeps (sim/experiment/sweep_spec.h, sweep.h): spec expansion and its error messages, and whole sweeps
// through the command line: swept keys as columns, byte-identical results for any --jobs, failure
// isolation, resume, added replicates, shards merged back to the unsharded bytes.
#include "sim/experiment/sweep.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test/support/cli_runner.h"
#include "sim/engine/errors.h"

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::slurp;
using Outcome = testing::CliOutcome;

fs::path temp_dir(const std::string& name) {
  const fs::path dir = testing::fresh_temp_dir("sweep-" + name);
  fs::create_directories(dir);
  return dir;
}

fs::path write(const fs::path& file, const std::string& text) {
  std::ofstream(file) << text;
  return file;
}

fs::path resolve(const std::string& base, const fs::path& dir) {
  if (fs::exists(dir / base)) return dir / base;
  const fs::path preset = fs::path(WAKESIM_SOURCE_DIR) / "workloads" / (base + ".toml");
  if (fs::exists(preset)) return preset;
  throw engine::UserError("no such preset");
}

std::string load_error(const std::string& text) {
  const fs::path dir = temp_dir("spec-error");
  try {
    load_sweep_spec(write(dir / "s.toml", text), resolve);
  } catch (const engine::UserError& e) {
    return e.what();
  }
  return "";
}

// Every file of a results tree except those documented to differ between identical sweeps.
std::map<std::string, std::string> deterministic_files(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& f : fs::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    const std::string name = f.path().filename().string();
    if (name == "manifest.json" || name == "timings.csv" || f.path().extension() == ".timing") continue;
    files[fs::relative(f.path(), dir).string()] = slurp(f.path());
  }
  return files;
}

void expect_same_tree(const fs::path& a, const fs::path& b) {
  const auto fa = deterministic_files(a), fb = deterministic_files(b);
  ASSERT_FALSE(fa.empty());
  std::vector<std::string> na, nb;
  for (const auto& [k, v] : fa) na.push_back(k);
  for (const auto& [k, v] : fb) nb.push_back(k);
  ASSERT_EQ(na, nb);
  for (const auto& [name, text] : fa) EXPECT_TRUE(text == fb.at(name)) << name << " differs";
}

// A small, fast sweep of the queue scenario: 2 x 2 points, 2 replicates.
const std::string kQueueSweep = R"X(base = "mm1"
replicates = 2
[set]
"run.duration" = "10ms"
"run.warmup" = "1ms"
[[axis]]
key = "queue.service"
values = ["exp(5us)", "exp(8us)"]
[[axis]]
key = "queue.servers"
range = { from = 1, to = 2, step = 1 }
)X";

TEST(SweepSpec, ExpandsListsRangesAndZippedGroupsWithTheLastAxisFastest) {
  const fs::path dir = temp_dir("expand");
  const SweepSpec spec = load_sweep_spec(write(dir / "s.toml", R"X(base = "mm1"
[[axis]]
key = "queue.servers"
range = { from = 1, to = 16, points = 5, scale = "log" }
[[axis]]
keys = ["queue.service", "queue.interarrival"]
values = [["exp(5us)", "exp(10us)"], ["exp(6us)", "exp(12us)"]]
[[axis]]
key = "run.duration"
range = { from = 1, to = 2, step = 0.5 }
format = "{}ms"
)X"), resolve);
  EXPECT_EQ(spec.point_count(), 5u * 2u * 3u);
  const auto points = spec.points();
  ASSERT_EQ(points.size(), 30u);
  EXPECT_EQ(points[0].assignments[0].second.display, "1");
  EXPECT_EQ(points[6].assignments[0].second.display, "2");   // log range 1, 2, 4, 8, 16
  EXPECT_EQ(points[24].assignments[0].second.display, "16");
  EXPECT_EQ(points[1].assignments[3].second.display, "1.5ms");
  EXPECT_EQ(points[1].assignments[3].second.assignment_value, "'1.5ms'");  // a TOML string
  EXPECT_DOUBLE_EQ(*points[1].assignments[3].second.numeric, 1.5);
  EXPECT_EQ(points[3].assignments[1].second.display, "exp(6us)");
  EXPECT_EQ(points[3].assignments[2].second.display, "exp(12us)");  // zipped: moves with its partner
  EXPECT_DOUBLE_EQ(*points[3].assignments[1].second.numeric, 6000);  // ns inside exp(...)
  EXPECT_EQ(spec.swept_keys(), (std::vector<std::string>{"queue.servers", "queue.service", "queue.interarrival", "run.duration"}));
}

TEST(SweepSpec, IntegerLogRangesDropRoundedDuplicates) {
  const fs::path dir = temp_dir("dedupe");
  const SweepSpec spec = load_sweep_spec(write(dir / "s.toml", R"X(base = "mm1"
[[axis]]
key = "queue.servers"
range = { from = 1, to = 4, points = 6, scale = "log" }
)X"), resolve);
  std::vector<std::string> values;
  for (const auto& p : spec.points()) values.push_back(p.assignments[0].second.display);
  EXPECT_EQ(values, (std::vector<std::string>{"1", "2", "3", "4"}));  // 1, 1.32, 1.74, 2.30, 3.03, 4
}

TEST(SweepSpec, BadSpecsGetFileLineAndASuggestion) {
  std::string e = load_error("base = \"mm1\"\naxes = 3\n");
  EXPECT_NE(e.find("s.toml:2:1: error: 'axes': unknown key"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'axis'"), std::string::npos) << e;

  e = load_error("base = \"mm1\"\n[[axis]]\nkey = \"queue.server\"\nvalues = [1, 2]\n");
  EXPECT_NE(e.find("s.toml:2:1: error: axis 1:"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'queue.servers'"), std::string::npos) << e;

  e = load_error("base = \"mm1\"\n[[axis]]\nkey = \"queue.servers\"\nvalues = [\"many\"]\n");
  EXPECT_NE(e.find("queue.servers: expected an integer"), std::string::npos) << e;

  e = load_error("base = \"mm1\"\n[[axis]]\nkey = \"queue.servers\"\nrange = { from = 4, to = 1, step = 1 }\n");
  EXPECT_NE(e.find("s.toml:4:9: error: range: 'to' (1) is below 'from' (4)"), std::string::npos) << e;

  e = load_error("base = \"mm1\"\n[[axis]]\nkeys = [\"queue.servers\", \"queue.service\"]\nvalues = [[1]]\n");
  EXPECT_NE(e.find("needs tuples of 2 values"), std::string::npos) << e;

  e = load_error("base = \"no-such-preset\"\n");
  EXPECT_NE(e.find("s.toml:1:8: error: base:"), std::string::npos) << e;

  e = load_error("base = \"mm1\"\n[set]\n\"queue.servers\" = 0\n");
  EXPECT_NE(e.find("set:"), std::string::npos) << e;
  EXPECT_NE(e.find("must be >= 1"), std::string::npos) << e;

  e = load_error("base = \"mm1\"\n[[axis]]\nkey = \"run.seed\"\nvalues = [1, 2]\n");
  EXPECT_NE(e.find("top-level 'designs', 'replicates' or 'seed'"), std::string::npos) << e;
}

TEST(SweepSpec, VerdictMetricsMustBeDeclaredByTheScenario) {
  std::string e = load_error("verdict_metrics = [\"wakeup.p99\", \"sched_in.list_wait.p990\"]\n");
  EXPECT_NE(e.find("s.toml:1:34: error: verdict_metrics: 'sched_in.list_wait.p990' is not a metric of the kvm "
                   "scenario (did you mean 'sched_in.list_wait.p9"), std::string::npos) << e;
  e = load_error("verdict_metrics = [\"wakeup.p99\", \"wakeup.p99\"]\n");
  EXPECT_NE(e.find("'wakeup.p99' is listed twice"), std::string::npos) << e;
  e = load_error("verdict_metrics = \"wakeup.p99\"\n");
  EXPECT_NE(e.find("verdict_metrics: expected a non-empty array of metric names"), std::string::npos) << e;
  const fs::path dir = temp_dir("verdict-metrics");
  const SweepSpec spec = load_sweep_spec(write(dir / "s.toml", "verdict_metrics = [\"sched_in.list_wait.p99\"]\n"), resolve);
  EXPECT_EQ(spec.verdict_metrics, std::vector<std::string>{"sched_in.list_wait.p99"});
}

TEST(Sweep, TheSpecsVerdictMetricsMakeTheClosingTable) {
  const fs::path dir = temp_dir("verdict-table");
  const fs::path spec = write(dir / "s.toml", R"X(designs = ["single-lock", "rcu-list"]
replicates = 2
verdict_metrics = ["wakeup.p99", "sched_in.list_wait.p99"]
[set]
"run.duration" = "2ms"
"run.warmup" = "1ms"
[[axis]]
key = "vms.count"
values = [2, 4]
)X");
  const Outcome o = cli({"sweep", spec.string(), "--quiet", "--out", (dir / "out").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  const std::string verdicts = slurp(dir / "out" / "verdicts.txt");
  EXPECT_NE(verdicts.find("Holm-Bonferroni over 4 comparisons"), std::string::npos) << verdicts;
  EXPECT_NE(verdicts.find("wakeup.p99  sched_in.list_wait.p99"), std::string::npos) << verdicts;
  EXPECT_EQ(verdicts.find("wakeup.p50"), std::string::npos) << verdicts;
}

TEST(Sweep, SweptKeysAreColumnsAndResultsDoNotDependOnJobs) {
  const fs::path dir = temp_dir("jobs");
  const fs::path spec = write(dir / "s.toml", kQueueSweep);
  const Outcome one = cli({"sweep", spec.string(), "--jobs", "1", "--quiet", "--out", (dir / "j1").string()});
  ASSERT_EQ(one.status, 0) << one.err;
  EXPECT_NE(one.out.find("sweep: 4 points, 8 runs"), std::string::npos) << one.out;
  const Outcome two = cli({"sweep", spec.string(), "--jobs", "2", "--quiet", "--out", (dir / "j2").string()});
  ASSERT_EQ(two.status, 0) << two.err;
  expect_same_tree(dir / "j1", dir / "j2");
  const std::string runs = slurp(dir / "j1" / "runs.csv");
  EXPECT_TRUE(runs.starts_with("point,queue.service,queue.servers,queue.service#value,design,replicate,seed,error,events,"))
      << runs.substr(0, 200);
  EXPECT_NE(runs.find("\n3,exp(8us),2,8000,fifo,1,"), std::string::npos);
  const std::string aggregates = slurp(dir / "j1" / "aggregates.csv");
  EXPECT_NE(aggregates.find("\n2,exp(8us),1,8000,fifo,wait.mean,ns,2,"), std::string::npos);
  // Each point is an ordinary results directory too.
  EXPECT_TRUE(fs::exists(dir / "j1" / "points" / "p0003" / "histograms" / "fifo" / "wait.csv"));
}

TEST(Sweep, AFailingPointIsRecordedAndTheRestGoesOn) {
  const fs::path dir = temp_dir("failure");
  // cores_per_socket must be a multiple of llc_per_socket (2): 5 is a bad combination.
  const fs::path spec = write(dir / "s.toml", R"X(base = "mm1"
replicates = 2
[set]
"run.duration" = "5ms"
"run.warmup" = "1ms"
"host.llc_per_socket" = 2
[[axis]]
key = "host.cores_per_socket"
values = [4, 5, 6]
)X");
  const Outcome o = cli({"sweep", spec.string(), "--quiet", "--out", (dir / "out").string()});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_NE(o.out.find("1 of 3 points failed (2 runs)"), std::string::npos) << o.out;
  EXPECT_NE(o.err.find("point 1 (host.cores_per_socket=5) fifo r0:"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("must be a multiple of llc_per_socket"), std::string::npos) << o.err;
  const std::string failures = slurp(dir / "out" / "failures.csv");
  EXPECT_NE(failures.find("\n1,5,fifo,0,"), std::string::npos) << failures;
  const std::string aggregates = slurp(dir / "out" / "aggregates.csv");
  EXPECT_NE(aggregates.find("\n0,4,fifo,"), std::string::npos);
  EXPECT_NE(aggregates.find("\n2,6,fifo,"), std::string::npos);
  EXPECT_EQ(aggregates.find("\n1,5,fifo,"), std::string::npos);
}

TEST(Sweep, ResumeRedoesNothingFinishedAndAddedReplicatesRunAlone) {
  const fs::path dir = temp_dir("resume");
  const fs::path spec = write(dir / "s.toml", kQueueSweep);
  const std::string out = (dir / "out").string();
  ASSERT_EQ(cli({"sweep", spec.string(), "--quiet", "--out", out}).status, 0);
  const auto finished = deterministic_files(out);
  // Without --resume an existing sweep is never overwritten.
  Outcome o = cli({"sweep", spec.string(), "--quiet", "--out", out});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("already holds a sweep; add --resume"), std::string::npos) << o.err;
  // An interrupted sweep: one stored run and the aggregated files are gone.
  fs::remove(dir / "out" / "points" / "p0002" / "runs" / "fifo" / "r1.json");
  fs::remove(dir / "out" / "runs.csv");
  o = cli({"sweep", spec.string(), "--quiet", "--resume", "--out", out});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("(1 run now, 7 already stored)"), std::string::npos) << o.out;
  EXPECT_EQ(deterministic_files(out), finished);
  // More replicates: only the new ones run.
  o = cli({"sweep", spec.string(), "--quiet", "--resume", "--replicates", "3", "--out", out});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("12 runs (4 run now, 8 already stored)"), std::string::npos) << o.out;
  // A different spec never mixes into it.
  const fs::path changed = write(dir / "changed.toml", std::string(kQueueSweep).replace(kQueueSweep.find("exp(8us)"), 8, "exp(9us)"));
  o = cli({"sweep", changed.string(), "--quiet", "--resume", "--out", out});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("holds a different sweep"), std::string::npos) << o.err;
}

TEST(Sweep, ShardsMergeToTheUnshardedBytesAndOtherSpecsAreRefused) {
  const fs::path dir = temp_dir("shards");
  const fs::path spec = write(dir / "s.toml", kQueueSweep);
  ASSERT_EQ(cli({"sweep", spec.string(), "--quiet", "--out", (dir / "whole").string()}).status, 0);
  std::vector<std::string> merge = {"merge", "--out", (dir / "merged").string()};
  for (int k = 1; k <= 3; ++k) {
    const std::string shard = (dir / fmt::format("shard{}", k)).string();
    const Outcome o = cli({"sweep", spec.string(), "--quiet", "--shard", fmt::format("{}/3", k), "--out", shard});
    ASSERT_EQ(o.status, 0) << o.err;
    merge.push_back(shard);
  }
  // Shard 1 of 3 holds points 0 and 3.
  EXPECT_TRUE(fs::exists(dir / "shard1" / "points" / "p0003" / "point.json"));
  EXPECT_FALSE(fs::exists(dir / "shard1" / "points" / "p0001"));
  const Outcome merged = cli(merge);
  ASSERT_EQ(merged.status, 0) << merged.err;
  expect_same_tree(dir / "whole", dir / "merged");

  // A shard of another spec is refused; a missing shard leaves points missing (exit 2).
  const fs::path changed = write(dir / "changed.toml", "seed = 7\n" + kQueueSweep);
  ASSERT_EQ(cli({"sweep", changed.string(), "--quiet", "--shard", "2/3", "--out", (dir / "foreign").string()}).status, 0);
  Outcome o = cli({"merge", "--out", (dir / "bad").string(), (dir / "shard1").string(), (dir / "foreign").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("is a shard of a different sweep"), std::string::npos) << o.err;
  o = cli({"merge", "--out", (dir / "partial").string(), (dir / "shard1").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("2 points are missing"), std::string::npos) << o.err;
  o = cli({"sweep", spec.string(), "--shard", "4/3", "--out", (dir / "x").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("expected K/N with 1 <= K <= N"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace wakesim::experiment
