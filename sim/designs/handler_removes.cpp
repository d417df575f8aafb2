// handler-removes: Xen's design (xen/arch/x86/hvm/vmx/vmx.c). One spinlock per pCPU
// (vmx_pi_blocking.lock) guards that pCPU's list of blocked vCPUs, as upstream KVM's does, but the
// wakeup handler takes every vCPU it wakes off the list itself, under that lock, and records that the
// vCPU is on no list (vmx->pi_blocking.lock = NULL). sched_in then reads that record and takes the
// previous pCPU's lock only when the vCPU is still listed (woken by another path, or preempted), so the
// common remote lock acquisition of single-lock disappears from the resume path; the handler pays a
// list_del per woken vCPU instead. Hooks against the Xen source:
//  - sched_out = vmx_vcpu_block: spin_lock_irqsave(this pCPU's lock), record the lock in the vCPU,
//    list_add_tail, unlock; then the notification vector becomes the wakeup vector (Xen writes NV last,
//    as Kvm::arm_wakeup_vector does, with KVM's self-IPI when ON is already set).
//  - wakeup_irq = pi_wakeup_interrupt: spin_lock, list_for_each_entry_safe over the list (the next
//    node is read before the current one may be unlinked); for each with pi_test_on: list_del, clear
//    the recorded lock, vcpu_unblock (Kvm::wake_up); spin_unlock.
//  - sched_in = vmx_pi_unblock_vcpu: NV back to the posted-interrupt vector, then read the recorded
//    lock (a load of the vCPU's pi_blocking line, here its list node's line); if NULL, done; else
//    spin_lock_irqsave it, list_del if the vCPU is still recorded on it, clear the record, unlock.
// The recorded lock is WakeupList membership here (Vcpu::on_list), read with the node's line.
#include <memory>
#include <vector>

#include "sim/hw/spinlock.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/wakeup_design.h"
#include "sim/kernel/wakeup_list.h"

namespace wakesim::designs {
namespace {

using kernel::Vcpu;

class HandlerRemoves final : public kernel::WakeupDesign {
 public:
  explicit HandlerRemoves(kernel::Kvm& kvm) : WakeupDesign(kvm) {
    for (uint32_t c = 0; c < kvm.machine().pcpus(); ++c) {
      lists_.push_back(std::make_unique<kernel::WakeupList>(kvm.list_environment(), hw::PcpuId{c}));
      locks_.push_back(kvm.make_lock("vmx_pi_blocking_lock", hw::PcpuId{c}, hw::LockRole::kWakeupList));
    }
  }

  // vmx_vcpu_block: IRQs off, this pCPU's runqueue lock held.
  hw::Path sched_out(hw::Cpu& cpu, Vcpu& v) override {
    hw::Spinlock& lock = *locks_[cpu.id().value];
    co_await lock.acquire(cpu);
    co_await lists_[cpu.id().value]->add_tail(cpu, v);  // also stores pi_blocking.lock (the node's line)
    co_await lock.release(cpu);
    co_await kvm_.arm_wakeup_vector(cpu, v);
  }

  // pi_wakeup_interrupt.
  hw::Path wakeup_irq(hw::Cpu& cpu) override {
    hw::Spinlock& lock = *locks_[cpu.id().value];
    kernel::WakeupList& list = *lists_[cpu.id().value];
    co_await lock.acquire(cpu);
    Vcpu* v = co_await list.first(cpu);
    while (v != nullptr) {
      Vcpu* following = co_await list.next(cpu, *v);  // list_for_each_entry_safe: tmp = next
      if (co_await kvm_.test_on(cpu, *v)) {
        co_await list.del(cpu, *v);  // list_del; pi_blocking.lock = NULL (same line)
        co_await kvm_.wake_up(cpu, *v);
      }
      v = following;
    }
    co_await lock.release(cpu);
  }

  // vmx_pi_unblock_vcpu, IRQs off.
  hw::Path sched_in(hw::Cpu& cpu, Vcpu& v, hw::PcpuId previous) override {
    co_await kvm_.restore_notification_vector(cpu, v);
    kernel::WakeupList& list = *lists_[previous.value];
    const bool listed = list.contains(v);  // read at the load's issue: the value the load returns
    co_await cpu.load(v.node_line());      // pi_blocking_list_lock = v->...pi_blocking.lock
    if (!listed) co_return;                // the handler took it off: no remote lock
    hw::Spinlock& lock = *locks_[previous.value];
    co_await lock.acquire(cpu);
    if (list.contains(v)) co_await list.del(cpu, v);  // still recorded on it under the lock
    co_await lock.release(cpu);
  }

  void check_invariants() const override {
    for (const auto& list : lists_) list->check_consistency();
  }

 private:
  std::vector<std::unique_ptr<kernel::WakeupList>> lists_;
  std::vector<std::unique_ptr<hw::Spinlock>> locks_;
};

const kernel::RegisterDesign<HandlerRemoves> kRegistered{
    "handler-removes", "Xen: the wakeup handler unlinks the vCPUs it wakes, so sched_in rarely takes a remote lock"};

}  // namespace
}  // namespace wakesim::designs
