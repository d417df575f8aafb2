#include "sim/experiment/metric_registry.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/config/suggest.h"
#include "sim/experiment/scenario.h"

namespace wakesim::experiment {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kMetricsSchemaVersion = 1;

std::vector<std::string_view> segments(std::string_view name) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t dot = name.find('.', start);
    out.push_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

// "{path}" -> "path"; anything else -> "".
std::string_view placeholder_of(std::string_view segment) {
  if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}')
    return segment.substr(1, segment.size() - 2);
  return {};
}

bool is_identifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// Whether some concrete segment could match both pattern segments a and b.
bool compatible(const MetricDeclarations& d, std::string_view a, std::string_view b) {
  const Placeholder* pa = d.find_placeholder(placeholder_of(a));
  const Placeholder* pb = d.find_placeholder(placeholder_of(b));
  if (pa == nullptr && pb == nullptr) return a == b;
  if (pa != nullptr && pb != nullptr) {
    if (pa->values.empty() || pb->values.empty()) return true;
    return std::any_of(pa->values.begin(), pa->values.end(),
                       [&](const std::string& v) { return contains(pb->values, v); });
  }
  const Placeholder* p = pa != nullptr ? pa : pb;
  const std::string_view literal = pa != nullptr ? b : a;
  return p->values.empty() ? is_identifier(literal) : contains(p->values, literal);
}

// Every expansion of a pattern over its placeholders' values; open placeholders become the
// corresponding segment of `like` when it has as many segments, else stay {name}.
std::vector<std::string> expand(const MetricDeclarations& d, std::string_view pattern, std::string_view like = {}) {
  const auto parts = segments(pattern);
  const auto wanted = segments(like);
  std::vector<std::string> out{""};
  for (size_t i = 0; i < parts.size(); ++i) {
    std::vector<std::string> choices{std::string(parts[i])};
    if (const Placeholder* p = d.find_placeholder(placeholder_of(parts[i]))) {
      if (!p->values.empty()) choices = p->values;
      else if (wanted.size() == parts.size()) choices = {std::string(wanted[i])};
    }
    std::vector<std::string> next;
    next.reserve(out.size() * choices.size());
    for (const std::string& prefix : out)
      for (const std::string& c : choices)
        next.push_back(prefix.empty() && i == 0 ? c : fmt::format("{}.{}", prefix, c));
    out = std::move(next);
  }
  return out;
}

Json column_json(const TableColumn& c) {
  Json j{{"name", c.name}, {"unit", c.unit}, {"kind", c.key ? Json("key") : Json(to_string(c.kind))}, {"help", c.help}};
  if (!c.metric.empty()) j["metric"] = c.metric;
  return j;
}

Json scenario_json(const ScenarioMetrics& s) {
  const MetricDeclarations& d = *s.declarations;
  Json placeholders = Json::array();
  for (const Placeholder& p : d.placeholders())
    placeholders.push_back(
        Json{{"name", p.name}, {"help", p.help}, {"values", p.values.empty() ? Json(nullptr) : Json(p.values)}});
  Json metrics = Json::array();
  for (const MetricDeclaration& m : d.metrics()) {
    Json j{{"name", m.name}, {"unit", m.unit}, {"kind", to_string(m.kind)}, {"help", m.help}};
    if (m.table_only) j["table_only"] = true;
    metrics.push_back(std::move(j));
  }
  Json histograms = Json::array();
  for (const HistogramDeclaration& h : d.histograms())
    histograms.push_back(
        Json{{"name", h.name}, {"file", "histograms/DESIGN/" + h.name + ".csv"}, {"unit", h.unit}, {"help", h.help}});
  Json tables = Json::array();
  for (const TableDeclaration& t : d.tables()) {
    Json columns = Json::array();
    for (const TableColumn& c : table_key_columns()) columns.push_back(column_json(c));
    for (const TableColumn& c : t.columns) columns.push_back(column_json(c));
    tables.push_back(
        Json{{"name", t.name}, {"file", t.name + ".csv"}, {"help", t.help}, {"columns", std::move(columns)}});
  }
  return Json{{"scenario", s.scenario},
              {"help", s.help},
              {"placeholders", std::move(placeholders)},
              {"metrics", std::move(metrics)},
              {"histograms", std::move(histograms)},
              {"tables", std::move(tables)}};
}

}  // namespace

