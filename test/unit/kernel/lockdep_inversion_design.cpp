// A design with a real lock inversion, for the lockdep tests (registered test-only as
// "lockdep-inversion"). It is single-lock except that sched_in takes the vCPU's own p->pi_lock (with
// IRQs off, "to keep the task stable while it unlinks it") before the previous pCPU's wakeup lock:
//   sched_in on B:        p->pi_lock[v]  -> wakeup_vcpus_on_cpu_lock[A]   (IRQs off)
//   wakeup IRQ on A:      wakeup_vcpus_on_cpu_lock[A] -> p->pi_lock[v]    (hard IRQ, try_to_wake_up)
// An ABBA on the same two instances from two pCPUs: if A's handler walks while v, just woken and with ON
// still set, is being loaded on B, both spin forever. It lives here and not in test/conformance/,
// whose suite runs every registered design under heavy load: there it would really deadlock.
#include <memory>
#include <vector>

#include "sim/hw/spinlock.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/vcpu.h"
#include "sim/kernel/wakeup_design.h"
#include "sim/kernel/wakeup_list.h"

namespace wakesim::test_designs {
namespace {

using kernel::Vcpu;

class LockdepInversion final : public kernel::WakeupDesign {
 public:
  explicit LockdepInversion(kernel::Kvm& kvm) : WakeupDesign(kvm) {
    for (uint32_t c = 0; c < kvm.machine().pcpus(); ++c) {
      lists_.push_back(std::make_unique<kernel::WakeupList>(kvm.list_environment(), hw::PcpuId{c}));
      locks_.push_back(kvm.make_lock("wakeup_vcpus_on_cpu_lock", hw::PcpuId{c}, hw::LockRole::kWakeupList));
    }
  }
  hw::Path sched_out(hw::Cpu& cpu, Vcpu& v) override {
    hw::Spinlock& lock = *locks_[cpu.id().value];
    co_await lock.acquire(cpu);
    co_await lists_[cpu.id().value]->add_tail(cpu, v);
    co_await lock.release(cpu);
    co_await kvm_.arm_wakeup_vector(cpu, v);
  }
  hw::Path wakeup_irq(hw::Cpu& cpu) override {
    hw::Spinlock& lock = *locks_[cpu.id().value];
    kernel::WakeupList& list = *lists_[cpu.id().value];
    co_await lock.acquire(cpu);
    for (Vcpu* v = co_await list.first(cpu); v != nullptr; v = co_await list.next(cpu, *v))
      if (co_await kvm_.test_on(cpu, *v)) co_await kvm_.wake_up(cpu, *v);
    co_await lock.release(cpu);
  }
  hw::Path sched_in(hw::Cpu& cpu, Vcpu& v, hw::PcpuId previous) override {
    hw::Spinlock& lock = *locks_[previous.value];
    co_await v.pi_lock().acquire(cpu);  // the inversion
    co_await lock.acquire(cpu);
    co_await lists_[previous.value]->del(cpu, v);
    co_await lock.release(cpu);
    co_await v.pi_lock().release(cpu);
    co_await kvm_.restore_notification_vector(cpu, v);
  }
  void check_invariants() const override {
    for (const auto& list : lists_) list->check_consistency();
  }

 private:
  std::vector<std::unique_ptr<kernel::WakeupList>> lists_;
  std::vector<std::unique_ptr<hw::Spinlock>> locks_;
};

const kernel::RegisterDesign<LockdepInversion> kRegistered{
    "lockdep-inversion", "test only: single-lock whose sched_in takes p->pi_lock before the wakeup lock (ABBA)",
    kernel::DesignUse::kTestOnly};

}  // namespace
}  // namespace wakesim::test_designs
