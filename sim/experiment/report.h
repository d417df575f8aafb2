// The human-readable table `wakesim run` prints: one row per metric, one column per design, each cell
// the mean over replicates and, with more than one replicate, its 95% confidence half-width.
#pragma once

#include <string>
#include <vector>

#include "sim/experiment/summary.h"

namespace wakesim::experiment {

// A value with its unit scaled for reading: 1234.5 ns -> "1.23us", 250000 /s -> "250k/s".
std::string format_metric_value(double value, const std::string& unit);

// "mean ±half-width" in the mean's scale, both to the precision the interval supports: the half-width
// to two significant digits and the mean to the same decimal place (96.3123ns ±0.0014ns, 3.79us ±0.12us).
std::string format_with_ci(double mean, double half_width, const std::string& unit);

// Rows of cells as text columns, each as wide as its widest cell (a multi-byte character counts once),
// two spaces apart, a rule of dashes under the first row, no trailing spaces. The first column is
// left-aligned; the others too with kLeft, right-aligned (numbers) with kFirstLeftRestRight.
enum class ColumnAlignment { kLeft, kFirstLeftRestRight };
std::string render_table(const std::vector<std::vector<std::string>>& rows, ColumnAlignment alignment);

// `metrics` selects and orders the rows (all metrics when empty).
std::string format_table(const std::vector<MetricSummary>& summary, const std::vector<std::string>& designs,
                         const std::vector<std::string>& metrics = {});

}  // namespace wakesim::experiment
