// The wake tracer (kernel/wake_tracer.h) and the invariant checker (kernel/invariant_checker.h), the
// two jobs Kvm hands to classes of their own: the tracer's stamping rules (each stamp once per
// episode, in order, a walker's stamps only in interrupt context) and what reaches the decomposition;
// the checker's counting, and stopping the run unless told to go on.
#include "sim/kernel/wake_tracer.h"

#include <gtest/gtest.h>

#include "../hw/hw_test_support.h"
#include "sim/engine/errors.h"
#include "sim/kernel/invariant_checker.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/scheduler.h"

namespace wakesim::kernel {
namespace {

using engine::Time;
using namespace engine::literals;
using hw::PcpuId;

struct WakeTracerTest : ::testing::Test {
  engine::Simulation sim{1};
  hw::Machine machine{sim, hw::testing::small_host()};
  KernelParams params;
  Scheduler sched{machine, params};
  DesignParams design_params;
  Kvm kvm{machine, sched, params, design_params, "single-lock"};
  WakeTracer tracer{machine.pcpus()};
  Vcpu& v = kvm.add_vcpu(0, sched.cpu_set({PcpuId{0}}));

  WakeTracerTest() { tracer.add_vcpu(v.index()); }

  // Runs `body` in the handler of an interrupt taken by pCPU p at `at` (plus the interrupt entry),
  // while a host thread runs there (the scheduler is not started).
  template <class Body>
  void in_interrupt_at(uint32_t p, Time at, Body body) {
    hw::Cpu& cpu = machine.cpu(PcpuId{p});
    cpu.start_thread([](hw::Cpu& c) -> hw::Path { co_await c.run_interruptible(50_us); }(cpu));
    cpu.set_handler(hw::Vector{40}, [body](hw::Cpu& c, hw::Vector) -> hw::Path {
      body(c);
      co_return;
    });
    machine.interrupts().deliver_after(PcpuId{p}, hw::Vector{40}, at - sim.now());
    sim.run_until(at + 1_us);
  }
  uint64_t recorded() const { return tracer.decomposition().components[0].count(); }
};

TEST_F(WakeTracerTest, AWholeEpisodeIsRecordedOnceAsConsecutiveComponents) {
  tracer.posted(v, 1_us);
  Time handler_at;
  in_interrupt_at(0, 3_us, [&](hw::Cpu& cpu) {
    handler_at = cpu.now();
    tracer.handler_started(cpu, Time::zero());
    tracer.walk_started(cpu);
    tracer.reached(cpu, v);
  });
  tracer.woken(v, 5_us);
  tracer.picked(v, 7_us);
  tracer.removed(v, 8_us);
  tracer.entered_guest(v, 10_us);
  ASSERT_EQ(recorded(), 1u);
  const auto& c = tracer.decomposition().components;
  EXPECT_EQ(c[static_cast<size_t>(WakeComponent::kNotification)].max(), handler_at - 1_us);
  EXPECT_EQ(c[static_cast<size_t>(WakeComponent::kWake)].max(), 5_us - handler_at);
  EXPECT_EQ(c[static_cast<size_t>(WakeComponent::kRunqueueDelay)].max(), 7_us - 5_us);
  EXPECT_EQ(c[static_cast<size_t>(WakeComponent::kSchedInLock)].max(), 8_us - 7_us);
  EXPECT_EQ(c[static_cast<size_t>(WakeComponent::kVmEntry)].max(), 10_us - 8_us);
  Time total;
  for (const auto& h : c) total += h.max();
  EXPECT_EQ(total, 10_us - 1_us) << "the components add up to the latency";
  EXPECT_EQ(tracer.nodes_walked(), 1u);
  // The entry started the next episode empty: entering again records nothing.
  tracer.entered_guest(v, 12_us);
  EXPECT_EQ(recorded(), 1u);
}

TEST_F(WakeTracerTest, AWalkerOutsideAnInterruptCountsTheNodeButStampsNothing) {
  tracer.posted(v, 1_us);
  tracer.reached(machine.cpu(PcpuId{0}), v);  // sched_in's or sched_out's walk, not the handler's
  tracer.woken(v, 2_us);
  tracer.picked(v, 3_us);
  tracer.removed(v, 4_us);
  tracer.entered_guest(v, 5_us);
  EXPECT_EQ(tracer.nodes_walked(), 1u);
  EXPECT_EQ(recorded(), 0u) << "not reached by a handler: not the wakeup-vector path";
}

TEST_F(WakeTracerTest, EachStampIsTakenOnceAndOnlyAfterTheOneBeforeIt) {
  tracer.woken(v, 1_us);  // woken before it was reached: another path's wake, not stamped
  tracer.posted(v, 2_us);
  tracer.posted(v, 3_us);  // a second posting keeps the first's time
  Time handler_at;
  in_interrupt_at(1, 4_us, [&](hw::Cpu& cpu) {
    handler_at = cpu.now();
    tracer.handler_started(cpu, Time::zero());
    tracer.reached(cpu, v);  // no walk start: the walk starts with the handler
  });
  tracer.woken(v, 5_us);
  tracer.woken(v, 6_us);
  tracer.picked(v, 7_us);
  tracer.removed(v, 8_us);
  tracer.entered_guest(v, 9_us);
  ASSERT_EQ(recorded(), 1u);
  const auto& c = tracer.decomposition().components;
  EXPECT_EQ(c[static_cast<size_t>(WakeComponent::kNotification)].max(), handler_at - 2_us);
  EXPECT_EQ(c[static_cast<size_t>(WakeComponent::kHandlerLock)].max(), Time::zero());
  EXPECT_EQ(c[static_cast<size_t>(WakeComponent::kWake)].max(), 5_us - handler_at);
  tracer.reset_statistics();
  EXPECT_EQ(recorded(), 0u);
  EXPECT_EQ(tracer.nodes_walked(), 0u);
}

TEST(InvariantChecker, CountsEveryKindAndStopsTheRunUnlessToldToGoOn) {
  InvariantChecker going_on(OnViolation::kCountAndGoOn);
  going_on.violation("a");
  going_on.rcu_hazard("b");
  going_on.lost_wakeup("c");
  EXPECT_EQ(going_on.violations(), 3u);
  EXPECT_EQ(going_on.rcu_hazards(), 1u);
  EXPECT_EQ(going_on.lost_wakeups(), 1u);
  going_on.reset_statistics();
  EXPECT_EQ(going_on.violations(), 0u);

  InvariantChecker stopping(OnViolation::kStopTheRun);
  try {
    stopping.rcu_hazard("walker left its list");
    FAIL() << "no exception";
  } catch (const engine::InvariantViolation& e) {
    EXPECT_STREQ(e.what(), "invariant violated: RCU hazard: walker left its list");
  }
  EXPECT_EQ(stopping.rcu_hazards(), 1u);
  EXPECT_EQ(stopping.violations(), 1u);
}

TEST(InvariantChecker, KnowsTheListHeadsRegisteredWithIt) {
  InvariantChecker checker(OnViolation::kStopTheRun);
  int head = 0;
  EXPECT_FALSE(checker.is_list_head(&head));
  checker.register_list_head(&head);
  EXPECT_TRUE(checker.is_list_head(&head));
  checker.unregister_list_head(&head);
  EXPECT_FALSE(checker.is_list_head(&head));
}

}  // namespace
}  // namespace wakesim::kernel
