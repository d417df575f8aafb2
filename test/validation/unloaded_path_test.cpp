// Exact unloaded path: on an otherwise idle host, one VT-d interrupt posted to one blocked vCPU gives a
// wakeup latency equal to the sum of its path's costs, for each design. The expected sums are written
// out step by step from reference/kvm-wakeup-paths.md §7 (H = a cache hit, A = the atomic surcharge,
// DRAM = a line nobody caches, LLC = a line in the last-level cache). Any hidden wait or missing step in the model
// breaks the equality.
#include <string>

#include <gtest/gtest.h>

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
                                  "kernel.halt_poll_ns=0", "kernel.idle_governor=fixed"})
      .config;
}

// `pollution`: bytes pCPU 0 streams through (as a guest would) after the vCPU blocked, before the post.
Time measure(const std::string& design, uint64_t pollution = 0) {
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
  // Streaming at 8 bytes per ns from 1 ms, for as long as `pollution` takes.
  const hw::TouchProfile stream{engine::ByteRate{8e9}, engine::Bytes{UINT64_MAX}, nullptr};
  const Time streaming = Time::from_ps(static_cast<int64_t>(pollution) * 125);
  engine::EventFn start([&] { machine.pollution().set_profile(hw::PcpuId{0}, &stream, sim.now()); }, "pollute");
  engine::EventFn stop([&] { machine.pollution().set_profile(hw::PcpuId{0}, nullptr, sim.now()); }, "stop");
  if (pollution > 0) {
    sim.schedule_at(start, 1_ms);
    sim.schedule_at(stop, 1_ms + streaming);
  }
  engine::EventFn post([&] { kvm.post_from_device(v, 1_us); }, "post");
  sim.schedule_at(post, 1_ms + streaming);
  sim.run_until(2_ms + streaming);
  const auto& h = kvm.metrics().wakeup_latency;
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(kvm.invariants().lost_wakeups(), 0u);
  return h.max();
}

// The single-lock path; the other designs differ from it by whole lock operations. Every line pCPU 0
// touched before sits in its L1 (an idle pCPU pollutes nothing), so H is an L1 hit.
Time single_lock_sum() {
  const experiment::Config c = unloaded_config();
  const Time H = c.host.cache.l1_latency, A = c.host.cache.atomic, DRAM = c.host.cache.dram_local,
             LLC = c.host.cache.llc_latency;
  const auto& k = c.kernel;
  const Time delivery = c.host.irq.device_notification + c.host.idle.of(k.idle_state).exit_latency + c.host.irq.entry;
  // pi_wakeup_handler: lock (H+A); load head (H); reaching v issues the load of N[v].next (H), which
  // overlaps with test_on's load of PID, which the IOMMU wrote into the LLC (DDIO: LLC); kvm_vcpu_wake_up:
  // smp_mb, load W (H); try_to_wake_up: pi_lock, never taken before (DRAM+A); load and store T (2H);
  // select_task_rq loads the idle rq (H); ttwu work; rq lock (H+A); enqueue stores rq and T (2H); unlock
  // rq (H); unlock pi_lock (H); vcpu->ready, a posted store (H); next: N[v].next has arrived (0); unlock (H).
  const Time handler =
      (H + A) + H + LLC + k.barrier + H + (DRAM + A) + 2 * H + H + k.ttwu_work + (H + A) + 2 * H + H + H + H + H;
  // The idle task's schedule(): rq lock (H+A), pick, store rq (H), switch; the vCPU's
  // finish_task_switch: prev->on_cpu = 0 (H), unlock rq (H); vmx_vcpu_pi_load: load PID (H), design
  // sched_in: lock (H+A), list_del loads N[v] (H) and stores head twice (2H), unlock (H), restore NV:
  // load + cmpxchg (H + H+A); PIR check load (H); back in kvm_vcpu_block: set_current_state (H + mb),
  // check_block loads PID (H), finish_rcuwait stores W (H); vcpu_enter_guest syncs PIR (H+A) and enters.
  const Time switch_in = (H + A) + k.pick_next + H + k.context_switch + H + H;
  const Time pi_load = H + ((H + A) + H + 2 * H + H + H + (H + A)) + H;
  const Time resume = (H + k.barrier) + H + H + (H + A) + k.vm_entry;
  return delivery + handler + c.host.irq.exit + switch_in + pi_load + resume;
}

TEST(UnloadedPath, SingleLockEqualsTheSumOfItsCosts) { EXPECT_EQ(measure("single-lock"), single_lock_sum()); }

TEST(UnloadedPath, SplitLockAddsOneLockToSchedIn) {
  const experiment::Config c = unloaded_config();
  const Time H = c.host.cache.l1_latency, A = c.host.cache.atomic;
  // sched_in takes in_lock and out_lock (one more acquire H+A and release H).
  EXPECT_EQ(measure("split-lock"), single_lock_sum() + (H + A) + H);
}

TEST(UnloadedPath, HandlerRemovesMovesTheListDelIntoTheHandler) {
  const experiment::Config c = unloaded_config();
  const Time H = c.host.cache.l1_latency, A = c.host.cache.atomic;
  // The handler reads v's next pointer before testing ON (list_for_each_entry_safe): the prefetched
  // N[v] is waited for (H) instead of overlapping the descriptor load, and it unlinks v: load N[v],
  // store the head, poison N[v] (3H). sched_in loses its lock (H+A), list_del (3H) and unlock (H), and
  // only reads N[v] for the recorded lock (H).
  EXPECT_EQ(measure("handler-removes"), single_lock_sum() + H + 3 * H - ((H + A) + 3 * H + H) + H);
}

TEST(UnloadedPath, RcuListWalksWithoutTheLock) {
  const experiment::Config c = unloaded_config();
  const Time H = c.host.cache.l1_latency, A = c.host.cache.atomic;
  // The handler takes no lock: no acquire (H+A) and no release (H).
  EXPECT_EQ(measure("rcu-list"), single_lock_sum() - (H + A) - H);
}

// Level-aware: after the vCPU blocked, pCPU 0 streamed through 8 MiB (as a guest would), far more than
// its L2 and far less than the LLC. Every line pCPU 0 held is now in the LLC: its first touch on the
// path costs the LLC latency instead of an L1 hit. Those are, in order, the wakeup lock word, the list
// head, W[v], T[v], the idle runqueue's line and its lock word (six lines); PID[v] was in the LLC
// anyway (the IOMMU wrote it) and N[v] overlaps with it, pi_lock comes from DRAM as before. Two posted
// stores miss (vcpu->ready, and prev->on_cpu = 0 in finish_task_switch): their RFOs go to the LLC but
// the pCPU goes on after an L1 latency. x86-TSO makes the second one visible: the locked RMW of
// sched_in's lock, issued 3H after that store (rq unlock, PID load, then its own L1 access), drains the
// store buffer first and waits LLC - 4H more.
TEST(UnloadedPath, PollutedCachesCostTheLevelEachLineWasPushedTo) {
  const experiment::Config c = unloaded_config();
  const Time H = c.host.cache.l1_latency, LLC = c.host.cache.llc_latency;
  EXPECT_EQ(measure("single-lock", 8 << 20), single_lock_sum() + 6 * (LLC - H) + (LLC - 4 * H));
}
}  // namespace
}  // namespace wakesim
