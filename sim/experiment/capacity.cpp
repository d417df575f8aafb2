#include "sim/experiment/capacity.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <span>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tbb/parallel_for.h>

#include "sim/config/suggest.h"
#include "sim/config/units.h"
#include "sim/engine/errors.h"
#include "sim/experiment/atomic_file.h"
#include "sim/experiment/metric_registry.h"
#include "sim/experiment/parallel.h"
#include "sim/experiment/progress.h"
#include "sim/experiment/provenance.h"
#include "sim/experiment/report.h"
#include "sim/experiment/results_writer.h"
#include "sim/experiment/run_watch.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/scenario.h"
#include "sim/experiment/summary.h"
#include "sim/experiment/verdict.h"

namespace wakesim::experiment {
namespace {

using engine::UserError;
using Json = nlohmann::ordered_json;

// The metric's value in a run, by its declared name ("wakeup.p99").
const Metric* find_metric(const RunResult& r, const std::string& name) {
  for (const Metric& m : r.metrics)
    if (m.name == name) return &m;
  return nullptr;
}

std::string value_text(double v, bool integer) {
  return integer ? std::to_string(std::llround(v)) : fmt::format("{:.6g}", v);
}

// The threshold in the metric's unit, now that the unit is known.
double threshold_in_unit(const Slo& slo, const std::string& unit) {
  std::string error;
  std::string text = slo.threshold_text;
  if (unit == "ns") {
    if (auto t = config::parse_duration(text, error)) return t->ns();
  } else if (unit == "/s") {
    if (auto r = config::parse_rate(text, error)) return r->per_second;
  } else {
    const bool percent = !text.empty() && text.back() == '%';
    if (percent) text.pop_back();
    try {
      size_t used = 0;
      const double v = std::stod(text, &used);
      if (used == text.size()) return percent ? v / 100 : v;
    } catch (const std::exception&) {
    }
    error = unit == "fraction" ? "a number (0.05) or a percentage (5%)" : "a plain number";
  }
  if (unit == "ns") error = "a duration with a unit, e.g. 50us";
  if (unit == "/s") error = "a rate with a unit, e.g. 200k/s";
  throw UserError(fmt::format("--slo '{}': error: {} is in {}; expected {} as the threshold", slo.text, slo.metric,
                              unit.empty() ? "plain numbers" : unit, error));
}

// Each SLO's metric must be one the scenario declares (metric_registry.h); its unit comes from there,
// so a threshold in the wrong unit is refused before any run.
void resolve_slos(const std::string& scenario, std::vector<Slo>& slos) {
  const ScenarioEntry* entry = find_scenario(scenario);
  if (entry == nullptr) return;  // the configuration loader has already refused it
  const MetricDeclarations& declared = entry->make()->metrics();
  for (Slo& slo : slos) {
    const MetricDeclaration* m = declared.find_metric(slo.metric);
    if (m == nullptr)
      throw UserError(
          fmt::format("--slo '{}': error: scenario '{}' has no metric '{}'{} (`wakesim list metrics {}` "
                      "lists them)",
                      slo.text, scenario, slo.metric, metric_name_hint(declared, slo.metric), scenario));
    slo.unit = m->unit;
    slo.threshold = threshold_in_unit(slo, m->unit);
  }
}

struct Search {
  const Config& base;
  const std::vector<std::string>& base_overrides;
  const std::optional<std::filesystem::path>& config_file;
  const CapacityOptions& options;
  const std::vector<Slo>& slos;  // units and thresholds resolved (resolve_slos)
  Progress& progress;
  RunWatch& watch;
  size_t planned;  // runs of this design still counted in the progress total and not started

  // New runs of a probe: a new probe's runs come out of the plan (the total grows only past it);
  // more replicates for an uncertain probe are added to the total as they are decided.
  enum class NewRuns { kNewProbe, kMoreReplicates };
  void count(size_t fresh, NewRuns what) {
    const size_t from_plan = what == NewRuns::kMoreReplicates ? 0 : std::min(planned, fresh);
    planned -= from_plan;
    if (fresh > from_plan) progress.add_planned(static_cast<std::ptrdiff_t>(fresh - from_plan));
  }

