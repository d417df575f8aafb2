// Fault injection into wakeup-list walks (design.walk_stall_probability, design.walk_stall): each node
// visit stalls with that probability for that long, as if the host itself were preempted (nested
// virtualization, SMIs). Off by default; its own random stream ("walk-stall"), so turning it on
// changes no other draw of the run.
#pragma once

#include "sim/engine/random.h"
#include "sim/engine/time.h"
#include "sim/hw/cpu.h"

namespace wakesim::kernel {

class WalkStalls {
 public:
  WalkStalls(double probability, engine::Time duration, engine::RandomStream rng)
      : probability_(probability), duration_(duration), rng_(rng) {}

  // The stall at one node visit: zero time (co_await does not suspend) unless it strikes.
  hw::Cpu::TimedOp at_node(hw::Cpu& cpu) {
    const bool stalls = probability_ > 0 && rng_.uniform01() < probability_;
    return cpu.compute(stalls ? duration_ : engine::Time::zero());
  }

 private:
  double probability_;
  engine::Time duration_;
  engine::RandomStream rng_;
};

}  // namespace wakesim::kernel
