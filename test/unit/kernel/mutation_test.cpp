// The invariant checks bite: designs with a known synchronisation bug are reported, not passed.
//  - split-lock whose sched_in forgets in_lock: a remote list_del races with the handler's locked walk;
//  - rcu-list with the node-reuse guard off, under a handler that stalls mid-walk: a vCPU is re-added to
//    another pCPU's list while a walker still stands on it.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/engine/errors.h"
#include "sim/experiment/config.h"
#include "sim/experiment/scenario.h"
#include "sim/hw/spinlock.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/wakeup_design.h"
#include "sim/kernel/wakeup_list.h"
#include "test/support/loaded_kvm_host.h"

namespace wakesim {
namespace {

using kernel::Vcpu;

// split-lock with the mutation: sched_in takes out_lock only.
class SplitLockWithoutInLock final : public kernel::WakeupDesign {
 public:
  explicit SplitLockWithoutInLock(kernel::Kvm& kvm) : WakeupDesign(kvm) {
    for (uint32_t c = 0; c < kvm.machine().pcpus(); ++c) {
      lists_.push_back(std::make_unique<kernel::WakeupList>(kvm.list_environment(), hw::PcpuId{c}));
      in_.push_back(kvm.make_lock("mutant_in", hw::PcpuId{c}, hw::LockRole::kWakeupList));
      out_.push_back(kvm.make_lock("mutant_out", hw::PcpuId{c}, hw::LockRole::kWakeupList));
    }
  }
  hw::Path sched_out(hw::Cpu& cpu, Vcpu& v) override {
    co_await out_[cpu.id().value]->acquire(cpu);
    co_await lists_[cpu.id().value]->add_tail(cpu, v);
    co_await out_[cpu.id().value]->release(cpu);
    co_await kvm_.arm_wakeup_vector(cpu, v);
  }
  hw::Path wakeup_irq(hw::Cpu& cpu) override {
    kernel::WakeupList& list = *lists_[cpu.id().value];
    co_await in_[cpu.id().value]->acquire(cpu);
    for (Vcpu* v = co_await list.first(cpu); v != nullptr; v = co_await list.next(cpu, *v))
      if (co_await kvm_.test_on(cpu, *v)) co_await kvm_.wake_up(cpu, *v);
    co_await in_[cpu.id().value]->release(cpu);
  }
  hw::Path sched_in(hw::Cpu& cpu, Vcpu& v, hw::PcpuId previous) override {
    co_await out_[previous.value]->acquire(cpu);  // the bug: no in_lock
    co_await lists_[previous.value]->del(cpu, v);
    co_await out_[previous.value]->release(cpu);
    co_await kvm_.restore_notification_vector(cpu, v);
  }

 private:
  std::vector<std::unique_ptr<kernel::WakeupList>> lists_;
  std::vector<std::unique_ptr<hw::Spinlock>> in_, out_;
};

const kernel::RegisterDesign<SplitLockWithoutInLock> kMutant{
    "mutant-split-lock-no-in-lock", "test only: sched_in forgets in_lock", kernel::DesignUse::kTestOnly};

const std::vector<std::string> kStressed = testing::with(
    testing::loaded_kvm_host(),
    {"run.warmup=1ms", "run.duration=50ms", "design.walk_stall_probability=0.2", "design.walk_stall=50us"});

std::string failure_of(const std::string& design, const std::vector<std::string>& overrides) {
  const experiment::Config config = experiment::load_config(std::nullopt, overrides).config;
  try {
    experiment::find_scenario("kvm")->make()->run(config, design, 1);
  } catch (const engine::InternalError& e) {
    return e.what();
  }
  return "";
}

TEST(Mutation, SplitLockWhoseSchedInForgetsInLockIsReported) {
  const std::string error = failure_of("mutant-split-lock-no-in-lock", kStressed);
  EXPECT_NE(error.find("changed under a locked walk"), std::string::npos) << error;
}

TEST(Mutation, TheCorrectSplitLockPassesTheSameStress) { EXPECT_EQ(failure_of("split-lock", kStressed), ""); }

TEST(Mutation, RcuListWithoutTheReuseGuardReportsTheHazard) {
  auto o = kStressed;
  o.push_back("design.rcu_reuse_guard=false");
  const std::string error = failure_of("rcu-list", o);
  EXPECT_NE(error.find("RCU hazard"), std::string::npos) << error;
}

TEST(Mutation, RcuListWithTheReuseGuardPassesTheSameStress) {
  auto o = kStressed;
  const experiment::Config config = experiment::load_config(std::nullopt, o).config;
  const auto r = experiment::find_scenario("kvm")->make()->run(config, "rcu-list", 1);
  double restarts = -1, hazards = -1;
  for (const auto& m : r.metrics) {
    if (m.name == "rcu_restarts") restarts = m.value;
    if (m.name == "rcu_hazards") hazards = m.value;
  }
  EXPECT_EQ(hazards, 0);
  EXPECT_GT(restarts, 0) << "the stress must reach the reuse window for the guard to matter";
}

TEST(Mutation, ViolationsAreCountedWhenTheRunIsToldToContinue) {
  auto o = kStressed;
  o.push_back("kernel.stop_on_violation=false");
  const experiment::Config config = experiment::load_config(std::nullopt, o).config;
  const auto r = experiment::find_scenario("kvm")->make()->run(config, "mutant-split-lock-no-in-lock", 1);
  double violations = 0;
  for (const auto& m : r.metrics)
    if (m.name == "violations") violations = m.value;
  EXPECT_GT(violations, 0);
}

}  // namespace
}  // namespace wakesim
