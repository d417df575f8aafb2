// A metric value as results files write it: the number, or null where it is not finite (JSON has no
// NaN or infinity). The run store keeps every bit instead (run_store.cpp: NaN and infinities as strings).
#pragma once

#include <cmath>

#include <nlohmann/json.hpp>

namespace wakesim::experiment {

inline nlohmann::ordered_json finite_or_null(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

}  // namespace wakesim::experiment
