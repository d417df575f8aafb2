// Sweeps (sim/experiment/sweep_spec.h, sweep.h): spec expansion and its error messages, and whole sweeps
// through the command line: swept keys as columns, byte-identical results for any --jobs, failure
// isolation, resume, added replicates, shards merged back to the unsharded bytes.
#include "sim/experiment/sweep.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "sim/engine/errors.h"
#include "test/support/cli_runner.h"
#include "test/support/results_tree.h"

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::deterministic_files;
using testing::expect_same_tree;
using testing::slurp;
using Outcome = testing::CliOutcome;

fs::path sweep_test_dir(const std::string& name) {
  fs::path dir = testing::fresh_temp_dir("sweep-" + name);
  fs::create_directories(dir);
  return dir;
}

fs::path resolve_base(const std::string& base, const fs::path& dir) {
  if (fs::exists(dir / base)) return dir / base;
  fs::path preset = fs::path(WAKESIM_SOURCE_DIR) / "workloads" / (base + ".toml");
  if (fs::exists(preset)) return preset;
  throw engine::UserError("no such preset");
}

std::string load_error(const std::string& text) {
  const fs::path dir = sweep_test_dir("spec-error");
  try {
    load_sweep_spec(testing::write_text(dir / "s.toml", text), resolve_base);
  } catch (const engine::UserError& e) {
    return e.what();
  }
  return "";
}

// The same with the spec's folder left out of every line ("s.toml:1:2: error: ...").
std::string load_error_lines(const std::string& text) {
  std::string e = load_error(text);
  const std::string dir = (testing::fresh_temp_dir("sweep-spec-error") / "").string();
  for (size_t at; (at = e.find(dir)) != std::string::npos;) e.erase(at, dir.size());
  return e;
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
  const fs::path dir = sweep_test_dir("expand");
  const SweepSpec spec = load_sweep_spec(testing::write_text(dir / "s.toml", R"X(base = "mm1"
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
)X"),
                                         resolve_base);
  EXPECT_EQ(spec.point_count(), 5u * 2u * 3u);
  const auto points = spec.points();
  ASSERT_EQ(points.size(), 30u);
  EXPECT_EQ(points[0].assignments[0].second.display, "1");
  EXPECT_EQ(points[6].assignments[0].second.display, "2");  // log range 1, 2, 4, 8, 16
  EXPECT_EQ(points[24].assignments[0].second.display, "16");
  EXPECT_EQ(points[1].assignments[3].second.display, "1.5ms");
  EXPECT_EQ(points[1].assignments[3].second.assignment_value, "'1.5ms'");  // a TOML string
  EXPECT_DOUBLE_EQ(*points[1].assignments[3].second.numeric, 1.5);
  EXPECT_EQ(points[3].assignments[1].second.display, "exp(6us)");
  EXPECT_EQ(points[3].assignments[2].second.display, "exp(12us)");   // zipped: moves with its partner
  EXPECT_DOUBLE_EQ(*points[3].assignments[1].second.numeric, 6000);  // ns inside exp(...)
  EXPECT_EQ(spec.swept_keys(),
            (std::vector<std::string>{"queue.servers", "queue.service", "queue.interarrival", "run.duration"}));
}

TEST(SweepSpec, IntegerLogRangesDropRoundedDuplicates) {
  const fs::path dir = sweep_test_dir("dedupe");
  const SweepSpec spec = load_sweep_spec(testing::write_text(dir / "s.toml", R"X(base = "mm1"
[[axis]]
key = "queue.servers"
range = { from = 1, to = 4, points = 6, scale = "log" }
)X"),
                                         resolve_base);
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

  e = load_error("base = \"mm1\"\n[[axis]]\nkey = \"queue.servers\"\nvalues = [1, 2, 1]\n");
  EXPECT_NE(e.find("s.toml:4:17: error: axis 1: the value 1 appears twice"), std::string::npos) << e;

  e = load_error("base = \"mm1\"\n[[axis]]\nkey = \"run.seed\"\nvalues = [1, 2]\n");
  EXPECT_NE(e.find("top-level 'designs', 'replicates' or 'seed'"), std::string::npos) << e;
}