const char* to_string(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCount:
      return "count";
    case MetricKind::kRate:
      return "rate";
    case MetricKind::kDuration:
      return "duration";
    case MetricKind::kFraction:
      return "fraction";
    case MetricKind::kTime:
      return "time";
  }
  return "?";
}

MetricDeclarations& MetricDeclarations::placeholder(std::string name, std::string help,
                                                    std::vector<std::string> values) {
  placeholders_.push_back(Placeholder{std::move(name), std::move(help), std::move(values)});
  return *this;
}

MetricDeclarations& MetricDeclarations::metric(std::string name, std::string unit, MetricKind kind, std::string help) {
  metrics_.push_back(MetricDeclaration{std::move(name), std::move(unit), kind, std::move(help), false});
  return *this;
}

MetricDeclarations& MetricDeclarations::table_metric(std::string name, std::string unit, MetricKind kind,
                                                     std::string help) {
  metrics_.push_back(MetricDeclaration{std::move(name), std::move(unit), kind, std::move(help), true});
  return *this;
}

MetricDeclarations& MetricDeclarations::latency_summary(const std::string& prefix, const std::string& what) {
  metric(prefix + ".count", "count", MetricKind::kCount, "number of samples of " + what);
  metric(prefix + ".mean", "ns", MetricKind::kDuration, "mean of " + what);
  for (const auto& [stat, label] : {std::pair{"p50", "median"},
                                    {"p90", "90th percentile"},
                                    {"p99", "99th percentile"},
                                    {"p999", "99.9th percentile"},
                                    {"p9999", "99.99th percentile"}})
    metric(prefix + "." + stat, "ns", MetricKind::kDuration, std::string(label) + " of " + what);
  metric(prefix + ".max", "ns", MetricKind::kDuration, "maximum of " + what);
  return *this;
}

MetricDeclarations& MetricDeclarations::histogram(std::string name, std::string unit, std::string help) {
  histograms_.push_back(HistogramDeclaration{std::move(name), std::move(unit), std::move(help)});
  return *this;
}

MetricDeclarations& MetricDeclarations::table(TableDeclaration table) {
  tables_.push_back(std::move(table));
  return *this;
}

bool MetricDeclarations::matches(std::string_view pattern, std::string_view name) const {
  const auto p = segments(pattern), n = segments(name);
  if (p.size() != n.size()) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    const std::string_view ph = placeholder_of(p[i]);
    if (ph.empty()) {
      if (p[i] != n[i]) return false;
      continue;
    }
    const Placeholder* decl = find_placeholder(ph);
    if (decl == nullptr) return false;
    if (decl->values.empty() ? !is_identifier(n[i]) : !contains(decl->values, n[i])) return false;
  }
  return true;
}

const MetricDeclaration* MetricDeclarations::find_metric(std::string_view name, Scope scope) const {
  for (const MetricDeclaration& m : metrics_)
    if ((scope == Scope::kAll || !m.table_only) && matches(m.name, name)) return &m;
  return nullptr;
}

const HistogramDeclaration* MetricDeclarations::find_histogram(std::string_view name) const {
  for (const HistogramDeclaration& h : histograms_)
    if (matches(h.name, name)) return &h;
  return nullptr;
}

const TableDeclaration* MetricDeclarations::find_table(std::string_view name) const {
  for (const TableDeclaration& t : tables_)
    if (t.name == name) return &t;
  return nullptr;
}

