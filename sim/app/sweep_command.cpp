// `wakesim sweep SWEEP.toml [--set KEY=VALUE]... [--design NAME]... [--jobs N] [--shard K/N] [--resume]
//                [--retry-failed] [--replicates R] [--keep-going] [--dry-run] [--reference DESIGN] [--out DIR]`
// and `wakesim merge --out DIR [--reference DESIGN] SHARD_DIR...` (sim/experiment/sweep.h). Both end
// with the verdict table: per point, every design against the reference (sim/experiment/verdict.h).
// Ctrl-C (or SIGTERM) stops starting runs, lets the running ones be stored, and says how to resume.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <ostream>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/app/interrupt.h"
#include "sim/engine/errors.h"
#include "sim/experiment/progress.h"
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
  std::vector<std::string> sets;
  std::vector<std::string> designs;
  bool dry_run = false;
  bool keep_going = false;
};

// A word for a shell command line: quoted when it holds anything but letters, digits and ./_-+=:,@%.
std::string shell_word(const std::string& word) {
  if (!word.empty() &&
      word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./_-+=:,@%") ==
          std::string::npos)
    return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The command that continues this sweep (the stored --set and --design are used without being named).
std::string resume_command(const SweepCommandOptions& o, const std::filesystem::path& out) {
  std::string command = fmt::format("wakesim sweep {} --out {} --resume", shell_word(o.spec), shell_word(out.string()));
  if (!o.shard.empty()) command += " --shard " + o.shard;
  if (o.replicates) command += fmt::format(" --replicates {}", *o.replicates);
  if (o.keep_going) command += " --keep-going";
  return command;
}

// `--dry-run`: the points, designs, runs and an estimate of the time, without running or writing anything.
int dry_run(const experiment::SweepSpec& spec, const experiment::SweepOptions& options, Streams& io) {
  const experiment::SweepPlan plan = experiment::plan_sweep(spec, options);
  size_t in_shard = 0;
  for (const auto& p : plan.points) in_shard += p.in_shard ? 1 : 0;
  io.out << fmt::format("sweep {} (dry run: nothing is run or written)\n", spec.file.string());
  io.out << fmt::format("points: {}", plan.points.size());
  if (plan.skipped_points > 0) io.out << fmt::format(" ({} more skipped by the constraint)", plan.skipped_points);
  if (options.resume)
    io.out << fmt::format("; {} stored in {}, {} new", plan.points.size() - plan.new_points, options.out.string(),
                          plan.new_points);
  if (options.shard && options.shard->count > 1)
    io.out << fmt::format("; shard {}/{} holds {}", options.shard->index, options.shard->count, in_shard);
  io.out << "\n";
  constexpr size_t kListed = 1000;
  size_t listed = 0;
  for (const auto& p : plan.points) {
    if (!p.in_shard) continue;
    if (++listed > kListed) continue;
    std::string line = fmt::format("  p{:04}", p.point.index);
    for (const auto& [key, value] : p.point.assignments) line += fmt::format("  {}={}", key, value.display);
    if (options.resume) line += p.stored ? "  (stored)" : "  (new)";
    if (!p.error.empty()) line += "  (rejected: recorded as failed)";
    io.out << line << "\n";
  }
  if (listed > kListed) io.out << fmt::format("  ... and {} more\n", listed - kListed);
  io.out << fmt::format("designs: {}\n", fmt::join(plan.designs, ", "));
  io.out << fmt::format("replicates: {}\n", plan.replicates);
  io.out << fmt::format("runs: {}", plan.runs);
  if (plan.runs_stored > 0)
    io.out << fmt::format(" ({} stored, {} to run)", plan.runs_stored, plan.runs - plan.runs_stored);
  io.out << "\n";
  const experiment::SweepEstimate estimate = experiment::estimate_sweep(plan, options.jobs);
  if (estimate.seconds > 0)
    io.out << fmt::format("estimated time: about {} on {} thread{} (an estimate {})\n",
                          estimate.seconds < 10 ? fmt::format("{:.1f}s", estimate.seconds)
                                                : experiment::Progress::format_duration(estimate.seconds),
                          estimate.threads, estimate.threads == 1 ? "" : "s", estimate.method);
  else io.out << fmt::format("estimated time: none ({})\n", estimate.method);
  io.out << fmt::format("results would go to: {}\n", options.out.string());
  return 0;
}

std::filesystem::path resolve_base(const std::string& base, const std::filesystem::path& spec_dir) {
  std::filesystem::path relative = spec_dir / base;
  if (!spec_dir.empty() && std::filesystem::is_regular_file(relative)) return relative;
  return resolve_config_path(base);
}

int report(const experiment::SweepOutcome& o, Streams& io, const std::string& what) {
  io.out << fmt::format("{}: {} point{}, {} run{}", what, o.points, o.points == 1 ? "" : "s", o.runs,
                        o.runs == 1 ? "" : "s");
  if (what == "sweep") io.out << fmt::format(" ({} run now, {} already stored)", o.runs_executed, o.runs_reused);
  if (o.skipped_points > 0) io.out << fmt::format("; {} skipped by the constraint", o.skipped_points);
  if (o.failed_runs > 0)
    io.out << fmt::format("; {} of {} points failed ({} runs)", o.failed_points, o.points, o.failed_runs);
  io.out << "\n";
  if (!o.table.empty()) io.out << "\n" << o.table << "\n";
  constexpr size_t kShown = 10;
  for (size_t i = 0; i < o.failure_lines.size() && i < kShown; ++i) io.err << "failed: " << o.failure_lines[i] << "\n";
  if (o.failure_lines.size() > kShown)
    io.err << fmt::format("... and {} more in {}\n", o.failure_lines.size() - kShown,
                          (o.out / "failures.csv").string());
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
  cmd->add_option("--jobs", o->jobs, "worker threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, kMaxJobs));
  cmd->add_option("--shard", o->shard, "run only shard K of N (points with index % N == K-1)")->type_name("K/N");
  cmd->add_flag("--resume", o->resume, "continue the sweep in --out: runs already stored are not redone");
  cmd->add_flag("--retry-failed", o->retry_failed, "with --resume: run failed runs again");
  cmd->add_option("--replicates", o->replicates,
                  "replicates per point and design (overrides the spec; more "
                  "replicates on a finished sweep run only the new ones)");
  cmd->add_option("--out", o->out, "results directory (default: results/<spec>-<time>/)")->type_name("DIR");
  cmd->add_option("--reference", o->reference,
                  "the design the others are compared with (default: single-lock when it runs, else the first)")
      ->type_name("DESIGN");
  cmd->add_flag("--quiet", o->quiet, "no progress output");
  cmd->add_option("--set", o->sets,
                  "a fixed override after the spec's [set] (repeatable); stored with the sweep, "
                  "so --resume and --shard use it")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--design", o->designs,
                  "run this design instead of the spec's (repeatable, or 'all'); on --resume, "
                  "naming more designs than stored runs only the new ones")
      ->type_name("NAME")
      ->allow_extra_args(false);
  cmd->add_flag("--dry-run", o->dry_run,
                "check the spec, list the points, designs and runs, and estimate the time "
                "from short calibration runs; nothing is written");
  cmd->add_flag("--keep-going", o->keep_going,
                "run the points whose configuration is valid and record the rejected "
                "ones as failed (default: stop before running anything)");
  return [o, &io] {
    // A path, or the name of a shipped spec in workloads/sweeps/ ("default_load").
    std::filesystem::path spec_file = o->spec;
    const std::filesystem::path shipped = workloads_dir() / "sweeps" / (o->spec + ".toml");
    if (!std::filesystem::exists(spec_file) && spec_file.parent_path().empty() && spec_file.extension().empty() &&
        std::filesystem::exists(shipped))
      spec_file = shipped;
    if (o->out.empty() && o->resume)
      throw engine::UserError("--resume: error: name the sweep to continue with --out DIR");
    // Resumed without --set (or --design), the sweep continues with the stored ones.
    experiment::SweepCommandLine command_line{o->sets, o->designs};
    if (o->resume) {
      if (const auto stored = experiment::stored_command_line(o->out)) {
        std::string adopted;
        if (o->sets.empty() && !stored->set.empty()) {
          command_line.set = stored->set;
          for (const std::string& s : stored->set) adopted += " --set " + shell_word(s);
        }
        if (o->designs.empty() && !stored->designs.empty()) {
          command_line.designs = stored->designs;
          for (const std::string& d : stored->designs) adopted += " --design " + shell_word(d);
        }
        if (!adopted.empty())
          io.err << fmt::format("note: continuing with the options stored in {}:{}\n", o->out, adopted);
      }
    }
    experiment::SweepSpec spec = experiment::load_sweep_spec(spec_file, resolve_base, command_line);
    if (o->replicates) {
      if (*o->replicates < 1) throw engine::UserError("--replicates: error: expected an integer >= 1");
      spec.replicates = *o->replicates;
    }
    experiment::SweepOptions options;
    options.out = o->out.empty() ? timestamped_results_dir(std::filesystem::path(o->spec).stem().string())
                                 : std::filesystem::path(o->out);
    options.jobs = o->jobs;
    if (!o->shard.empty()) options.shard = experiment::parse_shard(o->shard);
    options.resume = o->resume;
    options.retry_failed = o->retry_failed;
    if (o->retry_failed && !o->resume) throw engine::UserError("--retry-failed: error: only with --resume");
    options.progress = o->quiet ? nullptr : &io.err;
    options.progress_terminal = ::isatty(STDERR_FILENO) != 0;
    options.command_line = io.command_line;
    options.reference = o->reference;
    options.keep_going = o->keep_going;
    if (o->dry_run) return dry_run(spec, options, io);
    const InterruptHandlers handlers;  // until the sweep returns
    options.stop_requested = interrupted;
    const experiment::SweepOutcome outcome = experiment::run_sweep(spec, options);
    if (outcome.interrupted) {
      io.err << fmt::format("interrupted: {} of {} runs done; rerun with --resume to continue: {}\n", outcome.runs_done,
                            outcome.runs, resume_command(*o, options.out));
      return exit_status() != 0 ? exit_status() : 130;
    }
    return report(outcome, io, "sweep");
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