TEST(SweepSpec, EveryProblemIsReportedAtOnceAtItsOwnPosition) {
  // A misspelt design and a misspelt choice value, a bad [set] entry, an unknown axis key, a bad value in
  // a zipped tuple, and a key error: all in one message, in file order, each at the value itself.
  const std::string e = load_error_lines(R"X(designs = ["single-lock", "rcu-lst"]
[set]
"run.duration" = "2ms"
"vms.vcpus" = 0
[[axis]]
key = "vms.affinity"
values = ["pinned", "floatin"]
[[axis]]
key = "vms.cuont"
values = [1, 2]
[[axis]]
keys = ["vms.count", "kernel.halt_poll_ns"]
values = [[2, "1us"], ["many", "2us"]]
)X");
  EXPECT_EQ(e,
            "s.toml:1:27: error: designs: 'rcu-lst' is not a design of the kvm scenario; known: all, handler-removes, "
            "rcu-list, single-lock, split-lock (did you mean 'rcu-list'?)\n"
            "s.toml:4:15: error: set: vms.vcpus: must be >= 1, got 0\n"
            "s.toml:7:21: error: axis 1: vms.affinity: \"floatin\" is not one of: pinned, floating, socket (did you "
            "mean 'floating'?)\n"
            "s.toml:8:1: error: axis 2: vms.cuont: unknown key (did you mean 'vms.count'?)\n"
            "s.toml:13:24: error: axis 3: vms.count: expected an integer, got a string")
      << e;
}

TEST(SweepSpec, ManyRejectedValuesOfOneAxisAreCounted) {
  const std::string e = load_error(
      "base = \"mm1\"\n[[axis]]\nkey = \"queue.servers\"\n"
      "values = [0, -1, -2, -3, -4, -5, -6, 1]\n");
  EXPECT_NE(e.find("s.toml:4:11: error: axis 1: queue.servers: must be >= 1, got 0\n"), std::string::npos) << e;
  EXPECT_NE(e.find("s.toml:4:26: error: axis 1: queue.servers: must be >= 1, got -4"), std::string::npos) << e;
  EXPECT_EQ(e.find("got -5"), std::string::npos) << e;
  EXPECT_NE(e.find("s.toml:2:1: error: axis 1: ... and 2 more rejected values"), std::string::npos) << e;
}

