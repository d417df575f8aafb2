// `wakesim run [CONFIG] [--design NAME|all]... [--set KEY=VALUE]... [--seed N] [--replicates R]
//               [--reference DESIGN] [--jobs N] [--out DIR [--force]] [--quiet] [--json]`
// After the table of means it prints the verdicts: every design against the reference design on the
// headline metrics (sim/experiment/verdict.h). On a terminal, while the runs simulate, a live line per
// run in progress (sim/experiment/run_watch.h). Ctrl-C (SIGINT) or SIGTERM abandons the runs, writes
// nothing, says how to run it again and exits with 130 or 143 (sim/app/interrupt.h).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <ostream>
#include <thread>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/app/interrupt.h"
#include "sim/engine/errors.h"
#include "sim/experiment/config.h"
#include "sim/experiment/preflight.h"
#include "sim/experiment/report.h"
#include "sim/experiment/results_writer.h"
#include "sim/experiment/run_watch.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/scenario.h"
#include "sim/experiment/summary.h"
#include "sim/experiment/verdict.h"

namespace wakesim::app {
namespace {

struct RunOptions {
  std::string config;
  std::vector<std::string> designs;
  std::vector<std::string> overrides;
  std::optional<uint64_t> seed;
  std::optional<int> replicates;
  int jobs = 0;
  std::string out;
  std::string reference;
  bool force = false;
  bool quiet = false;
  bool json = false;
  std::string max_memory;
};

int execute(const RunOptions& o, Streams& io) {
  using namespace experiment;
  const auto start = std::chrono::system_clock::now();
  std::vector<std::string> overrides = o.overrides;
  if (o.seed) overrides.push_back(fmt::format("run.seed={}", *o.seed));
  if (o.replicates) overrides.push_back(fmt::format("run.replicates={}", *o.replicates));
  CommandConfig command = load_command_config(o.config, overrides, io);
  const std::optional<std::filesystem::path>& file = command.file;
  LoadedConfig& loaded = command.loaded;
  if (!o.designs.empty()) loaded.config.run.designs = o.designs;
  Config& config = loaded.config;

  // A bad --reference or --out is refused before any run.
  const std::vector<std::string> designs = resolve_designs(config);
  if (!o.reference.empty()) reference_design(designs, o.reference);
  const std::filesystem::path out_dir =
      o.out.empty() ? timestamped_results_dir(file ? file->stem().string() : "default") : std::filesystem::path(o.out);
  check_out_dir(out_dir, o.force ? ExistingOut::kReplace : ExistingOut::kRefuse);
  // What would not fit in memory, or fails while the model is built, is refused before any run.
  const size_t runs = designs.size() * static_cast<size_t>(config.run.replicates);
  const size_t workers = o.jobs > 0 ? static_cast<size_t>(o.jobs) : std::max(1u, std::thread::hardware_concurrency());
  preflight(config, {.concurrent_runs = static_cast<int>(std::min(runs, workers)),
                     .max_memory = parse_max_memory(o.max_memory)});

  const InterruptHandlers handlers;
  ExperimentResult result;
  {
    RunWatch watch({.live = !o.quiet && io.err_is_terminal ? &io.err : nullptr,
                    .runs = designs.size() * static_cast<size_t>(config.run.replicates),
                    .interrupted = interrupted});
    try {
      result = run_experiment(config, o.jobs, &watch);
    } catch (const Interrupted&) {
      watch.done();
      const bool kept = o.force && std::filesystem::exists(out_dir);
      io.err << fmt::format(
          "wakesim run: interrupted by {}: the runs in progress were abandoned and nothing was "
          "written{}. A run cannot be resumed (a sweep can: wakesim sweep --resume); to run it "
          "again:\n  {}\n",
          signal_name(), kept ? fmt::format(" ({} is as it was)", out_dir.string()) : "", io.rerun);
      return exit_status();
    }
  }
  const std::string reference = reference_design(result.designs, o.reference);
  const auto end = std::chrono::system_clock::now();
  write_out_dir(out_dir, [&](const std::filesystem::path& dir) {
    write_results(dir, config, result, RunContext{io.command_line, loaded.source, start, end, o.jobs, reference});
  });
  if (interrupted()) {
    io.err << fmt::format("wakesim run: interrupted by {} after the runs had finished; the results are complete: {}\n",
                          signal_name(), out_dir.string());
    return exit_status();
  }

  if (o.json) {
    io.out << summary_json(config, result, reference);
  } else {
    io.out << fmt::format("scenario '{}' ({}); {} replicate{} x {} measured after {} warm-up; seed {}\n\n",
                          config.scenario, loaded.source, config.run.replicates, config.run.replicates == 1 ? "" : "s",
                          engine::to_string(config.run.duration), engine::to_string(config.run.warmup),
                          config.run.seed);
    const auto scenario = find_scenario(config.scenario)->make();
    io.out << format_table(summarize(result), result.designs, scenario->headline_metrics());
    uint64_t events = 0;
    double wall = 0;
    std::string per_design;
    for (const std::string& d : result.designs) {
      uint64_t e = 0;
      double w = 0;
      for (const RunRecord& r : result.runs)
        if (r.design == d) e += r.result.events, w += r.result.wall_seconds;
      events += e;
      wall += w;
      per_design += fmt::format("{}{} {:.2f}M", per_design.empty() ? "" : ", ", d,
                                w > 0 ? static_cast<double>(e) / w / 1e6 : 0.0);
    }
    if (result.designs.size() > 1) {
      const VerdictTable verdicts = run_verdicts(result, reference, scenario->headline_metrics());
      io.out << fmt::format("\nverdicts against {} ({}):\n", reference, verdict_method_line(verdicts));
      io.out << format_verdicts_by_metric(verdicts);
      io.out << verdict_legend(verdicts);
      if (config.run.replicates < 2) io.out << "(one replicate: no verdict is possible; add --replicates 3 or more)\n";
    }
    io.out << fmt::format("\nevents/s per core: {} ({} events in {:.2f} s of run time)\n", per_design, events, wall);
    for (const RunRecord& r : result.runs)
      for (const std::string& w : r.result.warnings)
        io.err << fmt::format("warning: {} replicate {}: {}\n", r.design, r.replicate, w);
    if (!scenario->headline_metrics().empty())
      io.out << fmt::format("all metrics: {}/summary.json and runs.csv (each explained in metrics.json)\n",
                            out_dir.string());
    io.out << fmt::format("results: {}\n", out_dir.string());
  }
  if (result.failures() == 0) return 0;
  bool internal = false;
  for (const RunRecord& r : result.runs) {
    if (!r.failed()) continue;
    io.err << fmt::format("run {} replicate {} failed: {}\n", r.design, r.replicate, r.error);
    internal = internal || is_internal(r.failure);
  }
  return internal ? 1 : 2;
}

}  // namespace

Action add_run_command(CLI::App& app, Streams& io) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd =
      app.add_subcommand("run", "Run a configuration (the built-in default workload if none) on the chosen designs");
  cmd->add_option("CONFIG", options->config, "TOML configuration file, or the name of a workload preset");
  cmd->add_option("--design", options->designs, "design to run (repeatable), or 'all'")->type_name("NAME");
  cmd->add_option("--set", options->overrides, "override a configuration key (repeatable)")->type_name("KEY=VALUE");
  cmd->add_option("--seed", options->seed, "base random seed (run.seed)");
  cmd->add_option("--replicates", options->replicates, "independent replicates per design (run.replicates)");
  cmd->add_option("--jobs", options->jobs, "worker threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, kMaxJobs));
  cmd->add_option("--out", options->out,
                  "results directory (default: results/<config>-<time>/); must not exist or be empty")
      ->type_name("DIR");
  cmd->add_flag("--force", options->force, "replace an existing --out results directory whole (no old file survives)");
  cmd->add_flag("--quiet", options->quiet, "no live progress lines (there are none unless stderr is a terminal)");
  cmd->add_option("--reference", options->reference,
                  "the design the others are compared with (default: single-lock when it runs, else the first)")
      ->type_name("DESIGN");
  cmd->add_flag("--json", options->json, "print summary.json instead of the table");
  cmd->add_option("--max-memory", options->max_memory, kMaxMemoryHelp)->type_name("SIZE");
  return [options, &io] { return execute(*options, io); };
}

}  // namespace wakesim::app
