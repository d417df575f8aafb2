#include "sim/experiment/report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "sim/engine/text.h"

namespace wakesim::experiment {
namespace {

using engine::display_width;
std::string pad(const std::string& s, size_t width, bool left) {
  const std::string fill(width > display_width(s) ? width - display_width(s) : 0, ' ');
  return left ? s + fill : fill + s;
}
}  // namespace

std::string render_table(const std::vector<std::vector<std::string>>& rows, ColumnAlignment alignment) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], display_width(row[i]));
    }
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < rows[r].size(); ++i)
      line += (i == 0 ? "" : "  ") + pad(rows[r][i], width[i], i == 0 || alignment == ColumnAlignment::kLeft);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if (r == 0) {
      size_t total = 0;
      for (size_t w : width) total += w + 2;
      out += std::string(total - 2, '-') + "\n";
    }
  }
  return out;
}

namespace {
// How a unit is scaled for reading: the divisor and suffix for a value of magnitude `a`.
struct Scale {
  double divisor;
  std::string suffix;
};
Scale scale_for(double a, const std::string& unit) {
  if (unit == "ns") {
    if (a >= 1e9) return {1e9, "s"};
    if (a >= 1e6) return {1e6, "ms"};
    if (a >= 1e3) return {1e3, "us"};
    return {1, "ns"};
  }
  if (unit == "/s") {
    if (a >= 1e9) return {1e9, "G/s"};
    if (a >= 1e6) return {1e6, "M/s"};
    if (a >= 1e3) return {1e3, "k/s"};
    return {1, "/s"};
  }
  if (unit == "fraction") return {0.01, "%"};
  return {1, ""};
}
}  // namespace

std::string format_metric_value(double value, const std::string& unit) {
  if (!std::isfinite(value)) return "-";
  const double a = std::abs(value);
  if (unit == "count" && (a >= 100 || value == std::round(value))) return fmt::format("{:.0f}", value);
  const Scale scale = scale_for(a, unit);
  const int digits = unit == "ns" || unit == "/s" || unit == "fraction" ? 3 : 4;
  return fmt::format("{:.{}g}{}", value / scale.divisor, digits, scale.suffix);
}

std::string format_with_ci(double mean, double half_width, const std::string& unit) {
  if (!std::isfinite(mean) || !std::isfinite(half_width) || half_width < 0) return format_metric_value(mean, unit);
  const Scale scale = scale_for(std::abs(mean), unit);
  const double hw = half_width / scale.divisor;
  const double m = mean / scale.divisor;
  // Two significant digits of the half-width set the last decimal shown, for the mean too; never more
  // than 6 significant digits of the mean, and a zero half-width (identical replicates) keeps the
  // mean's usual 3 or 4.
  if (hw == 0) return format_metric_value(mean, unit) + " ±0" + scale.suffix;
  int decimals = std::max(0, 1 - static_cast<int>(std::floor(std::log10(hw))));
  const int mean_digits = m == 0 ? 1 : static_cast<int>(std::floor(std::log10(std::abs(m)))) + 1;
  decimals = std::min(decimals, std::max(0, 6 - mean_digits));
  return fmt::format("{:.{}f}{} ±{:.{}f}{}", m, decimals, scale.suffix, hw, decimals, scale.suffix);
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
      line.push_back(s.ci.n > 1 && std::isfinite(s.ci.half_width) ? format_with_ci(s.ci.mean, s.ci.half_width, s.unit)
                                                                  : format_metric_value(s.ci.mean, s.unit));
    }
    table.push_back(std::move(line));
  }
  return render_table(table, ColumnAlignment::kFirstLeftRestRight);
}

}  // namespace wakesim::experiment
