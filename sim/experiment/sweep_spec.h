// A sweep specification (shared/DESIGN.md §9, `wakesim sweep SWEEP.toml`): a base configuration, fixed
// overrides, axes over any configuration keys, the designs and the replicates. Its points are the
// cartesian product of the axes (the first axis varies slowest); a zipped axis moves several keys
// together. Example:
//
//   base = "default"                    # a workload preset, a path relative to this file, or omitted
//   designs = ["all"]                   # optional, default: the base's run.designs
//   replicates = 3                      # optional, default: the base's run.replicates
//   seed = 1                            # optional, default: the base's run.seed
//   [set]                               # fixed overrides, as `--set` would apply them
//   "run.duration" = "100ms"
//   [[axis]]
//   key = "vms.count"
//   values = [4, 8, 12]                 # a list ...
//   [[axis]]
//   key = "vms.device_arrivals"
//   range = { from = 500, to = 4000, points = 4, scale = "log" }  # ... or a range (step = or points =)
//   format = "poisson({}/s)"            # optional: a range number written into a value
//   [[axis]]
//   key = "vms.vcpus_per_pcpu"
//   values = [1, 4, 16, 64]
//   scale = "log"                       # optional: how figures draw this axis ("log" or "linear")
//   [[axis]]
//   keys = ["vms.count", "vms.vcpus"]   # a zipped group: coupled keys, one tuple per point
//   values = [[16, 2], [8, 4]]
//
// Derived keys (derived_keys.h) are swept like any key: an axis over vms.vcpus_per_pcpu sets
// vms.count at each point (the vms.count that gives that ratio with the point's vms.vcpus and pCPUs),
// and the achieved ratio is a column of runs.csv and aggregates.csv whether or not it is swept.
// An optional top-level `verdict_metrics = ["wakeup.p99", "sched_in.list_wait.p99"]` chooses the metrics
// of the closing verdict table (default: the scenario's first three headline metrics); each must be a
// metric the base's scenario declares (`wakesim list metrics`).
// An optional top-level `constraint` (sweep_constraint.h, after OMNeT++'s constraint=) keeps only the
// points where an expression over the swept keys holds:
//
//   constraint = "vms.vcpus_per_pcpu * vms.vcpus <= 256 && vms.vcpus > 1"
//
// (+ - * /, < <= > >= == !=, && || !, parentheses; a key's value is its plain number: durations in ns,
// rates per second). Skipped points are not run and are not failures; the others are numbered 0, 1, ...
// in grid order, and sweep.json and the summary count the skipped ones. (A sweep directory extended
// with new axis values keeps its points' numbers and numbers the new points after them: sweep.h.)
//
// The command line may add fixed overrides after [set] (`--set KEY=VALUE`) and replace the designs
// (`--design NAME`); they are part of the spec from then on (SweepCommandLine, recorded in sweep.json).
//
// The whole spec is checked when it is loaded, and every problem is reported at once like a
// configuration error, "FILE:LINE:COL: error: what (did you mean ...)": unknown keys, each [set] entry
// and each axis value tried on the base (at the value's own position; a misspelt choice such as
// vms.affinity = "floatin" gets a suggestion), each design name against the designs of the base's
// scenario. A combination of valid values that the configuration rejects (a cross-key check) is found
// by resolving every point before anything runs (sweep.h); an invariant violation during a run is a
// failed point, recorded while the sweep goes on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/experiment/config.h"
#include "sim/experiment/sweep_constraint.h"