  // Runs (or extends) a probe of `design` at `value` to `replicates` replicates.
  void run_probe(const std::string& design, double value, std::map<double, std::vector<RunRecord>>& cache, Probe& probe,
                 int replicates) {
    probe.value = value;
    const std::string number = value_text(value, options.integer);
    const std::string text = options.format == "{}" ? number : fmt::format(fmt::runtime(options.format), number);
    probe.assignment = options.key + "=" + (options.format == "{}" ? text : "\"" + text + "\"");
    std::vector<std::string> overrides = base_overrides;
    overrides.push_back(probe.assignment);
    Config config;
    try {
      config = (config_file ? load_config(config_file, overrides) : load_default_config(overrides)).config;
    } catch (const UserError& e) {
      probe.error = e.what();
      return;
    }
    std::vector<RunRecord>& runs = cache[value];
    const size_t have = runs.size();
    runs.resize(std::max(runs.size(), static_cast<size_t>(replicates)));
    count(runs.size() - have, have > 0 ? NewRuns::kMoreReplicates : NewRuns::kNewProbe);
    tbb::parallel_for(have, runs.size(), [&](size_t r) {
      runs[r] = run_one(config, design, static_cast<int>(r), &watch);
      progress.finished(runs[r].failed());
    });
    probe.replicates = static_cast<int>(runs.size());
  }

  void judge(Probe& probe, const std::vector<RunRecord>& runs) {
    probe.slos.assign(slos.size(), SloVerdict{});
    probe.samples.assign(slos.size(), {});
    probe.holds = probe.error.empty();
    for (const RunRecord& r : runs)
      if (r.failed() && probe.error.empty()) probe.error = r.error;
    if (!probe.error.empty()) {
      for (SloVerdict& v : probe.slos) v.verdict = "error";
      probe.holds = false;
      return;
    }
    for (size_t s = 0; s < slos.size(); ++s) {
      std::vector<double> values;
      for (const RunRecord& r : runs) {
        const Metric* m = find_metric(r.result, slos[s].metric);
        if (m == nullptr)  // declared, but not reported with this configuration
          throw UserError(
              fmt::format("--slo '{}': error: the runs report no metric '{}' with this configuration "
                          "(the metrics are the columns of runs.csv)",
                          slos[s].text, slos[s].metric));
        values.push_back(m->value);
      }
      SloVerdict& v = probe.slos[s];
      v.ci = stats::mean_ci(values);
      probe.samples[s] = values;
      const bool upper = slos[s].op[0] == '<';  // the metric must stay below the threshold
      const bool strict = slos[s].op.size() == 1;
      const double t = slos[s].threshold;
      auto ok = [&](double x) { return upper ? (strict ? x < t : x <= t) : (strict ? x > t : x >= t); };
      const double near = upper ? v.ci.hi : v.ci.lo, far = upper ? v.ci.lo : v.ci.hi;
      v.verdict = std::isfinite(near) && ok(near) ? "pass" : (std::isfinite(far) && !ok(far) ? "fail" : "uncertain");
      probe.holds = probe.holds && v.verdict == "pass";
    }
  }

  // A probe with as many replicates as its doubt calls for.
  Probe probe(const std::string& design, double value, std::map<double, std::vector<RunRecord>>& cache) {
    Probe p;
    int replicates = options.initial_replicates;
    for (;;) {
      p = Probe{};
      run_probe(design, value, cache, p, replicates);
      judge(p, cache[value]);
      bool uncertain = false;
      for (const SloVerdict& v : p.slos) uncertain = uncertain || v.verdict == "uncertain";
      bool failed = false;
      for (const SloVerdict& v : p.slos) failed = failed || v.verdict == "fail";
      // More replicates only help when no SLO has already failed outright.
      if (!uncertain || failed || !p.error.empty() || replicates >= options.max_replicates) return p;
      replicates = std::min(options.max_replicates, replicates * 2);
    }
  }

