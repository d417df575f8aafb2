// Running a sweep and writing its results directory (shared/DESIGN.md §9), resumably, extensibly and
// in shards.
//
// Before anything runs or is written, every point is resolved (sweep_spec.h point_config): a point whose
// configuration is rejected stops the sweep with the first few such points and their values, unless
// `keep_going` records them as failed points.
//
// Points are numbered by their values, not their place in the grid. A new sweep numbers its points
// 0, 1, ... in grid order. Resumed with a spec that adds axis values (or designs), a sweep keeps the
// number of every point it holds (matched by point_key) and numbers the new points after them in grid
// order; only the new points and designs run, and the results files list points by number. A spec
// that would drop a stored point or design, or change what the identity covers (base, [set], --set,
// seed, swept keys, constraint), is refused: a sweep directory only grows.
//
// Layout of a sweep directory OUT:
//   sweep.json            what the directory holds: the sweep's identity (sweep_spec.h), designs,
//                         replicates, swept and derived keys, point count, points skipped by the
//                         spec's constraint, shard ("K/N" or null), the spec's [set], the command
//                         line's --set and --design, and every point's key by number ("point_keys")
//   sweep.toml            the spec as last run
//   points/pNNNN/point.json             the point's swept values, overrides, resolved config or error
//   points/pNNNN/runs/DESIGN/rR.json    one finished run (run_store.h): the unit of resume and merge
//   points/pNNNN/{config.toml,summary.json,runs.csv,histograms/,locks.csv,...}
//                         the point as an ordinary results directory (results_writer.h)
//   runs.csv              tidy: point, the swept keys (and KEY#value: their plain numbers), the derived
//                         keys not swept (derived_keys.h: vms.vcpus_per_pcpu, the achieved ratio), design,
//                         replicate, seed, error, events, one column per metric (named as declared)
//   aggregates.csv        point, swept and derived keys, design, metric, unit, n, mean, ci95_low, ci95_high
//   summary.json          kind "sweep": every run's metrics, per-point aggregates with 95% CIs, paired
//                         differences against the reference design, failed and missing points, and
//                         "verdicts" (verdict.h): the closing table's tests, Holm-corrected over all of
//                         its points, designs and metrics (each point's own summary.json corrects
//                         over that point alone)
//   failures.csv          point, swept keys, design, replicate, error
//   verdicts.txt          the closing verdict table as the terminal shows it
//   metrics.json          the declarations of the metrics these files name (metric_registry.h)
//   manifest.json, timings.csv   provenance and wall-clock figures (the only files that differ
//                         between identical sweeps, with the rR.timing files)
// Everything else is a function of the stored runs alone, so a sweep run whole, resumed after an
// interruption, or run as shards and merged gives byte-identical files.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/experiment/config.h"
#include "sim/experiment/sweep_spec.h"

namespace wakesim::experiment {

struct Shard {
  int index = 1;  // 1-based K of K/N
  int count = 1;
  bool contains(int point) const { return point % count == index - 1; }
};
// Parses "K/N" (1 <= K <= N); throws engine::UserError.
Shard parse_shard(const std::string& text);

struct SweepOptions {
  std::filesystem::path out;
  int jobs = 0;                // 0: all cores
  std::optional<Shard> shard;  // run only this shard's points
  bool resume = false;         // continue OUT: skip runs already stored
  bool retry_failed = false;   // with resume: run failed runs again
  std::ostream* progress = nullptr;
  bool progress_terminal = false;
  std::string command_line;
  std::string reference;    // the design others are compared with (empty: single-lock, else the first)
  bool keep_going = false;  // run the valid points and record those whose configuration is rejected as failed
  // Polled before each run starts (Ctrl-C): once true, no run starts, the running ones finish and are
  // stored, and the results files are left for --resume to write.
  std::function<bool()> stop_requested;
};

// What a sweep will do, worked out without running or writing anything: the first step of run_sweep,
// and all of `wakesim sweep --dry-run`.
struct SweepPlan {
  struct Point {
    SweepPoint point;                  // index: its number in the sweep directory
    std::optional<Config> config;      // nullopt when the configuration is rejected
    std::string error;                 // why it is rejected
    std::vector<std::string> designs;  // resolved
    bool stored = false;               // the directory holds it already (resume)
    bool in_shard = true;
    size_t runs_to_do = 0;  // in the shard: its runs not stored yet
  };
  std::vector<Point> points;  // by index
  size_t skipped_points = 0;  // rejected by the spec's constraint
  size_t rejected_points = 0;
  std::vector<std::string> designs;  // every point's, in order
  int replicates = 1;
  size_t runs = 0;         // point x design x replicate, in the shard
  size_t runs_stored = 0;  // of those, found stored (resume; failed ones count unless retry_failed)
  size_t new_points = 0;   // resume: points the directory does not hold yet
};
SweepPlan plan_sweep(const SweepSpec& spec, const SweepOptions& options);

// How long the runs still to do would take on `jobs` threads (0: all cores), from short calibration
// runs: up to five points with runs to do (the first, the one with the largest value on every axis,
// and some between) of their first design, each for 2 ms of simulated time (warm-up and measured time
// shrunk alike), the first also for 8 ms to tell a run's start-up from its cost per simulated second;
// scaled to each point's length, averaged over the points, times the runs, over the threads. An
// estimate: every design and replicate is assumed to cost alike, and the longer run as the short one.
struct SweepEstimate {
  double seconds = 0;
  int threads = 1;
  std::string method;  // how it was made, one line
};
SweepEstimate estimate_sweep(const SweepPlan& plan, int jobs);

struct SweepOutcome {
  size_t points = 0;         // in the directory's shard
  size_t runs = 0;           // design x replicate x point, in the shard
  size_t runs_executed = 0;  // this invocation
  size_t runs_reused = 0;    // found stored (resume)
  size_t failed_runs = 0;
  size_t failed_points = 0;       // points with at least one failed run
  size_t missing_points = 0;      // merge: points no shard had
  size_t skipped_points = 0;      // combinations of the axes the spec's constraint rejects (not run, not failures)
  bool internal_failure = false;  // a failed run was an internal error or an invariant violation
  bool interrupted = false;       // stop_requested: the runs not started are left for --resume, no results files
  size_t runs_done = 0;           // with interrupted: the runs stored, of `runs`
  std::vector<std::string> failure_lines;  // "point 3 (vms.count=8) single-lock r0: message"
  std::filesystem::path out;
  std::string table;     // per point and design, the scenario's first two headline metrics (mean over replicates)
  std::string verdicts;  // per point and design against the reference, the first three headline metrics
};

// Runs the spec's points (or the shard's) into options.out and writes the results files.
// Throws engine::UserError when OUT holds something else (another sweep, or a non-sweep directory),
// when resuming would drop stored points or designs or change the command line's --set, and when a
// point's configuration is rejected (unless keep_going).
SweepOutcome run_sweep(const SweepSpec& spec, const SweepOptions& options);

// The command line's --set and --design stored in a sweep directory, for `--resume` without them.
// nullopt when `out` holds no sweep.
std::optional<SweepCommandLine> stored_command_line(const std::filesystem::path& out);

// Joins shard directories of one sweep into `out` (copying their stored runs) and writes the results
// files; refuses directories of different sweeps, replicate counts or points (a shard not extended).
SweepOutcome merge_sweeps(const std::vector<std::filesystem::path>& shards, const std::filesystem::path& out,
                          const std::string& command_line, const std::string& reference = {});

}  // namespace wakesim::experiment
