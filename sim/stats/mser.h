// Warm-up (initialisation bias) removal by the Marginal Standard Error Rule (White 1997; MSER-5:
// White, Cobb and Spratt 2000). The series is cut into k = n / batch non-overlapping batch means
// Z_1..Z_k (a remainder of fewer than `batch` observations at the end is ignored), and the truncation
// point is the d in 0..k/2 that minimises
//     MSER(d) = 1 / (k - d)^2 * sum_{j = d+1..k} (Z_j - mean(Z_{d+1..k}))^2,
// i.e. the squared standard error of the mean of what is kept. The smallest such d wins ties.
// The result is the number of raw observations to delete from the start: batch * d.
//
// A series of fewer than 2 * batch observations (fewer than two batches) is returned untruncated: 0.
// Restricting d to the first half is White's guard against the statistic's spurious minima at the end.
#pragma once

#include <cstddef>
#include <span>

namespace wakesim::stats {

size_t mser(std::span<const double> series, size_t batch);
inline size_t mser5(std::span<const double> series) { return mser(series, 5); }

}  // namespace wakesim::stats
