// Sweeps that change after they start (sim/experiment/sweep.h): the command line's --set and --design
// stored with the sweep and used by --resume and --shard, a sweep extended with new axis values or
// designs (only the new runs run, stored points keep their numbers, shards of an extended sweep still
// merge to its bytes), changes that would make stored points inconsistent refused, --dry-run, and
// Ctrl-C (SIGINT/SIGTERM to the wakesim binary) leaving a sweep that --resume finishes.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sim/experiment/sweep.h"
#include "test/support/cli_runner.h"
#include "test/support/results_tree.h"

extern char** environ;

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::expect_same_tree;
using testing::slurp;
using Outcome = testing::CliOutcome;

fs::path temp_dir(const std::string& name) {
  fs::path dir = testing::fresh_temp_dir("sweep-extend-" + name);
  fs::create_directories(dir);
  return dir;
}

// The first column of a CSV file: the point of each row.
std::vector<std::string> points_column(const std::string& csv) {
  std::vector<std::string> out;
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) out.push_back(line.substr(0, line.find(',')));
  return out;
}

// 2 x 2 points of the queue scenario, 1 replicate; the axes grow in the tests below.
std::string queue_sweep(const std::string& services, const std::string& servers) {
  return fmt::format(R"X(base = "mm1"
replicates = 1
[set]
"run.duration" = "5ms"
"run.warmup" = "1ms"
[[axis]]
key = "queue.service"
values = [{}]
[[axis]]
key = "queue.servers"
values = [{}]
)X",
                     services, servers);
}

