// The lockdep analysis on hand-made records: when a class cycle is only a lockdep report and when the
// instances could really deadlock (sim/hw/lockdep_analysis.h).
#include "sim/hw/lockdep_analysis.h"

#include <gtest/gtest.h>

namespace wakesim::hw {
namespace {

using Ctx = LockContext;

// Two classes A and B, one instance of each; class edges A -> B and B -> A.
LockdepRecord two_locks() {
  LockdepRecord r;
  r.classes = {{"A"}, {"B"}};
  r.instances.push_back({0, "A[cpu 0]", PcpuId{0}, {}, {}});
  r.instances.push_back({1, "B[x]", std::nullopt, {}, {}});
  LockdepRecord::ClassEdge ab{{0, 0}, {1, 0}, {}, 0};
  ab.count[static_cast<size_t>(Ctx::kHardIrq)] = 1;
  LockdepRecord::ClassEdge ba{{1, 0}, {0, 0}, {}, 0};
  ba.count[static_cast<size_t>(Ctx::kIrqsOff)] = 1;
  r.class_edges = {ab, ba};
  return r;
}

TEST(LockdepAnalysis, SamePcpuIrqsOffAndHardIrqCannotInterleave) {
  LockdepRecord r = two_locks();
  r.instance_edges = {{0, 1, PcpuId{0}, Ctx::kHardIrq, 5}, {1, 0, PcpuId{0}, Ctx::kIrqsOff, 5}};
  const LockdepAnalysis a = analyze_lockdep(r);
  ASSERT_EQ(a.lockdep_cycles.size(), 1u);
  EXPECT_FALSE(a.lockdep_cycles[0].verdict.possible_deadlock);
  EXPECT_FALSE(a.possible_deadlock());
  EXPECT_NE(a.lockdep_cycles[0].verdict.reason.find("cannot close"), std::string::npos)
      << a.lockdep_cycles[0].verdict.reason;
}

TEST(LockdepAnalysis, TwoPcpusMakeItReal) {
  LockdepRecord r = two_locks();
  r.instance_edges = {{0, 1, PcpuId{0}, Ctx::kHardIrq, 5}, {1, 0, PcpuId{1}, Ctx::kIrqsOff, 5}};
  const LockdepAnalysis a = analyze_lockdep(r);
  ASSERT_EQ(a.lockdep_cycles.size(), 1u);
  EXPECT_TRUE(a.lockdep_cycles[0].verdict.possible_deadlock);
  ASSERT_EQ(a.deadlocks.size(), 1u);
  EXPECT_EQ(a.deadlocks[0].edges.size(), 2u);
}

TEST(LockdepAnalysis, AHandlerInterruptingAHolderWithIrqsOnIsReal) {
  LockdepRecord r = two_locks();
  r.instance_edges = {{0, 1, PcpuId{0}, Ctx::kHardIrq, 1}, {1, 0, PcpuId{0}, Ctx::kProcess, 1}};
  EXPECT_TRUE(analyze_lockdep(r).possible_deadlock());
}

TEST(LockdepAnalysis, DifferentInstancesOfTheClassesDoNotCloseACycle) {
  LockdepRecord r = two_locks();
  r.instances.push_back({1, "B[y]", std::nullopt, {}, {}});
  r.instance_edges = {{0, 1, PcpuId{0}, Ctx::kHardIrq, 1}, {2, 0, PcpuId{1}, Ctx::kIrqsOff, 1}};
  const LockdepAnalysis a = analyze_lockdep(r);
  EXPECT_EQ(a.lockdep_cycles.size(), 1u);
  EXPECT_FALSE(a.possible_deadlock());
}

TEST(LockdepAnalysis, SubclassesSplitTheNodesButNotTheClassCycle) {
  LockdepRecord r = two_locks();
  r.class_edges[1].to.subclass = 1;  // B -> A/1: lockdep sees no cycle
  const LockdepAnalysis a = analyze_lockdep(r);
  EXPECT_TRUE(a.lockdep_cycles.empty());
  ASSERT_EQ(a.class_cycles.size(), 1u);
  EXPECT_FALSE(a.class_cycles[0].reported_by_lockdep);
}

TEST(LockdepAnalysis, IrqRules) {
  LockdepRecord r = two_locks();
  r.classes[0].used_in_hardirq = true;
  r.classes[1].used_irqs_on = true;
  r.instances[1].hardirq_cpus = {PcpuId{2}};
  r.instances[1].irqs_on_cpus = {PcpuId{2}};
  const LockdepAnalysis a = analyze_lockdep(r);
  EXPECT_EQ(a.irq_safe_unsafe.size(), 1u);  // A (hard IRQ) -> B (IRQs on)
  EXPECT_TRUE(a.irq_inconsistent.empty());
  EXPECT_EQ(a.irq_self_deadlocks.size(), 1u);
  EXPECT_TRUE(a.possible_deadlock());
}

}  // namespace
}  // namespace wakesim::hw