const Placeholder* MetricDeclarations::find_placeholder(std::string_view name) const {
  if (name.empty()) return nullptr;
  for (const Placeholder& p : placeholders_)
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> MetricDeclarations::problems() const {
  std::vector<std::string> out;
  std::set<std::string> used;
  auto check_pattern = [&](const std::string& what, const std::string& name) {
    for (std::string_view s : segments(name)) {
      if (s.empty()) out.push_back(fmt::format("{} '{}': empty segment", what, name));
      const std::string_view ph = placeholder_of(s);
      if (ph.empty()) continue;
      used.insert(std::string(ph));
      if (find_placeholder(ph) == nullptr)
        out.push_back(fmt::format("{} '{}': undeclared placeholder {{{}}}", what, name, ph));
    }
  };
  for (const MetricDeclaration& m : metrics_) {
    check_pattern("metric", m.name);
    if (m.unit.empty()) out.push_back(fmt::format("metric '{}': no unit", m.name));
    if (m.help.empty()) out.push_back(fmt::format("metric '{}': no help", m.name));
  }
  for (size_t i = 0; i < metrics_.size(); ++i)
    for (size_t j = i + 1; j < metrics_.size(); ++j) {
      const auto a = segments(metrics_[i].name), b = segments(metrics_[j].name);
      if (a.size() != b.size()) continue;
      bool overlap = true;
      for (size_t k = 0; k < a.size() && overlap; ++k) overlap = compatible(*this, a[k], b[k]);
      if (overlap)
        out.push_back(fmt::format("metrics '{}' and '{}' can match the same name", metrics_[i].name, metrics_[j].name));
    }
  for (const HistogramDeclaration& h : histograms_) {
    check_pattern("histogram", h.name);
    if (h.unit.empty()) out.push_back(fmt::format("histogram '{}': no unit", h.name));
  }
  for (const TableDeclaration& t : tables_)
    for (const TableColumn& c : t.columns) {
      if (c.key) {
        if (find_placeholder(c.name) != nullptr) used.insert(c.name);
        continue;
      }
      if (c.unit.empty()) out.push_back(fmt::format("table '{}' column '{}': no unit", t.name, c.name));
      if (c.metric.empty()) continue;
      check_pattern(fmt::format("table '{}' column '{}'", t.name, c.name), c.metric);
      const auto it = std::find_if(metrics_.begin(), metrics_.end(),
                                   [&](const MetricDeclaration& m) { return m.name == c.metric; });
      if (it == metrics_.end())
        out.push_back(fmt::format("table '{}' column '{}': metric '{}' is not declared", t.name, c.name, c.metric));
      else if (it->unit != c.unit)
        out.push_back(fmt::format("table '{}' column '{}': unit {} differs from metric '{}' ({})", t.name, c.name,
                                  c.unit, c.metric, it->unit));
    }
  for (const Placeholder& p : placeholders_)
    if (!used.contains(p.name)) out.push_back(fmt::format("placeholder {{{}}} is not used", p.name));
  return out;
}

TableColumn key_column(std::string name, std::string help) {
  return TableColumn{std::move(name), "", MetricKind::kCount, std::move(help), true, ""};
}

TableColumn value_column(std::string name, std::string unit, MetricKind kind, std::string help, std::string metric) {
  return TableColumn{std::move(name), std::move(unit), kind, std::move(help), false, std::move(metric)};
}

const std::vector<TableColumn>& table_key_columns() {
  static const std::vector<TableColumn> columns = {
      key_column("design", "the design (variant) the run compared"),
      key_column("replicate", "the replicate, from 0"),
  };
  return columns;
}

const std::vector<TableColumn>& run_columns() {
  static const std::vector<TableColumn> columns = {
      key_column("design", "the design (variant) the run compared"),
      key_column("replicate", "the replicate, from 0"),
      key_column("seed", "the replicate's seed (derived from run.seed)"),
      key_column("error", "why the run failed; empty when it succeeded"),
      value_column("events", "count", MetricKind::kCount, "simulation events executed"),
  };
  return columns;
}

std::vector<ScenarioMetrics> registered_metrics(const std::string& scenario) {
  std::vector<ScenarioMetrics> out;
  for (const ScenarioEntry* e : all_scenarios()) {
    if (!scenario.empty() && e->name != scenario) continue;
    out.push_back(ScenarioMetrics{e->name, e->help, &e->make()->metrics()});
  }
  return out;
}

std::string metrics_json(const std::vector<ScenarioMetrics>& scenarios) {
  Json doc;
  doc["schema_version"] = kMetricsSchemaVersion;
  Json files;
  Json runs = Json::array();
  for (const TableColumn& c : run_columns()) runs.push_back(column_json(c));
  files["runs.csv"] = Json{{"help",
                            "one row per design x replicate (a sweep adds point and the swept keys first; the "
                            "kvm scenario adds its derived keys, vms.vcpus_per_pcpu and vms.device_rate_per_pcpu, "
                            "before design), then one column per run metric"},
                           {"columns", std::move(runs)}};
  files["aggregates.csv"] =
      Json{{"help",
            "a sweep's means over replicates: point, the swept keys (and derived keys), design, then metric (a run "
            "metric's name), "
            "unit, n, mean, ci95_low, ci95_high (95% confidence interval, in the unit)"}};
  files["histograms/DESIGN/NAME.csv"] =
      Json{{"help", "a histogram merged over replicates: one row per non-empty bucket"},
           {"columns",
            Json::array(
                {Json{{"name", "lower_ns"}, {"unit", "ns"}, {"kind", "key"}, {"help", "the bucket's lower bound"}},
                 Json{{"name", "upper_ns"},
                      {"unit", "ns"},
                      {"kind", "key"},
                      {"help", "the bucket's upper bound (exclusive)"}},
                 Json{{"name", "count"}, {"unit", "count"}, {"kind", "count"}, {"help", "samples in the bucket"}}})}};
  doc["files"] = std::move(files);
  Json list = Json::array();
  for (const ScenarioMetrics& s : scenarios) list.push_back(scenario_json(s));
  doc["scenarios"] = std::move(list);
  return doc.dump(2) + "\n";
}

MetricDeclarations used_declarations(const MetricDeclarations& all, const std::vector<std::string>& metrics,
                                     const std::vector<std::string>& histograms,
                                     const std::vector<std::string>& tables) {
  std::set<const MetricDeclaration*> used_metrics;
  std::set<const HistogramDeclaration*> used_histograms;
  std::set<const TableDeclaration*> used_tables;
  for (const std::string& m : metrics)
    if (const MetricDeclaration* d = all.find_metric(m)) used_metrics.insert(d);
  for (const std::string& h : histograms)
    if (const HistogramDeclaration* d = all.find_histogram(h)) used_histograms.insert(d);
  for (const std::string& t : tables)
    if (const TableDeclaration* d = all.find_table(t)) {
      used_tables.insert(d);
      for (const TableColumn& c : d->columns)  // the table-only metrics its columns hold
        for (const MetricDeclaration& m : all.metrics())
          if (!c.metric.empty() && m.name == c.metric) used_metrics.insert(&m);
    }
  MetricDeclarations out;
  std::set<std::string> placeholders;
  auto note = [&](const std::string& pattern) {
    for (std::string_view s : segments(pattern))
      if (!placeholder_of(s).empty()) placeholders.insert(std::string(placeholder_of(s)));
  };
  for (const MetricDeclaration& m : all.metrics())
    if (used_metrics.contains(&m)) note(m.name);
  for (const HistogramDeclaration& h : all.histograms())
    if (used_histograms.contains(&h)) note(h.name);
  for (const TableDeclaration& t : all.tables())
    if (used_tables.contains(&t))
      for (const TableColumn& c : t.columns)
        if (c.key && all.find_placeholder(c.name) != nullptr) placeholders.insert(c.name);
  for (const Placeholder& p : all.placeholders())
    if (placeholders.contains(p.name)) out.placeholder(p.name, p.help, p.values);
  for (const MetricDeclaration& m : all.metrics())
    if (used_metrics.contains(&m))
      (m.table_only ? out.table_metric(m.name, m.unit, m.kind, m.help) : out.metric(m.name, m.unit, m.kind, m.help));
  for (const HistogramDeclaration& h : all.histograms())
    if (used_histograms.contains(&h)) out.histogram(h.name, h.unit, h.help);
  for (const TableDeclaration& t : all.tables())
    if (used_tables.contains(&t)) out.table(t);
  return out;
}

std::string metric_name_hint(const MetricDeclarations& declarations, std::string_view name) {
  for (const auto& [suffix, unit] : {std::pair<std::string_view, std::string_view>{"_ns", "ns"}, {"_per_s", "/s"}}) {
    if (!name.ends_with(suffix)) continue;
    const std::string_view bare = name.substr(0, name.size() - suffix.size());
    if (const MetricDeclaration* m = declarations.find_metric(bare); m != nullptr && m->unit == unit)
      return fmt::format(" (metric names no longer carry their unit: use '{}', which is in {})", bare, unit);
  }
  std::vector<std::string> candidates;
  for (const MetricDeclaration& m : declarations.metrics())
    if (!m.table_only)
      for (std::string& s : expand(declarations, m.name, name)) candidates.push_back(std::move(s));
  return config::did_you_mean(name, candidates);
}

}  // namespace wakesim::experiment