  DesignCapacity run(const std::string& design) {
    DesignCapacity out;
    out.design = design;
    std::map<double, std::vector<RunRecord>> cache;
    auto at = [&](double v) {
      out.probes.push_back(probe(design, v, cache));
      return out.probes.back().holds;
    };
    const double lo = options.low, hi = options.high;
    const double tolerance = options.tolerance > 0 ? options.tolerance : (hi - lo) / 100;
    const bool holds_low = at(lo);
    const bool holds_high = lo == hi ? holds_low : at(hi);
    auto done = [&] {
      for (const auto& [v, runs] : cache) out.runs += static_cast<int>(runs.size());
      progress.add_planned(-static_cast<std::ptrdiff_t>(planned));  // the probes this search did not need
      planned = 0;
      return out;
    };
    if (holds_low && holds_high) {
      out.status = "all", out.direction = "max", out.answer = hi;
      return done();
    }
    if (!holds_low && !holds_high) {
      out.status = "none", out.direction = "max";
      return done();
    }
    // Bracket [good, bad]: good holds, bad does not; move the nearer end until they meet.
    double good = holds_low ? lo : hi, bad = holds_low ? hi : lo;
    out.direction = holds_low ? "max" : "min";
    auto narrow = [&] { return options.integer ? std::abs(bad - good) <= 1 : std::abs(bad - good) <= tolerance; };
    while (!narrow()) {
      double mid = (good + bad) / 2;
      if (options.integer) mid = std::floor(mid);
      if (options.integer && (mid == good || mid == bad)) break;
      (at(mid) ? good : bad) = mid;
    }
    out.status = "found";
    out.answer = good;
    return done();
  }
};

// Every design against the reference at each value both probed without error, per SLO metric, paired
// over the replicates both ran; one Holm family.
VerdictTable capacity_verdicts(const CapacityOptions& options, const CapacityResult& result) {
  VerdictTable table;
  std::vector<std::string> designs;
  for (const DesignCapacity& d : result.designs) designs.push_back(d.design);
  if (designs.size() < 2) return table;
  table.reference = reference_design(designs, options.reference);
  for (const Slo& s : result.slos)
    if (std::find(table.metrics.begin(), table.metrics.end(), s.metric) == table.metrics.end())
      table.metrics.push_back(s.metric);
  const DesignCapacity* ref = nullptr;
  for (const DesignCapacity& d : result.designs)
    if (d.design == table.reference) ref = &d;
  // The last probe at each value (the one with the most replicates).
  auto probes_by_value = [](const DesignCapacity& d) {
    std::map<double, const Probe*> by_value;
    for (const Probe& p : d.probes)
      if (p.error.empty()) by_value[p.value] = &p;
    return by_value;
  };
  WAKESIM_CHECK(ref != nullptr, "the reference design {} has no capacity result", table.reference);
  const std::map<double, const Probe*> ref_probes = probes_by_value(*ref);
  std::vector<double> values;
  values.reserve(ref_probes.size());
  for (const auto& [value, probe] : ref_probes) values.push_back(value);
  for (const double value : values) {
    for (const DesignCapacity& d : result.designs) {
      if (d.design == table.reference) continue;
      const std::map<double, const Probe*> own = probes_by_value(d);
      const auto it = own.find(value);
      if (it == own.end()) continue;
      const Probe& a = *it->second;
      const Probe& b = *ref_probes.at(value);
      std::set<std::string> done;
      for (size_t s = 0; s < result.slos.size() && s < a.samples.size() && s < b.samples.size(); ++s) {
        if (!done.insert(result.slos[s].metric).second) continue;  // two SLOs on one metric: one test
        const size_t n = std::min(a.samples[s].size(), b.samples[s].size());
        Verdict v =
            compare_samples(std::span(a.samples[s]).first(n), std::span(b.samples[s]).first(n), Pairing::kPaired);
        v.point_label = options.key + "=" + value_text(value, options.integer);
        v.design = d.design;
        v.reference = table.reference;
        v.metric = result.slos[s].metric;
        v.unit = result.slos[s].unit;
        table.rows.push_back(std::move(v));
      }
    }
  }
  correct(table);
  return table;
}

// "wakeup.p99 49.6us [48.1us, 51.2us] against <= 50us: uncertain, ...; ..." for each SLO of a probe,
// then its replicates.
std::string describe_probe(const Probe& p, const std::vector<Slo>& slos) {
  if (!p.error.empty()) return fmt::format("error: {}", p.error);
  std::string text;
  for (size_t s = 0; s < slos.size() && s < p.slos.size(); ++s) {
    const SloVerdict& v = p.slos[s];
    text += fmt::format("{}{} {} [{}, {}] against {} {}: {}", text.empty() ? "" : "; ", slos[s].metric,
                        format_metric_value(v.ci.mean, slos[s].unit), format_metric_value(v.ci.lo, slos[s].unit),
                        format_metric_value(v.ci.hi, slos[s].unit), slos[s].op, slos[s].threshold_text,
                        v.verdict == "uncertain" ? "uncertain, counts as failing" : v.verdict);
  }
  return fmt::format("{} ({} replicate{})", text, p.replicates, p.replicates == 1 ? "" : "s");
}

Json probe_json(const Probe* p, const std::vector<Slo>& slos) {
  if (p == nullptr) return nullptr;
  Json out{{"value", p->value}, {"assignment", p->assignment}, {"replicates", p->replicates}, {"holds", p->holds}};
  Json list = Json::array();
  for (size_t s = 0; s < slos.size() && s < p->slos.size(); ++s)
    list.push_back(Json{{"slo", slos[s].text},
                        {"metric", slos[s].metric},
                        {"estimate", p->slos[s].ci.mean},
                        {"ci95", Json::array({p->slos[s].ci.lo, p->slos[s].ci.hi})},
                        {"threshold", slos[s].threshold},
                        {"unit", slos[s].unit},
                        {"verdict", p->slos[s].verdict}});
  out["slos"] = std::move(list);
  if (!p->error.empty()) out["error"] = p->error;
  return out;
}

}  // namespace

Boundary boundary(const DesignCapacity& design) {
  Boundary b;
  // The last probe at each value is the one with the most replicates.
  std::map<double, const Probe*> by_value;
  for (const Probe& p : design.probes) by_value[p.value] = &p;
  const bool max = design.direction != "min";
  if (design.answer) b.last_pass = by_value.count(*design.answer) ? by_value.at(*design.answer) : nullptr;
  // The failing probe nearest the answer on its failing side (nearest the range's passing end without one).
  for (const auto& [value, p] : by_value) {
    if (p->holds) continue;
    if (design.answer && (max ? value < *design.answer : value > *design.answer)) continue;
    const bool nearer = b.first_fail == nullptr || (max ? value < b.first_fail->value : value > b.first_fail->value);
    if (nearer) b.first_fail = p;
  }
  return b;
}

Slo parse_slo(const std::string& text) {
  Slo slo;
  slo.text = text;
  std::string compact;
  for (char c : text)
    if (c != ' ') compact += c;
  size_t at = compact.find_first_of("<>");
  if (at == std::string::npos || at == 0)
    throw UserError(
        fmt::format("--slo '{}': error: expected METRIC OP VALUE with OP one of <=, <, >=, >, e.g. "
                    "'wakeup.p99<=50us'",
                    text));
  slo.metric = compact.substr(0, at);
  slo.op = compact.substr(at, compact.size() > at + 1 && compact[at + 1] == '=' ? 2 : 1);
  slo.threshold_text = compact.substr(at + slo.op.size());
  if (slo.threshold_text.empty())
    throw UserError(fmt::format("--slo '{}': error: no threshold after '{}'", text, slo.op));
  return slo;
}

CapacityResult run_capacity(const Config& base, const std::vector<std::string>& base_overrides,
                            const std::optional<std::filesystem::path>& config_file, const CapacityOptions& options) {
  if (options.slos.empty())
    throw UserError("wakesim capacity: error: give at least one --slo, e.g. --slo 'wakeup.p99<=50us'");
  if (!(options.low <= options.high)) throw UserError("--range: error: expected LO:HI with LO <= HI");
  if (options.initial_replicates < 2) throw UserError("--replicates: error: a confidence interval needs at least 2");
  if (options.max_replicates < options.initial_replicates)
    throw UserError("--max-replicates: error: must be at least --replicates");
  const std::vector<std::string> designs = resolve_designs(base);
  std::vector<Slo> slos = options.slos;
  resolve_slos(base.scenario, slos);
  // The planned runs, per design: the bisection's probes (both ends, then one per halving) at the
  // initial replicate count. Adaptive replicates add to the total; probes not needed come off it.
  const double span = options.high - options.low;
  const double steps = options.integer ? std::max(1.0, span)
                                       : std::max(1.0, span / (options.tolerance > 0 ? options.tolerance : span / 100));
  const size_t planned =
      static_cast<size_t>(options.initial_replicates) * static_cast<size_t>(2 + std::ceil(std::log2(steps + 1)));
  Progress progress(options.progress, options.progress_terminal, designs.size() * planned);
  RunWatch watch({.interrupted = options.interrupted});
  CapacityResult result;
  result.designs.resize(designs.size());
  // Each design's search runs its probes' replicates in parallel too, inside this arena.
  for_each_index_in_parallel(options.jobs, designs.size(), [&](size_t d) {
    Search search{base, base_overrides, config_file, options, slos, progress, watch, planned};
    result.designs[d] = search.run(designs[d]);
  });
  progress.done();
  result.scenario = base.scenario;
  result.slos = std::move(slos);
  return result;
}

std::string format_capacity(const CapacityOptions& options, const CapacityResult& result) {
  std::string slo_list;
  for (const Slo& s : options.slos) slo_list += (slo_list.empty() ? "" : " and ") + s.text;
  std::string out =
      fmt::format("capacity: {} over [{}, {}] such that {} (95% confidence)\n\n", options.key,
                  value_text(options.low, options.integer), value_text(options.high, options.integer), slo_list);
  out += fmt::format("{:<16} {:>14} {:>8} {:>6}  {}\n", "design", "answer", "probes", "runs", "");
  for (const DesignCapacity& d : result.designs) {
    std::string answer = d.answer ? value_text(*d.answer, options.integer) : "-";
    std::string note;
    if (d.status == "none") note = "no value in the range meets the SLOs";
    else if (d.status == "all") note = "the whole range meets the SLOs (raise HI)";
    else note = d.direction == "max" ? "largest value meeting the SLOs" : "smallest value meeting the SLOs";
    out += fmt::format("{:<16} {:>14} {:>8} {:>6}  {}\n", d.design, answer, d.probes.size(), d.runs, note);
  }
  out += "\nat the boundary (each SLO's estimate and 95% interval):\n";
  for (const DesignCapacity& d : result.designs) {
    const Boundary b = boundary(d);
    auto line = [&](const std::string& label, const char* what, const Probe* p, const char* none) {
      const std::string value = p != nullptr ? value_text(p->value, options.integer) : "-";
      out += fmt::format("  {:<16} {} {:>10}: {}\n", label, what, value,
                         p != nullptr ? describe_probe(*p, result.slos) : none);
    };
    line(d.design, "last pass ", b.last_pass, "none: no value in the range meets the SLOs");
    line("", "first fail", b.first_fail, "none: the whole range meets the SLOs");
  }
  const VerdictTable verdicts = capacity_verdicts(options, result);
  if (!verdicts.rows.empty()) {
    out += fmt::format("\nverdicts against {} at the values both probed ({}):\n", verdicts.reference,
                       verdict_method_line(verdicts));
    out += format_verdicts_by_metric(verdicts);
    out += verdict_legend(verdicts);
  }
  return out;
}

void write_capacity(const std::filesystem::path& dir, const CapacityOptions& options, const CapacityResult& result,
                    const std::string& command_line, const std::string& config_source,
                    std::chrono::system_clock::time_point start) {
  Json doc;
  doc["schema_version"] = 1;
  doc["kind"] = "capacity";
  doc["key"] = options.key;
  doc["range"] = Json::array({options.low, options.high});
  doc["integer"] = options.integer;
  doc["format"] = options.format;
  Json slos = Json::array();
  for (const Slo& s : result.slos)
    slos.push_back(Json{{"text", s.text},
                        {"metric", s.metric},
                        {"op", s.op},
                        {"threshold", s.threshold},
                        {"threshold_text", s.threshold_text},
                        {"unit", s.unit}});
  doc["slos"] = std::move(slos);
  Json designs = Json::array();
  std::string probes_csv =
      "design,probe,value,replicates,slo,metric,estimate,ci95_low,ci95_high,threshold,verdict,holds,error\n";
  for (const DesignCapacity& d : result.designs) {
    const Boundary b = boundary(d);
    designs.push_back(Json{{"design", d.design},
                           {"answer", d.answer ? Json(*d.answer) : Json(nullptr)},
                           {"status", d.status},
                           {"direction", d.direction},
                           {"probes", d.probes.size()},
                           {"runs", d.runs},
                           {"last_pass", probe_json(b.last_pass, result.slos)},
                           {"first_fail", probe_json(b.first_fail, result.slos)}});
    for (size_t i = 0; i < d.probes.size(); ++i) {
      const Probe& p = d.probes[i];
      for (size_t s = 0; s < result.slos.size(); ++s) {
        const SloVerdict& v = s < p.slos.size() ? p.slos[s] : SloVerdict{"error", {}};
        probes_csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(d.design), i,
                                  value_text(p.value, options.integer), p.replicates, csv_field(result.slos[s].text),
                                  csv_field(result.slos[s].metric), v.ci.mean, v.ci.lo, v.ci.hi,
                                  result.slos[s].threshold, v.verdict, p.holds ? 1 : 0, csv_field(p.error));
      }
    }
  }
  doc["designs"] = std::move(designs);
  const VerdictTable verdicts = capacity_verdicts(options, result);
  if (!verdicts.rows.empty()) doc["verdicts"] = verdicts_json(verdicts);
  write_file_atomically(dir / "capacity.json", doc.dump(2) + "\n");
  write_file_atomically(dir / "probes.csv", probes_csv);
  UsedNames used{result.scenario, {}, {}, {}};
  for (const Slo& s : result.slos) used.metrics.push_back(s.metric);
  write_file_atomically(dir / "metrics.json", used_metrics_json({used}));
  Json manifest{{"kind", "capacity"}, {"command_line", command_line}, {"config_source", config_source}};
  add_provenance(manifest, options.jobs, start, std::chrono::system_clock::now());
  write_file_atomically(dir / "manifest.json", manifest.dump(2) + "\n");
}

}  // namespace wakesim::experiment
