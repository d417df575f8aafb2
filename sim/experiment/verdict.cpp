// Verdicts: t-tests per comparison, Holm's correction per table, and their text and JSON forms.
#include "sim/experiment/verdict.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "sim/experiment/json_number.h"
#include "sim/experiment/report.h"

namespace wakesim::experiment {
namespace {

using Json = nlohmann::ordered_json;

// A signed difference in the metric's unit. A difference of fractions is in percentage points, so it
// cannot be mistaken for the relative size next to it.
std::string signed_value(double v, const std::string& unit) {
  if (!std::isfinite(v)) return v > 0 ? "+inf" : (v < 0 ? "-inf" : "-");
  if (unit == "fraction") return fmt::format("{:+.3g}pp", v * 100);
  const std::string text = format_metric_value(v, unit);
  return v > 0 ? "+" + text : text;
}

std::string p_text(double p) { return p < 0.001 ? fmt::format("{:.1e}", p) : fmt::format("{:.3f}", p); }

}  // namespace

const char* to_string(Pairing pairing) { return pairing == Pairing::kPaired ? "paired-t" : "welch-t"; }

Verdict compare_samples(std::span<const double> design_values, std::span<const double> reference_values,
                        Pairing pairing) {
  Verdict v;
  v.pairing = pairing;
  v.test = pairing == Pairing::kPaired ? stats::paired_t_test(design_values, reference_values)
                                       : stats::welch_t_test(design_values, reference_values);
  auto mean = [](std::span<const double> x) {
    double sum = 0;
    for (const double value : x) sum += value;
    return x.empty() ? std::nan("") : sum / static_cast<double>(x.size());
  };
  v.reference_mean = mean(reference_values);
  v.design_mean = mean(design_values);
  v.relative = v.reference_mean != 0 ? v.test.difference / std::abs(v.reference_mean) : std::nan("");
  if (v.test.difference == 0) v.relative = 0;
  v.p_adjusted = v.test.p;
  return v;
}

std::vector<Verdict> design_verdicts(const ExperimentResult& result, const std::string& reference,
                                     const std::vector<std::string>& metrics, int point,
                                     const std::string& point_label) {
  // design -> replicate -> metric -> value (successful runs only)
  std::map<std::string, std::map<int, std::map<std::string, std::pair<std::string, double>>>> values;
  std::vector<std::string> reported;
  std::set<std::string> seen;
  for (const RunRecord& run : result.runs) {
    if (run.failed()) continue;
    auto& m = values[run.design][run.replicate];
    for (const Metric& metric : run.result.metrics) {
      m[metric.name] = {metric.unit, metric.value};
      if (seen.insert(metric.name).second) reported.push_back(metric.name);
    }
  }
  const std::vector<std::string>& names = metrics.empty() ? reported : metrics;
  std::vector<Verdict> out;
  const auto ref = values.find(reference);
  if (ref == values.end()) return out;
  for (const std::string& design : result.designs) {
    if (design == reference) continue;
    const auto own = values.find(design);
    if (own == values.end()) continue;
    for (const std::string& name : names) {
      std::vector<double> a, b;
      std::string unit;
      for (const auto& [replicate, m] : own->second) {
        const auto r = ref->second.find(replicate);
        if (r == ref->second.end()) continue;
        const auto x = m.find(name);
        const auto y = r->second.find(name);
        if (x == m.end() || y == r->second.end()) continue;
        unit = x->second.first;
        a.push_back(x->second.second);
        b.push_back(y->second.second);
      }
      if (a.empty()) continue;
      Verdict v = compare_samples(a, b, Pairing::kPaired);
      v.point = point;
      v.point_label = point_label;
      v.design = design;
      v.reference = reference;
      v.metric = name;
      v.unit = unit;
      out.push_back(std::move(v));
    }
  }
  return out;
}

void correct(VerdictTable& table) {
  std::vector<double> p;
  p.reserve(table.rows.size());
  for (const Verdict& v : table.rows) p.push_back(v.test.p);
  const std::vector<double> adjusted = stats::holm_adjust(p);
  for (size_t i = 0; i < table.rows.size(); ++i) {
    table.rows[i].p_adjusted = adjusted[i];
    table.rows[i].significant = !std::isnan(adjusted[i]) && adjusted[i] < table.alpha;
  }
}

std::vector<std::string> reported_metrics(const ExperimentResult& result) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const RunRecord& run : result.runs)
    if (!run.failed())
      for (const Metric& m : run.result.metrics)
        if (seen.insert(m.name).second) out.push_back(m.name);
  return out;
}

