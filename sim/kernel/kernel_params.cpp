#include "sim/kernel/kernel_params.h"

namespace wakesim::kernel {

using engine::Time;

const config::Section<KernelParams>& KernelParams::schema() {
  const config::FieldOptions<Time> non_negative{.min = Time::zero()};
  static const auto s =
      config::Section<KernelParams>("kernel", "host scheduler and KVM")
          .field(&KernelParams::timeslice, "timeslice", "scheduler time slice while others are runnable",
                 {.min = Time::from_ps(1'000'000)})
          .field(&KernelParams::context_switch, "context_switch", "cost of switching tasks", non_negative)
          .field(&KernelParams::ttwu_work, "ttwu_work", "try_to_wake_up bookkeeping (besides its locks and lines)",
                 non_negative)
          .field(&KernelParams::pick_next, "pick_next", "picking the next task in schedule()", non_negative)
          .field(&KernelParams::tick_handler, "tick_handler", "work of a local timer interrupt (slice end, hrtimers)",
                 non_negative)
          .field(&KernelParams::barrier, "barrier", "a full memory barrier (smp_mb)", non_negative)
          .choice(
              &KernelParams::idle_governor, "idle_governor",
              "cpuidle governor: menu and teo predict each idle period; fixed always enters idle_state",
              {{"menu", IdleGovernorKind::kMenu}, {"teo", IdleGovernorKind::kTeo}, {"fixed", IdleGovernorKind::kFixed}})
          .choice(
              &KernelParams::idle_state, "idle_state",
              "deepest idle state the governor may choose (exit latency and residency: host.idle)",
              {{"poll", IdleState::kPoll}, {"c1", IdleState::kC1}, {"c1e", IdleState::kC1E}, {"c6", IdleState::kC6}})
          .choice(&KernelParams::lock, "lock", "spinlock algorithm of kernel locks",
                  {{"qspinlock", hw::LockKind::kQueued}, {"ticket", hw::LockKind::kTicket}})
          .field(&KernelParams::load_balance, "load_balance",
                 "idle pCPUs pull waiting tasks from busy ones (newidle balance, nohz idle kick)")
          .field(&KernelParams::balance_work, "balance_work", "bookkeeping of one balancing pull", non_negative)
          .field(&KernelParams::ttwu_queue, "ttwu_queue",
                 "wake onto another LLC or an idle pCPU through the remote wakelist + IPI")
          .field(&KernelParams::vm_exit, "vm_exit", "VM exit", non_negative)
          .field(&KernelParams::vm_entry, "vm_entry", "VM entry", non_negative)
          .field(&KernelParams::halt_poll_ns, "halt_poll_ns", "maximum halt-polling time (0 disables polling)",
                 non_negative)
          .field(&KernelParams::halt_poll_grow, "halt_poll_grow", "halt-poll growth factor", {.min = 1, .max = 64})
          .field(&KernelParams::halt_poll_grow_start, "halt_poll_grow_start", "first halt-poll time after growth",
                 non_negative)
          .field(&KernelParams::halt_poll_shrink, "halt_poll_shrink", "halt-poll shrink divisor (0: reset to 0)",
                 {.min = 0, .max = 64})
          .field(&KernelParams::ipiv, "ipiv", "IPI virtualization: guest IPIs are posted without a VM exit")
          .field(&KernelParams::sn_on_every_put, "sn_on_every_put",
                 "6.17+ vmx_vcpu_pi_put: preempted blockers stay off the lists with SN set (false: v5.17-6.16)")
          .field(&KernelParams::lost_wakeup_timeout, "lost_wakeup_timeout",
                 "a vCPU blocked this long after a posting counts as a lost wakeup (at least 1ms: a slow but real "
                 "wakeup under load takes tens of us and must not count)",
                 {.min = Time::from_ps(1'000'000'000)})
          .field(&KernelParams::stop_on_violation, "stop_on_violation", "end the run at the first invariant violation")
          .field(&KernelParams::lockdep, "lockdep",
                 "record lock classes and acquisition orders for a lockdep-style analysis (no effect on results)");
  return s;
}

}  // namespace wakesim::kernel
