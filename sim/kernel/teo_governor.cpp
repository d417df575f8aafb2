// The teo ("timer events oriented") cpuidle governor (drivers/cpuidle/governors/teo.c, v6.x), in its
// core rule: each usable state has a bin covering idle periods from its target residency up to the
// next state's. After every idle period the bin it ended in gets a "hit" when the timer ended it (it
// lasted about the time to the next timer) or an "intercept" when something earlier did; the counts
// decay by 1/8 per period. select() takes the deepest state that fits the time to the next timer, and
// moves to a shallower one when intercepts below it outweigh everything else: the deepest shallower
// state below which (inclusive) more than half of those intercepts fell. Left out: the tick-stop
// heuristics and the utilization check.
#include <algorithm>

#include "sim/kernel/idle_governor.h"

namespace wakesim::kernel {
namespace {

using engine::Time;

constexpr uint32_t kPulse = 1024;
constexpr int kDecayShift = 3;

class TeoGovernor final : public IdleGovernor {
 public:
  TeoGovernor(const hw::IdleStatesParams& states, hw::IdleState deepest)
      : IdleGovernor(states, deepest), hits_(usable_.size()), intercepts_(usable_.size()) {}

  hw::IdleState select(Time until_timer) override {
    sleep_length_ = until_timer;
    size_t idx = deepest_fitting(until_timer);
    uint64_t below = 0;  // intercepts in the bins of the states shallower than idx
    for (size_t i = 0; i < idx; ++i) below += intercepts_[i];
    const uint64_t rest = total_ > hits_[idx] ? total_ - hits_[idx] : 0;  // (decay rounds the total down)
    if (2 * below > rest) {
      uint64_t sum = 0;
      for (size_t i = idx; i-- > 0;) {
        sum += intercepts_[i];
        if (2 * sum > below) {
          idx = i;
          break;
        }
      }
    }
    chosen_ = idx;
    return usable_[idx];
  }

  void reflect(Time idle) override {
    // teo_update: the idle time without the exit latency; a hit if it reached the timer's time (less
    // the exit latency the wakeup itself takes), an intercept otherwise.
    const Time exit = exit_latency(usable_[chosen_]);
    const Time measured = idle > exit ? idle - exit : Time::zero();
    for (size_t i = 0; i < usable_.size(); ++i) {
      hits_[i] -= hits_[i] >> kDecayShift;
      intercepts_[i] -= intercepts_[i] >> kDecayShift;
    }
    total_ -= total_ >> kDecayShift;
    const bool timer_ended_it = sleep_length_ != Time::max() && measured + exit >= sleep_length_;
    if (timer_ended_it) hits_[deepest_fitting(sleep_length_)] += kPulse;
    else intercepts_[deepest_fitting(measured)] += kPulse;
    total_ += kPulse;
  }

 private:
  std::vector<uint64_t> hits_;
  std::vector<uint64_t> intercepts_;
  uint64_t total_ = 0;
  Time sleep_length_ = Time::max();
  size_t chosen_ = 0;
};

}  // namespace

std::unique_ptr<IdleGovernor> make_teo_governor(const hw::IdleStatesParams& states, hw::IdleState deepest) {
  return std::make_unique<TeoGovernor>(states, deepest);
}

}  // namespace wakesim::kernel
