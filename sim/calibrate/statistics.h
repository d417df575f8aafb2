// The statistics the measurements report. A VM's vCPU can be descheduled or interrupted in the middle
// of any repetition, so both ignore outliers:
//  - median: for repetitions much longer than the clock's tick (chase, transfers);
//  - median of means (of consecutive groups of kMeansGroup): for intervals a few ticks long (the list
//    walk: 16 L1 hits take ~30 ns, and AMD Zen's TSC advances in 10 ns steps). Each interval starts
//    at a random phase of the tick (timer.h, PhaseDither), so a plain mean would average the
//    quantisation out but also take in every interrupt; a median (or a trimmed mean) would not be
//    thrown by interrupts but stays on, or is biased towards, the tick grid. Means of small groups
//    average the quantisation (to a 1/8 tick) while an interrupt spoils only its own group, which the
//    median then ignores.
#pragma once

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace wakesim::calibrate {

// Takes the sample by value: it is reordered. For an even count, the mean of the two middle values.
inline double median(std::vector<double> sample) {
  if (sample.empty()) throw std::logic_error("median of an empty sample");
  const size_t mid = sample.size() / 2;
  std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(mid), sample.end());
  const double upper = sample[mid];
  if (sample.size() % 2 == 1) return upper;
  const double lower = *std::max_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

inline constexpr size_t kMeansGroup = 8;

// The median of the means of consecutive groups of kMeansGroup samples (a last, partial group is left
// out); the plain median below 2 * kMeansGroup samples, too few for more than one group.
inline double median_of_means(const std::vector<double>& sample) {
  if (sample.size() < 2 * kMeansGroup) return median(sample);
  std::vector<double> means;
  for (size_t start = 0; start + kMeansGroup <= sample.size(); start += kMeansGroup)
    means.push_back(std::accumulate(sample.begin() + static_cast<std::ptrdiff_t>(start),
                                    sample.begin() + static_cast<std::ptrdiff_t>(start + kMeansGroup), 0.0) /
                    kMeansGroup);
  return median(std::move(means));
}

// The value below which `fraction` (0..1) of the sample lies, by linear interpolation between order
// statistics.
inline double percentile(std::vector<double> sample, double fraction) {
  if (sample.empty()) throw std::logic_error("percentile of an empty sample");
  std::sort(sample.begin(), sample.end());
  const double position = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(sample.size() - 1);
  const auto below = static_cast<size_t>(position);
  const size_t above = std::min(below + 1, sample.size() - 1);
  return sample[below] + (position - static_cast<double>(below)) * (sample[above] - sample[below]);
}

}  // namespace wakesim::calibrate
