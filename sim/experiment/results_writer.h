// Writes a results directory (shared/DESIGN.md §9). Every file is written atomically.
//   config.toml     the resolved configuration: `wakesim run DIR/config.toml` repeats the run
//   manifest.json   resolved config, seed, designs, version and git revision, host, start/end time
//   summary.json    one record per design x replicate, plus per-design aggregates with 95% CIs
//   runs.csv        tidy: one row per design x replicate, one column per metric; first the derived
//                   keys of the configuration (derived_keys.h: vms.vcpus_per_pcpu, the achieved ratio)
//   histograms/DESIGN/NAME.csv   latency histograms merged over replicates: lower_ns,upper_ns,count
//   TABLE.csv       tables the scenario produces (irq_off.csv per pCPU, locks.csv lockstat-style), with
//                   design and replicate columns
//   metrics.json    the declarations (metric_registry.h) of every metric, histogram and table above:
//                   name, unit, kind, help. Every file names a metric exactly as it is declared; units
//                   are in metrics.json and in the unit columns, never in a name.
//   summary.json also holds paired differences against the reference design (CRN), run warnings and,
//                   with more than one design, "verdicts" (verdict.h): per design x headline metric the
//                   paired t-test against the reference, Holm-corrected over that family
//   timings.csv     wall-clock seconds, events/s and the process's peak memory per run (the files that
//                   differ between identical runs are this and manifest.json's host and times; the
//                   rest is byte-identical for the same config and seed)
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "sim/experiment/config.h"
#include "sim/experiment/runner.h"

namespace wakesim::experiment {

struct RunContext {
  std::string command_line;
  std::string config_source;
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  int jobs = 0;
  std::string reference;  // --reference: the design others are compared with (empty: the default)
};

inline constexpr int kSummarySchemaVersion = 1;

// The summary.json document (also what `wakesim run --json` prints); `reference` as for
// reference_design (summary.h): empty for the default.
std::string summary_json(const Config& config, const ExperimentResult& result, const std::string& reference = {});
// `keys`: columns written first, with one value for every row (the derived keys and their values).
std::string runs_csv(const ExperimentResult& result, const std::vector<std::pair<std::string, std::string>>& keys = {});

void write_results(const std::filesystem::path& dir, const Config& config, const ExperimentResult& result,
                   const RunContext& context);
// The deterministic part alone (config.toml, summary.json, runs.csv, histograms/, tables): what a sweep
// writes for each of its points.
void write_run_files(const std::filesystem::path& dir, const Config& config, const ExperimentResult& result,
                     const std::string& reference = {});

// The names a results directory uses, per scenario, for its metrics.json.
struct UsedNames {
  std::string scenario;
  std::vector<std::string> metrics;
  std::vector<std::string> histograms;
  std::vector<std::string> tables;
};
// metrics.json: the scenarios' declarations of these names, in the shape of `wakesim list metrics --json`.
std::string used_metrics_json(const std::vector<UsedNames>& used);
// A CSV field, quoted when it holds a comma, a quote or a newline.
std::string csv_field(const std::string& text);

}  // namespace wakesim::experiment
