#include "sim/experiment/sweep.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tbb/task_arena.h>

#include "sim/config/loader.h"
#include "sim/engine/errors.h"
#include "sim/engine/text.h"
#include "sim/experiment/atomic_file.h"
#include "sim/experiment/config.h"
#include "sim/experiment/derived_keys.h"
#include "sim/experiment/json_number.h"
#include "sim/experiment/parallel.h"
#include "sim/experiment/progress.h"
#include "sim/experiment/provenance.h"
#include "sim/experiment/report.h"
#include "sim/experiment/results_writer.h"
#include "sim/experiment/run_store.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/scenario.h"
#include "sim/experiment/summary.h"
#include "sim/experiment/timings.h"
#include "sim/experiment/verdict.h"

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using engine::UserError;

// 2: points numbered by their values (point_keys), [set] and the command line recorded.
constexpr int kSweepSchemaVersion = 2;

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
  std::vector<Axis> axes;                    // in spec order; read from an older sweep.json: one per swept key
  std::vector<std::string> verdict_metrics;  // the spec's; empty: the first headline metrics
  std::vector<std::string> numeric_keys;     // swept keys whose values are not plain numbers but hold one
  std::vector<std::string> derived_keys;     // derived keys (derived_keys.h) not swept: columns after the swept keys
  size_t skipped_points = 0;                 // combinations of the axes the spec's constraint rejects
  size_t points = 0;
  std::optional<Shard> shard;
  std::vector<std::string> set;                      // the spec's [set]
  SweepCommandLine command_line;                     // --set and --design
  std::vector<std::vector<std::string>> point_keys;  // by point number: its key (sweep_spec.h point_key)
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
  std::string config_toml;                                   // the resolved configuration; empty when it failed to load
  std::vector<std::pair<std::string, std::string>> derived;  // derived key -> achieved value (derived_keys.h)
  std::string error;                                         // why the point's configuration was rejected
};

// A file of a results directory that must be there.
std::string read_required(const fs::path& file) {
  std::optional<std::string> text = engine::read_whole_file(file);
  if (!text) throw UserError(fmt::format("{}: error: cannot read", file.string()));
  return std::move(*text);
}

