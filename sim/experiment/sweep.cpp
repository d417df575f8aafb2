#include "sim/experiment/sweep.h"

#include <fstream>
#include <sys/resource.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "sim/config/loader.h"
#include "sim/engine/errors.h"
#include "sim/experiment/atomic_file.h"
#include "sim/experiment/config.h"
#include "sim/experiment/derived_keys.h"
#include "sim/experiment/progress.h"
#include "sim/experiment/provenance.h"
#include "sim/experiment/report.h"
#include "sim/experiment/scenario.h"
#include "sim/experiment/results_writer.h"
#include "sim/experiment/run_store.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/summary.h"
#include "sim/experiment/verdict.h"

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using engine::UserError;

constexpr int kSweepSchemaVersion = 1;

// What sweep.json records: everything needed to aggregate the stored runs without the spec.
struct SweepMeta {
  std::string identity;
  std::vector<std::string> designs;
  int replicates = 1;
  uint64_t seed = 1;
  std::vector<std::string> swept_keys;
  struct Axis {
    std::vector<std::string> keys;  // one key, or a zipped group
    std::string scale;              // "log", "linear", or empty: the spec does not say
  };
  std::vector<Axis> axes;  // in spec order; read from an older sweep.json: one per swept key
  std::vector<std::string> verdict_metrics;  // the spec's; empty: the first headline metrics
  std::vector<std::string> numeric_keys;  // swept keys whose values are not plain numbers but hold one
  std::vector<std::string> derived_keys;  // derived keys (derived_keys.h) not swept: columns after the swept keys
  size_t skipped_points = 0;              // combinations of the axes the spec's constraint rejects
  size_t points = 0;
  std::optional<Shard> shard;
  bool contains(int point) const { return !shard || shard->contains(point); }
};

struct PointInfo {
  int index = 0;
  struct Value {
    std::string key, display;
    std::optional<double> numeric;
  };
  std::vector<Value> values;
  std::vector<std::string> overrides;
  std::vector<std::string> designs;
  std::string config_toml;  // the resolved configuration; empty when it failed to load
  std::vector<std::pair<std::string, std::string>> derived;  // derived key -> achieved value (derived_keys.h)
  std::string error;        // why the point's configuration was rejected
};

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: error: cannot read", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Json read_json(const fs::path& file) {
  try {
    return Json::parse(read_text(file));
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: error: not valid JSON ({})", file.string(), e.what()));
  }
}

std::string point_name(int index) { return fmt::format("p{:04}", index); }
fs::path point_dir(const fs::path& out, int index) { return out / "points" / point_name(index); }

std::string shard_text(const std::optional<Shard>& s) { return s ? fmt::format("{}/{}", s->index, s->count) : ""; }

Json meta_json(const SweepMeta& m) {
  Json j;
  j["schema_version"] = kSweepSchemaVersion;
  j["kind"] = "sweep";
  j["identity"] = m.identity;
  j["designs"] = m.designs;
  j["replicates"] = m.replicates;
  j["seed"] = m.seed;
  j["swept_keys"] = m.swept_keys;
  Json axes = Json::array();
  for (const SweepMeta::Axis& a : m.axes)
    axes.push_back(Json{{"keys", a.keys}, {"scale", a.scale.empty() ? Json(nullptr) : Json(a.scale)}});
  j["axes"] = std::move(axes);
  j["verdict_metrics"] = m.verdict_metrics;
  j["numeric_keys"] = m.numeric_keys;
  j["derived_keys"] = m.derived_keys;
  j["skipped_points"] = m.skipped_points;
  j["points"] = m.points;
  j["shard"] = m.shard ? Json(shard_text(m.shard)) : Json(nullptr);
  return j;
}

