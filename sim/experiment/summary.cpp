#include "sim/experiment/summary.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "sim/engine/errors.h"
#include "sim/stats/hypothesis_test.h"

namespace wakesim::experiment {

std::vector<MetricSummary> summarize(const ExperimentResult& result) {
  std::vector<MetricSummary> out;
  for (const std::string& design : result.designs) {
    std::vector<std::string> order;
    std::map<std::string, std::pair<std::string, std::vector<double>>> values;  // metric -> (unit, samples)
    for (const RunRecord& run : result.runs) {
      if (run.design != design || run.failed()) continue;
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

std::string reference_design(const std::vector<std::string>& designs) {
  for (const std::string& d : designs)
    if (d == "single-lock") return d;
  return designs.empty() ? std::string() : designs.front();
}

std::string reference_design(const std::vector<std::string>& designs, const std::string& requested) {
  if (requested.empty()) return reference_design(designs);
  if (std::find(designs.begin(), designs.end(), requested) != designs.end()) return requested;
  std::string known;
  for (const std::string& d : designs) known += (known.empty() ? "" : ", ") + d;
  throw engine::UserError(
      fmt::format("--reference {}: error: not one of the designs compared ({}); choose one of them", requested, known));
}

std::vector<MetricSummary> paired_differences(const ExperimentResult& result, const std::string& reference) {
  // (design, replicate) -> metric -> value
  std::map<std::pair<std::string, int>, std::map<std::string, const Metric*>> values;
  for (const RunRecord& run : result.runs) {
    if (run.failed()) continue;
    auto& m = values[{run.design, run.replicate}];
    for (const Metric& metric : run.result.metrics) m[metric.name] = &metric;
  }
  std::vector<MetricSummary> out;
  for (const std::string& design : result.designs) {
    if (design == reference) continue;
    std::vector<std::string> order;
    std::map<std::string, std::pair<std::string, std::vector<double>>> diffs;
    for (const RunRecord& run : result.runs) {
      if (run.design != design || run.failed()) continue;
      auto ref = values.find({reference, run.replicate});
      if (ref == values.end()) continue;
      for (const Metric& metric : run.result.metrics) {
        auto other = ref->second.find(metric.name);
        if (other == ref->second.end()) continue;
        auto [it, inserted] = diffs.try_emplace(metric.name, metric.unit, std::vector<double>{});
        if (inserted) order.push_back(metric.name);
        it->second.second.push_back(metric.value - other->second->value);
      }
    }
    for (const std::string& name : order) {
      const auto& [unit, d] = diffs[name];
      const std::vector<double> zeros(d.size(), 0.0);
      out.push_back(MetricSummary{design, name, unit, stats::mean_ci(d), stats::paired_t_test(d, zeros).p});
    }
  }
  return out;
}

}  // namespace wakesim::experiment
