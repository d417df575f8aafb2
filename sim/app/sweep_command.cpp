// `wakesim sweep SWEEP.toml [--jobs N] [--shard K/N] [--resume] [--retry-failed] [--replicates R]
//                [--reference DESIGN] [--out DIR]`
// and `wakesim merge --out DIR [--reference DESIGN] SHARD_DIR...` (sim/experiment/sweep.h). Both end
// with the verdict table: per point, every design against the reference (sim/experiment/verdict.h).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <ostream>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/engine/errors.h"
#include "sim/experiment/sweep.h"

namespace wakesim::app {
namespace {

struct SweepCommandOptions {
  std::string spec;
  int jobs = 0;
  std::string shard;
  bool resume = false;
  bool retry_failed = false;
  std::optional<int> replicates;
  std::string out;
  std::string reference;
  bool quiet = false;
};

std::filesystem::path resolve_base(const std::string& base, const std::filesystem::path& spec_dir) {
  const std::filesystem::path relative = spec_dir / base;
  if (!spec_dir.empty() && std::filesystem::is_regular_file(relative)) return relative;
  return resolve_config_path(base);
}

int report(const experiment::SweepOutcome& o, Streams& io, const std::string& what) {
  io.out << fmt::format("{}: {} point{}, {} run{}", what, o.points, o.points == 1 ? "" : "s", o.runs, o.runs == 1 ? "" : "s");
  if (what == "sweep") io.out << fmt::format(" ({} run now, {} already stored)", o.runs_executed, o.runs_reused);
  if (o.skipped_points > 0) io.out << fmt::format("; {} skipped by the constraint", o.skipped_points);
  if (o.failed_runs > 0) io.out << fmt::format("; {} of {} points failed ({} runs)", o.failed_points, o.points, o.failed_runs);
  io.out << "\n";
  if (!o.table.empty()) io.out << "\n" << o.table << "\n";
  constexpr size_t kShown = 10;
  for (size_t i = 0; i < o.failure_lines.size() && i < kShown; ++i) io.err << "failed: " << o.failure_lines[i] << "\n";
  if (o.failure_lines.size() > kShown)
    io.err << fmt::format("... and {} more in {}\n", o.failure_lines.size() - kShown, (o.out / "failures.csv").string());
  if (o.missing_points > 0)
    io.err << fmt::format("warning: {} point{} missing (a shard not merged, or not run yet)\n", o.missing_points,
                          o.missing_points == 1 ? " is" : "s are");
  io.out << fmt::format("results: {} (runs.csv, aggregates.csv, summary.json, points/)\n", o.out.string());
  if (!o.verdicts.empty()) io.out << "\n" << o.verdicts;
  if (o.failed_runs > 0) return o.internal_failure ? 1 : 2;
  return o.missing_points > 0 ? 2 : 0;
}

}  // namespace

Action add_sweep_command(CLI::App& app, Streams& io) {
  auto o = std::make_shared<SweepCommandOptions>();
  CLI::App* cmd = app.add_subcommand("sweep", "Run a design-space sweep (a TOML spec of axes over configuration keys)");
  cmd->add_option("SWEEP", o->spec, "the sweep spec (TOML), or the name of one in workloads/sweeps/")->required();
  cmd->add_option("--jobs", o->jobs, "worker threads (default: all cores); results do not depend on it");
  cmd->add_option("--shard", o->shard, "run only shard K of N (points with index % N == K-1)")->type_name("K/N");
  cmd->add_flag("--resume", o->resume, "continue the sweep in --out: runs already stored are not redone");
  cmd->add_flag("--retry-failed", o->retry_failed, "with --resume: run failed runs again");
  cmd->add_option("--replicates", o->replicates, "replicates per point and design (overrides the spec; more "
                                                 "replicates on a finished sweep run only the new ones)");
  cmd->add_option("--out", o->out, "results directory (default: results/<spec>-<time>/)")->type_name("DIR");
  cmd->add_option("--reference", o->reference,
                  "the design the others are compared with (default: single-lock when it runs, else the first)")
      ->type_name("DESIGN");
  cmd->add_flag("--quiet", o->quiet, "no progress output");
  return [o, &io] {
    // A path, or the name of a shipped spec in workloads/sweeps/ ("default_load").
    std::filesystem::path spec_file = o->spec;
    const std::filesystem::path shipped = workloads_dir() / "sweeps" / (o->spec + ".toml");
    if (!std::filesystem::exists(spec_file) && spec_file.parent_path().empty() && spec_file.extension().empty() &&
        std::filesystem::exists(shipped))
      spec_file = shipped;
    experiment::SweepSpec spec = experiment::load_sweep_spec(spec_file, resolve_base);
    if (o->replicates) {
      if (*o->replicates < 1) throw engine::UserError("--replicates: error: expected an integer >= 1");
      spec.replicates = *o->replicates;
    }
    experiment::SweepOptions options;
    if (o->out.empty() && o->resume) throw engine::UserError("--resume: error: name the sweep to continue with --out DIR");
    options.out = o->out.empty() ? timestamped_results_dir(std::filesystem::path(o->spec).stem().string()) : std::filesystem::path(o->out);
    options.jobs = o->jobs;
    if (!o->shard.empty()) options.shard = experiment::parse_shard(o->shard);
    options.resume = o->resume;
    options.retry_failed = o->retry_failed;
    if (o->retry_failed && !o->resume) throw engine::UserError("--retry-failed: error: only with --resume");
    options.progress = o->quiet ? nullptr : &io.err;
    options.progress_terminal = ::isatty(STDERR_FILENO) != 0;
    options.command_line = io.command_line;
    options.reference = o->reference;
    return report(experiment::run_sweep(spec, options), io, "sweep");
  };
}

Action add_merge_command(CLI::App& app, Streams& io) {
  struct MergeOptions {
    std::vector<std::string> shards;
    std::string out;
    std::string reference;
  };
  auto o = std::make_shared<MergeOptions>();
  CLI::App* cmd = app.add_subcommand("merge", "Join the shard directories of one sweep into one results directory");
  cmd->add_option("SHARD_DIR", o->shards, "directories written by 'wakesim sweep --shard K/N'")->required();
  cmd->add_option("--out", o->out, "the merged results directory")->required()->type_name("DIR");
  cmd->add_option("--reference", o->reference, "the design the others are compared with")->type_name("DESIGN");
  return [o, &io] {
    std::vector<std::filesystem::path> dirs(o->shards.begin(), o->shards.end());
    return report(experiment::merge_sweeps(dirs, o->out, io.command_line, o->reference), io, "merged");
  };
}

}  // namespace wakesim::app
