// WakeupList, the per-pCPU list of blocked vCPUs (kernel/wakeup_list.h): list order and membership,
// the invariants it checks on every operation (a vCPU on one list at a time; no writer under a locked
// walker; an RCU walker that stands on a deleted node goes on, or restarts; one whose node moved to
// another list, or whose kept pointer leads to another list's head, is a hazard), and what its
// operations cost: the lines they touch, local or remote.
#include "sim/kernel/wakeup_list.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../hw/hw_test_support.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/scheduler.h"

namespace wakesim::kernel {
namespace {

using engine::Time;
using namespace engine::literals;
using hw::PcpuId;
constexpr auto kFollow = WakeupList::OnUnlinkedNode::kFollowStalePointer;
constexpr auto kRestart = WakeupList::OnUnlinkedNode::kRestartFromHead;

struct WakeupListTest : ::testing::Test {
  engine::Simulation sim{1};
  hw::Machine machine{sim, hw::testing::small_host()};  // pCPUs 0, 1 on socket 0; 2 on socket 1
  KernelParams params = [] {
    KernelParams p;
    p.stop_on_violation = false;  // count them instead
    return p;
  }();
  Scheduler sched{machine, params};
  DesignParams design_params;
  Kvm kvm{machine, sched, params, design_params, "single-lock"};
  WakeupList list0{kvm.list_environment(), PcpuId{0}};
  WakeupList list1{kvm.list_environment(), PcpuId{1}};
  std::vector<Vcpu*> v;

