// Aggregates over replicates: for every (design, metric) the mean and its 95% confidence interval
// (Student t across independent replicates, reference/hw-params.md §2.3).
#pragma once

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
};

// In design order, then in the order the scenario reports its metrics. Failed runs are left out.
std::vector<MetricSummary> summarize(const ExperimentResult& result);

}  // namespace wakesim::experiment
