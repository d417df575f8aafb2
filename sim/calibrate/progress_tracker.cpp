#include "sim/calibrate/progress_tracker.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace wakesim::calibrate {

ProgressTracker::ProgressTracker(Progress* sink, std::vector<double> phase_costs) : sink_(sink) {
  if (phase_costs.empty()) throw std::logic_error("ProgressTracker without phases");
  const double total = std::accumulate(phase_costs.begin(), phase_costs.end(), 0.0);
  double start = 0;
  for (const double cost : phase_costs) {
    phase_start_.push_back(total > 0 ? start / total : 0.0);
    start += std::max(0.0, cost);
  }
  phase_start_.push_back(1.0);
}

void ProgressTracker::begin_phase(size_t phase, int steps) {
  if (phase + 1 >= phase_start_.size()) throw std::logic_error("ProgressTracker: no such phase");
  phase_ = phase;
  steps_ = std::max(1, steps);
  steps_done_ = 0;
}

void ProgressTracker::step(std::string_view what) {
  const double share = phase_start_[phase_ + 1] - phase_start_[phase_];
  const double within = std::min(1.0, static_cast<double>(steps_done_) / steps_);
  ++steps_done_;
  report(phase_start_[phase_] + share * within, what);
}

void ProgressTracker::finish() { report(1.0, "done"); }

void ProgressTracker::report(double fraction, std::string_view what) {
  last_ = std::clamp(fraction, last_, 1.0);
  if (sink_) sink_->step(last_, what);
}

}  // namespace wakesim::calibrate
