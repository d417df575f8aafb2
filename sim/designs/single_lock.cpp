// single-lock: upstream KVM since v5.17 (arch/x86/kvm/vmx/posted_intr.c). One raw spinlock per pCPU,
// wakeup_vcpus_on_cpu_lock, guards that pCPU's list; the wakeup handler holds it across the whole walk
// and every try_to_wake_up, and sched_in takes the *previous* pCPU's lock, often a remote one, so a
// vCPU woken early in a walk waits for the rest of it before it can run (kvm-wakeup-paths.md §6,
// "Key coupling"). The v6.15 lockdep subclasses (c0b8dcabb2cd) change nothing at run time; they are
// modelled for the lockdep recorder (design.lockdep_subclasses, kvm-wakeup-paths.md §2): the handler
// takes subclass 0, sched_out raw_spin_lock_nested(.., PI_LOCK_SCHED_OUT), and sched_in takes 0 and
// adds a lockdep-only spin_acquire(dep_map, PI_LOCK_SCHED_OUT) around its list_del.
// Paths: kvm-wakeup-paths.md §7.1-7.3, column "Single lock".
#include <memory>
#include <vector>

#include "sim/hw/spinlock.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/wakeup_design.h"
#include "sim/kernel/wakeup_list.h"

namespace wakesim::designs {
namespace {

using kernel::Vcpu;

class SingleLock final : public kernel::WakeupDesign {
 public:
  explicit SingleLock(kernel::Kvm& kvm) : WakeupDesign(kvm), subclasses_(kvm.design_params().lockdep_subclasses) {
    for (uint32_t c = 0; c < kvm.machine().pcpus(); ++c) {
      lists_.push_back(std::make_unique<kernel::WakeupList>(kvm.list_environment(), hw::PcpuId{c}));
      locks_.push_back(kvm.make_lock("wakeup_vcpus_on_cpu_lock", hw::PcpuId{c}, hw::LockRole::kWakeupList));
    }
  }

  // pi_enable_wakeup_handler: IRQs off, this pCPU's runqueue lock held.
  hw::Path sched_out(hw::Cpu& cpu, Vcpu& v) override {
    hw::Spinlock& lock = *locks_[cpu.id().value];
    co_await lock.acquire(cpu, subclasses_ ? kPiLockSchedOut : hw::LockSubclass{});
    co_await lists_[cpu.id().value]->add_tail(cpu, v);
    co_await lock.release(cpu);
    co_await kvm_.arm_wakeup_vector(cpu, v);
  }

  // pi_wakeup_handler.
  hw::Path wakeup_irq(hw::Cpu& cpu) override {
    hw::Spinlock& lock = *locks_[cpu.id().value];
    kernel::WakeupList& list = *lists_[cpu.id().value];
    co_await lock.acquire(cpu);
    for (Vcpu* v = co_await list.first(cpu); v != nullptr; v = co_await list.next(cpu, *v))
      if (co_await kvm_.test_on(cpu, *v)) co_await kvm_.wake_up(cpu, *v);
    co_await lock.release(cpu);
  }

  // vmx_vcpu_pi_load, IRQs off: remove v from the list of the pCPU it blocked on.
  hw::Path sched_in(hw::Cpu& cpu, Vcpu& v, hw::PcpuId previous) override {
    hw::Spinlock& lock = *locks_[previous.value];
    co_await lock.acquire(cpu);
    if (subclasses_) lock.lockdep_acquire(cpu, kPiLockSchedOut);
    co_await lists_[previous.value]->del(cpu, v);
    if (subclasses_) lock.lockdep_release(cpu);
    co_await lock.release(cpu);
    co_await kvm_.restore_notification_vector(cpu, v);
  }

  void check_invariants() const override {
    for (const auto& list : lists_) list->check_consistency();
  }

 private:
  static constexpr hw::LockSubclass kPiLockSchedOut{1};  // PI_LOCK_SCHED_OUT = SINGLE_DEPTH_NESTING
  bool subclasses_;
  std::vector<std::unique_ptr<kernel::WakeupList>> lists_;
  std::vector<std::unique_ptr<hw::Spinlock>> locks_;
};

const kernel::RegisterDesign<SingleLock> kRegistered{
    "single-lock", "upstream KVM: one per-pCPU lock held across the whole walk and every wake"};

}  // namespace
}  // namespace wakesim::designs
