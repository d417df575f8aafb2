#include "sim/experiment/run_store.h"

#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/engine/errors.h"
#include "sim/engine/text.h"
#include "sim/experiment/atomic_file.h"

namespace wakesim::experiment {
namespace {

using Json = nlohmann::ordered_json;

Json histogram_json(const stats::LatencyHistogram& h) {
  const stats::HistogramData d = h.data();
  Json buckets = Json::array();
  for (const stats::HistogramBucket& b : d.buckets) buckets.push_back(Json::array({b.lower_ps, b.upper_ps, b.count}));
  return Json{{"min_ps", d.min_ps}, {"max_ps", d.max_ps}, {"sum_ps", d.sum_ps}, {"buckets", std::move(buckets)}};
}

stats::LatencyHistogram histogram_from(const Json& j) {
  stats::HistogramData d;
  d.min_ps = j.at("min_ps").get<int64_t>();
  d.max_ps = j.at("max_ps").get<int64_t>();
  d.sum_ps = j.at("sum_ps").get<std::string>();
  for (const Json& b : j.at("buckets"))
    d.buckets.push_back(
        stats::HistogramBucket{b.at(0).get<int64_t>(), b.at(1).get<int64_t>(), b.at(2).get<uint64_t>()});
  return stats::LatencyHistogram::from_data(d);
}

// Metric values keep every bit: NaN and infinities (which JSON lacks) travel as strings.
Json value_json(double v) {
  if (std::isfinite(v)) return Json(v);
  return Json(std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
}
double value_from(const Json& j) {
  if (j.is_number()) return j.get<double>();
  const std::string s = j.get<std::string>();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  return s == "inf" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

}  // namespace

std::string run_record_json(const RunRecord& r) {
  Json doc;
  doc["design"] = r.design;
  doc["replicate"] = r.replicate;
  doc["seed"] = r.seed;
  doc["error"] = r.error;
  if (r.failure != RunFailure::kNone) doc["failure"] = to_string(r.failure);
  doc["events"] = r.result.events;
  Json metrics = Json::array();
  for (const Metric& m : r.result.metrics) metrics.push_back(Json::array({m.name, m.unit, value_json(m.value)}));
  doc["metrics"] = std::move(metrics);
  Json histograms = Json::array();
  for (const auto& [name, h] : r.result.histograms) histograms.push_back(Json::array({name, histogram_json(h)}));
  doc["histograms"] = std::move(histograms);
  Json tables = Json::array();
  for (const auto& [name, t] : r.result.tables) tables.push_back(Json::array({name, t.columns, t.rows}));
  doc["tables"] = std::move(tables);
  doc["warnings"] = r.result.warnings;
  return doc.dump() + "\n";
}

RunRecord parse_run_record(std::string_view text, const std::string& where) {
  RunRecord r;
  std::optional<std::string> failure_name;
  try {
    const Json doc = Json::parse(text);
    r.design = doc.at("design").get<std::string>();
    r.replicate = doc.at("replicate").get<int>();
    r.seed = doc.at("seed").get<uint64_t>();
    r.error = doc.at("error").get<std::string>();
    if (const auto it = doc.find("failure"); it != doc.end()) failure_name = it->get<std::string>();
    r.result.events = doc.at("events").get<uint64_t>();
    for (const Json& m : doc.at("metrics"))
      r.result.metrics.push_back(Metric{m.at(0).get<std::string>(), m.at(1).get<std::string>(), value_from(m.at(2))});
    for (const Json& h : doc.at("histograms"))
      r.result.histograms.emplace_back(h.at(0).get<std::string>(), histogram_from(h.at(1)));
    for (const Json& t : doc.at("tables"))
      r.result.tables.emplace_back(
          t.at(0).get<std::string>(),
          Table{t.at(1).get<std::vector<std::string>>(), t.at(2).get<std::vector<std::vector<std::string>>>()});
    r.result.warnings = doc.at("warnings").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw engine::UserError(
        fmt::format("{}: error: not a wakesim run record ({}); delete it to rerun that run", where, e.what()));
  } catch (const engine::UserError& e) {
    throw engine::UserError(fmt::format("{}: error: bad histogram in run record: {}", where, e.what()));
  }
  if (failure_name) {
    const std::optional<RunFailure> failure = run_failure_from(*failure_name);
    if (!failure || (*failure == RunFailure::kNone) != r.error.empty())
      throw engine::UserError(
          fmt::format("{}: error: not a wakesim run record (failure '{}' with error '{}'); delete it "
                      "to rerun that run",
                      where, *failure_name, r.error));
    r.failure = *failure;
  } else if (!r.error.empty()) {
    // Written before records stored the kind: the message's prefix was the only sign of it then.
    r.failure = r.error.starts_with("internal error")       ? RunFailure::kInternalError
                : r.error.starts_with("invariant violated") ? RunFailure::kInvariantViolation
                                                            : RunFailure::kUserError;
  }
  return r;
}

std::filesystem::path run_record_path(const std::filesystem::path& point_dir, const std::string& design,
                                      int replicate) {
  return point_dir / "runs" / design / fmt::format("r{}.json", replicate);
}

std::filesystem::path run_timing_path(const std::filesystem::path& point_dir, const std::string& design,
                                      int replicate) {
  return point_dir / "runs" / design / fmt::format("r{}.timing", replicate);
}

void store_run(const std::filesystem::path& point_dir, const RunRecord& record) {
  write_file_atomically(run_timing_path(point_dir, record.design, record.replicate),
                        fmt::format("{:.6f} {}\n", record.result.wall_seconds, record.result.peak_rss_bytes));
  write_file_atomically(run_record_path(point_dir, record.design, record.replicate), run_record_json(record));
}

std::optional<RunRecord> load_run(const std::filesystem::path& point_dir, const std::string& design, int replicate) {
  const std::filesystem::path file = run_record_path(point_dir, design, replicate);
  const std::optional<std::string> text = engine::read_whole_file(file);
  if (!text) return std::nullopt;
  RunRecord r = parse_run_record(*text, file.string());
  if (r.design != design || r.replicate != replicate)
    throw engine::UserError(fmt::format("{}: error: holds {} replicate {}, not {} replicate {}", file.string(),
                                        r.design, r.replicate, design, replicate));
  if (const auto timing = engine::read_whole_file(run_timing_path(point_dir, design, replicate))) {
    std::istringstream in(*timing);
    in >> r.result.wall_seconds >> r.result.peak_rss_bytes;
  }
  return r;
}

}  // namespace wakesim::experiment
