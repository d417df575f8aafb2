// `wakesim run [CONFIG] [--design NAME|all]... [--set KEY=VALUE]... [--seed N] [--replicates R]
//               [--reference DESIGN] [--jobs N] [--out DIR] [--json]`
// After the table of means it prints the verdicts: every design against the reference design on the
// headline metrics (sim/experiment/verdict.h).
#include <chrono>
#include <ctime>
#include <ostream>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/engine/errors.h"
#include "sim/experiment/config.h"
#include "sim/experiment/report.h"
#include "sim/experiment/results_writer.h"
#include "sim/experiment/scenario.h"
#include "sim/experiment/runner.h"
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
  bool json = false;
};

int execute(const RunOptions& o, Streams& io) {
  using namespace experiment;
  const auto start = std::chrono::system_clock::now();
  std::optional<std::filesystem::path> file;
  if (!o.config.empty()) file = resolve_config_path(o.config);
  std::vector<std::string> overrides = o.overrides;
  if (o.seed) overrides.push_back(fmt::format("run.seed={}", *o.seed));
  if (o.replicates) overrides.push_back(fmt::format("run.replicates={}", *o.replicates));
  LoadedConfig loaded = file ? load_config(file, overrides) : load_default_config(overrides);
  if (!o.designs.empty()) loaded.config.run.designs = o.designs;
  Config& config = loaded.config;

  // A bad --reference is refused before any run.
  if (!o.reference.empty()) reference_design(resolve_designs(config), o.reference);
  const ExperimentResult result = run_experiment(config, o.jobs);
  const std::string reference = reference_design(result.designs, o.reference);
  const auto end = std::chrono::system_clock::now();
  const std::filesystem::path out_dir =
      o.out.empty() ? timestamped_results_dir(file ? file->stem().string() : "default") : std::filesystem::path(o.out);
  write_results(out_dir, config, result, RunContext{io.command_line, loaded.source, start, end, o.jobs, reference});

  if (o.json) {
    io.out << summary_json(config, result, reference);
  } else {
    io.out << fmt::format("scenario '{}' ({}); {} replicate{} x {} measured after {} warm-up; seed {}\n\n",
                          config.scenario, loaded.source, config.run.replicates, config.run.replicates == 1 ? "" : "s",
                          engine::to_string(config.run.duration), engine::to_string(config.run.warmup), config.run.seed);
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
      per_design += fmt::format("{}{} {:.2f}M", per_design.empty() ? "" : ", ", d, w > 0 ? e / w / 1e6 : 0.0);
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
    if (r.error.empty()) continue;
    io.err << fmt::format("run {} replicate {} failed: {}\n", r.design, r.replicate, r.error);
    internal = internal || r.error.starts_with("internal error") || r.error.starts_with("invariant violated");
  }
  return internal ? 1 : 2;
}

}  // namespace

Action add_run_command(CLI::App& app, Streams& io) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a configuration (the built-in default workload if none) on the chosen designs");
  cmd->add_option("CONFIG", options->config, "TOML configuration file, or the name of a workload preset");
  cmd->add_option("--design", options->designs, "design to run (repeatable), or 'all'")->type_name("NAME");
  cmd->add_option("--set", options->overrides, "override a configuration key (repeatable)")->type_name("KEY=VALUE");
  cmd->add_option("--seed", options->seed, "base random seed (run.seed)");
  cmd->add_option("--replicates", options->replicates, "independent replicates per design (run.replicates)");
  cmd->add_option("--jobs", options->jobs, "worker threads (default: all cores); results do not depend on it");
  cmd->add_option("--out", options->out, "results directory (default: results/<config>-<time>/)")->type_name("DIR");
  cmd->add_option("--reference", options->reference,
                  "the design the others are compared with (default: single-lock when it runs, else the first)")
      ->type_name("DESIGN");
  cmd->add_flag("--json", options->json, "print summary.json instead of the table");
  return [options, &io] { return execute(*options, io); };
}

}  // namespace wakesim::app
