// The menu cpuidle governor (drivers/cpuidle/governors/menu.c, v6.x), in its parts that matter here:
// the predicted idle time is the time to the next timer times a correction factor learned per range
// of that time (buckets at 10 us, 100 us, 1 ms, 10 ms, 100 ms), capped by the typical interval of the
// last 8 idle periods when those are consistent (menu's get_typical_interval: the average, once the
// standard deviation is under a sixth of it or under 20 us, dropping the largest values while at
// least 6 of 8 remain). Left out: the I/O-wait buckets, the tick-stop heuristics (idle pCPUs are
// tickless here), and PM QoS latency limits.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/kernel/idle_governor.h"

namespace wakesim::kernel {
namespace {

using engine::Time;

constexpr int kBuckets = 6;
constexpr int kIntervals = 8;
constexpr double kResolution = 1024;
constexpr double kDecay = 8;
constexpr double kMaxInterestingUs = 50'000;
constexpr double kNoPrediction = std::numeric_limits<double>::infinity();

int bucket_of(double us) {
  if (us < 10) return 0;
  if (us < 100) return 1;
  if (us < 1'000) return 2;
  if (us < 10'000) return 3;
  if (us < 100'000) return 4;
  return 5;
}

class MenuGovernor final : public IdleGovernor {
 public:
  MenuGovernor(const hw::IdleStatesParams& states, hw::IdleState deepest) : IdleGovernor(states, deepest) {
    correction_.fill(kResolution * kDecay);  // menu_enable_device: a factor of 1 to start with
  }

  hw::IdleState select(Time until_timer) override {
    next_timer_us_ = until_timer == Time::max() ? kNoPrediction : until_timer.us();
    bucket_ = bucket_of(next_timer_us_);
    const double typical = typical_interval_us();
    double predicted = typical;
    if (next_timer_us_ != kNoPrediction)
      predicted =
          std::min(next_timer_us_ * correction_[static_cast<size_t>(bucket_)] / (kResolution * kDecay), typical);
    const Time predicted_time = predicted == kNoPrediction ? Time::max() : Time::from_ns(predicted * 1e3);
    chosen_ = usable_[deepest_fitting(predicted_time)];
    return chosen_;
  }

  void reflect(Time idle) override {
    // menu_update: take the exit latency out of the measured time (or halve it when it is short).
    double measured = idle.us();
    const double exit = exit_latency(chosen_).us();
    measured = measured > 2 * exit ? measured - exit : measured / 2;
    double& factor = correction_[static_cast<size_t>(bucket_)];
    double updated = factor - factor / kDecay;
    if (next_timer_us_ != kNoPrediction && next_timer_us_ > 0 && measured < kMaxInterestingUs)
      updated += kResolution * measured / next_timer_us_;
    else updated += kResolution;
    factor = std::max(updated, 1.0);
    intervals_[static_cast<size_t>(next_interval_++ % kIntervals)] = measured;
  }

 private:
  double typical_interval_us() const {
    double threshold = kNoPrediction;
    for (;;) {
      double sum = 0, max = 0;
      int divisor = 0;
      for (double v : intervals_) {
        if (v > threshold) continue;
        sum += v;
        ++divisor;
        max = std::max(max, v);
      }
      if (divisor == 0 || max <= 0) return kNoPrediction;
      const double avg = sum / divisor;
      double variance = 0;
      for (double v : intervals_)
        if (v <= threshold) variance += (v - avg) * (v - avg);
      variance /= divisor;
      if ((avg * avg > variance * 36 && divisor * 4 >= kIntervals * 3) || variance <= 400) return avg;
      if (divisor * 4 <= kIntervals * 3) return kNoPrediction;  // too many outliers: no pattern
      threshold = std::nextafter(max, 0.0);                     // drop the largest and try again
    }
  }

  std::array<double, kBuckets> correction_{};
  std::array<double, kIntervals> intervals_{};  // zeros at first, as menu's
  int next_interval_ = 0;
  double next_timer_us_ = kNoPrediction;
  int bucket_ = 0;
  hw::IdleState chosen_ = hw::IdleState::kPoll;
};

}  // namespace

std::unique_ptr<IdleGovernor> make_menu_governor(const hw::IdleStatesParams& states, hw::IdleState deepest) {
  return std::make_unique<MenuGovernor>(states, deepest);
}

}  // namespace wakesim::kernel