VerdictTable run_verdicts(const ExperimentResult& result, const std::string& reference,
                          const std::vector<std::string>& headline) {
  VerdictTable table;
  table.reference = reference;
  table.metrics = verdict_metrics(headline, reported_metrics(result), std::numeric_limits<size_t>::max());
  table.rows = design_verdicts(result, reference, table.metrics);
  correct(table);
  return table;
}

std::vector<std::string> verdict_metrics(const std::vector<std::string>& headline,
                                         const std::vector<std::string>& reported, size_t limit) {
  std::vector<std::string> out;
  for (const std::string& m : headline.empty() ? reported : headline) {
    if (out.size() >= limit) break;
    if (std::find(reported.begin(), reported.end(), m) != reported.end()) out.push_back(m);
  }
  return out;
}

std::string verdict_word(const Verdict& v) {
  if (std::isnan(v.p_adjusted)) return "no verdict";
  if (!v.significant) return "n.s.";
  return v.test.difference > 0 ? "higher" : "lower";
}

std::string verdict_cell(const Verdict& v) {
  if (std::isnan(v.p_adjusted)) return fmt::format("? (no verdict: n={})", v.test.n);
  if (!v.significant) return "= (n.s.)";
  std::string text = signed_value(v.test.difference, v.unit);
  if (std::isfinite(v.relative)) text += fmt::format(" ({:+.1f}%)", v.relative * 100);
  if (v.test.lo != v.test.hi)
    text += fmt::format(" [{}, {}]", signed_value(v.test.lo, v.unit), signed_value(v.test.hi, v.unit));
  return text + " p_adj=" + p_text(v.p_adjusted);
}

std::string verdict_method_line(const VerdictTable& table) {
  bool paired = false, welch = false;
  for (const Verdict& v : table.rows) (v.pairing == Pairing::kPaired ? paired : welch) = true;
  std::string test;
  if (paired) test = "paired t-test over replicates with common seeds (CRN)";
  if (welch) test += std::string(paired ? " and " : "") + "Welch's t-test (seeds differ: independent samples)";
  if (test.empty()) test = "t-test";
  return fmt::format("{}; {} over {} comparison{}, alpha {}", test, kVerdictCorrectionText, table.rows.size(),
                     table.rows.size() == 1 ? "" : "s", table.alpha);
}

std::string verdict_legend(const VerdictTable& table, const std::string& relative_to) {
  size_t significant = 0, no_verdict = 0;
  for (const Verdict& v : table.rows) {
    significant += v.significant ? 1 : 0;
    no_verdict += std::isnan(v.p_adjusted) ? 1 : 0;
  }
  std::string tally = fmt::format("{} of {} differences significant", significant, table.rows.size());
  if (no_verdict > 0) tally += fmt::format(", {} without a verdict (one replicate)", no_verdict);
  return fmt::format(
      "cell: difference (relative to {}) [95% CI] Holm-adjusted p; '= (n.s.)': no significant "
      "difference. {}.\n",
      relative_to, tally);
}

