// Exact unloaded path: on an otherwise idle host, one VT-d interrupt posted to one blocked vCPU gives a
// wakeup latency equal to the sum of its path's costs, for each design. The expected sums are written
// out step by step from reference/kvm-wakeup-paths.md §7 (H = a cache hit, A = the atomic surcharge,
// DRAM = a line nobody caches). Any hidden wait or missing step in the model breaks the equality.
#include <gtest/gtest.h>

#include <string>

#include "sim/engine/simulation.h"
#include "sim/experiment/config.h"
#include "sim/hw/machine.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/scheduler.h"
#include "sim/workload/vm_workload.h"

namespace wakesim {
namespace {

using namespace engine::literals;
using engine::Time;

experiment::Config unloaded_config() {
  return experiment::load_config(std::nullopt,
                                 {"host.preset=icelake-2s", "host.sockets=1", "host.cores_per_socket=2",
                                  "host.threads_per_core=1", "vms.count=1", "vms.vcpus=1", "vms.affinity=pinned",
                                  "vms.device_arrivals=none", "vms.timer_arrivals=none", "vms.ipi_probability=0",
                                  "kernel.halt_poll_ns=0"})
      .config;
}

Time measure(const std::string& design) {
  const experiment::Config config = unloaded_config();
  engine::Simulation sim(1);
  hw::Machine machine(sim, config.host);
  kernel::Scheduler scheduler(machine, config.kernel);
  kernel::Kvm kvm(machine, scheduler, config.kernel, config.design, design);
  workload::VmWorkload vms(kvm, config.vms);
  scheduler.start();
  vms.start();
  sim.run_until(1_ms);  // the vCPU has run, found nothing to do, and blocked on pCPU 0
  kernel::Vcpu& v = *kvm.vcpus().front();
  EXPECT_TRUE(v.blocked());
  engine::EventFn post([&] { kvm.post_from_device(v, 1_us); }, "post");
  sim.schedule_at(post, 1_ms);
  sim.run_until(2_ms);
  const auto& h = kvm.metrics().blocked_latency;
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(kvm.metrics().lost_wakeups, 0u);
  return h.max();
}

// The single-lock path; the other designs differ from it by whole lock operations.
Time single_lock_sum() {
  const experiment::Config c = unloaded_config();
  const Time H = c.host.cache.hit, A = c.host.cache.atomic, DRAM = c.host.cache.dram_local;
  const auto& k = c.kernel;
  const Time delivery = c.host.irq.device_notification + k.idle_exit_latency() + c.host.irq.entry;
  // pi_wakeup_handler: lock (H+A); load head (H); test_on loads PID, which the IOMMU wrote (DRAM);
  // kvm_vcpu_wake_up: smp_mb, load W (H); try_to_wake_up: pi_lock, never taken before (DRAM+A); load
  // and store T (2H); select_task_rq loads the idle rq (H); ttwu work; rq lock (H+A); enqueue stores rq
  // and T (2H); unlock rq (H); unlock pi_lock (H); vcpu->ready, a posted store (H); next: load N (H);
  // unlock (H).
  const Time handler = (H + A) + H + DRAM + k.barrier + H + (DRAM + A) + 2 * H + H + k.ttwu_work + (H + A) + 2 * H +
                       H + H + H + H + H;
  // The idle task's schedule(): rq lock (H+A), pick, store rq (H), switch; the vCPU's
  // finish_task_switch: prev->on_cpu = 0 (H), unlock rq (H); vmx_vcpu_pi_load: load PID (H), design
  // sched_in: lock (H+A), list_del stores head and poisons N (2H), unlock (H), restore NV: load + cmpxchg
  // (H + H+A); PIR check load (H); back in kvm_vcpu_block: set_current_state (H + mb), check_block
  // loads PID (H), finish_rcuwait stores W (H); vcpu_enter_guest syncs PIR (H+A) and enters.
  const Time switch_in = (H + A) + k.pick_next + H + k.context_switch + H + H;
  const Time pi_load = H + ((H + A) + 2 * H + H + H + (H + A)) + H;
  const Time resume = (H + k.barrier) + H + H + (H + A) + k.vm_entry;
  return delivery + handler + c.host.irq.exit + switch_in + pi_load + resume;
}

TEST(UnloadedPath, SingleLockEqualsTheSumOfItsCosts) { EXPECT_EQ(measure("single-lock"), single_lock_sum()); }

TEST(UnloadedPath, SplitLockAddsOneLockToSchedIn) {
  const experiment::Config c = unloaded_config();
  const Time H = c.host.cache.hit, A = c.host.cache.atomic;
  // sched_in takes in_lock and out_lock (one more acquire H+A and release H).
  EXPECT_EQ(measure("split-lock"), single_lock_sum() + (H + A) + H);
}

TEST(UnloadedPath, RcuListWalksWithoutTheLock) {
  const experiment::Config c = unloaded_config();
  const Time H = c.host.cache.hit, A = c.host.cache.atomic;
  // The handler takes no lock: no acquire (H+A) and no release (H).
  EXPECT_EQ(measure("rcu-list"), single_lock_sum() - (H + A) - H);
}

}  // namespace
}  // namespace wakesim
