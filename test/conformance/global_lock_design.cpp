// A fourth design, added as one file and nothing else (registered test-only, so "all" leaves it out):
// one global lock guards every pCPU's wakeup list. Correct, and a scalability strawman; it shows that
// the design interface needs no kernel change.
#include <memory>
#include <vector>

#include "sim/hw/spinlock.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/wakeup_design.h"
#include "sim/kernel/wakeup_list.h"

namespace wakesim::test_designs {
namespace {

using kernel::Vcpu;

class GlobalLock final : public kernel::WakeupDesign {
 public:
  explicit GlobalLock(kernel::Kvm& kvm)
      : WakeupDesign(kvm), lock_(kvm.make_lock("global_wakeup_lock", hw::PcpuId{0}, hw::LockRole::kWakeupList)) {
    for (uint32_t c = 0; c < kvm.machine().pcpus(); ++c)
      lists_.push_back(std::make_unique<kernel::WakeupList>(kvm.list_environment(), hw::PcpuId{c}));
  }
  hw::Path sched_out(hw::Cpu& cpu, Vcpu& v) override {
    co_await lock_->acquire(cpu);
    co_await lists_[cpu.id().value]->add_tail(cpu, v);
    co_await lock_->release(cpu);
    co_await kvm_.arm_wakeup_vector(cpu, v);
  }
  hw::Path wakeup_irq(hw::Cpu& cpu) override {
    kernel::WakeupList& list = *lists_[cpu.id().value];
    co_await lock_->acquire(cpu);
    for (Vcpu* v = co_await list.first(cpu); v != nullptr; v = co_await list.next(cpu, *v))
      if (co_await kvm_.test_on(cpu, *v)) co_await kvm_.wake_up(cpu, *v);
    co_await lock_->release(cpu);
  }
  hw::Path sched_in(hw::Cpu& cpu, Vcpu& v, hw::PcpuId previous) override {
    co_await lock_->acquire(cpu);
    co_await lists_[previous.value]->del(cpu, v);
    co_await lock_->release(cpu);
    co_await kvm_.restore_notification_vector(cpu, v);
  }
  void check_invariants() const override {
    for (const auto& list : lists_) list->check_consistency();
  }

 private:
  std::unique_ptr<hw::Spinlock> lock_;
  std::vector<std::unique_ptr<kernel::WakeupList>> lists_;
};

const kernel::RegisterDesign<GlobalLock> kRegistered{"global-lock", "test only: one lock for every list",
                                                     kernel::DesignUse::kTestOnly};

}  // namespace
}  // namespace wakesim::test_designs