SweepMeta meta_from(const Json& j, const fs::path& where) {
  try {
    if (j.at("kind").get<std::string>() != "sweep" || j.at("schema_version").get<int>() != kSweepSchemaVersion)
      throw UserError(fmt::format("{}: error: not a wakesim sweep of schema {}", where.string(), kSweepSchemaVersion));
    SweepMeta m;
    m.identity = j.at("identity").get<std::string>();
    m.designs = j.at("designs").get<std::vector<std::string>>();
    m.replicates = j.at("replicates").get<int>();
    m.seed = j.at("seed").get<uint64_t>();
    m.swept_keys = j.at("swept_keys").get<std::vector<std::string>>();
    if (j.contains("axes")) {
      for (const Json& a : j.at("axes"))
        m.axes.push_back({a.at("keys").get<std::vector<std::string>>(),
                          a.at("scale").is_null() ? std::string() : a.at("scale").get<std::string>()});
    } else {
      for (const std::string& k : m.swept_keys) m.axes.push_back({{k}, {}});
    }
    m.verdict_metrics = j.value("verdict_metrics", std::vector<std::string>{});
    m.numeric_keys = j.at("numeric_keys").get<std::vector<std::string>>();
    m.derived_keys = j.value("derived_keys", std::vector<std::string>{});
    m.skipped_points = j.value("skipped_points", size_t{0});
    m.points = j.at("points").get<size_t>();
    if (!j.at("shard").is_null()) m.shard = parse_shard(j.at("shard").get<std::string>());
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: error: not a wakesim sweep description ({})", where.string(), e.what()));
  }
}

Json point_json(const PointInfo& p) {
  Json derived = Json::object();
  for (const auto& [key, value] : p.derived) derived[key] = value;
  Json values = Json::array();
  for (const PointInfo::Value& v : p.values)
    values.push_back(Json{{"key", v.key}, {"value", v.display}, {"numeric", v.numeric ? Json(*v.numeric) : Json(nullptr)}});
  return Json{{"point", p.index},     {"values", std::move(values)}, {"overrides", p.overrides},
              {"designs", p.designs}, {"error", p.error},            {"config", p.config_toml},
              {"derived", derived}};
}

PointInfo point_from(const Json& j, const fs::path& where) {
  try {
    PointInfo p;
    p.index = j.at("point").get<int>();
    for (const Json& v : j.at("values"))
      p.values.push_back({v.at("key").get<std::string>(), v.at("value").get<std::string>(),
                          v.at("numeric").is_null() ? std::nullopt : std::optional<double>(v.at("numeric").get<double>())});
    p.overrides = j.at("overrides").get<std::vector<std::string>>();
    p.designs = j.at("designs").get<std::vector<std::string>>();
    p.error = j.at("error").get<std::string>();
    p.config_toml = j.at("config").get<std::string>();
    if (j.contains("derived"))
      for (const auto& [key, value] : j.at("derived").items()) p.derived.emplace_back(key, value.get<std::string>());
    return p;
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: error: not a sweep point description ({})", where.string(), e.what()));
  }
}

PointInfo prepare_point(const SweepSpec& spec, const SweepPoint& point, Config* config_out) {
  PointInfo info;
  info.index = point.index;
  for (const auto& [key, value] : point.assignments) info.values.push_back({key, value.display, value.numeric});
  info.overrides = point_overrides(spec, point);
  try {
    Config config = point_config(spec, point);
    info.designs = resolve_designs(config);
    info.config_toml = config::to_toml(config);
    info.derived = derived_values(config);
    if (config_out != nullptr) *config_out = std::move(config);
  } catch (const UserError& e) {
    info.error = e.what();
  }
  return info;
}

// A point's configuration rebuilt from its resolved TOML (no validation: it was validated when run).
Config config_from_toml(const std::string& text, int replicates) {
  Config c;
  for (config::Keys keys : {config::Keys::kPresetsOnly, config::Keys::kAllButPresets})
    config::apply_text(Config::schema().info(), &c, text, "point.json", keys);
  c.run.replicates = replicates;
  return c;
}

std::string numeric_text(double v) { return fmt::format("{}", v); }

bool is_internal(const std::string& error) {
  return error.starts_with("internal error") || error.starts_with("invariant violated");
}