std::string format_verdicts_by_metric(const VerdictTable& table) {
  std::vector<std::string> designs, points;
  std::set<std::string> seen_designs, seen_points;
  std::map<std::tuple<std::string, std::string, std::string>, const Verdict*> cell;
  std::vector<std::pair<std::string, std::string>> rows;  // (point label, metric)
  std::set<std::pair<std::string, std::string>> seen_rows;
  bool any_point = false;
  for (const Verdict& v : table.rows) {
    if (seen_designs.insert(v.design).second) designs.push_back(v.design);
    if (seen_rows.insert({v.point_label, v.metric}).second) rows.push_back({v.point_label, v.metric});
    cell[{v.point_label, v.metric, v.design}] = &v;
    any_point = any_point || !v.point_label.empty();
  }
  std::vector<std::vector<std::string>> text;
  std::vector<std::string> head;
  if (any_point) head.push_back("at");
  head.push_back("metric");
  for (const std::string& d : designs) head.push_back(table.reference.empty() ? d : d + " vs " + table.reference);
  text.push_back(head);
  std::string last_point;
  for (const auto& [point, metric] : rows) {
    std::vector<std::string> line;
    if (any_point) line.push_back(point == last_point ? "" : point);
    last_point = point;
    line.push_back(metric);
    for (const std::string& d : designs) {
      const auto it = cell.find({point, metric, d});
      line.push_back(it == cell.end() ? "-" : verdict_cell(*it->second));
    }
    text.push_back(std::move(line));
  }
  return render_table(text, ColumnAlignment::kLeft);
}

std::string format_verdicts_by_point(const VerdictTable& table) {
  std::vector<std::pair<std::string, std::string>> rows;  // (point label, design)
  std::set<std::pair<std::string, std::string>> seen;
  std::map<std::tuple<std::string, std::string, std::string>, const Verdict*> cell;
  for (const Verdict& v : table.rows) {
    if (seen.insert({v.point_label, v.design}).second) rows.push_back({v.point_label, v.design});
    cell[{v.point_label, v.design, v.metric}] = &v;
  }
  std::vector<std::vector<std::string>> text;
  std::vector<std::string> head{"point", "design vs " + table.reference};
  for (const std::string& m : table.metrics) head.push_back(m);
  text.push_back(head);
  std::string last_point;
  for (const auto& [point, design] : rows) {
    std::vector<std::string> line{point == last_point ? "" : point, design};
    last_point = point;
    for (const std::string& m : table.metrics) {
      const auto it = cell.find({point, design, m});
      line.push_back(it == cell.end() ? "-" : verdict_cell(*it->second));
    }
    text.push_back(std::move(line));
  }
  return render_table(text, ColumnAlignment::kLeft);
}

Json verdicts_json(const VerdictTable& table) {
  bool paired = false, welch = false;
  for (const Verdict& v : table.rows) (v.pairing == Pairing::kPaired ? paired : welch) = true;
  Json doc;
  doc["reference"] = table.reference;
  doc["test"] = paired && welch ? "paired-t and welch-t" : (welch ? "welch-t" : "paired-t");
  doc["correction"] = kVerdictCorrection;
  doc["alpha"] = table.alpha;
  doc["comparisons"] = table.rows.size();
  doc["metrics"] = table.metrics;
  Json rows = Json::array();
  for (const Verdict& v : table.rows) {
    Json row;
    if (v.point >= 0) row["point"] = v.point;
    if (!v.point_label.empty()) row["at"] = v.point_label;
    row["design"] = v.design;
    row["metric"] = v.metric;
    row["unit"] = v.unit;
    row["test"] = to_string(v.pairing);
    row["n"] = v.test.n;
    row["reference_mean"] = finite_or_null(v.reference_mean);
    row["design_mean"] = finite_or_null(v.design_mean);
    row["difference"] = finite_or_null(v.test.difference);
    row["ci95_low"] = finite_or_null(v.test.lo);
    row["ci95_high"] = finite_or_null(v.test.hi);
    row["relative"] = finite_or_null(v.relative);
    row["p"] = finite_or_null(v.test.p);
    row["p_adjusted"] = finite_or_null(v.p_adjusted);
    row["significant"] = v.significant;
    row["verdict"] = verdict_word(v);
    rows.push_back(std::move(row));
  }
  doc["rows"] = std::move(rows);
  return doc;
}

}  // namespace wakesim::experiment
