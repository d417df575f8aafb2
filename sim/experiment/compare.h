// `wakesim compare A B`: the same verdicts as `run` and `sweep` print (verdict.h), between two results
// directories instead of between designs: for every point (a sweep's swept values; a run directory is
// one point), design and metric that both hold, the difference B - A with its 95% CI, relative size
// (difference / A's mean), p-value and Holm-adjusted p-value over the whole table.
//
// Like Google Benchmark's compare.py, but a comparison is paired when it can be: when A and B ran the
// same replicate indices with the same seeds (same run.seed), replicate r of A and of B saw the same
// random numbers (CRN) and the test is a paired t-test on the per-replicate differences; otherwise the
// samples are independent and the test is Welch's. Each row says which was used.
//
// Points are matched by their swept values ("vms.count=8"), so two sweeps over different grids compare
// where they overlap. Metrics are named as the metric registry declares them (metric_registry.h; each
// directory's metrics.json); the default is the scenario's headline metrics.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/experiment/verdict.h"

namespace wakesim::experiment {

struct CompareOptions {
  std::vector<std::string> metrics;  // empty: the scenario's headline metrics (all, if it names none)
  std::vector<std::string> designs;  // empty: every design both directories ran
};

struct Comparison {
  std::filesystem::path a, b;
  std::string scenario;
  VerdictTable table;              // design = the design compared; difference = B - A
  std::vector<std::string> notes;  // points or designs only one directory holds
};

// Throws engine::UserError for a directory that is not a run or sweep results directory, for two
// directories of different scenarios or kinds, and for an unknown metric or design.
Comparison compare_results(const std::filesystem::path& a, const std::filesystem::path& b,
                           const CompareOptions& options);

std::string format_comparison(const Comparison& comparison);
// {"a", "b", "scenario", "difference": "B - A", "verdicts": verdicts_json's shape with a_mean and b_mean
// for reference_mean and design_mean, "notes"}.
nlohmann::ordered_json comparison_json(const Comparison& comparison);

}  // namespace wakesim::experiment
