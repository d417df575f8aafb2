// `wakesim lockdep [CONFIG] [--design NAME|all]... [--set KEY=VALUE]... [--seed N] [--max-time T]
//                   [--jobs N] [--json]`
// Runs each design once with the lock-order recorder on and prints what lockdep would report, whether
// the subclass annotations silence it, and whether the acquisitions seen could really deadlock
// (sim/hw/lockdep_analysis.h). Exit codes: 0 no possible deadlock (lockdep false positives included),
// 3 a possible deadlock was found, 2 bad input, 1 internal error (a run failed).
#include <ostream>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/config/units.h"
#include "sim/engine/errors.h"
#include "sim/experiment/config.h"
#include "sim/experiment/lockdep_report.h"

namespace wakesim::app {
namespace {

struct LockdepOptions {
  std::string config;
  std::vector<std::string> designs;
  std::vector<std::string> overrides;
  std::optional<uint64_t> seed;
  std::string max_time = "50ms";
  int jobs = 0;
  bool json = false;
};

constexpr int kExitPossibleDeadlock = 3;

int execute(const LockdepOptions& o, Streams& io) {
  using namespace experiment;
  std::vector<std::string> overrides = o.overrides;
  if (o.seed) overrides.push_back(fmt::format("run.seed={}", *o.seed));
  LoadedConfig loaded = load_command_config(o.config, overrides, io).loaded;
  if (!o.designs.empty()) loaded.config.run.designs = o.designs;
  std::string problem;
  const auto max_time = config::parse_duration(o.max_time, problem);
  if (!max_time || *max_time <= engine::Time::zero())
    throw engine::UserError(fmt::format("error: --max-time: '{}' is not a positive duration (e.g. 50ms){}", o.max_time,
                                        problem.empty() ? "" : ": " + problem));
  const LockdepRun run = run_lockdep(loaded.config, *max_time, o.jobs);
  io.out << (o.json ? lockdep_json(run) : fmt::format("config: {}\n", loaded.source) + lockdep_text(run));
  for (const DesignLockdep& d : run.designs)
    if (!d.error.empty()) io.err << fmt::format("run {} failed: {}\n", d.design, d.error);
  if (run.failed()) return 1;
  return run.possible_deadlock() ? kExitPossibleDeadlock : 0;
}

}  // namespace

Action add_lockdep_command(CLI::App& app, Streams& io) {
  auto options = std::make_shared<LockdepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "lockdep", "Lock-order analysis per design: lockdep's view, subclass annotations, real deadlock check");
  cmd->footer(
      "Exit status: 0 no possible deadlock (lockdep false positives included), 3 a possible deadlock, "
      "2 bad input, 1 internal error.");
  cmd->add_option("CONFIG", options->config, "TOML configuration file, or the name of a workload preset");
  cmd->add_option("--design", options->designs, "design to analyse (repeatable), or 'all'")->type_name("NAME");
  cmd->add_option("--set", options->overrides, "override a configuration key (repeatable)")->type_name("KEY=VALUE");
  cmd->add_option("--seed", options->seed, "random seed (run.seed)");
  cmd->add_option("--max-time", options->max_time,
                  "simulated time per design: run.warmup + run.duration, at most this (default 50ms)")
      ->type_name("TIME");
  cmd->add_option("--jobs", options->jobs, "worker threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, kMaxJobs));
  cmd->add_flag("--json", options->json, "print the report as JSON");
  return [options, &io] { return execute(*options, io); };
}

}  // namespace wakesim::app