Json read_json(const fs::path& file) {
  try {
    return Json::parse(read_required(file));
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
  j["set"] = m.set;
  j["command_line"] = Json{{"set", m.command_line.set}, {"designs", m.command_line.designs}};
  j["point_keys"] = m.point_keys;
  return j;
}

SweepMeta meta_from(const Json& j, const fs::path& where) {
  try {
    if (j.at("kind").get<std::string>() != "sweep")
      throw UserError(fmt::format("{}: error: not a wakesim sweep of schema {}", where.string(), kSweepSchemaVersion));
    if (const int version = j.at("schema_version").get<int>(); version != kSweepSchemaVersion)
      throw UserError(fmt::format(
          "{}: error: a sweep of schema {} (written by {} wakesim), this one reads schema {}; "
          "its results stay readable, but to resume, extend or merge it run the sweep again "
          "into a new --out",
          where.string(), version, version < kSweepSchemaVersion ? "an older" : "a newer", kSweepSchemaVersion));
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
    m.set = j.at("set").get<std::vector<std::string>>();
    m.command_line.set = j.at("command_line").at("set").get<std::vector<std::string>>();
    m.command_line.designs = j.at("command_line").at("designs").get<std::vector<std::string>>();
    m.point_keys = j.at("point_keys").get<std::vector<std::vector<std::string>>>();
    if (m.point_keys.size() != m.points)
      throw UserError(
          fmt::format("{}: error: lists {} point keys for {} points", where.string(), m.point_keys.size(), m.points));
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
    values.push_back(
        Json{{"key", v.key}, {"value", v.display}, {"numeric", v.numeric ? Json(*v.numeric) : Json(nullptr)}});
  return Json{{"point", p.index}, {"values", std::move(values)}, {"overrides", p.overrides}, {"designs", p.designs},
              {"error", p.error}, {"config", p.config_toml},     {"derived", derived}};
}

PointInfo point_from(const Json& j, const fs::path& where) {
  try {
    PointInfo p;
    p.index = j.at("point").get<int>();
    for (const Json& v : j.at("values"))
      p.values.push_back(
          {v.at("key").get<std::string>(), v.at("value").get<std::string>(),
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

// A point resolved without running it: its configuration and designs, or why they are rejected.
SweepPlan::Point resolve_point(const SweepSpec& spec, const SweepPoint& point) {
  SweepPlan::Point out;
  out.point = point;
  try {
    Config config = point_config(spec, point);
    out.designs = resolve_designs(config);
    out.config = std::move(config);
  } catch (const UserError& e) {
    out.error = e.what();
  }
  return out;
}

PointInfo point_info(const SweepSpec& spec, const SweepPlan::Point& p) {
  PointInfo info;
  info.index = p.point.index;
  for (const auto& [key, value] : p.point.assignments) info.values.push_back({key, value.display, value.numeric});
  info.overrides = point_overrides(spec, p.point);
  info.designs = p.designs;
  info.error = p.error;
  if (p.config) {
    info.config_toml = config::to_toml(*p.config);
    info.derived = derived_values(*p.config);
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

std::string point_label(const PointInfo& p) {
  std::string s;
  for (const PointInfo::Value& v : p.values) s += fmt::format("{}{}={}", s.empty() ? "" : ", ", v.key, v.display);
  return fmt::format("point {}{}", p.index, s.empty() ? "" : " (" + s + ")");
}

// The metrics of the sweep's closing verdict table: the scenario's first three headline metrics.
constexpr size_t kVerdictMetrics = 3;

// The columns that name a point in runs.csv, aggregates.csv and failures.csv: each swept key's value
// as written, each numeric key's number, each derived key.
struct KeyColumns {
  const SweepMeta& meta;

  std::string heads() const {
    std::string text;
    for (const std::string& k : meta.swept_keys) text += "," + csv_field(k);
    for (const std::string& k : meta.numeric_keys) text += "," + csv_field(k + "#value");
    for (const std::string& k : meta.derived_keys) text += "," + csv_field(k);
    return text;
  }
  std::string cells(const PointInfo& p) const {
    std::string text;
    for (const std::string& k : meta.swept_keys) {
      std::string cell;
      for (const PointInfo::Value& v : p.values)
        if (v.key == k) cell = v.display;
      text += "," + csv_field(cell);
    }
    for (const std::string& k : meta.numeric_keys) {
      std::string cell;
      for (const PointInfo::Value& v : p.values)
        if (v.key == k && v.numeric) cell = numeric_text(*v.numeric);
      text += "," + cell;
    }
    for (const std::string& k : meta.derived_keys) {
      std::string cell;
      for (const auto& [key, value] : p.derived)
        if (key == k) cell = value;
      text += "," + csv_field(cell);
    }
    return text;
  }
};

struct RunRow {
  std::string prefix;  // the point, its key cells, design, replicate, seed, error, events
  std::map<std::string, double> values;
};

// What one point contributes to the sweep's files; points are read in parallel, then joined in order.
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

// The point's stored runs (a run not stored yet makes the point "missing"), with its failure and
// timing rows.
ExperimentResult load_point_runs(const fs::path& dir, int i, const PointInfo& p, const SweepMeta& meta,
                                 const KeyColumns& keys, PointOutput& po) {
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
        po.internal = po.internal || is_internal(record->failure);
        po.failure_lines.push_back(fmt::format("{} {} r{}: {}", point_label(p), design, r, record->error));
        po.failure_rows +=
            fmt::format("{}{},{},{},{}\n", i, keys.cells(p), csv_field(design), r, csv_field(record->error));
      }
      po.timing_rows += fmt::format("{},{}", i, timings_row(*record));
      result.runs.push_back(std::move(*record));
    }
  }
  return result;
}

// runs.csv rows and summary.json's runs, one per run of the point.
void tabulate_runs(const ExperimentResult& result, int i, const PointInfo& p, const KeyColumns& keys, PointOutput& po) {
  std::set<std::string> seen;
  for (const RunRecord& r : result.runs) {
    RunRow row;
    row.prefix = fmt::format("{}{},{},{},{},{},{}", i, keys.cells(p), csv_field(r.design), r.replicate, r.seed,
                             csv_field(r.error), r.result.events);
    Json metrics = Json::object();
    for (const Metric& m : r.result.metrics) {
      if (seen.insert(m.name).second) po.metric_columns.push_back(m.name);
      row.values[m.name] = m.value;
      metrics[m.name] = finite_or_null(m.value);
    }
    po.run_table.push_back(std::move(row));
    Json run{{"point", i}, {"design", r.design}, {"replicate", r.replicate}, {"seed", r.seed}};
    if (r.failed()) run["error"] = r.error;
    else run["metrics"] = std::move(metrics), run["events"] = r.result.events;
    po.runs_json.push_back(std::move(run));
  }
}

// The point's aggregates, its row of the terminal table, its verdicts and paired differences against
// `reference`.
void summarize_point(const ExperimentResult& result, int i, const PointInfo& p, const SweepMeta& meta,
                     const KeyColumns& keys, const std::string& reference, PointOutput& po) {
  const std::vector<MetricSummary> summaries = summarize(result);
  po.verdict_metrics = meta.verdict_metrics.empty()
                           ? verdict_metrics(po.headline, reported_metrics(result), kVerdictMetrics)
                           : meta.verdict_metrics;
  if (po.headline.size() > 2) po.headline.resize(2);
  std::string label;
  for (const PointInfo::Value& v : p.values) label += (label.empty() ? "" : " ") + v.display;
  po.table_row.push_back(fmt::format("{} {}", point_name(i), label));
  for (const std::string& design : meta.designs) {
    std::string cell;
    for (const std::string& h : po.headline)
      for (const MetricSummary& s : summaries)
        if (s.design == design && s.metric == h)
          cell += (cell.empty() ? "" : " / ") + format_metric_value(s.ci.mean, s.unit);
    po.table_row.push_back(cell.empty() ? "failed" : cell);
  }
  for (const MetricSummary& s : summaries) {
    po.aggregate_rows += fmt::format("{}{},{},{},{},{},{},{},{}\n", i, keys.cells(p), csv_field(s.design),
                                     csv_field(s.metric), csv_field(s.unit), s.ci.n, s.ci.mean, s.ci.lo, s.ci.hi);
    po.aggregates.push_back(Json{{"point", i},
                                 {"design", s.design},
                                 {"metric", s.metric},
                                 {"unit", s.unit},
                                 {"n", s.ci.n},
                                 {"mean", finite_or_null(s.ci.mean)},
                                 {"ci95_low", finite_or_null(s.ci.lo)},
                                 {"ci95_high", finite_or_null(s.ci.hi)}});
  }
  po.verdicts = design_verdicts(result, reference, po.verdict_metrics, i, fmt::format("{} {}", point_name(i), label));
  for (const MetricSummary& s : paired_differences(result, reference))
    po.paired.push_back(Json{{"point", i},
                             {"design", s.design},
                             {"reference", reference},
                             {"metric", s.metric},
                             {"unit", s.unit},
                             {"n", s.ci.n},
                             {"mean_difference", finite_or_null(s.ci.mean)},
                             {"ci95_low", finite_or_null(s.ci.lo)},
                             {"ci95_high", finite_or_null(s.ci.hi)},
                             {"p", finite_or_null(s.p)}});
}

// Everything point i contributes, and the point as an ordinary results directory (for plots and for
// reading one point alone).
void process_point(const fs::path& out, int i, const SweepMeta& meta, const KeyColumns& keys,
                   const std::string& requested_reference, PointOutput& po) {
  const fs::path dir = point_dir(out, i);
  if (!fs::exists(dir / "point.json")) return;
  po.present = true;
  const PointInfo p = point_from(read_json(dir / "point.json"), dir / "point.json");
  po.values = Json::object();
  for (const PointInfo::Value& v : p.values) po.values[v.key] = v.display;
  const ExperimentResult result = load_point_runs(dir, i, p, meta, keys, po);
  tabulate_runs(result, i, p, keys, po);
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
  summarize_point(result, i, p, meta, keys, reference, po);
  if (config) write_run_files(dir, *config, result, reference);
}

// The points' contributions joined in point order.
struct SweepTotals {
  std::vector<std::string> metric_columns;
  std::set<std::string> seen_columns;
  std::vector<UsedNames> used;  // per scenario, for metrics.json
  std::string aggregate_rows, failure_rows, timing_rows;
  std::vector<RunRow> run_table;
  Json runs = Json::array(), aggregates = Json::array(), paired = Json::array();
  Json point_values = Json::array(), failed_points = Json::array(), missing_points = Json::array();
  std::vector<std::string> headline;  // the terminal table: one row per point, one column per design
  std::vector<std::vector<std::string>> table_rows;
  VerdictTable verdicts;  // one family: every point, design and metric of the closing table

  void add(int i, PointOutput& po, SweepOutcome& outcome) {
    if (!po.present || po.missing) {
      missing_points.push_back(i);
      ++outcome.missing_points;
    }
    if (!po.present) return;
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
    for (Json& j : po.runs_json) runs.push_back(std::move(j));
    for (Json& j : po.aggregates) aggregates.push_back(std::move(j));
    for (Json& j : po.paired) paired.push_back(std::move(j));
    if (headline.empty()) headline = po.headline;
    if (verdicts.metrics.empty()) verdicts.metrics = po.verdict_metrics;
    for (Verdict& v : po.verdicts) {
      if (verdicts.reference.empty()) verdicts.reference = v.reference;
      verdicts.rows.push_back(std::move(v));
    }
    table_rows.push_back(std::move(po.table_row));
  }
};

std::string runs_csv_text(const std::string& key_heads, const SweepTotals& t) {
  std::string text = "point" + key_heads + ",design,replicate,seed,error,events";
  for (const std::string& c : t.metric_columns) text += "," + csv_field(c);
  text += "\n";
  for (const RunRow& row : t.run_table) {
    text += row.prefix;
    for (const std::string& c : t.metric_columns) {
      auto it = row.values.find(c);
      text += it == row.values.end() ? "," : fmt::format(",{}", it->second);
    }
    text += "\n";
  }
  return text;
}

// The terminal table: the first headline metrics per point (rows) and design (columns).
std::string point_table_text(const std::vector<std::string>& designs, const SweepTotals& t) {
  if (t.headline.empty() || t.table_rows.empty()) return {};
  std::vector<size_t> width(designs.size() + 1, 0);
  std::vector<std::string> head{"point"};
  for (const std::string& d : designs) head.push_back(d);
  auto widen = [&](const std::vector<std::string>& r) {
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], r[c].size());
  };
  widen(head);
  for (const auto& r : t.table_rows) widen(r);
  auto line = [&](const std::vector<std::string>& r) {
    std::string text;
    for (size_t c = 0; c < r.size() && c < width.size(); ++c)
      text += c == 0 ? fmt::format("{:<{}}", r[c], width[c]) : fmt::format("  {:>{}}", r[c], width[c]);
    return text + "\n";
  };
  std::string metrics;
  for (const std::string& h : t.headline) metrics += (metrics.empty() ? "" : " / ") + h;
  std::string table = fmt::format("{} per point (mean over replicates):\n", metrics) + line(head);
  for (const auto& r : t.table_rows) table += line(r);
  return table;
}

// summary.json, and verdicts.txt when there are verdicts (corrected for every comparison shown).
void write_sweep_summary(const fs::path& out, const SweepMeta& meta, SweepTotals& t, SweepOutcome& outcome) {
  Json summary = meta_json(meta);
  summary.erase("numeric_keys");
  summary.erase("point_keys");  // point_values below says the same for people
  summary["failed_runs"] = outcome.failed_runs;
  summary["failed_points"] = std::move(t.failed_points);
  summary["missing_points"] = std::move(t.missing_points);
  summary["point_values"] = std::move(t.point_values);
  summary["runs"] = std::move(t.runs);
  summary["aggregates"] = std::move(t.aggregates);
  summary["paired_differences"] = std::move(t.paired);
  correct(t.verdicts);
  if (!t.verdicts.rows.empty()) {
    summary["verdicts"] = verdicts_json(t.verdicts);
    outcome.verdicts =
        fmt::format("verdicts against {} per point ({}):\n", t.verdicts.reference, verdict_method_line(t.verdicts)) +
        format_verdicts_by_point(t.verdicts) + verdict_legend(t.verdicts);
    write_file_atomically(out / "verdicts.txt", outcome.verdicts);
  }
  write_file_atomically(out / "summary.json", summary.dump(2) + "\n");
}

void write_sweep_manifest(const fs::path& out, const SweepMeta& meta, const std::string& command_line,
                          std::chrono::system_clock::time_point start, int jobs, const SweepOutcome& outcome) {
  Json manifest;
  manifest["kind"] = "sweep";
  manifest["identity"] = meta.identity;
  manifest["command_line"] = command_line;
  manifest["shard"] = meta.shard ? Json(shard_text(meta.shard)) : Json(nullptr);
  add_provenance(manifest, jobs, start, std::chrono::system_clock::now());
  manifest["points"] = outcome.points;
  manifest["failed_runs"] = outcome.failed_runs;
  write_file_atomically(out / "manifest.json", manifest.dump(2) + "\n");
}

// Reads every stored run of the directory's points and writes the results files. `requested_reference`
// (--reference) is the design others are compared with wherever it ran; empty: the default.
SweepOutcome aggregate(const fs::path& out, const SweepMeta& meta, const std::string& command_line,
                       std::chrono::system_clock::time_point start, int jobs, const std::string& requested_reference) {
  SweepOutcome outcome;
  outcome.out = out;
  outcome.skipped_points = meta.skipped_points;
  const KeyColumns keys{meta};
  std::vector<int> indices;
  for (size_t index = 0; index < meta.points; ++index)
    if (meta.contains(static_cast<int>(index))) indices.push_back(static_cast<int>(index));
  std::vector<PointOutput> outputs(indices.size());
  for_each_index_in_parallel(jobs, indices.size(), [&](size_t k) {
    process_point(out, indices[k], meta, keys, requested_reference, outputs[k]);
  });
  SweepTotals totals;
  for (size_t k = 0; k < indices.size(); ++k) totals.add(indices[k], outputs[k], outcome);

  const std::string key_heads = keys.heads();
  write_file_atomically(out / "runs.csv", runs_csv_text(key_heads, totals));
  outcome.table = point_table_text(meta.designs, totals);
  write_file_atomically(
      out / "aggregates.csv",
      "point" + key_heads + ",design,metric,unit,n,mean,ci95_low,ci95_high\n" + totals.aggregate_rows);
  write_file_atomically(out / "failures.csv", "point" + key_heads + ",design,replicate,error\n" + totals.failure_rows);
  write_file_atomically(out / "metrics.json", used_metrics_json(totals.used));
  write_sweep_summary(out, meta, totals, outcome);
  write_file_atomically(out / "timings.csv", fmt::format("point,{}\n{}", kTimingsHeader, totals.timing_rows));
  write_sweep_manifest(out, meta, command_line, start, jobs, outcome);
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
  if (!(in >> s.index >> slash >> s.count) || slash != '/' || !in.eof() || s.count < 1 || s.index < 1 ||
      s.index > s.count)
    throw UserError(fmt::format("--shard {}: error: expected K/N with 1 <= K <= N, e.g. --shard 2/8", text));
  return s;
}

namespace {

// The values of a stored point for messages: "point 2 (queue.service='exp(8us)', queue.servers=1)".
std::string stored_point_label(const SweepMeta& meta, size_t index) {
  std::string values;
  for (size_t k = 0; k < meta.swept_keys.size() && k < meta.point_keys[index].size(); ++k)
    values += fmt::format("{}{}={}", values.empty() ? "" : ", ", meta.swept_keys[k], meta.point_keys[index][k]);
  return fmt::format("point {}{}", index, values.empty() ? "" : " (" + values + ")");
}

// "stored only: b=2; given only: b=3": what differs between two lists of overrides.
std::string list_difference(const std::vector<std::string>& stored, const std::vector<std::string>& given) {
  auto text = [](const std::vector<std::string>& list) {
    return list.empty() ? std::string("none") : fmt::format("{}", fmt::join(list, " "));
  };
  std::vector<std::string> only_stored, only_given;
  for (const std::string& s : stored)
    if (std::find(given.begin(), given.end(), s) == given.end()) only_stored.push_back(s);
  for (const std::string& g : given)
    if (std::find(stored.begin(), stored.end(), g) == stored.end()) only_given.push_back(g);
  std::string what;
  if (!only_stored.empty()) what += fmt::format("stored only: {}", fmt::join(only_stored, " "));
  if (!only_given.empty())
    what += fmt::format("{}given only: {}", what.empty() ? "" : "; ", fmt::join(only_given, " "));
  if (what.empty())
    what = fmt::format("the same entries in another order: stored {}; given {}", text(stored), text(given));
  return what;
}

// Whether `spec`'s sweep may continue the one stored in `out` (same identity, command line and shard);
// throws a UserError that names the difference.
void check_resumable(const SweepMeta& existing, const SweepMeta& meta, const fs::path& out) {
  if (existing.command_line.set != meta.command_line.set)
    throw UserError(
        fmt::format("{}: error: the sweep there was run with other --set values ({}); resume with the "
                    "stored ones (or with no --set: the stored ones are used), or choose another --out",
                    out.string(), list_difference(existing.command_line.set, meta.command_line.set)));
  if (existing.set != meta.set)
    throw UserError(
        fmt::format("{}: error: holds a different sweep: the spec's [set] differs ({}); a sweep directory "
                    "only grows (add axis values or designs to extend it); choose another --out",
                    out.string(), list_difference(existing.set, meta.set)));
  if (existing.swept_keys != meta.swept_keys)
    throw UserError(fmt::format("{}: error: holds a different sweep: it sweeps {}, this spec {}; choose another --out",
                                out.string(), fmt::join(existing.swept_keys, ", "), fmt::join(meta.swept_keys, ", ")));
  if (existing.identity != meta.identity)
    throw UserError(
        fmt::format("{}: error: holds a different sweep (identity {}, this spec is {}): its base, fixed "
                    "overrides, seed or constraint differ; choose another --out",
                    out.string(), existing.identity, meta.identity));
  if (shard_text(existing.shard) != shard_text(meta.shard))
    throw UserError(fmt::format("{}: error: holds shard '{}' of this sweep, not '{}'", out.string(),
                                shard_text(existing.shard), shard_text(meta.shard)));
}

// "a=1, b=2" of a planned point.
std::string values_text(const SweepPoint& point) {
  std::string s;
  for (const auto& [key, value] : point.assignments)
    s += fmt::format("{}{}={}", s.empty() ? "" : ", ", key, value.display);
  return s;
}

// A configuration error without its "SOURCE: error: " prefixes (the source is the base, the same for
// every point), its lines joined.
std::string bare_error(const std::string& error) {
  constexpr std::string_view kMarker = ": error: ";
  std::string out;
  std::istringstream lines(error);
  for (std::string line; std::getline(lines, line);) {
    if (const size_t at = line.find(kMarker); at != std::string::npos) line.erase(0, at + kMarker.size());
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

// At most this many rejected points are listed.
constexpr size_t kRejectedShown = 5;

struct Task {
  int point;
  std::string design;
  int replicate;
};

// The plan and what run_sweep needs beyond it.
struct Prepared {
  SweepPlan plan;
  SweepMeta meta;
  std::optional<SweepMeta> existing;
  std::vector<Task> tasks;          // the runs to do
  std::vector<Task> rejected_runs;  // keep_going: a failed run to store per design and replicate
};

// What the sweep is, as its meta.json records it: identity, axes, overrides, the numeric and derived
// keys, and the replicates and seed the points resolve (the base's unless the spec sets them).
SweepMeta describe_sweep(const SweepSpec& spec, const SweepOptions& options, const Config& base) {
  SweepMeta meta;
  meta.identity = sweep_identity(spec);
  meta.swept_keys = spec.swept_keys();
  for (const SweepAxis& a : spec.axes) meta.axes.push_back({a.keys, a.scale});
  meta.verdict_metrics = spec.verdict_metrics;
  meta.shard = options.shard && options.shard->count > 1 ? options.shard : std::nullopt;
  meta.set = spec.set_overrides();
  meta.command_line = spec.command_line;
  for (const SweepAxis& a : spec.axes)
    for (size_t k = 0; k < a.keys.size(); ++k) {
      bool plain = true, any = false;
      for (const auto& tuple : a.values) {
        any = any || tuple[k].numeric.has_value();
        plain = plain && tuple[k].numeric && numeric_text(*tuple[k].numeric) == tuple[k].display;
      }
      if (any && !plain) meta.numeric_keys.push_back(a.keys[k]);
    }
  meta.replicates = spec.replicates.value_or(base.run.replicates);
  meta.seed = spec.seed.value_or(base.run.seed);
  for (const std::string& k : derived_keys(base))
    if (std::find(meta.swept_keys.begin(), meta.swept_keys.end(), k) == meta.swept_keys.end())
      meta.derived_keys.push_back(k);
  return meta;
}

// The output directory: new, or the same sweep to resume or extend (its stored meta).
std::optional<SweepMeta> open_out_dir(const fs::path& out, const SweepMeta& meta, const SweepOptions& options) {
  std::optional<SweepMeta> existing = existing_meta(out);
  if (existing) {
    if (!options.resume)
      throw UserError(fmt::format(
          "{}: error: already holds a sweep; add --resume to continue it, or choose another --out", out.string()));
    check_resumable(*existing, meta, out);
    remove_stale_temporaries(out);  // files a killed sweep left between write and rename
  } else {
    check_out_dir_free(out);
  }
  return existing;
}

// Numbers the points: stored ones keep their number, new ones follow in grid order; a spec that drops a
// stored point is refused. Returns the points in number order.
std::vector<SweepPoint> number_points(const SweepSpec& spec, const std::optional<SweepMeta>& existing,
                                      const fs::path& out) {
  std::vector<SweepPoint> points = spec.points();
  const std::vector<std::vector<std::string>> stored_keys =
      existing ? existing->point_keys : std::vector<std::vector<std::string>>{};
  std::map<std::vector<std::string>, int> stored_index;
  for (size_t i = 0; i < stored_keys.size(); ++i) stored_index.emplace(stored_keys[i], static_cast<int>(i));
  std::vector<bool> kept(stored_keys.size(), false);
  int next = static_cast<int>(stored_keys.size());
  for (SweepPoint& p : points) {
    const auto found = stored_index.find(point_key(p));
    if (found == stored_index.end()) {
      p.index = next++;
      continue;
    }
    p.index = found->second;
    kept[static_cast<size_t>(found->second)] = true;
  }
  std::vector<size_t> dropped;
  for (size_t i = 0; i < kept.size(); ++i)
    if (!kept[i]) dropped.push_back(i);
  if (!dropped.empty())
    throw UserError(
        fmt::format("{}: error: holds a different sweep: this spec drops {} of its {} points, e.g. {}; a sweep "
                    "directory only grows (add axis values or designs to extend it); choose another --out",
                    out.string(), dropped.size(), stored_keys.size(), stored_point_label(*existing, dropped.front())));
  std::sort(points.begin(), points.end(), [](const SweepPoint& a, const SweepPoint& b) { return a.index < b.index; });
  return points;
}

// Resolves every point (not only the shard's: a spec is checked whole), in parallel, and collects the
// designs they run (all, and the shard's in meta). Returns the points whose configuration is rejected.
std::vector<const SweepPlan::Point*> resolve_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                                                    size_t stored, int jobs, SweepPlan& plan, SweepMeta& meta) {
  plan.points.resize(points.size());
  for_each_index_in_parallel(jobs, points.size(), [&](size_t i) {
    plan.points[i] = resolve_point(spec, points[i]);
    plan.points[i].stored = static_cast<size_t>(points[i].index) < stored;
    plan.points[i].in_shard = meta.contains(points[i].index);
  });
  std::vector<const SweepPlan::Point*> rejected;
  for (const SweepPlan::Point& p : plan.points) {
    if (!p.error.empty()) rejected.push_back(&p);
    for (const std::string& d : p.designs)
      if (std::find(plan.designs.begin(), plan.designs.end(), d) == plan.designs.end()) plan.designs.push_back(d);
    if (p.in_shard)
      for (const std::string& d : p.designs)
        if (std::find(meta.designs.begin(), meta.designs.end(), d) == meta.designs.end()) meta.designs.push_back(d);
  }
  return rejected;
}

// Without --keep-going, any rejected point stops the sweep before a run, listing the first few.
void refuse_rejected_points(const SweepSpec& spec, const std::vector<const SweepPlan::Point*>& rejected,
                            size_t points) {
  if (rejected.empty()) return;
  std::string text = fmt::format("{}: error: {} of {} points have a configuration that is rejected; nothing was run:",
                                 spec.file.string(), rejected.size(), points);
  for (size_t i = 0; i < rejected.size() && i < kRejectedShown; ++i)
    text += fmt::format("\n  point {} ({}): {}", rejected[i]->point.index, values_text(rejected[i]->point),
                        bare_error(rejected[i]->error));
  if (rejected.size() > kRejectedShown) text += fmt::format("\n  ... and {} more", rejected.size() - kRejectedShown);
  text += fmt::format(
      "\n{}: error: leave them out with the spec's constraint = \"...\", or add --keep-going to run "
      "the others and record these as failed points",
      spec.file.string());
  throw UserError(text);
}

// The designs the sweep runs when no point names its own, the reference among them, and none that a
// resumed sweep stored dropped.
void settle_designs(const SweepSpec& spec, const SweepOptions& options, const Config& base,
                    const std::optional<SweepMeta>& existing, SweepPlan& plan, SweepMeta& meta) {
  if (meta.designs.empty()) meta.designs = spec.designs.empty() ? base.run.designs : spec.designs;
  if (plan.designs.empty()) plan.designs = meta.designs;
  if (!options.reference.empty()) reference_design(meta.designs, options.reference);  // refused before any run
  if (existing)
    for (const std::string& d : existing->designs)
      if (std::find(meta.designs.begin(), meta.designs.end(), d) == meta.designs.end())
        throw UserError(
            fmt::format("{}: error: holds runs of design {}, which this spec no longer runs (designs: {}); a "
                        "sweep directory only grows: name it again (designs, --design), or choose another --out",
                        options.out.string(), d, fmt::join(meta.designs, ", ")));
}

// The runs still to do in this shard (a stored run is done unless --retry-failed and it failed); a
// rejected point's runs are recorded as failed instead.
void list_runs_to_do(const SweepOptions& options, Prepared& prepared) {
  SweepPlan& plan = prepared.plan;
  const SweepMeta& meta = prepared.meta;
  for (SweepPlan::Point& p : plan.points) {
    if (!p.in_shard) continue;
    const fs::path dir = point_dir(options.out, p.point.index);
    for (const std::string& design : p.designs.empty() ? meta.designs : p.designs)
      for (int r = 0; r < meta.replicates; ++r) {
        ++plan.runs;
        std::optional<RunRecord> stored = p.stored ? load_run(dir, design, r) : std::nullopt;
        if (stored && !(options.retry_failed && !stored->error.empty())) {
          ++plan.runs_stored;
          continue;
        }
        ++p.runs_to_do;
        (p.error.empty() ? prepared.tasks : prepared.rejected_runs).push_back(Task{p.point.index, design, r});
      }
  }
}

Prepared prepare(const SweepSpec& spec, const SweepOptions& options) {
  Prepared prepared;
  SweepPlan& plan = prepared.plan;
  SweepMeta& meta = prepared.meta;
  const Config base = load_sweep_base(spec, spec.overrides).config;
  meta = describe_sweep(spec, options, base);
  prepared.existing = open_out_dir(options.out, meta, options);

  const std::vector<SweepPoint> points = number_points(spec, prepared.existing, options.out);
  const size_t stored = prepared.existing ? prepared.existing->point_keys.size() : 0;
  meta.points = points.size();
  meta.skipped_points = spec.grid_size() - points.size();
  plan.skipped_points = meta.skipped_points;
  plan.replicates = meta.replicates;
  plan.new_points = points.size() - stored;
  for (const SweepPoint& p : points) meta.point_keys.push_back(point_key(p));

  const std::vector<const SweepPlan::Point*> rejected = resolve_points(spec, points, stored, options.jobs, plan, meta);
  plan.rejected_points = rejected.size();
  if (!options.keep_going) refuse_rejected_points(spec, rejected, plan.points.size());
  settle_designs(spec, options, base, prepared.existing, plan, meta);
  list_runs_to_do(options, prepared);
  return prepared;
}

}  // namespace

SweepPlan plan_sweep(const SweepSpec& spec, const SweepOptions& options) { return prepare(spec, options).plan; }

namespace {

// The points to calibrate an estimate on: the first, the one with the largest value on every axis (by
// each value's rank on its axis), and up to three between, in point order, each once.
std::vector<const SweepPlan::Point*> calibration_samples(const std::vector<const SweepPlan::Point*>& candidates) {
  std::map<std::string, std::vector<double>> axis_numbers;  // per key, its numeric values, sorted, each once
  for (const SweepPlan::Point* p : candidates)
    for (const auto& [key, value] : p->point.assignments)
      if (value.numeric) axis_numbers[key].push_back(*value.numeric);
  for (auto& [key, numbers] : axis_numbers) {
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  }
  auto rank_sum = [&](const SweepPlan::Point& p) {
    double sum = 0;
    for (const auto& [key, value] : p.point.assignments) {
      if (!value.numeric) continue;
      const std::vector<double>& all = axis_numbers[key];
      sum += static_cast<double>(std::lower_bound(all.begin(), all.end(), *value.numeric) - all.begin()) /
             static_cast<double>(all.size());
    }
    return sum;
  };
  std::vector<const SweepPlan::Point*> samples{candidates.front()};
  const auto largest = std::max_element(candidates.begin(), candidates.end(),
                                        [&](const auto* a, const auto* b) { return rank_sum(*a) < rank_sum(*b); });
  constexpr size_t kBetween = 3;
  for (size_t i = 1; i <= kBetween; ++i) samples.push_back(candidates[i * (candidates.size() - 1) / (kBetween + 1)]);
  samples.push_back(*largest);
  std::sort(samples.begin(), samples.end(),
            [](const auto* a, const auto* b) { return a->point.index < b->point.index; });
  samples.erase(std::unique(samples.begin(), samples.end()), samples.end());
  return samples;
}

// Wall seconds of one run of point p shrunk to `length` of simulated time (warm-up and measured time
// alike), with its first design; nothing if the run failed.
std::optional<double> probe_wall_seconds(const SweepPlan& plan, const SweepPlan::Point& p, engine::Time length) {
  Config config = *p.config;
  const double factor = std::min(1.0, length / (config.run.warmup + config.run.duration));
  config.run.warmup = engine::Time::from_ps(static_cast<int64_t>(static_cast<double>(config.run.warmup.ps()) * factor));
  config.run.duration =
      engine::Time::from_ps(static_cast<int64_t>(static_cast<double>(config.run.duration.ps()) * factor));
  const RunRecord record = run_one(config, p.designs.empty() ? plan.designs.front() : p.designs.front(), 0);
  if (record.failed()) return std::nullopt;
  return record.result.wall_seconds;
}

}  // namespace

SweepEstimate estimate_sweep(const SweepPlan& plan, int jobs) {
  SweepEstimate estimate;
  estimate.threads = jobs > 0 ? jobs : static_cast<int>(tbb::this_task_arena::max_concurrency());
  const size_t runs = plan.runs - plan.runs_stored;
  if (runs == 0) {
    estimate.method = "nothing to run";
    return estimate;
  }
  // The points that still have runs to do are the candidates to calibrate on.
  std::vector<const SweepPlan::Point*> candidates;
  for (const SweepPlan::Point& p : plan.points)
    if (p.runs_to_do > 0 && p.config) candidates.push_back(&p);
  if (candidates.empty()) {
    estimate.method = "no valid point to calibrate on";
    return estimate;
  }
  const std::vector<const SweepPlan::Point*> samples = calibration_samples(candidates);

  // Each sample is run for a short slice of simulated time (warm-up and measured time shrunk alike). A
  // run costs a start-up plus a cost per simulated second: the first sample is run at two lengths to
  // tell them apart (after a discarded run that pays the process's one-time costs), the others at one.
  constexpr engine::Time kProbe = engine::Time::from_ps(2'000'000'000);  // 2 ms
  constexpr int64_t kLonger = 4;
  const SweepPlan::Point& first = *samples.front();
  const std::string design = first.designs.empty() ? plan.designs.front() : first.designs.front();
  double startup = 0;
  probe_wall_seconds(plan, first, kProbe / kLonger);
  const auto short_run = probe_wall_seconds(plan, first, kProbe),
             long_run = probe_wall_seconds(plan, first, kProbe * kLonger);
  if (short_run && long_run) {
    const double per_probe = std::max(0.0, (*long_run - *short_run) / (kLonger - 1));
    startup = std::max(0.0, *short_run - per_probe);
  }
  std::vector<double> per_run;  // seconds per full-length run
  std::vector<int> used;
  for (const SweepPlan::Point* p : samples) {
    const engine::Time simulated = p->config->run.warmup + p->config->run.duration;
    const auto wall = p == &first ? short_run : probe_wall_seconds(plan, *p, kProbe);
    if (!wall) continue;
    const double scale = std::max(1.0, simulated / kProbe);
    per_run.push_back(startup + std::max(0.0, *wall - startup) * scale);
    used.push_back(p->point.index);
  }
  if (per_run.empty()) {
    estimate.method = "every calibration run failed";
    return estimate;
  }
  double mean = 0;
  for (double s : per_run) mean += s / static_cast<double>(per_run.size());
  const int parallel = static_cast<int>(std::min<size_t>(static_cast<size_t>(estimate.threads), runs));
  estimate.seconds = mean * static_cast<double>(runs) / parallel;
  const auto [lo, hi] = std::minmax_element(per_run.begin(), per_run.end());
  estimate.method = fmt::format(
      "from calibration runs of {} at point{} {} for {} of simulated time each (and {} at point {}: {:.3g} s of "
      "start-up per run), scaled to each point's length: {:.3g}-{:.3g} s per run, mean {:.3g} s, x {} run{} / {} "
      "thread{}; every design and replicate is assumed to cost alike",
      design, used.size() == 1 ? "" : "s", fmt::join(used, ", "), engine::to_string(kProbe),
      engine::to_string(kProbe * kLonger), first.point.index, startup, *lo, *hi, mean, runs, runs == 1 ? "" : "s",
      parallel, parallel == 1 ? "" : "s");
  return estimate;
}

SweepOutcome run_sweep(const SweepSpec& spec, const SweepOptions& options) {
  const auto start = std::chrono::system_clock::now();
  const fs::path& out = options.out;
  Prepared prepared = prepare(spec, options);
  const SweepPlan& plan = prepared.plan;
  const SweepMeta& meta = prepared.meta;
  auto stop = [&] { return options.stop_requested && options.stop_requested(); };
  SweepOutcome interrupted;
  interrupted.interrupted = true;
  interrupted.out = out;
  interrupted.runs = plan.runs;
  interrupted.runs_done = plan.runs_stored;
  if (stop()) return interrupted;  // nothing written yet

  write_file_atomically(out / "sweep.json", meta_json(meta).dump(2) + "\n");
  write_file_atomically(out / "sweep.toml", spec.text);
  for (const SweepPlan::Point& p : plan.points)
    if (p.in_shard)
      write_file_atomically(point_dir(out, p.point.index) / "point.json",
                            point_json(point_info(spec, p)).dump(2) + "\n");
  // Rejected points (keep_going) store a failed run per design and replicate at once.
  for (const Task& t : prepared.rejected_runs) {
    const SweepPlan::Point& p = plan.points[static_cast<size_t>(t.point)];
    store_run(
        point_dir(out, t.point),
        RunRecord{t.design, t.replicate, replicate_seed(meta.seed, t.replicate), {}, p.error, RunFailure::kUserError});
  }

  const std::vector<Task>& tasks = prepared.tasks;
  std::atomic<size_t> executed{0};
  Progress progress(options.progress, options.progress_terminal, tasks.size());
  for_each_index_in_parallel(options.jobs, tasks.size(), [&](size_t t) {
    if (stop()) return;
    const Task& task = tasks[t];
    const RunRecord record = run_one(*plan.points[static_cast<size_t>(task.point)].config, task.design, task.replicate);
    store_run(point_dir(out, task.point), record);
    ++executed;
    progress.finished(record.failed());
  });
  progress.done();
  if (executed.load() < tasks.size()) {
    interrupted.runs_done = plan.runs_stored + prepared.rejected_runs.size() + executed.load();
    interrupted.runs_executed = executed.load();
    return interrupted;
  }

  SweepOutcome outcome = aggregate(out, meta, options.command_line, start, options.jobs, options.reference);
  outcome.runs_executed = tasks.size();
  outcome.runs_reused = plan.runs_stored;
  return outcome;
}

std::optional<SweepCommandLine> stored_command_line(const fs::path& out) {
  const auto meta = existing_meta(out);
  if (!meta) return std::nullopt;
  return meta->command_line;
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
      throw UserError(
          fmt::format("{}: error: is a shard of a different sweep than {} (identity {} vs {}); only shards of "
                      "one spec merge",
                      dir.string(), first.string(), meta->identity, merged->identity));
    if (meta->replicates != merged->replicates)
      throw UserError(fmt::format("{}: error: has {} replicates, {} has {}; resume the shards with the same replicates",
                                  dir.string(), meta->replicates, first.string(), merged->replicates));
    if (meta->point_keys != merged->point_keys)
      throw UserError(
          fmt::format("{}: error: has {} points, {} has {}{}; resume every shard with the same spec before "
                      "merging",
                      dir.string(), meta->points, first.string(), merged->points,
                      meta->points == merged->points ? " with other values" : ""));
    for (const std::string& d : meta->designs)
      if (std::find(merged->designs.begin(), merged->designs.end(), d) == merged->designs.end())
        merged->designs.push_back(d);
  }
  if (const auto existing = existing_meta(out)) {
    if (existing->identity != merged->identity)
      throw UserError(fmt::format("{}: error: holds a different sweep; choose another output", out.string()));
  } else {
    check_out_dir_free(out);
  }
  write_file_atomically(out / "sweep.json", meta_json(*merged).dump(2) + "\n");
  if (fs::exists(first / "sweep.toml")) write_file_atomically(out / "sweep.toml", read_required(first / "sweep.toml"));
  // Every stored run not in OUT yet (OUT may hold an earlier merge of these shards, before they were
  // extended), each timing file before its record as store_run writes them; a point's point.json from
  // the first directory that holds it.
  std::set<fs::path> written;
  for (const fs::path& dir : shards) {
    if (!fs::exists(dir / "points")) continue;
    for (const fs::directory_entry& p : fs::directory_iterator(dir / "points")) {
      if (!fs::exists(p.path() / "point.json")) continue;
      const fs::path target = out / "points" / p.path().filename();
      const fs::path runs = p.path() / "runs";
      if (fs::exists(runs))
        for (const fs::directory_entry& f : fs::recursive_directory_iterator(runs)) {
          if (!f.is_regular_file() || f.path().extension() != ".json") continue;
          const fs::path record = target / fs::relative(f.path(), p.path());
          if (fs::exists(record)) continue;
          const fs::path timing = fs::path(f.path()).replace_extension(".timing");
          if (fs::exists(timing))
            write_file_atomically(fs::path(record).replace_extension(".timing"), read_required(timing));
          write_file_atomically(record, read_required(f.path()));
        }
      if (written.insert(target).second)
        write_file_atomically(target / "point.json", read_required(p.path() / "point.json"));
    }
  }
  if (!reference.empty()) reference_design(merged->designs, reference);
  return aggregate(out, *merged, command_line, start, 0, reference);
}

}  // namespace wakesim::experiment
