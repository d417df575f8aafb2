// Not-a-number and infinity, as the statistics return them for too few samples or no bound.
#pragma once

#include <limits>

namespace wakesim::stats {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace wakesim::stats
