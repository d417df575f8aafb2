// The wakesim binary as a process: `run` draws live progress only on a terminal (and not with --quiet),
// watching changes no result, and SIGINT / SIGTERM stop `run` and `capacity` cleanly with 130 / 143.
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "test/support/cli_runner.h"
#include "test/support/subprocess.h"

namespace wakesim::app {
namespace {

namespace fs = std::filesystem;
using testing::ProcessOptions;
using testing::run_process;
using testing::slurp;

const std::string kBinary = WAKESIM_BINARY;
constexpr auto kTerminal = ProcessOptions::Stderr::kTerminal;

// mm1 runs about ten million events, a minute of simulated time, per second of wall time: a run
// stopped after a second or two never ends on its own first.
std::vector<std::string> long_mm1_run(const fs::path& out) {
  return {"run", "mm1", "--set", "run.duration=1000s", "--replicates", "2", "--jobs", "2", "--out", out.string()};
}

TEST(LiveProgress, DrawnOnATerminalAndResultsUnchanged) {
  const fs::path watched = testing::fresh_temp_dir("live-watched"), plain = testing::fresh_temp_dir("live-plain");
  // Long enough (a second or more of wall time per run) for the lines to be drawn: 100 s of simulated
  // time in the optimised build, 10 s in the sanitizer build (tens of times slower per event).
#ifdef NDEBUG
  const std::string duration = "100s", simulated = " of 100.1s simulated, ";
#else
  const std::string duration = "10s", simulated = " of 10.1s simulated, ";
#endif
  const std::vector<std::string> args = {"run",          "mm1", "--set",  "run.duration=" + duration,
                                         "--replicates", "2",   "--jobs", "2"};
  auto with_out = [&](const fs::path& dir) {
    auto a = args;
    a.insert(a.end(), {"--out", dir.string()});
    return a;
  };
  const auto live = run_process(kBinary, with_out(watched), {.err = kTerminal});
  ASSERT_EQ(live.exit_code, 0) << live.err;
  EXPECT_NE(live.err.find("fifo r0: "), std::string::npos) << live.err;
  EXPECT_NE(live.err.find(simulated), std::string::npos) << live.err;  // warm-up 100ms + the duration
  EXPECT_NE(live.err.find(" events/s"), std::string::npos) << live.err;
  EXPECT_NE(live.err.find("] 2/2 runs "), std::string::npos) << live.err;
  // In process, stderr is not a terminal: nothing is drawn; and the results are the same bytes.
  const testing::CliOutcome piped = testing::cli(with_out(plain));
  ASSERT_EQ(piped.status, 0) << piped.err;
  EXPECT_EQ(piped.err, "");
  for (const char* f : {"summary.json", "runs.csv", "config.toml", "histograms/fifo/wait.csv"})
    EXPECT_EQ(slurp(watched / f), slurp(plain / f)) << f;
  fs::remove_all(watched);
  fs::remove_all(plain);
}

TEST(LiveProgress, QuietDrawsNothing) {
  const fs::path out = testing::fresh_temp_dir("live-quiet");
  const auto o = run_process(
      kBinary, {"run", "mm1", "--set", "run.duration=2s", "--replicates", "1", "--quiet", "--out", out.string()},
      {.err = kTerminal});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  fs::remove_all(out);
}

TEST(Interrupt, SigintStopsARunWritesNothingAndSaysHowToRunItAgain) {
  const fs::path out = testing::fresh_temp_dir("interrupt-run");
  const auto o = run_process(kBinary, long_mm1_run(out),
                             {.err = kTerminal, .signal = SIGINT, .signal_when_err_contains = "simulated"});
  EXPECT_EQ(o.exit_code, 130) << o.err;
  EXPECT_NE(o.err.find("wakesim run: interrupted by SIGINT: the runs in progress were abandoned and nothing was "
                       "written. A run cannot be resumed"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find(kBinary + " run mm1 --set run.duration=1000s --replicates 2 --jobs 2 --out " + out.string()),
            std::string::npos)
      << o.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(Interrupt, SigtermStopsARunWith143AndLeavesAReplacedDirectoryAsItWas) {
  const fs::path out = testing::fresh_temp_dir("interrupt-term");
  ASSERT_EQ(testing::cli({"run", "mm1", "--set", "run.duration=5ms", "--out", out.string()}).status, 0);
  const std::string before = slurp(out / "runs.csv");
  auto args = long_mm1_run(out);
  args.push_back("--force");
  const auto o = run_process(kBinary, args, {.signal = SIGTERM, .signal_after = std::chrono::milliseconds(1500)});
  EXPECT_EQ(o.exit_code, 143) << o.err;
  EXPECT_NE(o.err.find("interrupted by SIGTERM"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(fmt::format("({} is as it was)", out.string())), std::string::npos) << o.err;
  EXPECT_EQ(slurp(out / "runs.csv"), before);
  std::vector<std::string> siblings;
  for (const auto& e : fs::directory_iterator(out.parent_path()))
    if (e.path().filename().string().starts_with(fmt::format(".{}", out.filename().string())))
      siblings.push_back(e.path());
  EXPECT_TRUE(siblings.empty()) << siblings.front();
  fs::remove_all(out);
}

TEST(Interrupt, SigintStopsACapacitySearch) {
  const fs::path out = testing::fresh_temp_dir("interrupt-capacity");
  const auto o = run_process(kBinary,
                             {"capacity", "mm1", "--vary", "queue.servers", "--range", "1:8", "--slo", "wait.mean<=5us",
                              "--set", "run.duration=1000s", "--out", out.string()},
                             {.signal = SIGINT, .signal_after = std::chrono::milliseconds(1500)});
  EXPECT_EQ(o.exit_code, 130) << o.err;
  EXPECT_NE(o.err.find("wakesim capacity: interrupted by SIGINT: the search was abandoned and nothing was written. A "
                       "search cannot be resumed; to start it again:\n  " +
                       kBinary +
                       " capacity mm1 --vary queue.servers"
                       " --range 1:8 --slo 'wait.mean<=5us' --set run.duration=1000s --out " +
                       out.string() + "\n"),
            std::string::npos)
      << o.err;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace wakesim::app
