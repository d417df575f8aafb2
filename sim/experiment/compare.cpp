// Loads two results directories' summary.json and metrics.json and tests every shared point, design
// and metric; see compare.h for the pairing rule.
#include "sim/experiment/compare.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "sim/engine/errors.h"
#include "sim/engine/text.h"
#include "sim/experiment/metric_registry.h"
#include "sim/experiment/scenario.h"

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using engine::UserError;

struct Sample {
  uint64_t seed = 0;
  std::map<std::string, double> metrics;
};

// One directory: point label -> design -> replicate -> sample.
struct Loaded {
  fs::path dir;
  std::string kind;  // "run" or "sweep"
  std::string scenario;
  std::vector<std::string> points;   // in the directory's order
  std::vector<std::string> designs;  // in the directory's order
  std::map<std::string, std::map<std::string, std::map<int, Sample>>> runs;
  std::set<std::string> metrics;  // every metric some successful run reports
};

Json read_json(const fs::path& file, const fs::path& dir) {
  const std::optional<std::string> text = engine::read_whole_file(file);
  if (!text)
    throw UserError(
        fmt::format("{}: error: not a run or sweep results directory (no {}); `wakesim compare` takes "
                    "directories written by `wakesim run` or `wakesim sweep`",
                    dir.string(), file.filename().string()));
  try {
    return Json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: error: not valid JSON ({})", file.string(), e.what()));
  }
}

Loaded load(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw UserError(fmt::format("{}: error: no such results directory", dir.string()));
  if (fs::exists(dir / "capacity.json") && !fs::exists(dir / "summary.json"))
    throw UserError(
        fmt::format("{}: error: is a capacity study; `wakesim compare` takes run or sweep directories "
                    "(capacity.json already holds its verdicts)",
                    dir.string()));
  const Json summary = read_json(dir / "summary.json", dir);
  const Json metrics = read_json(dir / "metrics.json", dir);
  Loaded out;
  out.dir = dir;
  try {
    out.kind = summary.value("kind", std::string("run"));
    if (summary.contains("scenario")) out.scenario = summary.at("scenario").get<std::string>();
    if (out.scenario.empty() && !metrics.at("scenarios").empty())
      out.scenario = metrics.at("scenarios").at(0).at("scenario").get<std::string>();
    std::map<int, std::string> labels;
    if (out.kind == "sweep") {
      for (const Json& p : summary.at("point_values")) {
        std::string label;
        for (const auto& [key, value] : p.at("values").items())
          label += fmt::format("{}{}={}", label.empty() ? "" : ", ", key, value.get<std::string>());
        labels[p.at("point").get<int>()] = label;
      }
    }
    for (const Json& r : summary.at("runs")) {
      const std::string point = out.kind == "sweep" ? labels[r.at("point").get<int>()] : std::string();
      const std::string design = r.at("design").get<std::string>();
      if (std::find(out.points.begin(), out.points.end(), point) == out.points.end()) out.points.push_back(point);
      if (std::find(out.designs.begin(), out.designs.end(), design) == out.designs.end()) out.designs.push_back(design);
      if (r.contains("error") || !r.contains("metrics")) continue;
      Sample& s = out.runs[point][design][r.at("replicate").get<int>()];
      s.seed = r.at("seed").get<uint64_t>();
      for (const auto& [name, value] : r.at("metrics").items()) {
        if (value.is_null()) continue;
        s.metrics[name] = value.get<double>();
        out.metrics.insert(name);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: error: summary.json is not a wakesim summary ({})", dir.string(), e.what()));
  }
  return out;
}

// The metrics compared: the requested ones (checked against the registry and both directories), or
// the scenario's headline metrics that both directories report.
std::vector<std::string> chosen_metrics(const Loaded& a, const Loaded& b, const CompareOptions& options,
                                        const MetricDeclarations* declared, const std::vector<std::string>& headline) {
  std::vector<std::string> out;
  if (!options.metrics.empty()) {
    for (const std::string& m : options.metrics) {
      if (declared != nullptr && declared->find_metric(m) == nullptr)
        throw UserError(
            fmt::format("--metric {}: error: scenario '{}' has no metric '{}'{} (`wakesim list metrics {}` "
                        "lists them)",
                        m, a.scenario, m, metric_name_hint(*declared, m), a.scenario));
      for (const Loaded* d : {&a, &b})
        if (!d->metrics.contains(m))
          throw UserError(
              fmt::format("{}: error: its runs report no metric '{}' (the metrics are the keys of "
                          "summary.json's runs; metrics.json explains them)",
                          d->dir.string(), m));
      out.push_back(m);
    }
    return out;
  }
  for (const std::string& m : headline)
    if (a.metrics.contains(m) && b.metrics.contains(m)) out.push_back(m);
  if (out.empty())
    for (const std::string& m : a.metrics)
      if (b.metrics.contains(m)) out.push_back(m);
  return out;
}

// Paired when both ran the same replicates with the same seeds.
bool same_seeds(const std::map<int, Sample>& a, const std::map<int, Sample>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [replicate, sample] : a) {
    const auto it = b.find(replicate);
    if (it == b.end() || it->second.seed != sample.seed) return false;
  }
  return true;
}

}  // namespace

