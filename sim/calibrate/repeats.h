// Repeated sweeps of one curve (`wakesim calibrate --repeat N`): each point becomes the median of its
// repeats, and keeps their spread, the largest value over the smallest.
//
// Why: within one sweep every point is already a median over many repetitions, so it is robust to an
// interrupt. What it cannot show is a machine that changes between sweeps: on a VM, other tenants and
// the host move the curve by more than the repetitions' spread (sim/hw/README.md). The spread over
// whole sweeps is how far the machine moved during this invocation, a lower bound on how far it moves:
// separate invocations, seconds or an hour apart, moved further on this project's VM. A model of the
// machine cannot be checked more closely than that spread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "sim/calibrate/calibrate.h"
#include "sim/calibrate/statistics.h"

namespace wakesim::calibrate {

// The spread of one point over its repeats: largest / smallest (1 for one value). Values at or below
// zero count as 1e-3 ns, so the spread stays finite.
inline double spread_of(const std::vector<double>& values) {
  if (values.empty()) throw std::logic_error("spread of no values");
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  return *high / std::max(*low, 1e-3);
}

// Combines the repeats of one sweep, point by point. Every repeat must have run the same plan (the
// same x values in the same order); `x` and `y` name the point's position and value members.
template <class Point, class X>
std::vector<Point> combine_repeats(const std::vector<std::vector<Point>>& repeats, X Point::*x, double Point::*y) {
  if (repeats.empty()) throw std::logic_error("combine_repeats: no repeats");
  std::vector<Point> combined = repeats.front();
  for (const std::vector<Point>& repeat : repeats)
    if (repeat.size() != combined.size()) throw std::logic_error("combine_repeats: the repeats ran different plans");
  for (size_t i = 0; i < combined.size(); ++i) {
    std::vector<double> values;
    for (const std::vector<Point>& repeat : repeats) {
      if (repeat[i].*x != combined[i].*x) throw std::logic_error("combine_repeats: the repeats ran different plans");
      values.push_back(repeat[i].*y);
    }
    combined[i].*y = median(values);
    combined[i].spread = spread_of(values);
  }
  return combined;
}

inline std::vector<ChasePoint> combine_repeats(const std::vector<std::vector<ChasePoint>>& repeats) {
  return combine_repeats(repeats, &ChasePoint::working_set_bytes, &ChasePoint::ns_per_load);
}
inline std::vector<WalkPoint> combine_repeats(const std::vector<std::vector<WalkPoint>>& repeats) {
  return combine_repeats(repeats, &WalkPoint::pollution_bytes, &WalkPoint::ns_per_node);
}

}  // namespace wakesim::calibrate
