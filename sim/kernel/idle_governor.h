// The cpuidle governor: which idle state an idle pCPU enters. Linux's governors predict how long the
// pCPU will stay idle and pick the deepest state whose target residency fits the prediction (and
// whose exit latency the PM QoS limit allows: no limit here):
//  - menu (drivers/cpuidle/governors/menu.c): the time to the next timer, scaled by a learned
//    correction factor per range of that time, capped by the typical interval of the last 8 idle
//    periods when they are consistent (low variance);
//  - teo (drivers/cpuidle/governors/teo.c): the time to the next timer, unless wakeups that come
//    earlier than it ("intercepts", decaying counts per state) dominate, in which case a shallower
//    state;
//  - fixed: always the configured state (what wakesim did before it had a governor; for experiments).
// One governor per pCPU; it learns from reflect(), called with the length of each idle period.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/engine/time.h"
#include "sim/hw/idle_states.h"

namespace wakesim::kernel {

enum class IdleGovernorKind : uint8_t { kMenu, kTeo, kFixed };

class IdleGovernor {
 public:
  // `deepest`: the deepest state the governor may choose (kernel.idle_state); states the processor
  // lacks are skipped.
  IdleGovernor(const hw::IdleStatesParams& states, hw::IdleState deepest);
  virtual ~IdleGovernor() = default;
  // The state to enter now; `until_timer` is the time to this pCPU's next timer (Time::max(): none).
  virtual hw::IdleState select(engine::Time until_timer) = 0;
  // The idle period that began at the last select() lasted `idle` (entry to the wakeup, the state's
  // exit latency included, as cpuidle measures it).
  virtual void reflect(engine::Time idle) = 0;

  const std::vector<hw::IdleState>& usable() const { return usable_; }
  engine::Time exit_latency(hw::IdleState s) const { return states_.of(s).exit_latency; }

 protected:
  // The deepest usable state whose target residency is at most `predicted` (poll at least), as its
  // index in usable().
  size_t deepest_fitting(engine::Time predicted) const;

  hw::IdleStatesParams states_;
  std::vector<hw::IdleState> usable_;  // shallow to deep
};

std::unique_ptr<IdleGovernor> make_idle_governor(IdleGovernorKind kind, const hw::IdleStatesParams& states,
                                                 hw::IdleState deepest);
std::unique_ptr<IdleGovernor> make_menu_governor(const hw::IdleStatesParams& states, hw::IdleState deepest);
std::unique_ptr<IdleGovernor> make_teo_governor(const hw::IdleStatesParams& states, hw::IdleState deepest);

}  // namespace wakesim::kernel
