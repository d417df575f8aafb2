// Parameters of the host kernel model: scheduler, idle states, KVM's halt-polling and the costs of the
// code paths that are modelled as compute time (the locks and cache lines they touch are modelled
// separately, as line operations). Sources are cited per default; [I] marks an assumption.
#pragma once

#include <cstdint>
#include <string>

#include "sim/config/schema.h"
#include "sim/engine/time.h"
#include "sim/hw/idle_states.h"
#include "sim/hw/spinlock.h"
#include "sim/kernel/idle_governor.h"

namespace wakesim::kernel {

using hw::IdleState;

struct KernelParams {
  // ---- scheduler ----
  // EEVDF base slice: 0.75 ms x (1 + ilog2(ncpus)), i.e. 3 ms with 8 or more CPUs
  // (kernel/sched/fair.c, sysctl_sched_base_slice, SCHED_TUNABLESCALING_LOG).
  engine::Time timeslice = engine::Time::from_ps(3'000'000'000);
  // perf bench sched pipe: 2.79 us per round trip = 2 wakeups + 2 switches + 2 pipe read/write pairs
  // (hw-params §1c, Molnar 2025), so <= 1.4 us per wakeup + switch. Split [I]: 600 ns for the switch,
  // 300 ns of try_to_wake_up bookkeeping, 200 ns to pick the next task; locks and lines are extra.
  engine::Time context_switch = engine::Time::from_ps(600'000);
  engine::Time ttwu_work = engine::Time::from_ps(300'000);
  engine::Time pick_next = engine::Time::from_ps(200'000);
  engine::Time tick_handler = engine::Time::from_ps(500'000);  // timer interrupt work (tick, hrtimers) [I]
  // A memory barrier (smp_mb: a locked instruction, hw-params §1a atomic cost). [I]
  engine::Time barrier = engine::Time::from_ps(6'000);
  // The cpuidle governor that picks each idle period's state (idle_governor.h): menu, Linux's default
  // on tickless kernels (CONFIG_NO_HZ_IDLE; teo is the other); fixed always enters idle_state.
  IdleGovernorKind idle_governor = IdleGovernorKind::kMenu;
  // The deepest idle state the governor may choose (as intel_idle.max_cstate or disabling deeper
  // states in sysfs does); each state's exit latency and target residency come from the host preset
  // (host.idle). C1 here [I]: latency-tuned KVM hosts commonly keep idle pCPUs out of C1E and C6.
  // "poll" keeps idle pCPUs polling (idle=poll): no exit latency and no wake-up IPI.
  IdleState idle_state = IdleState::kC1;
  // Spinlock algorithm of the kernel's locks (runqueue, pi_lock, and the designs' locks).
  hw::LockKind lock = hw::LockKind::kQueued;
  // Idle balancing (newidle_balance, and a nohz-style kick of an idle pCPU when tasks wait behind a
  // running one): the bookkeeping of one pull, besides its rq locks and lines. [I]
  bool load_balance = true;
  engine::Time balance_work = engine::Time::from_ps(500'000);
  // Use the remote wakelist (llist + IPI) when the target does not share the waker's LLC or is idle
  // (ttwu_queue_cond, kernel/sched/core.c).
  bool ttwu_queue = true;

  // ---- KVM ----
  // VM exit + entry round trip 1,559 cycles (Skylake-SP VMCALL, hw-params §1c) at 2.9 GHz = 538 ns,
  // split evenly. [D]
  engine::Time vm_exit = engine::Time::from_ps(270'000);
  engine::Time vm_entry = engine::Time::from_ps(270'000);
  // halt_poll_ns and its growth (virt/kvm/kvm_main.c, Documentation/virt/kvm/halt-polling.rst):
  // 200 us maximum, grow x2 from 10 us, shrink /2 (current kernels; 0 = reset on a miss, older ones).
  engine::Time halt_poll_ns = engine::Time::from_ps(200'000'000);
  int halt_poll_grow = 2;
  engine::Time halt_poll_grow_start = engine::Time::from_ps(10'000'000);
  int halt_poll_shrink = 2;
  // IPI virtualization (IPIv) on: guest IPIs are posted by the sender's CPU without a VM exit.
  bool ipiv = true;
  // vmx_vcpu_pi_put as since 6.17 (6737557442e5, the 2025 posted-IRQ overhaul): SN is set on every
  // put that does not enable the wakeup handler, and a blocking vCPU that is preempted stays off the
  // lists. false: v5.17-6.16, where it goes on the list with SN set (kvm-wakeup-paths.md §1.7). The
  // same series gates VT-d PI on nr_possible_bypass_irqs (77e1b8332d1d) instead of device
  // assignment; here both are vms.device_arrivals != none, so no switch is needed for it.
  bool sn_on_every_put = true;

  // ---- invariants ----
  // A vCPU that stays blocked this long after an interrupt was posted to it is a lost wakeup.
  engine::Time lost_wakeup_timeout = engine::Time::from_ps(50'000'000'000);
  // Stop the run with an error at the first invariant violation (otherwise only count them).
  bool stop_on_violation = true;
  // Record the lock orders the run exercises (sim/hw/lockdep.h; `wakesim lockdep` turns it on). No
  // effect on timing or results; off by default because it costs time on every nested acquisition.
  bool lockdep = false;

  static const config::Section<KernelParams>& schema();
};

}  // namespace wakesim::kernel