std::string point_label(const PointInfo& p) {
  std::string s;
  for (const PointInfo::Value& v : p.values) s += fmt::format("{}{}={}", s.empty() ? "" : ", ", v.key, v.display);
  return fmt::format("point {}{}", p.index, s.empty() ? "" : " (" + s + ")");
}

Json number_json(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

// The metrics of the sweep's closing verdict table: the scenario's first three headline metrics.
constexpr size_t kVerdictMetrics = 3;

// Reads every stored run of the directory's points and writes the results files. `requested_reference`
// (--reference) is the design others are compared with wherever it ran; empty: the default.
SweepOutcome aggregate(const fs::path& out, const SweepMeta& meta, const std::string& command_line,
                       std::chrono::system_clock::time_point start, int jobs, const std::string& requested_reference) {
  SweepOutcome outcome;
  outcome.out = out;
  outcome.skipped_points = meta.skipped_points;
  // Column heads shared by runs.csv, aggregates.csv and failures.csv.
  std::string key_heads;
  for (const std::string& k : meta.swept_keys) key_heads += "," + csv_field(k);
  for (const std::string& k : meta.numeric_keys) key_heads += "," + csv_field(k + "#value");
  for (const std::string& k : meta.derived_keys) key_heads += "," + csv_field(k);
  auto key_cells = [&](const PointInfo& p) {
    std::string cells;
    for (const std::string& k : meta.swept_keys) {
      std::string cell;
      for (const PointInfo::Value& v : p.values)
        if (v.key == k) cell = v.display;
      cells += "," + csv_field(cell);
    }
    for (const std::string& k : meta.numeric_keys) {
      std::string cell;
      for (const PointInfo::Value& v : p.values)
        if (v.key == k && v.numeric) cell = numeric_text(*v.numeric);
      cells += "," + cell;
    }
    for (const std::string& k : meta.derived_keys) {
      std::string cell;
      for (const auto& [key, value] : p.derived)
        if (key == k) cell = value;
      cells += "," + csv_field(cell);
    }
    return cells;
  };

  struct RunRow {
    std::string prefix;
    std::map<std::string, double> values;
  };
  // What one point contributes; points are read and written in parallel, then joined in point order.
  struct PointOutput {
    bool present = false, failed = false, missing = false, internal = false;
    size_t runs = 0, failed_runs = 0;
    std::vector<std::string> failure_lines, metric_columns, headline;
    std::string scenario;  // empty when the point's configuration was rejected
    std::string aggregate_rows, failure_rows, timing_rows;
    std::vector<RunRow> run_table;
    Json values, runs_json = Json::array(), aggregates = Json::array(), paired = Json::array();
    std::vector<std::string> table_row;
    std::vector<Verdict> verdicts;
    std::vector<std::string> verdict_metrics;
  };
  auto process = [&](int i, PointOutput& po) {
    const fs::path dir = point_dir(out, i);
    if (!fs::exists(dir / "point.json")) return;
    po.present = true;
    const PointInfo p = point_from(read_json(dir / "point.json"), dir / "point.json");
    po.values = Json::object();
    for (const PointInfo::Value& v : p.values) po.values[v.key] = v.display;

    ExperimentResult result;
    result.designs = p.designs.empty() ? meta.designs : p.designs;
    for (const std::string& design : result.designs) {
      for (int r = 0; r < meta.replicates; ++r) {
        std::optional<RunRecord> record = load_run(dir, design, r);
        if (!record) {
          po.missing = true;
          continue;
        }
        ++po.runs;
        if (!record->error.empty()) {
          po.failed = true;
          ++po.failed_runs;
          po.internal = po.internal || is_internal(record->error);
          po.failure_lines.push_back(fmt::format("{} {} r{}: {}", point_label(p), design, r, record->error));
          po.failure_rows += fmt::format("{}{},{},{},{}\n", i, key_cells(p), csv_field(design), r, csv_field(record->error));
        }
        po.timing_rows += fmt::format("{},{},{},{},{:.6f},{:.0f},{}\n", i, csv_field(design), r, record->result.events,
                                      record->result.wall_seconds,
                                      record->result.wall_seconds > 0 ? record->result.events / record->result.wall_seconds : 0.0,
                                      record->result.peak_rss_bytes);
        result.runs.push_back(std::move(*record));
      }
    }
    std::set<std::string> seen;
    for (const RunRecord& r : result.runs) {
      RunRow row;
      row.prefix = fmt::format("{}{},{},{},{},{},{}", i, key_cells(p), csv_field(r.design), r.replicate, r.seed,
                               csv_field(r.error), r.result.events);
      Json metrics = Json::object();
      for (const Metric& m : r.result.metrics) {
        if (seen.insert(m.name).second) po.metric_columns.push_back(m.name);
        row.values[m.name] = m.value;
        metrics[m.name] = number_json(m.value);
      }
      po.run_table.push_back(std::move(row));
      Json run{{"point", i}, {"design", r.design}, {"replicate", r.replicate}, {"seed", r.seed}};
      if (!r.error.empty()) run["error"] = r.error;
      else run["metrics"] = std::move(metrics), run["events"] = r.result.events;
      po.runs_json.push_back(std::move(run));
    }
    const std::vector<MetricSummary> summaries = summarize(result);
    std::optional<Config> config;
    if (!p.config_toml.empty()) config = config_from_toml(p.config_toml, meta.replicates);
    if (config) {
      po.scenario = config->scenario;
      if (const ScenarioEntry* e = find_scenario(config->scenario)) po.headline = e->make()->headline_metrics();
    }
    const std::string reference =
        std::find(result.designs.begin(), result.designs.end(), requested_reference) != result.designs.end()
            ? requested_reference
            : reference_design(result.designs);
    po.verdict_metrics = meta.verdict_metrics.empty() ? verdict_metrics(po.headline, reported_metrics(result), kVerdictMetrics)
                                                      : meta.verdict_metrics;
    if (po.headline.size() > 2) po.headline.resize(2);
    std::string label;
    for (const PointInfo::Value& v : p.values) label += (label.empty() ? "" : " ") + v.display;
    po.table_row.push_back(fmt::format("{} {}", point_name(i), label));
    for (const std::string& design : meta.designs) {
      std::string cell;
      for (const std::string& h : po.headline)
        for (const MetricSummary& s : summaries)
          if (s.design == design && s.metric == h) cell += (cell.empty() ? "" : " / ") + format_metric_value(s.ci.mean, s.unit);
      po.table_row.push_back(cell.empty() ? "failed" : cell);
    }
    for (const MetricSummary& s : summaries) {
      po.aggregate_rows += fmt::format("{}{},{},{},{},{},{},{},{}\n", i, key_cells(p), csv_field(s.design),
                                       csv_field(s.metric), csv_field(s.unit), s.ci.n, s.ci.mean, s.ci.lo, s.ci.hi);
      po.aggregates.push_back(Json{{"point", i}, {"design", s.design}, {"metric", s.metric}, {"unit", s.unit},
                                   {"n", s.ci.n}, {"mean", number_json(s.ci.mean)}, {"ci95_low", number_json(s.ci.lo)},
                                   {"ci95_high", number_json(s.ci.hi)}});
    }
    std::string point_values_text;
    for (const PointInfo::Value& v : p.values) point_values_text += (point_values_text.empty() ? "" : " ") + v.display;
    po.verdicts = design_verdicts(result, reference, po.verdict_metrics, i,
                                  fmt::format("{} {}", point_name(i), point_values_text));
    for (const MetricSummary& s : paired_differences(result, reference))
      po.paired.push_back(Json{{"point", i}, {"design", s.design}, {"reference", reference}, {"metric", s.metric},
                               {"unit", s.unit}, {"n", s.ci.n}, {"mean_difference", number_json(s.ci.mean)},
                               {"ci95_low", number_json(s.ci.lo)}, {"ci95_high", number_json(s.ci.hi)},
                               {"p", number_json(s.p)}});
    // The point as an ordinary results directory, for plots and for reading one point alone.
    if (config) write_run_files(dir, *config, result, reference);
  };
  std::vector<int> indices;
  for (size_t index = 0; index < meta.points; ++index)
    if (meta.contains(static_cast<int>(index))) indices.push_back(static_cast<int>(index));
  std::vector<PointOutput> outputs(indices.size());
  tbb::task_arena arena(jobs > 0 ? jobs : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, indices.size(), [&](size_t k) { process(indices[k], outputs[k]); },
                      tbb::simple_partitioner());
  });

  std::vector<std::string> metric_columns;
  std::set<std::string> seen_columns;
  std::vector<UsedNames> used;  // per scenario, for metrics.json
  std::string aggregate_rows, failure_rows, timing_rows;
  std::vector<RunRow> run_table;
  Json summary_runs = Json::array(), summary_aggregates = Json::array(), summary_paired = Json::array();
  Json point_values = Json::array(), failed_points = Json::array(), missing_points = Json::array();
  std::vector<std::string> headline;  // the terminal table: one row per point, one column per design
  std::vector<std::vector<std::string>> table_rows;
  VerdictTable verdicts;  // one family: every point, design and metric of the closing table
  for (size_t k = 0; k < indices.size(); ++k) {
    PointOutput& po = outputs[k];
    const int i = indices[k];
    if (!po.present || po.missing) {
      missing_points.push_back(i);
      ++outcome.missing_points;
    }
    if (!po.present) continue;
    ++outcome.points;
    point_values.push_back(Json{{"point", i}, {"values", std::move(po.values)}});
    outcome.runs += po.runs;
    outcome.failed_runs += po.failed_runs;
    outcome.internal_failure = outcome.internal_failure || po.internal;
    if (po.failed) {
      failed_points.push_back(i);
      ++outcome.failed_points;
    }
    outcome.failure_lines.insert(outcome.failure_lines.end(), po.failure_lines.begin(), po.failure_lines.end());
    failure_rows += po.failure_rows;
    timing_rows += po.timing_rows;
    aggregate_rows += po.aggregate_rows;
    for (const std::string& c : po.metric_columns)
      if (seen_columns.insert(c).second) metric_columns.push_back(c);
    if (!po.scenario.empty()) {
      auto u = std::find_if(used.begin(), used.end(), [&](const UsedNames& x) { return x.scenario == po.scenario; });
      if (u == used.end()) u = used.insert(used.end(), UsedNames{po.scenario, {}, {}, {}});
      u->metrics.insert(u->metrics.end(), po.metric_columns.begin(), po.metric_columns.end());
    }
    for (RunRow& r : po.run_table) run_table.push_back(std::move(r));
    for (Json& j : po.runs_json) summary_runs.push_back(std::move(j));
    for (Json& j : po.aggregates) summary_aggregates.push_back(std::move(j));
    for (Json& j : po.paired) summary_paired.push_back(std::move(j));
    if (headline.empty()) headline = po.headline;
    if (verdicts.metrics.empty()) verdicts.metrics = po.verdict_metrics;
    for (Verdict& v : po.verdicts) {
      if (verdicts.reference.empty()) verdicts.reference = v.reference;
      verdicts.rows.push_back(std::move(v));
    }
    table_rows.push_back(std::move(po.table_row));
  }

  std::string runs_csv = "point" + key_heads + ",design,replicate,seed,error,events";
  for (const std::string& c : metric_columns) runs_csv += "," + csv_field(c);
  runs_csv += "\n";
  for (const RunRow& row : run_table) {
    runs_csv += row.prefix;
    for (const std::string& c : metric_columns) {
      auto it = row.values.find(c);
      runs_csv += it == row.values.end() ? "," : fmt::format(",{}", it->second);
    }
    runs_csv += "\n";
  }
  write_file_atomically(out / "runs.csv", runs_csv);
  if (!headline.empty() && !table_rows.empty()) {
    std::vector<size_t> width(meta.designs.size() + 1, 0);
    std::vector<std::string> head{"point"};
    for (const std::string& d : meta.designs) head.push_back(d);
    auto widen = [&](const std::vector<std::string>& r) {
      for (size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], r[c].size());
    };
    widen(head);
    for (const auto& r : table_rows) widen(r);
    auto line = [&](const std::vector<std::string>& r) {
      std::string text;
      for (size_t c = 0; c < r.size() && c < width.size(); ++c)
        text += c == 0 ? fmt::format("{:<{}}", r[c], width[c]) : fmt::format("  {:>{}}", r[c], width[c]);
      return text + "\n";
    };
    std::string metrics;
    for (const std::string& h : headline) metrics += (metrics.empty() ? "" : " / ") + h;
    outcome.table = fmt::format("{} per point (mean over replicates):\n", metrics) + line(head);
    for (const auto& r : table_rows) outcome.table += line(r);
  }
  write_file_atomically(out / "aggregates.csv",
                        "point" + key_heads + ",design,metric,unit,n,mean,ci95_low,ci95_high\n" + aggregate_rows);
  write_file_atomically(out / "failures.csv", "point" + key_heads + ",design,replicate,error\n" + failure_rows);
  write_file_atomically(out / "metrics.json", used_metrics_json(used));

  Json summary = meta_json(meta);
  summary.erase("numeric_keys");
  summary["failed_runs"] = outcome.failed_runs;
  summary["failed_points"] = std::move(failed_points);
  summary["missing_points"] = std::move(missing_points);
  summary["point_values"] = std::move(point_values);
  summary["runs"] = std::move(summary_runs);
  summary["aggregates"] = std::move(summary_aggregates);
  summary["paired_differences"] = std::move(summary_paired);
  correct(verdicts);
  if (!verdicts.rows.empty()) {
    summary["verdicts"] = verdicts_json(verdicts);
    outcome.verdicts = fmt::format("verdicts against {} per point ({}):\n", verdicts.reference,
                                   verdict_method_line(verdicts)) +
                       format_verdicts_by_point(verdicts) +
                       verdict_legend(verdicts);
    write_file_atomically(out / "verdicts.txt", outcome.verdicts);
  }
  write_file_atomically(out / "summary.json", summary.dump(2) + "\n");

  write_file_atomically(out / "timings.csv",
                        "point,design,replicate,events,wall_seconds,events_per_second,peak_rss_bytes\n" + timing_rows);
  Json manifest;
  manifest["kind"] = "sweep";
  manifest["identity"] = meta.identity;
  manifest["command_line"] = command_line;
  manifest["shard"] = meta.shard ? Json(shard_text(meta.shard)) : Json(nullptr);
  add_provenance(manifest, jobs, start, std::chrono::system_clock::now());
  manifest["points"] = outcome.points;
  manifest["failed_runs"] = outcome.failed_runs;
  write_file_atomically(out / "manifest.json", manifest.dump(2) + "\n");
  return outcome;
}