namespace wakesim::experiment {

struct Config;

struct AxisValue {
  std::string assignment_value;   // the value as `--set key=VALUE` takes it (TOML text)
  std::string display;            // as written in runs.csv: 8, 0.25, poisson(2k/s)
  std::optional<double> numeric;  // a plain number for plotting: 8, 0.25, 2000 (the rate, per second)
};

struct SweepAxis {
  std::vector<std::string> keys;               // one key, or a zipped group
  std::vector<std::vector<AxisValue>> values;  // values[i][k]: the value of keys[k] at step i
  // How figures should scale this axis: "log", "linear", or empty when the spec does not say (`scale =`
  // on a values axis, a range's own scale). Recorded in sweep.json and summary.json ("axes").
  std::string scale;
};

struct SweepPoint {
  int index = 0;
  std::vector<std::pair<std::string, AxisValue>> assignments;  // swept key -> value, in column order
};

// What the command line adds to a spec.
struct SweepCommandLine {
  std::vector<std::string> set;      // `--set KEY=VALUE`, applied after the spec's [set]
  std::vector<std::string> designs;  // `--design NAME`: in place of the spec's designs (empty: the spec's)
  bool operator==(const SweepCommandLine&) const = default;
};

struct SweepSpec {
  std::filesystem::path file;
  std::string text;                           // the file as written
  std::optional<std::filesystem::path> base;  // nullopt: the built-in default workload
  std::vector<std::string> overrides;         // [set] then --set, as "key=value"
  SweepCommandLine command_line;              // the --set and --design included in overrides and designs
  std::vector<std::string> designs;           // --design, else the spec's; empty: the base's
  std::optional<int> replicates;
  std::optional<uint64_t> seed;
  std::vector<SweepAxis> axes;
  std::optional<SweepConstraint> constraint;
  // The metrics of the closing verdict table (`verdict_metrics = [...]`); empty: the scenario's first
  // three headline metrics.
  std::vector<std::string> verdict_metrics;

  std::vector<std::string> swept_keys() const;     // every axis key, in axis order
  std::vector<std::string> set_overrides() const;  // the spec's own [set] (overrides without --set)
  size_t grid_size() const;                        // every combination of the axes
  std::vector<SweepPoint> points() const;          // the combinations the constraint keeps, numbered 0, 1, ...
  size_t point_count() const;                      // points().size()
  // The combinations the constraint rejects, numbered by their position in the grid.
  std::vector<SweepPoint> skipped_points() const;
};

// Parses and checks a spec with the command line's additions. `resolve_base` turns the `base` string
// into a file (a preset name or a path relative to the spec's folder). Throws engine::UserError with
// every problem found, the command line's first ("--set KEY=VALUE: error: ...").
using BaseResolver =
    std::function<std::filesystem::path(const std::string& base, const std::filesystem::path& spec_dir)>;
SweepSpec load_sweep_spec(const std::filesystem::path& file, const BaseResolver& resolve_base,
                          const SweepCommandLine& command_line = {});

// The sweep's base (its `base` file, or the built-in default workload) with `overrides`, each key checked
// but not the combination (a point is checked whole by point_config). Throws engine::UserError.
LoadedConfig load_sweep_base(const SweepSpec& spec, const std::vector<std::string>& overrides);

// The configuration of a point: base, then [set], then the point's values; seed and replicates from
// the spec. Throws engine::UserError (the point fails) for a combination the configuration rejects.
Config point_config(const SweepSpec& spec, const SweepPoint& point);
// The same as "KEY=VALUE" overrides (for messages and for the point's config.toml provenance).
std::vector<std::string> point_overrides(const SweepSpec& spec, const SweepPoint& point);

// What a stored point is matched by when a sweep is resumed or extended: its values (as `--set` takes
// them) in swept-key order.
std::vector<std::string> point_key(const SweepPoint& point);

// What identifies a sweep's results, so that runs of different sweeps never mix: the base with [set],
// --set and the seed resolved, the swept keys in order, and the constraint. Not the axes' values, the
// designs or the replicate count (adding values, designs or replicates extends a sweep: sweep.h), and
// not how it is run (--jobs, --shard). A 16-hex-digit FNV-1a digest.
std::string sweep_identity(const SweepSpec& spec);

}  // namespace wakesim::experiment
