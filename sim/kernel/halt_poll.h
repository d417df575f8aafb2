// The halt_poll_ns update after each halt (virt/kvm/kvm_main.c v6.3: kvm_vcpu_halt's tail with
// grow_halt_poll_ns and shrink_halt_poll_ns; Documentation/virt/kvm/halt-polling.rst; defaults in
// reference/kvm-wakeup-paths.md, "halt-polling"):
//  - a halt no longer than the poll window keeps the window;
//  - a halt longer than the maximum (halt_poll_ns) shrinks it: divided by halt_poll_ns_shrink (0: to
//    0), and to 0 once below halt_poll_ns_grow_start;
//  - a shorter halt grows it: times halt_poll_ns_grow, at least halt_poll_ns_grow_start, at most the
//    maximum (the kernel clamps at the next halt's start; the window used is the same).
// A maximum of 0 turns polling off. Not modelled: the shrink on a wakeup that was not "valid" (a
// spurious wakeup, kvm_vcpu_wake_up without pending work), which the model does not produce.
#pragma once

#include <algorithm>

#include "sim/engine/time.h"
#include "sim/kernel/kernel_params.h"

namespace wakesim::kernel {

inline engine::Time next_halt_poll_ns(engine::Time window, engine::Time halt_ns, const KernelParams& p) {
  const engine::Time max = p.halt_poll_ns;
  if (max <= engine::Time::zero()) return engine::Time::zero();
  if (halt_ns <= window) return window;  // polling succeeded, or the halt was shorter than the window
  if (window > engine::Time::zero() && halt_ns > max) {
    const engine::Time shrunk = p.halt_poll_shrink == 0 ? engine::Time::zero() : window / p.halt_poll_shrink;
    return shrunk < p.halt_poll_grow_start ? engine::Time::zero() : shrunk;
  }
  if (window < max && halt_ns < max) return std::min(std::max(window * p.halt_poll_grow, p.halt_poll_grow_start), max);
  return window;
}

}  // namespace wakesim::kernel