std::optional<SweepMeta> existing_meta(const fs::path& out) {
  if (!fs::exists(out / "sweep.json")) return std::nullopt;
  return meta_from(read_json(out / "sweep.json"), out / "sweep.json");
}

void check_out_dir_free(const fs::path& out) {
  if (fs::exists(out) && (!fs::is_directory(out) || !fs::is_empty(out)))
    throw UserError(fmt::format("{}: error: exists and is not a sweep directory; choose another --out", out.string()));
}

}  // namespace

Shard parse_shard(const std::string& text) {
  Shard s;
  char slash = 0;
  std::istringstream in(text);
  if (!(in >> s.index >> slash >> s.count) || slash != '/' || !in.eof() || s.count < 1 || s.index < 1 || s.index > s.count)
    throw UserError(fmt::format("--shard {}: error: expected K/N with 1 <= K <= N, e.g. --shard 2/8", text));
  return s;
}

SweepOutcome run_sweep(const SweepSpec& spec, const SweepOptions& options) {
  const auto start = std::chrono::system_clock::now();
  const fs::path& out = options.out;
  const std::vector<SweepPoint> points = spec.points();

  // Prepare the points of this shard: their configurations (or why they are rejected).
  std::vector<std::optional<Config>> configs(points.size());
  std::vector<PointInfo> infos(points.size());
  SweepMeta meta;
  meta.identity = sweep_identity(spec);
  meta.swept_keys = spec.swept_keys();
  for (const SweepAxis& a : spec.axes) meta.axes.push_back({a.keys, a.scale});
  meta.verdict_metrics = spec.verdict_metrics;
  meta.points = points.size();
  meta.skipped_points = spec.grid_size() - points.size();
  meta.shard = options.shard && options.shard->count > 1 ? options.shard : std::nullopt;
  for (const SweepAxis& a : spec.axes)
    for (size_t k = 0; k < a.keys.size(); ++k) {
      bool plain = true, any = false;
      for (const auto& tuple : a.values) {
        any = any || tuple[k].numeric.has_value();
        plain = plain && tuple[k].numeric && numeric_text(*tuple[k].numeric) == tuple[k].display;
      }
      if (any && !plain) meta.numeric_keys.push_back(a.keys[k]);
    }
  // Designs, replicates and seed as the points resolve them (the base's unless the spec sets them).
  const Config base = (spec.base ? load_config(spec.base, spec.overrides, false) : load_default_config(spec.overrides, false)).config;
  meta.replicates = spec.replicates.value_or(base.run.replicates);
  meta.seed = spec.seed.value_or(base.run.seed);
  for (const std::string& k : derived_keys(base))
    if (std::find(meta.swept_keys.begin(), meta.swept_keys.end(), k) == meta.swept_keys.end()) meta.derived_keys.push_back(k);
  for (const SweepPoint& p : points) {
    if (!meta.contains(p.index)) continue;
    Config config;
    infos[p.index] = prepare_point(spec, p, &config);
    if (infos[p.index].error.empty()) configs[p.index] = std::move(config);
    for (const std::string& d : infos[p.index].designs)
      if (std::find(meta.designs.begin(), meta.designs.end(), d) == meta.designs.end()) meta.designs.push_back(d);
  }
  if (meta.designs.empty()) meta.designs = spec.designs.empty() ? base.run.designs : spec.designs;
  if (!options.reference.empty()) reference_design(meta.designs, options.reference);  // refused before any run

  // The output directory: new, or the same sweep to resume.
  if (const auto existing = existing_meta(out)) {
    if (!options.resume)
      throw UserError(fmt::format("{}: error: already holds a sweep; add --resume to continue it, or choose another --out",
                                  out.string()));
    if (existing->identity != meta.identity)
      throw UserError(fmt::format("{}: error: holds a different sweep (identity {}, this spec is {}): its base, fixed "
                                  "overrides, axes, designs or seed differ; choose another --out",
                                  out.string(), existing->identity, meta.identity));
    if (shard_text(existing->shard) != shard_text(meta.shard))
      throw UserError(fmt::format("{}: error: holds shard '{}' of this sweep, not '{}'", out.string(),
                                  shard_text(existing->shard), shard_text(meta.shard)));
  } else {
    check_out_dir_free(out);
  }
  write_file_atomically(out / "sweep.json", meta_json(meta).dump(2) + "\n");
  write_file_atomically(out / "sweep.toml", spec.text);

  // The runs still to do; rejected points store a failed run per design and replicate at once.
  struct Task {
    int point;
    std::string design;
    int replicate;
  };
  std::vector<Task> tasks;
  SweepOutcome counts;
  for (const SweepPoint& p : points) {
    if (!meta.contains(p.index)) continue;
    const fs::path dir = point_dir(out, p.index);
    const PointInfo& info = infos[p.index];
    write_file_atomically(dir / "point.json", point_json(info).dump(2) + "\n");
    for (const std::string& design : info.designs.empty() ? meta.designs : info.designs)
      for (int r = 0; r < meta.replicates; ++r) {
        std::optional<RunRecord> stored = options.resume ? load_run(dir, design, r) : std::nullopt;
        if (stored && !(options.retry_failed && !stored->error.empty())) {
          ++counts.runs_reused;
          continue;
        }
        if (!info.error.empty()) {
          RunRecord rejected{design, r, replicate_seed(meta.seed, r), {}, info.error};
          store_run(dir, rejected);
          continue;
        }
        tasks.push_back(Task{p.index, design, r});
      }
  }

  Progress progress(options.progress, options.progress_terminal, tasks.size());
  tbb::task_arena arena(options.jobs > 0 ? options.jobs : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(
        size_t{0}, tasks.size(),
        [&](size_t t) {
          const Task& task = tasks[t];
          RunRecord record = run_one(*configs[task.point], task.design, task.replicate);
          rusage usage{};
          ::getrusage(RUSAGE_SELF, &usage);
          record.result.peak_rss_bytes = static_cast<size_t>(usage.ru_maxrss) * 1024;
          store_run(point_dir(out, task.point), record);
          progress.finished(!record.error.empty());
        },
        tbb::simple_partitioner());
  });
  progress.done();

  SweepOutcome outcome = aggregate(out, meta, options.command_line, start, options.jobs, options.reference);
  outcome.runs_executed = tasks.size();
  outcome.runs_reused = counts.runs_reused;
  return outcome;
}

