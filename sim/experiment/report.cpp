#include "sim/experiment/report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

namespace wakesim::experiment {
namespace {
// Characters on screen, counting a multi-byte UTF-8 sequence (such as "±") as one.
size_t display_width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}
std::string pad(const std::string& s, size_t width, bool left) {
  const std::string fill(width > display_width(s) ? width - display_width(s) : 0, ' ');
  return left ? s + fill : fill + s;
}
}  // namespace

std::string format_metric_value(double value, const std::string& unit) {
  if (!std::isfinite(value)) return "-";
  const double a = std::abs(value);
  if (unit == "ns") {
    if (a >= 1e9) return fmt::format("{:.3g}s", value / 1e9);
    if (a >= 1e6) return fmt::format("{:.3g}ms", value / 1e6);
    if (a >= 1e3) return fmt::format("{:.3g}us", value / 1e3);
    return fmt::format("{:.3g}ns", value);
  }
  if (unit == "/s") {
    if (a >= 1e9) return fmt::format("{:.3g}G/s", value / 1e9);
    if (a >= 1e6) return fmt::format("{:.3g}M/s", value / 1e6);
    if (a >= 1e3) return fmt::format("{:.3g}k/s", value / 1e3);
    return fmt::format("{:.3g}/s", value);
  }
  if (unit == "fraction") return fmt::format("{:.3g}%", value * 100);
  if (unit == "count" && (a >= 100 || value == std::round(value))) return fmt::format("{:.0f}", value);
  return fmt::format("{:.4g}", value);
}

std::string format_table(const std::vector<MetricSummary>& summary, const std::vector<std::string>& designs,
                         const std::vector<std::string>& metrics) {
  std::vector<std::string> rows = metrics;
  std::map<std::pair<std::string, std::string>, const MetricSummary*> cell;
  for (const MetricSummary& s : summary) {
    cell[{s.metric, s.design}] = &s;
    if (metrics.empty() && std::find(rows.begin(), rows.end(), s.metric) == rows.end()) rows.push_back(s.metric);
  }
  std::vector<std::vector<std::string>> table;
  table.push_back({"metric"});
  for (const std::string& d : designs) table[0].push_back(d);
  for (const std::string& metric : rows) {
    std::vector<std::string> line{metric};
    for (const std::string& d : designs) {
      auto it = cell.find({metric, d});
      if (it == cell.end()) {
        line.push_back("-");
        continue;
      }
      const MetricSummary& s = *it->second;
      std::string text = format_metric_value(s.ci.mean, s.unit);
      if (s.ci.n > 1 && std::isfinite(s.ci.half_width))
        text += " ±" + format_metric_value(s.ci.half_width, s.unit);
      line.push_back(text);
    }
    table.push_back(std::move(line));
  }
  std::vector<size_t> width(table[0].size(), 0);
  for (const auto& line : table)
    for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], display_width(line[i]));
  std::string out;
  for (size_t r = 0; r < table.size(); ++r) {
    for (size_t i = 0; i < table[r].size(); ++i) {
      out += i == 0 ? pad(table[r][i], width[i], true) : "  " + pad(table[r][i], width[i], false);
    }
    out += "\n";
    if (r == 0) {
      size_t total = 0;
      for (size_t w : width) total += w + 2;
      out += std::string(total - 2, '-') + "\n";
    }
  }
  return out;
}

}  // namespace wakesim::experiment
