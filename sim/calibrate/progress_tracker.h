// Turns planned work into a monotone fraction for Options::progress. measure() declares its phases up
// front with their estimated cost (seconds); each phase then advances through its own steps. A phase
// whose steps turn out different from the estimate (the walk's pollution range depends on the chase's
// result) stays within its share, so the fraction never goes backwards or past 1.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/calibrate/calibrate.h"

namespace wakesim::calibrate {

class ProgressTracker {
 public:
  // `sink` may be null (no reports). `phase_costs`: one estimated cost per phase, in run order.
  ProgressTracker(Progress* sink, std::vector<double> phase_costs);

  // Starts phase `phase` (in order), which will take `steps` steps of equal cost.
  void begin_phase(size_t phase, int steps);
  // Reports that the next step of the current phase, `what`, is about to run.
  void step(std::string_view what);
  // Reports 1.0, "done".
  void finish();

 private:
  void report(double fraction, std::string_view what);

  Progress* sink_;
  std::vector<double> phase_start_;  // fraction at which each phase starts; back() == 1
  size_t phase_ = 0;
  int steps_ = 1;
  int steps_done_ = 0;
  double last_ = 0;
};

}  // namespace wakesim::calibrate
