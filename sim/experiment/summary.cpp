#include "sim/experiment/summary.h"

#include <map>

namespace wakesim::experiment {

std::vector<MetricSummary> summarize(const ExperimentResult& result) {
  std::vector<MetricSummary> out;
  for (const std::string& design : result.designs) {
    std::vector<std::string> order;
    std::map<std::string, std::pair<std::string, std::vector<double>>> values;  // metric -> (unit, samples)
    for (const RunRecord& run : result.runs) {
      if (run.design != design || !run.error.empty()) continue;
      for (const Metric& m : run.result.metrics) {
        auto [it, inserted] = values.try_emplace(m.name, m.unit, std::vector<double>{});
        if (inserted) order.push_back(m.name);
        it->second.second.push_back(m.value);
      }
    }
    for (const std::string& name : order) {
      const auto& [unit, samples] = values[name];
      out.push_back(MetricSummary{design, name, unit, stats::mean_ci(samples)});
    }
  }
  return out;
}

}  // namespace wakesim::experiment
