// Aggregates over replicates: for every (design, metric) the mean and its 95% confidence interval
// (Student t across independent replicates, reference/hw-params.md §2.3).
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "sim/experiment/runner.h"
#include "sim/stats/confidence.h"

namespace wakesim::experiment {

struct MetricSummary {
  std::string design;
  std::string metric;
  std::string unit;
  stats::ConfidenceInterval ci;
  // Paired differences only: the two-sided p-value of the paired t-test of "mean difference = 0"
  // (stats::paired_t_test; NaN with fewer than 2 pairs, 1 when every difference is exactly 0).
  double p = std::numeric_limits<double>::quiet_NaN();
};

// In design order, then in the order the scenario reports its metrics. Failed runs are left out.
std::vector<MetricSummary> summarize(const ExperimentResult& result);

// The design others are compared with: single-lock (upstream) when it ran, else the first.
std::string reference_design(const std::vector<std::string>& designs);
// `requested` (--reference) when it is one of `designs`, the default above when it is empty; throws
// engine::UserError naming the designs otherwise.
std::string reference_design(const std::vector<std::string>& designs, const std::string& requested);

// Paired differences under common random numbers: for every other design and metric, the mean over
// replicates of (design - reference) with its 95% interval (Student t on the per-replicate
// differences; reference/hw-params.md §2.1: CRN runs are paired, not pooled) and the paired t-test's
// p-value. `design` holds the compared design, `ci` the difference. Replicates where either run failed are left out.
std::vector<MetricSummary> paired_differences(const ExperimentResult& result, const std::string& reference);

}  // namespace wakesim::experiment
