#include "sim/experiment/results_writer.h"

#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/config/loader.h"
#include "sim/experiment/atomic_file.h"
#include "sim/experiment/derived_keys.h"
#include "sim/experiment/json_number.h"
#include "sim/experiment/metric_registry.h"
#include "sim/experiment/provenance.h"
#include "sim/experiment/scenario.h"
#include "sim/experiment/summary.h"
#include "sim/experiment/timings.h"
#include "sim/experiment/verdict.h"

namespace wakesim::experiment {
namespace {

using Json = nlohmann::ordered_json;

void write_provenance(const std::filesystem::path& dir, const Config& config, const ExperimentResult& result,
                      const RunContext& context);

}  // namespace

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string used_metrics_json(const std::vector<UsedNames>& used) {
  std::vector<MetricDeclarations> subsets;
  subsets.reserve(used.size());
  std::vector<ScenarioMetrics> groups;
  for (const UsedNames& u : used) {
    const ScenarioEntry* entry = find_scenario(u.scenario);
    if (entry == nullptr) continue;
    subsets.push_back(used_declarations(entry->make()->metrics(), u.metrics, u.histograms, u.tables));
    groups.push_back(ScenarioMetrics{u.scenario, entry->help, &subsets.back()});
  }
  return metrics_json(groups);
}

std::string summary_json(const Config& config, const ExperimentResult& result, const std::string& requested_reference) {
  Json doc;
  doc["schema_version"] = kSummarySchemaVersion;
  doc["scenario"] = config.scenario;
  doc["designs"] = result.designs;
  doc["seed"] = config.run.seed;
  doc["replicates"] = config.run.replicates;
  doc["failures"] = result.failures();
  // "complete", or "partial" / "failed" when some / every run failed: a directory of failed runs says so.
  doc["status"] = result.failures() == 0 ? "complete" : result.failures() == result.runs.size() ? "failed" : "partial";
  Json runs = Json::array();
  for (const RunRecord& r : result.runs) {
    Json run;
    run["design"] = r.design;
    run["replicate"] = r.replicate;
    run["seed"] = r.seed;
    if (!r.error.empty()) {
      run["error"] = r.error;
    } else {
      Json metrics;
      for (const Metric& m : r.result.metrics) metrics[m.name] = finite_or_null(m.value);
      run["metrics"] = std::move(metrics);
      run["events"] = r.result.events;
      if (!r.result.warnings.empty()) run["warnings"] = r.result.warnings;
    }
    runs.push_back(std::move(run));
  }
  doc["runs"] = std::move(runs);
  Json aggregates = Json::array();
  for (const MetricSummary& s : summarize(result)) {
    aggregates.push_back(Json{{"design", s.design},
                              {"metric", s.metric},
                              {"unit", s.unit},
                              {"n", s.ci.n},
                              {"mean", finite_or_null(s.ci.mean)},
                              {"ci95_low", finite_or_null(s.ci.lo)},
                              {"ci95_high", finite_or_null(s.ci.hi)},
                              {"ci95_half_width", finite_or_null(s.ci.half_width)}});
  }
  doc["aggregates"] = std::move(aggregates);
  const std::string reference = reference_design(result.designs, requested_reference);
  Json paired = Json::array();
  for (const MetricSummary& s : paired_differences(result, reference)) {
    paired.push_back(Json{{"design", s.design},
                          {"reference", reference},
                          {"metric", s.metric},
                          {"unit", s.unit},
                          {"n", s.ci.n},
                          {"mean_difference", finite_or_null(s.ci.mean)},
                          {"ci95_low", finite_or_null(s.ci.lo)},
                          {"ci95_high", finite_or_null(s.ci.hi)},
                          {"p", finite_or_null(s.p)}});
  }
  doc["paired_differences"] = std::move(paired);
  if (result.designs.size() > 1) {
    const ScenarioEntry* entry = find_scenario(config.scenario);
    const std::vector<std::string> headline = entry ? entry->make()->headline_metrics() : std::vector<std::string>{};
    doc["verdicts"] = verdicts_json(run_verdicts(result, reference, headline));
  }
  return doc.dump(2) + "\n";
}

std::string runs_csv(const ExperimentResult& result, const std::vector<std::pair<std::string, std::string>>& keys) {
  std::vector<std::string> columns;
  std::map<std::string, bool> seen;
  for (const RunRecord& r : result.runs)
    for (const Metric& m : r.result.metrics)
      if (!seen[m.name]) seen[m.name] = true, columns.push_back(m.name);
  std::string out, key_cells;
  for (const auto& [key, value] : keys) out += csv_field(key) + ",", key_cells += csv_field(value) + ",";
  out += "design,replicate,seed,error,events";
  for (const std::string& c : columns) out += "," + csv_field(c);
  out += "\n";
  for (const RunRecord& r : result.runs) {
    out += fmt::format("{}{},{},{},{},{}", key_cells, csv_field(r.design), r.replicate, r.seed, csv_field(r.error),
                       r.result.events);
    std::map<std::string, double> values;
    for (const Metric& m : r.result.metrics) values[m.name] = m.value;
    for (const std::string& c : columns) {
      auto it = values.find(c);
      out += it == values.end() ? "," : fmt::format(",{}", it->second);
    }
    out += "\n";
  }
  return out;
}

void write_results(const std::filesystem::path& dir, const Config& config, const ExperimentResult& result,
                   const RunContext& context) {
  write_run_files(dir, config, result, context.reference);
  write_provenance(dir, config, result, context);
}

void write_run_files(const std::filesystem::path& dir, const Config& config, const ExperimentResult& result,
                     const std::string& reference) {
  write_file_atomically(dir / "config.toml", config::to_toml(config));
  write_file_atomically(dir / "summary.json", summary_json(config, result, reference));
  write_file_atomically(dir / "runs.csv", runs_csv(result, derived_values(config)));

  UsedNames used{config.scenario, {}, {}, {}};
  std::set<std::string> seen_metrics, seen_histograms;
  for (const RunRecord& r : result.runs)
    for (const Metric& m : r.result.metrics)
      if (seen_metrics.insert(m.name).second) used.metrics.push_back(m.name);
  for (const std::string& design : result.designs) {
    std::map<std::string, stats::LatencyHistogram> merged;
    std::vector<std::string> order;
    for (const RunRecord& r : result.runs) {
      if (r.design != design || !r.error.empty()) continue;
      for (const auto& [name, h] : r.result.histograms) {
        if (!merged.contains(name)) order.push_back(name);
        merged[name] += h;
      }
    }
    for (const std::string& name : order) {
      if (seen_histograms.insert(name).second) used.histograms.push_back(name);
      std::string csv = "lower_ns,upper_ns,count\n";
      for (const auto& b : merged[name].buckets())
        csv += fmt::format("{},{},{}\n", static_cast<double>(b.lower_ps) / 1e3,
                           static_cast<double>(b.upper_ps + 1) / 1e3, b.count);
      write_file_atomically(dir / "histograms" / design / (name + ".csv"), csv);
    }
  }

  // Tables: one CSV each, all runs stacked.
  std::map<std::string, std::string> tables;
  for (const RunRecord& r : result.runs) {
    if (!r.error.empty()) continue;
    for (const auto& [name, table] : r.result.tables) {
      std::string& csv = tables[name];
      if (csv.empty()) {
        csv = "design,replicate";
        for (const std::string& c : table.columns) csv += "," + csv_field(c);
        csv += "\n";
      }
      for (const auto& row : table.rows) {
        csv += csv_field(r.design) + "," + std::to_string(r.replicate);
        for (const std::string& cell : row) csv += "," + csv_field(cell);
        csv += "\n";
      }
    }
  }
  for (const auto& [name, csv] : tables) {
    write_file_atomically(dir / (name + ".csv"), csv);
    used.tables.push_back(name);
  }
  write_file_atomically(dir / "metrics.json", used_metrics_json({used}));
}

namespace {
void write_provenance(const std::filesystem::path& dir, const Config& config, const ExperimentResult& result,
                      const RunContext& context) {
  std::string timings = std::string(kTimingsHeader) + "\n";
  for (const RunRecord& r : result.runs) timings += timings_row(r);
  write_file_atomically(dir / "timings.csv", timings);

  Json manifest;
  manifest["command_line"] = context.command_line;
  manifest["config_source"] = context.config_source;
  manifest["scenario"] = config.scenario;
  manifest["designs"] = result.designs;
  manifest["seed"] = config.run.seed;
  manifest["replicates"] = config.run.replicates;
  manifest["replicate_seeds"] = Json::array();
  for (int r = 0; r < config.run.replicates; ++r)
    manifest["replicate_seeds"].push_back(replicate_seed(config.run.seed, r));
  manifest["resolved_config"] = config::to_toml(config);
  add_provenance(manifest, context.jobs, context.start, context.end);
  manifest["failures"] = result.failures();
  write_file_atomically(dir / "manifest.json", manifest.dump(2) + "\n");
}
}  // namespace

}  // namespace wakesim::experiment
