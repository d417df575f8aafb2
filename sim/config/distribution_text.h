// The text form of a distribution in a configuration value:
//   "10us"                                  constant (a bare value)
//   "const(10us)"                           constant
//   "exp(10us)"  or "exp(mean=10us)"        exponential with that mean
//   "uniform(1us, 3us)"                     uniform on [lo, hi]
//   "lognormal(mean=10us, cv=0.5)"          log-normal with that mean and coefficient of variation
//   "pareto(alpha=1.5, min=1us, max=1ms)"   Pareto bounded to [min, max]
//   "empirical(1us@0, 5us@0.5, 20us@1)"     piecewise-linear inverse CDF through value@probability
// For a distribution of durations the values carry time units and are held in picoseconds; for a
// distribution of plain numbers (counts) they carry none.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/engine/random.h"

namespace wakesim::config {

enum class DistributionUnit { kDuration, kNumber };

std::optional<engine::Distribution> parse_distribution(std::string_view text, DistributionUnit unit,
                                                       std::string& error);
std::string format_distribution(const engine::Distribution& d, DistributionUnit unit);

}  // namespace wakesim::config