TEST(SweepSpec, TheCommandLinesSetAndDesignAreCheckedLikeTheSpec) {
  const fs::path dir = sweep_test_dir("command-line");
  const fs::path file = testing::write_text(
      dir / "s.toml", "designs = [\"single-lock\"]\n[[axis]]\nkey = \"vms.count\"\nvalues = [2, 4]\n");
  auto error = [&](const SweepCommandLine& command_line) {
    try {
      load_sweep_spec(file, resolve_base, command_line);
    } catch (const engine::UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error({{"vms.affinity=floatin", "vms.count=3", "run.designs=['rcu-list']", "run.seed=4"}, {"rcu-lst"}}),
            "--set vms.count=3: error: vms.count: is swept by the spec's axes; a fixed value would be overridden at "
            "every point\n"
            "--set run.designs=['rcu-list']: error: run.designs: use --design NAME (repeatable) instead\n"
            "--set run.seed=4: error: run.seed: use the spec's top-level 'seed' instead\n"
            "--set vms.affinity=floatin: error: vms.affinity: \"floatin\" is not one of: pinned, floating, socket (did "
            "you mean 'floating'?)\n"
            "--design rcu-lst: error: 'rcu-lst' is not a design of the kvm scenario; known: all, handler-removes, "
            "rcu-list, single-lock, split-lock (did you mean 'rcu-list'?)");
  // Accepted, they follow the spec's [set] and replace its designs; the identity covers --set.
  const SweepSpec plain = load_sweep_spec(file, resolve_base);
  const SweepSpec spec = load_sweep_spec(file, resolve_base, {{"vms.affinity=pinned"}, {"rcu-list", "split-lock"}});
  EXPECT_EQ(spec.overrides, std::vector<std::string>{"vms.affinity=pinned"});
  EXPECT_TRUE(spec.set_overrides().empty());
  EXPECT_EQ(spec.designs, (std::vector<std::string>{"rcu-list", "split-lock"}));
  EXPECT_NE(sweep_identity(spec), sweep_identity(plain));
  EXPECT_EQ(sweep_identity(load_sweep_spec(file, resolve_base, {{}, {"rcu-list"}})),
            sweep_identity(plain));  // designs extend
}

TEST(SweepSpec, VerdictMetricsMustBeDeclaredByTheScenario) {
  std::string e = load_error("verdict_metrics = [\"wakeup.p99\", \"sched_in.list_wait.p990\"]\n");
  EXPECT_NE(e.find("s.toml:1:34: error: verdict_metrics: 'sched_in.list_wait.p990' is not a metric of the kvm "
                   "scenario (did you mean 'sched_in.list_wait.p9"),
            std::string::npos)
      << e;
  e = load_error("verdict_metrics = [\"wakeup.p99\", \"wakeup.p99\"]\n");
  EXPECT_NE(e.find("'wakeup.p99' is listed twice"), std::string::npos) << e;
  e = load_error("verdict_metrics = \"wakeup.p99\"\n");
  EXPECT_NE(e.find("verdict_metrics: expected a non-empty array of metric names"), std::string::npos) << e;
  const fs::path dir = sweep_test_dir("verdict-metrics");
  const SweepSpec spec = load_sweep_spec(
      testing::write_text(dir / "s.toml", "verdict_metrics = [\"sched_in.list_wait.p99\"]\n"), resolve_base);
  EXPECT_EQ(spec.verdict_metrics, std::vector<std::string>{"sched_in.list_wait.p99"});
}

TEST(Sweep, TheSpecsVerdictMetricsMakeTheClosingTable) {
  const fs::path dir = sweep_test_dir("verdict-table");
  const fs::path spec = testing::write_text(dir / "s.toml", R"X(designs = ["single-lock", "rcu-list"]
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
  const fs::path dir = sweep_test_dir("jobs");
  const fs::path spec = testing::write_text(dir / "s.toml", kQueueSweep);
  const Outcome one = cli({"sweep", spec.string(), "--jobs", "1", "--quiet", "--out", (dir / "j1").string()});
  ASSERT_EQ(one.status, 0) << one.err;
  EXPECT_NE(one.out.find("sweep: 4 points, 8 runs"), std::string::npos) << one.out;
  const Outcome two = cli({"sweep", spec.string(), "--jobs", "2", "--quiet", "--out", (dir / "j2").string()});
  ASSERT_EQ(two.status, 0) << two.err;
  expect_same_tree(dir / "j1", dir / "j2");
  const std::string runs = slurp(dir / "j1" / "runs.csv");
  EXPECT_TRUE(
      runs.starts_with("point,queue.service,queue.servers,queue.service#value,design,replicate,seed,error,events,"))
      << runs.substr(0, 200);
  EXPECT_NE(runs.find("\n3,exp(8us),2,8000,fifo,1,"), std::string::npos);
  const std::string aggregates = slurp(dir / "j1" / "aggregates.csv");
  EXPECT_NE(aggregates.find("\n2,exp(8us),1,8000,fifo,wait.mean,ns,2,"), std::string::npos);
  // Each point is an ordinary results directory too.
  EXPECT_TRUE(fs::exists(dir / "j1" / "points" / "p0003" / "histograms" / "fifo" / "wait.csv"));
}

// cores_per_socket must be a multiple of llc_per_socket (2): 5 is a bad combination of valid values.
const std::string kBadCombination = R"X(base = "mm1"
replicates = 2
[set]
"run.duration" = "5ms"
"run.warmup" = "1ms"
"host.llc_per_socket" = 2
[[axis]]
key = "host.cores_per_socket"
values = [4, 5, 6]
)X";

TEST(Sweep, RejectedCombinationsStopTheSweepBeforeAnythingRuns) {
  const fs::path dir = sweep_test_dir("rejected");
  const fs::path spec = testing::write_text(dir / "s.toml", R"X(base = "mm1"
[set]
"run.duration" = "5ms"
"host.llc_per_socket" = 2
[[axis]]
key = "queue.servers"
values = [1, 2]
[[axis]]
key = "host.cores_per_socket"
values = [4, 5, 6, 7]
)X");
  for (const std::string mode : {"--quiet", "--dry-run"}) {
    const Outcome o = cli({"sweep", spec.string(), mode, "--out", (dir / "out").string()});
    EXPECT_EQ(o.status, 2) << o.out << o.err;
    // Every rejected point with its values, the first five listed.
    EXPECT_NE(o.err.find("s.toml: error: 4 of 8 points have a configuration that is rejected; nothing was run:\n"
                         "  point 1 (queue.servers=1, host.cores_per_socket=5): [host]: cores_per_socket (5) must be a "
                         "multiple of llc_per_socket (2)\n"
                         "  point 3 (queue.servers=1, host.cores_per_socket=7): "),
              std::string::npos)
        << o.err;
    EXPECT_NE(o.err.find("  point 7 (queue.servers=2, host.cores_per_socket=7): "), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("add --keep-going to run the others"), std::string::npos) << o.err;
    EXPECT_FALSE(fs::exists(dir / "out")) << mode;
  }
  const std::string many =
      std::string(kBadCombination).replace(kBadCombination.find("[4, 5, 6]"), 9, "[3, 4, 5, 7, 9, 11, 13]");
  const Outcome o =
      cli({"sweep", testing::write_text(dir / "many.toml", many).string(), "--quiet", "--out", (dir / "out").string()});
  EXPECT_NE(o.err.find("6 of 7 points have a configuration that is rejected"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("\n  ... and 1 more\n"), std::string::npos) << o.err;
}

TEST(Sweep, AFailingPointIsRecordedAndTheRestGoesOn) {
  const fs::path dir = sweep_test_dir("failure");
  const fs::path spec = testing::write_text(dir / "s.toml", kBadCombination);
  // --keep-going: the rejected combination is recorded as a failed point instead of stopping the sweep.
  const Outcome o = cli({"sweep", spec.string(), "--quiet", "--keep-going", "--out", (dir / "out").string()});
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
  const fs::path dir = sweep_test_dir("resume");
  const fs::path spec = testing::write_text(dir / "s.toml", kQueueSweep);
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
  const fs::path changed = testing::write_text(
      dir / "changed.toml", std::string(kQueueSweep).replace(kQueueSweep.find("exp(8us)"), 8, "exp(9us)"));
  o = cli({"sweep", changed.string(), "--quiet", "--resume", "--out", out});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("holds a different sweep"), std::string::npos) << o.err;
}

TEST(Sweep, ShardsMergeToTheUnshardedBytesAndOtherSpecsAreRefused) {
  const fs::path dir = sweep_test_dir("shards");
  const fs::path spec = testing::write_text(dir / "s.toml", kQueueSweep);
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
  const fs::path changed = testing::write_text(dir / "changed.toml", "seed = 7\n" + kQueueSweep);
  ASSERT_EQ(cli({"sweep", changed.string(), "--quiet", "--shard", "2/3", "--out", (dir / "foreign").string()}).status,
            0);
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