TEST(SweepExtend, AddedAxisValuesRunAloneAndStoredPointsKeepTheirNumbers) {
  const fs::path dir = temp_dir("values");
  const fs::path small = testing::write_text(dir / "small.toml", queue_sweep(R"V("exp(5us)", "exp(8us)")V", "1, 2"));
  const fs::path grown =
      testing::write_text(dir / "grown.toml", queue_sweep(R"V("exp(5us)", "exp(6us)", "exp(8us)")V", "1, 2, 3"));
  const std::string out = (dir / "out").string();
  ASSERT_EQ(cli({"sweep", small.string(), "--quiet", "--out", out}).status, 0);
  const std::string stored_p2 = slurp(dir / "out" / "points" / "p0002" / "runs" / "fifo" / "r0.json");

  // The dry run says what extending would do, and writes nothing.
  Outcome o = cli({"sweep", grown.string(), "--dry-run", "--resume", "--out", out});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("points: 9; 4 stored in " + out + ", 5 new\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  p0002  queue.service=exp(8us)  queue.servers=1  (stored)\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  p0005  queue.service=exp(6us)  queue.servers=1  (new)\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("runs: 9 (4 stored, 5 to run)\n"), std::string::npos) << o.out;
  EXPECT_EQ(nlohmann::json::parse(slurp(dir / "out" / "sweep.json")).at("points"), 4);

  o = cli({"sweep", grown.string(), "--quiet", "--resume", "--out", out});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("sweep: 9 points, 9 runs (5 run now, 4 already stored)"), std::string::npos) << o.out;
  // Stored points keep their numbers (and their runs, untouched); new points follow in grid order.
  EXPECT_EQ(slurp(dir / "out" / "points" / "p0002" / "runs" / "fifo" / "r0.json"), stored_p2);
  const std::string runs = slurp(dir / "out" / "runs.csv");
  EXPECT_EQ(points_column(runs), (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8"}));
  EXPECT_NE(runs.find("\n2,exp(8us),1,8000,fifo,"), std::string::npos) << runs;
  EXPECT_NE(runs.find("\n4,exp(5us),3,5000,fifo,"), std::string::npos) << runs;
  EXPECT_NE(runs.find("\n5,exp(6us),1,6000,fifo,"), std::string::npos) << runs;
  EXPECT_NE(runs.find("\n8,exp(8us),3,8000,fifo,"), std::string::npos) << runs;
  EXPECT_EQ(points_column(slurp(dir / "out" / "aggregates.csv")).front(), "0");

  // Shards extended the same way merge to the extended whole, byte for byte, also into the directory
  // that holds their merge from before the extension.
  std::vector<std::string> merge = {"merge", "--out", (dir / "merged").string()};
  for (int k = 1; k <= 2; ++k) {
    const std::string shard = (dir / fmt::format("shard{}", k)).string();
    ASSERT_EQ(cli({"sweep", small.string(), "--quiet", "--shard", fmt::format("{}/2", k), "--out", shard}).status, 0);
    merge.push_back(shard);
  }
  ASSERT_EQ(cli({"sweep", small.string(), "--quiet", "--shard", "2/2", "--out", (dir / "late").string()}).status, 0);
  ASSERT_EQ(cli(merge).status, 0);
  for (int k = 1; k <= 2; ++k) {
    const std::string shard = (dir / fmt::format("shard{}", k)).string();
    ASSERT_EQ(
        cli({"sweep", grown.string(), "--quiet", "--resume", "--shard", fmt::format("{}/2", k), "--out", shard}).status,
        0);
  }
  o = cli(merge);
  ASSERT_EQ(o.status, 0) << o.err;
  expect_same_tree(dir / "out", dir / "merged");
  // A shard not extended yet is refused.
  o = cli({"merge", "--out", (dir / "bad").string(), (dir / "shard1").string(), (dir / "late").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("has 4 points, " + (dir / "shard1").string() + " has 9; resume every shard with the same spec"),
            std::string::npos)
      << o.err;
}

TEST(SweepExtend, ChangesThatWouldMakeStoredPointsInconsistentAreRefused) {
  const fs::path dir = temp_dir("refused");
  const std::string spec = queue_sweep(R"V("exp(5us)", "exp(8us)")V", "1, 2");
  const fs::path file = testing::write_text(dir / "s.toml", spec);
  const std::string out = (dir / "out").string();
  ASSERT_EQ(cli({"sweep", file.string(), "--quiet", "--out", out}).status, 0);
  const auto before = testing::deterministic_files(out);
  auto refused = [&](const std::string& text, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {
        "sweep", testing::write_text(dir / "changed.toml", text).string(), "--quiet", "--resume", "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    const Outcome o = cli(args);
    EXPECT_EQ(o.status, 2) << text;
    return o.err;
  };
  // A removed value drops stored points.
  std::string e = refused(queue_sweep(R"V("exp(5us)")V", "1, 2"));
  EXPECT_NE(e.find("holds a different sweep: this spec drops 2 of its 4 points, e.g. point 2 "
                   "(queue.service='exp(8us)', queue.servers=1); a sweep directory only grows"),
            std::string::npos)
      << e;
  // A changed [set] changes every stored point.
  e = refused(std::string(spec).replace(spec.find("\"5ms\""), 5, "\"6ms\""));
  EXPECT_NE(e.find("holds a different sweep: the spec's [set] differs (stored only: run.duration='5ms'; given only: "
                   "run.duration='6ms')"),
            std::string::npos)
      << e;
  // Another swept key, another base, another seed.
  e = refused(std::string(spec).replace(spec.find("queue.servers\"\n"), 13, "host.sockets"));
  EXPECT_NE(e.find("holds a different sweep: it sweeps queue.service, queue.servers, this spec queue.service, "
                   "host.sockets"),
            std::string::npos)
      << e;
  e = refused("seed = 9\n" + spec);
  EXPECT_NE(e.find("holds a different sweep (identity "), std::string::npos) << e;
  // The --set the sweep was run with (none here) cannot change on resume.
  e = refused(spec, {"--set", "queue.interarrival=exp(30us)"});
  EXPECT_NE(e.find("error: the sweep there was run with other --set values (given only: queue.interarrival=exp(30us)); "
                   "resume with the stored ones"),
            std::string::npos)
      << e;
  EXPECT_EQ(testing::deterministic_files(out), before);  // nothing was touched
}

// A short kvm sweep over two loads, two replicates.
const std::string kKvmSweep = R"X(designs = ["single-lock"]
replicates = 2
[set]
"run.duration" = "2ms"
"run.warmup" = "1ms"
[[axis]]
key = "vms.count"
values = [2, 4]
)X";

TEST(SweepExtend, SetAndDesignAreStoredAndResumeAndShardsUseThem) {
  const fs::path dir = temp_dir("command-line");
  const fs::path spec = testing::write_text(dir / "s.toml", kKvmSweep);
  const std::string out = (dir / "out").string();
  const std::vector<std::string> set = {"--set", "vms.affinity=pinned", "--set", "kernel.halt_poll_ns=0"};
  std::vector<std::string> args = {"sweep", spec.string(), "--quiet", "--design", "single-lock", "--out", out};
  args.insert(args.end(), set.begin(), set.end());
  Outcome o = cli(args);
  ASSERT_EQ(o.status, 0) << o.err;
  const auto json = nlohmann::json::parse(slurp(dir / "out" / "sweep.json"));
  EXPECT_EQ(json.at("command_line").at("set"),
            (std::vector<std::string>{"vms.affinity=pinned", "kernel.halt_poll_ns=0"}));
  EXPECT_EQ(json.at("command_line").at("designs"), std::vector<std::string>{"single-lock"});
  EXPECT_NE(slurp(dir / "out" / "points" / "p0000" / "config.toml").find("affinity = \"pinned\""), std::string::npos);
  const auto whole = testing::deterministic_files(out);

  // Resumed without them, the stored ones are used (and said so); adding a design runs only its runs.
  fs::remove(dir / "out" / "points" / "p0001" / "runs" / "single-lock" / "r1.json");
  o = cli({"sweep", spec.string(), "--quiet", "--resume", "--out", out});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.err.find("note: continuing with the options stored in " + out +
                       ": --set vms.affinity=pinned --set kernel.halt_poll_ns=0 --design single-lock"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.out.find("(1 run now, 3 already stored)"), std::string::npos) << o.out;
  EXPECT_EQ(testing::deterministic_files(out), whole);
  o = cli(
      {"sweep", spec.string(), "--quiet", "--resume", "--design", "single-lock", "--design", "rcu-list", "--out", out});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("8 runs (4 run now, 4 already stored)"), std::string::npos) << o.out;
  // Dropping a design that has runs is refused.
  o = cli({"sweep", spec.string(), "--quiet", "--resume", "--design", "rcu-list", "--out", out});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("error: holds runs of design single-lock, which this spec no longer runs (designs: rcu-list)"),
            std::string::npos)
      << o.err;

  // Shards given the same --set merge to the whole, also when a design is added to them after a first
  // merge; shards given another --set are another sweep.
  std::vector<std::string> merge = {"merge", "--out", (dir / "merged").string()};
  for (int k = 1; k <= 2; ++k) {
    const std::string shard = (dir / fmt::format("shard{}", k)).string();
    args = {"sweep", spec.string(), "--quiet",  "--shard",    fmt::format("{}/2", k),
            "--out", shard,         "--design", "single-lock"};
    args.insert(args.end(), set.begin(), set.end());
    ASSERT_EQ(cli(args).status, 0);
    merge.push_back(shard);
  }
  ASSERT_EQ(cli(merge).status, 0);
  for (int k = 1; k <= 2; ++k)
    ASSERT_EQ(cli({"sweep", spec.string(), "--quiet", "--resume", "--shard", fmt::format("{}/2", k), "--out",
                   (dir / fmt::format("shard{}", k)).string(), "--design", "single-lock", "--design", "rcu-list"})
                  .status,
              0);
  ASSERT_EQ(cli(merge).status, 0);
  expect_same_tree(dir / "out", dir / "merged");
  ASSERT_EQ(cli({"sweep", spec.string(), "--quiet", "--shard", "2/2", "--out", (dir / "other").string(), "--set",
                 "vms.affinity=pinned"})
                .status,
            0);
  o = cli({"merge", "--out", (dir / "bad").string(), (dir / "shard1").string(), (dir / "other").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("is a shard of a different sweep"), std::string::npos) << o.err;
}

TEST(SweepExtend, DryRunListsThePlanAndAnEstimateAndWritesNothing) {
  const fs::path dir = temp_dir("dry-run");
  const fs::path spec =
      testing::write_text(dir / "s.toml", "constraint = \"vms.count < 6\"\n" +
                                              std::string(kKvmSweep).replace(kKvmSweep.find("[2, 4]"), 6, "[2, 4, 8]"));
  const Outcome o = cli({"sweep", spec.string(), "--dry-run", "--jobs", "2", "--out", (dir / "out").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(o.out.starts_with("sweep " + spec.string() +
                                " (dry run: nothing is run or written)\n"
                                "points: 2 (1 more skipped by the constraint)\n"
                                "  p0000  vms.count=2\n"
                                "  p0001  vms.count=4\n"
                                "designs: single-lock\n"
                                "replicates: 2\n"
                                "runs: 4\n"
                                "estimated time: about "))
      << o.out;
  EXPECT_NE(o.out.find(" on 2 threads (an estimate from calibration runs of single-lock at points 0, 1 for 2ms of "
                       "simulated time each (and 8ms at point 0: "),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("x 4 runs / 2 threads; every design and replicate is assumed to cost alike)\n"
                       "results would go to: " +
                       (dir / "out").string() + "\n"),
            std::string::npos)
      << o.out;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

// Runs the wakesim binary with `args` in the background; stderr goes to `err`.
pid_t spawn_wakesim(const std::vector<std::string>& args, const fs::path& err) {
  std::vector<std::string> all = {WAKESIM_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(all.size() + 1);
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Waits (up to a minute) for `file` to exist.
bool wait_for(const fs::path& file) {
  for (int i = 0; i < 6000 && !fs::exists(file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return fs::exists(file);
}

size_t stored_runs(const fs::path& out) {
  size_t n = 0;
  if (fs::exists(out / "points"))
    for (const auto& f : fs::recursive_directory_iterator(out / "points"))
      n += f.path().parent_path().parent_path().filename() == "runs" && f.path().extension() == ".json" ? 1 : 0;
  return n;
}

TEST(SweepExtend, CtrlCStoresTheRunsInFlightAndSaysHowToResume) {
  const fs::path dir = temp_dir("interrupt");
  // Eight runs of about 0.1 s each, one at a time.
  const fs::path spec = testing::write_text(dir / "s.toml", R"X(base = "mm1"
replicates = 1
[set]
"run.duration" = "10s"
"run.warmup" = "1ms"
[[axis]]
key = "queue.servers"
range = { from = 1, to = 8, step = 1 }
)X");
  for (const auto& [signal, status] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
    const fs::path out = dir / fmt::format("out{}", signal);
    const pid_t pid = spawn_wakesim({"sweep", spec.string(), "--jobs", "1", "--out", out.string()}, dir / "err.txt");
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(wait_for(out / "points" / "p0000" / "runs" / "fifo" / "r0.json"));
    ::kill(pid, signal);
    int wait_status = 0;
    ASSERT_EQ(::waitpid(pid, &wait_status, 0), pid);
    ASSERT_TRUE(WIFEXITED(wait_status)) << "killed by the signal instead of stopping";
    EXPECT_EQ(WEXITSTATUS(wait_status), status);
    const size_t done = stored_runs(out);
    EXPECT_GE(done, 1u);
    EXPECT_LT(done, 8u);
    const std::string err = slurp(dir / "err.txt");
    EXPECT_NE(err.find(fmt::format("interrupted: {} of 8 runs done; rerun with --resume to continue: wakesim sweep {} "
                                   "--out {} --resume\n",
                                   done, spec.string(), out.string())),
              std::string::npos)
        << err;
    EXPECT_FALSE(fs::exists(out / "runs.csv"));  // the results files are --resume's to write
    // No stored run is partial: --resume finishes the rest and gives the uninterrupted sweep's bytes.
    const Outcome o = cli({"sweep", spec.string(), "--quiet", "--resume", "--out", out.string()});
    ASSERT_EQ(o.status, 0) << o.err;
    EXPECT_NE(o.out.find(fmt::format("({} run now, {} already stored)", 8 - done, done)), std::string::npos) << o.out;
  }
  ASSERT_EQ(cli({"sweep", spec.string(), "--quiet", "--out", (dir / "whole").string()}).status, 0);
  expect_same_tree(dir / "whole", dir / fmt::format("out{}", SIGINT));
  expect_same_tree(dir / "whole", dir / fmt::format("out{}", SIGTERM));
}

}  // namespace
}  // namespace wakesim::experiment