SweepOutcome merge_sweeps(const std::vector<fs::path>& shards, const fs::path& out, const std::string& command_line,
                          const std::string& reference) {
  const auto start = std::chrono::system_clock::now();
  if (shards.empty()) throw UserError("wakesim merge: error: name at least one shard directory");
  std::optional<SweepMeta> merged;
  fs::path first;
  for (const fs::path& dir : shards) {
    const auto meta = existing_meta(dir);
    if (!meta) throw UserError(fmt::format("{}: error: not a sweep directory (no sweep.json)", dir.string()));
    if (!merged) {
      merged = *meta;
      merged->shard.reset();
      first = dir;
      continue;
    }
    if (meta->identity != merged->identity)
      throw UserError(fmt::format("{}: error: is a shard of a different sweep than {} (identity {} vs {}); only shards of "
                                  "one spec merge", dir.string(), first.string(), meta->identity, merged->identity));
    if (meta->replicates != merged->replicates)
      throw UserError(fmt::format("{}: error: has {} replicates, {} has {}; resume the shards with the same replicates",
                                  dir.string(), meta->replicates, first.string(), merged->replicates));
    for (const std::string& d : meta->designs)
      if (std::find(merged->designs.begin(), merged->designs.end(), d) == merged->designs.end()) merged->designs.push_back(d);
  }
  if (const auto existing = existing_meta(out)) {
    if (existing->identity != merged->identity)
      throw UserError(fmt::format("{}: error: holds a different sweep; choose another output", out.string()));
  } else {
    check_out_dir_free(out);
  }
  write_file_atomically(out / "sweep.json", meta_json(*merged).dump(2) + "\n");
  if (fs::exists(first / "sweep.toml")) write_file_atomically(out / "sweep.toml", read_text(first / "sweep.toml"));
  for (const fs::path& dir : shards) {
    if (!fs::exists(dir / "points")) continue;
    for (const fs::directory_entry& p : fs::directory_iterator(dir / "points")) {
      if (!fs::exists(p.path() / "point.json")) continue;
      const fs::path target = out / "points" / p.path().filename();
      if (fs::exists(target / "point.json")) continue;  // the same point from an earlier directory
      const fs::path runs = p.path() / "runs";
      if (fs::exists(runs))
        for (const fs::directory_entry& f : fs::recursive_directory_iterator(runs))
          if (f.is_regular_file() && (f.path().extension() == ".json" || f.path().extension() == ".timing"))
            write_file_atomically(target / fs::relative(f.path(), p.path()), read_text(f.path()));
      write_file_atomically(target / "point.json", read_text(p.path() / "point.json"));
    }
  }
  if (!reference.empty()) reference_design(merged->designs, reference);
  return aggregate(out, *merged, command_line, start, 0, reference);
}

}  // namespace wakesim::experiment
