// rcu-list: Yan Zhao's v1 (Message-ID 20230310155955.29652-1-yan.y.zhao@intel.com). The wakeup handler
// walks its list without a lock (list_for_each_entry_rcu; its IRQs-off section is the RCU read side);
// writers (list_add_tail_rcu in sched_out, list_del_rcu in sched_in) stay serialised by the per-pCPU
// lock. sched_in therefore never waits for a walk, only for other writers.
//
// The node-reuse hazard (kvm-wakeup-paths.md §4.3-4): a vCPU woken by pCPU A's walk can be deleted from
// A's list, run on B, block again and be re-added to B's list before A's walker reads its next
// pointer; the walker then continues into B's list and never returns to A's head. v1 had no guard.
// Mechanism here (design.rcu_reuse_guard, on by default): before following a node's next pointer the
// walker checks that the node is still linked on its own list (a per-node "home list" check, one of the
// fixes kvm-wakeup-paths.md §4.3-4 lists; the flag sits in the node's line, which the walker loads
// anyway) and, if not, restarts from the head, as an hlist_nulls lookup restarts when it ends on a
// foreign nulls marker (Documentation/RCU/rculist_nulls.rst). It is stricter than hlist_nulls: it also
// restarts when the node was only deleted, not reused. A restart costs one more walk; vCPUs already
// woken are found awake (a redundant pi_lock round trip).
// With the guard off the simulator reports the hazard when a walker leaves its list.
#include <memory>
#include <vector>

#include "sim/hw/spinlock.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/wakeup_design.h"
#include "sim/kernel/wakeup_list.h"

namespace wakesim::designs {
namespace {

using kernel::Vcpu;

class RcuList final : public kernel::WakeupDesign {
 public:
  explicit RcuList(kernel::Kvm& kvm)
      : WakeupDesign(kvm),
        on_unlinked_(kvm.design_params().rcu_reuse_guard ? kernel::WakeupList::OnUnlinkedNode::kRestartFromHead
                                                         : kernel::WakeupList::OnUnlinkedNode::kFollowStalePointer) {
    for (uint32_t c = 0; c < kvm.machine().pcpus(); ++c) {
      lists_.push_back(std::make_unique<kernel::WakeupList>(kvm.list_environment(), hw::PcpuId{c}));
      locks_.push_back(kvm.make_lock("wakeup_vcpus_on_cpu_lock", hw::PcpuId{c}, hw::LockRole::kWakeupList));
    }
  }

  hw::Path sched_out(hw::Cpu& cpu, Vcpu& v) override {
    hw::Spinlock& lock = *locks_[cpu.id().value];
    co_await lock.acquire(cpu);
    co_await lists_[cpu.id().value]->add_tail(cpu, v);  // list_add_tail_rcu: the same stores, release-ordered
    co_await lock.release(cpu);
    co_await kvm_.arm_wakeup_vector(cpu, v);
  }

  hw::Path wakeup_irq(hw::Cpu& cpu) override {
    kernel::WakeupList& list = *lists_[cpu.id().value];
    for (Vcpu* v = co_await list.first(cpu); v != nullptr; v = co_await list.next_rcu(cpu, *v, on_unlinked_))
      if (co_await kvm_.test_on(cpu, *v)) co_await kvm_.wake_up(cpu, *v);
  }

  hw::Path sched_in(hw::Cpu& cpu, Vcpu& v, hw::PcpuId previous) override {
    hw::Spinlock& lock = *locks_[previous.value];
    co_await lock.acquire(cpu);
    co_await lists_[previous.value]->del_rcu(cpu, v);
    co_await lock.release(cpu);
    co_await kvm_.restore_notification_vector(cpu, v);
  }

  void check_invariants() const override {
    for (const auto& list : lists_) list->check_consistency();
  }

 private:
  kernel::WakeupList::OnUnlinkedNode on_unlinked_;
  std::vector<std::unique_ptr<kernel::WakeupList>> lists_;
  std::vector<std::unique_ptr<hw::Spinlock>> locks_;
};

const kernel::RegisterDesign<RcuList> kRegistered{
    "rcu-list", "Yan Zhao v1: lockless RCU walk in the handler, writers under a per-pCPU lock"};

}  // namespace
}  // namespace wakesim::designs