  WakeupListTest() {
    for (int i = 0; i < 4; ++i) v.push_back(&kvm.add_vcpu(0, sched.cpu_set({PcpuId{0}})));
  }
  // Runs `body` as pCPU p's only thread until it ends (the scheduler is not started: no other task runs).
  template <class Body>
  void run_on(uint32_t p, Body body) {
    hw::Cpu& cpu = machine.cpu(PcpuId{p});
    cpu.start_thread(body(cpu));
    sim.run_until(sim.now() + 1_ms);
    ASSERT_FALSE(cpu.busy());
  }
  // The vCPU indices a locked walk visits.
  std::vector<uint32_t> walk(WakeupList& list) {
    std::vector<uint32_t> seen;
    run_on(list.owner().value, [&](hw::Cpu& cpu) -> hw::Path {
      for (Vcpu* x = co_await list.first(cpu); x != nullptr; x = co_await list.next(cpu, *x))
        seen.push_back(x->index());
    });
    return seen;
  }
  void add(WakeupList& list, std::vector<int> which) {
    run_on(list.owner().value, [&](hw::Cpu& cpu) -> hw::Path {
      for (int i : which) co_await list.add_tail(cpu, *v[static_cast<size_t>(i)]);
    });
  }
};

TEST_F(WakeupListTest, AddTailKeepsOrderAndAWalkVisitsEveryNode) {
  add(list0, {2, 0, 3});
  EXPECT_EQ(walk(list0), (std::vector<uint32_t>{v[2]->index(), v[0]->index(), v[3]->index()}));
  EXPECT_EQ(list0.size(), 3u);
  EXPECT_TRUE(list0.contains(*v[0]));
  EXPECT_FALSE(list0.contains(*v[1]));
  list0.check_consistency();
  EXPECT_EQ(kvm.invariants().violations(), 0u);
}

TEST_F(WakeupListTest, DelUnlinksANodeFromTheMiddleAndTheEnds) {
  add(list0, {0, 1, 2, 3});
  run_on(0, [&](hw::Cpu& cpu) -> hw::Path {
    co_await list0.del(cpu, *v[1]);
    co_await list0.del(cpu, *v[0]);
    co_await list0.del(cpu, *v[3]);
  });
  EXPECT_EQ(walk(list0), (std::vector<uint32_t>{v[2]->index()}));
  EXPECT_FALSE(list0.contains(*v[1]));
  add(list1, {1});  // a removed vCPU may join another list
  EXPECT_TRUE(list1.contains(*v[1]));
  list0.check_consistency();
  list1.check_consistency();
  EXPECT_EQ(kvm.invariants().violations(), 0u);
}

TEST_F(WakeupListTest, AVcpuOnTwoListsOrRemovedFromOneItIsNotOnIsAViolation) {
  add(list0, {0});
  add(list1, {0});  // refused: linking it would join the two lists into one cycle
  EXPECT_EQ(kvm.invariants().violations(), 1u);
  EXPECT_TRUE(list0.contains(*v[0]));
  EXPECT_EQ(list1.size(), 0u);
  EXPECT_EQ(walk(list0), (std::vector<uint32_t>{v[0]->index()}));
  run_on(1, [&](hw::Cpu& cpu) -> hw::Path { co_await list1.del(cpu, *v[2]); });
  EXPECT_EQ(kvm.invariants().violations(), 2u);
}

TEST_F(WakeupListTest, AWriterUnderALockedWalkerIsAMissingLock) {
  add(list0, {0, 1, 2});
  Vcpu* after = v[0];
  run_on(0, [&](hw::Cpu& cpu) -> hw::Path {
    Vcpu* at = co_await list0.first(cpu);
    at = co_await list0.next(cpu, *at);  // stands on v1
    co_await list0.del(cpu, *at);        // what a writer without the lock would do
    after = co_await list0.next(cpu, *at);
  });
  EXPECT_EQ(after, nullptr);
  EXPECT_EQ(kvm.invariants().violations(), 1u);
}

TEST_F(WakeupListTest, AnRcuWalkerGoesOnFromADeletedNodeOrRestartsFromTheHead) {
  add(list0, {0, 1, 2});
  Vcpu* went_on = nullptr;
  Vcpu* restarted = nullptr;
  run_on(0, [&](hw::Cpu& cpu) -> hw::Path {
    Vcpu* at = co_await list0.first(cpu);
    at = co_await list0.next_rcu(cpu, *at, kFollow);  // v1
    co_await list0.del_rcu(cpu, *at);
    went_on = co_await list0.next_rcu(cpu, *at, kFollow);     // list_del_rcu kept v1's next
    restarted = co_await list0.next_rcu(cpu, *at, kRestart);  // the hlist_nulls remedy
  });
  EXPECT_EQ(went_on, v[2]);
  EXPECT_EQ(restarted, v[0]);
  EXPECT_EQ(kvm.tracer().walk_restarts(), 1u);
  EXPECT_EQ(kvm.invariants().violations(), 0u);
}

TEST_F(WakeupListTest, AnRcuWalkerWhoseNodeMovedToAnotherListIsAHazard) {
  add(list0, {0, 1, 2});
  add(list1, {3});
  Vcpu* next = v[0];
  run_on(0, [&](hw::Cpu& cpu) -> hw::Path {
    Vcpu* at = co_await list0.first(cpu);
    at = co_await list0.next_rcu(cpu, *at, kFollow);  // v1
    co_await list0.del_rcu(cpu, *at);
    co_await list1.add_tail(cpu, *at);  // reused before a grace period
    next = co_await list0.next_rcu(cpu, *at, kFollow);
  });
  EXPECT_EQ(next, nullptr);
  EXPECT_EQ(kvm.invariants().rcu_hazards(), 1u);
}

// The node moved to another list and left it again: off every list, its kept next pointer leads to
// that list's head, which is not a vCPU. The walker must name that hazard (a run that stops on it says
// which), not read the head as a node.
TEST_F(WakeupListTest, AnRcuWalkerLedToAnotherListsHeadIsAHazard) {
  add(list0, {0, 1, 2});
  auto lead_to_list1s_head = [&](hw::Cpu& cpu) -> hw::Path {
    Vcpu* at = co_await list0.first(cpu);
    at = co_await list0.next_rcu(cpu, *at, kFollow);  // v1
    co_await list0.del_rcu(cpu, *at);
    co_await list1.add_tail(cpu, *at);  // alone on list1: its next pointer is list1's head
    co_await list1.del_rcu(cpu, *at);   // and off it again, the pointer kept
    EXPECT_EQ(co_await list0.next_rcu(cpu, *at, kFollow), nullptr);
  };
  run_on(0, lead_to_list1s_head);
  EXPECT_EQ(kvm.invariants().rcu_hazards(), 1u);
  EXPECT_EQ(list1.size(), 0u);
}

TEST(WakeupListStopping, AWalkerLedToAnotherListsHeadStopsTheRunSayingSo) {
  engine::Simulation sim{1};
  hw::Machine machine{sim, hw::testing::small_host()};
  KernelParams params;  // stop_on_violation: the default
  Scheduler sched{machine, params};
  DesignParams design_params;
  Kvm kvm{machine, sched, params, design_params, "single-lock"};
  WakeupList list0{kvm.list_environment(), PcpuId{0}};
  WakeupList list1{kvm.list_environment(), PcpuId{1}};
  Vcpu& v0 = kvm.add_vcpu(0, sched.cpu_set({PcpuId{0}}));
  Vcpu& v1 = kvm.add_vcpu(0, sched.cpu_set({PcpuId{0}}));
  hw::Cpu& cpu = machine.cpu(PcpuId{0});
  cpu.start_thread([&](hw::Cpu& c) -> hw::Path {
    co_await list0.add_tail(c, v0);
    co_await list0.add_tail(c, v1);
    Vcpu* at = co_await list0.first(c);  // v0
    co_await list0.del_rcu(c, *at);
    co_await list1.add_tail(c, *at);
    co_await list1.del_rcu(c, *at);
    co_await list0.next_rcu(c, *at, kFollow);
  }(cpu));
  try {
    sim.run_until(1_ms);
    FAIL() << "the walk went on";
  } catch (const engine::InvariantViolation& e) {
    EXPECT_NE(std::string(e.what()).find("followed a stale pointer to another pCPU's list head"), std::string::npos)
        << e.what();
  }
}

// The same del, with every line in the deleting pCPU's L1, and from the other socket (sched_in
// removing the vCPU from its previous pCPU's list): the remote one waits for the node's line to come
// across (the stores after it are posted: the pCPU goes on after an L1 latency).
TEST_F(WakeupListTest, ARemoteDelPaysTheTransferOfTheNodesLine) {
  add(list0, {0, 1, 2});
  Time local, remote;
  run_on(0, [&](hw::Cpu& cpu) -> hw::Path {
    co_await list0.first(cpu);  // bring every line back to pCPU 0
    const Time start = cpu.now();
    co_await list0.del(cpu, *v[1]);
    local = cpu.now() - start;
  });
  run_on(2, [&](hw::Cpu& cpu) -> hw::Path {
    const Time start = cpu.now();
    co_await list0.del(cpu, *v[0]);
    remote = cpu.now() - start;
  });
  const hw::CacheParams& c = machine.params().cache;
  EXPECT_LE(local, c.l1_latency * 4);  // one load and three stores, all L1 hits
  EXPECT_GE(remote, c.remote_socket);  // N[v0]'s line from socket 0
  EXPECT_LT(remote, c.remote_socket + c.l1_latency * 4);
}

}  // namespace
}  // namespace wakesim::kernel
