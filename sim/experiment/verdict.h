// A verdict on every comparison: does a design differ from the reference design on a metric, by how
// much, and is the difference real once the number of comparisons shown is accounted for?
//
// Each comparison is a t-test of "mean difference = 0" (sim/stats/hypothesis_test.h): paired on the
// replicates when they share seeds (common random numbers: replicate r of every design uses the same
// seed, runner.h), Welch's otherwise (`wakesim compare` of two directories whose seeds differ). The
// p-values of one table (its family: every comparison the table shows) are adjusted with
// Holm-Bonferroni, which bounds the chance of any false "significant" in the table at alpha = 0.05
// whatever the dependence between the metrics. A comparison is significant when its adjusted p-value is
// below alpha. With one replicate there is no verdict; a difference that is exactly 0 in every replicate
// (identical designs, a counter that is always 0) has p = 1.
//
// The difference is design - reference, in the metric's unit; `relative` is difference / reference
// mean. Text cells: "= (n.s.)", "? (no verdict: n=1)", or "-6.4us (-8.7%) [-10.2us, -2.5us] p_adj=0.003".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/experiment/runner.h"
#include "sim/stats/hypothesis_test.h"

namespace wakesim::experiment {

inline constexpr double kVerdictAlpha = 0.05;
inline constexpr const char* kVerdictCorrection = "holm";
inline constexpr const char* kVerdictCorrectionText = "Holm-Bonferroni";

enum class Pairing : uint8_t {
  kPaired,  // replicates share seeds (CRN): paired t-test on the per-replicate differences
  kWelch,   // independent samples: Welch's t-test
};
const char* to_string(Pairing pairing);  // "paired-t", "welch-t"

struct Verdict {
  int point = -1;           // sweep point index; -1 otherwise
  std::string point_label;  // "p0003 poisson(4k/s)", capacity's "vms.count=8"; empty for a single run
  std::string design;       // the design compared with the reference
  std::string reference;    // the reference design (or, for `compare`, the first directory's name)
  std::string metric;
  std::string unit;
  Pairing pairing = Pairing::kPaired;
  double reference_mean = 0;
  double design_mean = 0;
  stats::TestResult test;    // difference = design - reference, its 95% CI and the raw p-value
  double relative = 0;       // difference / reference_mean; NaN when the reference mean is 0
  double p_adjusted = 0;     // Holm-adjusted over the table's family; NaN: no verdict
  bool significant = false;  // p_adjusted < alpha
};

// The comparisons of one table, corrected together.
struct VerdictTable {
  std::string reference;
  std::vector<std::string> metrics;  // the metrics compared, in display order
  std::vector<Verdict> rows;
  double alpha = kVerdictAlpha;
};

// One comparison of two samples of a metric; `design_values` and `reference_values` are per replicate
// and, when paired, in the same replicate order. p_adjusted is left to correct().
Verdict compare_samples(std::span<const double> design_values, std::span<const double> reference_values,
                        Pairing pairing);

// Every design other than `reference` against it, on `metrics` (every metric the runs report when
// empty), paired by replicate. Replicates where either run failed are left out. Rows are in design
// order, then metric order; each gets `point` and `point_label`.
std::vector<Verdict> design_verdicts(const ExperimentResult& result, const std::string& reference,
                                     const std::vector<std::string>& metrics, int point = -1,
                                     const std::string& point_label = {});

// Holm-adjusts the rows' p-values together and marks the significant ones.
void correct(VerdictTable& table);

// The metrics the successful runs report, in first-reported order.
std::vector<std::string> reported_metrics(const ExperimentResult& result);

// The verdict table of one run (`wakesim run`, a sweep point's summary.json): every design against
// `reference` on the headline metrics (all reported metrics when `headline` is empty), corrected as
// one family.
VerdictTable run_verdicts(const ExperimentResult& result, const std::string& reference,
                          const std::vector<std::string>& headline);

// The metrics a sweep's verdict table shows: the first `limit` headline metrics (or of `reported`,
// the metrics the runs report, when the scenario names no headline metrics).
std::vector<std::string> verdict_metrics(const std::vector<std::string>& headline,
                                         const std::vector<std::string>& reported, size_t limit);

// "= (n.s.)", "? (no verdict: n=1)", or "-6.4us (-8.7%) [-10.2us, -2.5us] p_adj=0.003".
std::string verdict_cell(const Verdict& v);
// "higher", "lower", "n.s." or "no verdict".
std::string verdict_word(const Verdict& v);

// One line saying what was tested and corrected: "paired t-test over replicates with common seeds
// (CRN), Holm-Bonferroni over 54 comparisons, alpha 0.05".
std::string verdict_method_line(const VerdictTable& table);

// The line under a verdict table: how to read a cell, and how many comparisons are significant.
// `relative_to` names what the relative size is relative to ("the reference", "A").
std::string verdict_legend(const VerdictTable& table, const std::string& relative_to = "the reference");

// A table with one row per (point,) metric and one column per compared design.
std::string format_verdicts_by_metric(const VerdictTable& table);
// A table with one row per point and design and one column per metric (the sweep's closing table).
std::string format_verdicts_by_point(const VerdictTable& table);

// summary.json's "verdicts": {"reference", "test", "correction", "alpha", "comparisons", "metrics",
// "rows": [{"point"?, "design", "metric", "unit", "test", "n", "reference_mean", "design_mean",
// "difference", "ci95_low", "ci95_high", "relative", "p", "p_adjusted", "significant", "verdict"}]}.
nlohmann::ordered_json verdicts_json(const VerdictTable& table);

}  // namespace wakesim::experiment