Comparison compare_results(const fs::path& a_dir, const fs::path& b_dir, const CompareOptions& options) {
  const Loaded a = load(a_dir), b = load(b_dir);
  if (a.scenario != b.scenario)
    throw UserError(fmt::format("{}: error: holds scenario '{}' but {} holds '{}'; compare results of one scenario",
                                b_dir.string(), b.scenario, a_dir.string(), a.scenario));
  if (a.kind != b.kind)
    throw UserError(
        fmt::format("{}: error: is a {} directory but {} is a {} directory; compare two of the same kind "
                    "(a sweep's points/pNNNN/ is a run directory)",
                    b_dir.string(), b.kind, a_dir.string(), a.kind));
  Comparison out;
  out.a = a_dir;
  out.b = b_dir;
  out.scenario = a.scenario;
  const ScenarioEntry* entry = find_scenario(a.scenario);
  std::unique_ptr<Scenario> scenario = entry ? entry->make() : nullptr;
  const MetricDeclarations* declared = scenario ? &scenario->metrics() : nullptr;
  out.table.metrics =
      chosen_metrics(a, b, options, declared, scenario ? scenario->headline_metrics() : std::vector<std::string>{});

  std::vector<std::string> designs;
  for (const std::string& d : options.designs)
    if (std::find(a.designs.begin(), a.designs.end(), d) == a.designs.end() ||
        std::find(b.designs.begin(), b.designs.end(), d) == b.designs.end())
      throw UserError(fmt::format("--design {}: error: not a design both directories ran", d));
  for (const std::string& d : a.designs) {
    const bool in_b = std::find(b.designs.begin(), b.designs.end(), d) != b.designs.end();
    if (!in_b) out.notes.push_back(fmt::format("design {} is only in {}", d, a_dir.string()));
    if (in_b && (options.designs.empty() ||
                 std::find(options.designs.begin(), options.designs.end(), d) != options.designs.end()))
      designs.push_back(d);
  }
  for (const std::string& d : b.designs)
    if (std::find(a.designs.begin(), a.designs.end(), d) == a.designs.end())
      out.notes.push_back(fmt::format("design {} is only in {}", d, b_dir.string()));
  for (const std::string& p : b.points)
    if (std::find(a.points.begin(), a.points.end(), p) == a.points.end())
      out.notes.push_back(fmt::format("point {} is only in {}", p, b_dir.string()));

  for (const std::string& point : a.points) {
    if (std::find(b.points.begin(), b.points.end(), point) == b.points.end()) {
      out.notes.push_back(fmt::format("point {} is only in {}", point, a_dir.string()));
      continue;
    }
    for (const std::string& design : designs) {
      const auto ra = a.runs.find(point), rb = b.runs.find(point);
      if (ra == a.runs.end() || rb == b.runs.end()) continue;
      const auto sa = ra->second.find(design), sb = rb->second.find(design);
      if (sa == ra->second.end() || sb == rb->second.end()) continue;
      const bool paired = same_seeds(sa->second, sb->second);
      for (const std::string& metric : out.table.metrics) {
        std::vector<double> x, y;  // B, A
        for (const auto& [replicate, sample] : sb->second) {
          const auto in_a = sa->second.find(replicate);
          const auto vb = sample.metrics.find(metric);
          if (paired) {
            const auto va = in_a->second.metrics.find(metric);
            if (vb == sample.metrics.end() || va == in_a->second.metrics.end()) continue;
            y.push_back(va->second);
          } else if (vb == sample.metrics.end()) {
            continue;
          }
          x.push_back(vb->second);
        }
        if (!paired)
          for (const auto& [replicate, sample] : sa->second)
            if (const auto va = sample.metrics.find(metric); va != sample.metrics.end()) y.push_back(va->second);
        if (x.empty() || y.empty()) continue;
        Verdict v = compare_samples(x, y, paired ? Pairing::kPaired : Pairing::kWelch);
        v.point_label = point;
        v.design = design;
        v.metric = metric;
        const MetricDeclaration* m = declared ? declared->find_metric(metric) : nullptr;
        v.unit = m ? m->unit : "";
        out.table.rows.push_back(std::move(v));
      }
    }
  }
  correct(out.table);
  return out;
}

std::string format_comparison(const Comparison& c) {
  std::string text = fmt::format("compare {} (A) with {} (B): scenario '{}', difference = B - A\n", c.a.string(),
                                 c.b.string(), c.scenario);
  if (c.table.rows.empty()) {
    text += "nothing to compare: the directories share no point, design and metric\n";
  } else {
    text += fmt::format("test: {}\n", verdict_method_line(c.table));
    text += format_verdicts_by_metric(c.table);
    text += verdict_legend(c.table, "A");
  }
  for (const std::string& n : c.notes) text += "note: " + n + "\n";
  return text;
}

nlohmann::ordered_json comparison_json(const Comparison& c) {
  Json doc;
  doc["a"] = c.a.string();
  doc["b"] = c.b.string();
  doc["scenario"] = c.scenario;
  doc["difference"] = "B - A";
  Json verdicts = verdicts_json(c.table);
  verdicts.erase("reference");
  // The reference of a directory comparison is A: name the means after the directories.
  for (Json& row : verdicts["rows"]) {
    Json renamed;
    for (auto& [key, value] : row.items())
      renamed[key == "reference_mean" ? "a_mean" : key == "design_mean" ? "b_mean" : key] = value;
    row = std::move(renamed);
  }
  doc["verdicts"] = std::move(verdicts);
  doc["notes"] = c.notes;
  return doc;
}

}  // namespace wakesim::experiment
