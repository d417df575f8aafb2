// Running a sweep and writing its results directory (shared/DESIGN.md §9), resumably and in shards.
//
// Layout of a sweep directory OUT:
//   sweep.json            what the directory holds: the sweep's identity (sweep_spec.h), designs,
//                         replicates, swept and derived keys, point count, points skipped by the
//                         spec's constraint, shard ("K/N" or null)
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
#include <optional>
#include <ostream>
#include <string>
#include <vector>

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
  std::string reference;  // the design others are compared with (empty: single-lock, else the first)
};

struct SweepOutcome {
  size_t points = 0;          // in the directory's shard
  size_t runs = 0;            // design x replicate x point, in the shard
  size_t runs_executed = 0;   // this invocation
  size_t runs_reused = 0;     // found stored (resume)
  size_t failed_runs = 0;
  size_t failed_points = 0;   // points with at least one failed run
  size_t missing_points = 0;  // merge: points no shard had
  size_t skipped_points = 0;  // combinations of the axes the spec's constraint rejects (not run, not failures)
  bool internal_failure = false;  // a failed run was an internal error or an invariant violation
  std::vector<std::string> failure_lines;  // "point 3 (vms.count=8) single-lock r0: message"
  std::filesystem::path out;
  std::string table;  // per point and design, the scenario's first two headline metrics (mean over replicates)
  std::string verdicts;  // per point and design against the reference, the first three headline metrics
};

// Runs the spec's points (or the shard's) into options.out and writes the results files.
// Throws engine::UserError when OUT holds something else (another sweep, or a non-sweep directory).
SweepOutcome run_sweep(const SweepSpec& spec, const SweepOptions& options);

// Joins shard directories of one sweep into `out` (copying their stored runs) and writes the results
// files; refuses directories of different sweeps or replicate counts.
SweepOutcome merge_sweeps(const std::vector<std::filesystem::path>& shards, const std::filesystem::path& out,
                          const std::string& command_line, const std::string& reference = {});

}  // namespace wakesim::experiment
