// split-lock: Yan Zhao's v3 (Message-ID 20230313111022.13793-1-yan.y.zhao@intel.com), never merged.
// Two raw spinlocks per pCPU: the wakeup handler takes only in_lock for its walk, sched_out takes only
// out_lock, and sched_in, which can race with both, takes in_lock then out_lock of the previous pCPU.
// Writers are serialised by out_lock; the walk excludes the remote deleter through in_lock; the walk
// and sched_out never overlap (same pCPU, IRQs off). The two locks are adjacent per-CPU variables, so
// they share one cache line ([I], kvm-wakeup-paths.md §7). sched_in still waits for a whole walk.
// Paths: kvm-wakeup-paths.md §3 and §7, column "Split lock".
#include <memory>
#include <vector>

#include "sim/hw/spinlock.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/wakeup_design.h"
#include "sim/kernel/wakeup_list.h"

namespace wakesim::designs {
namespace {

using kernel::Vcpu;

class SplitLock final : public kernel::WakeupDesign {
 public:
  explicit SplitLock(kernel::Kvm& kvm) : WakeupDesign(kvm) {
    for (uint32_t c = 0; c < kvm.machine().pcpus(); ++c) {
      const hw::PcpuId id{c};
      lines_.push_back(std::make_unique<hw::CacheLine>(kvm.machine().topology().socket_of(id)));
      lists_.push_back(std::make_unique<kernel::WakeupList>(kvm.list_environment(), id));
      in_.push_back(kvm.make_lock("wakeup_vcpus_on_cpu_lock_in", *lines_.back(), hw::LockRole::kWakeupList, id));
      out_.push_back(kvm.make_lock("wakeup_vcpus_on_cpu_lock_out", *lines_.back(), hw::LockRole::kWakeupList, id));
    }
  }

  hw::Path sched_out(hw::Cpu& cpu, Vcpu& v) override {
    hw::Spinlock& out = *out_[cpu.id().value];
    co_await out.acquire(cpu);
    co_await lists_[cpu.id().value]->add_tail(cpu, v);
    co_await out.release(cpu);
    co_await kvm_.arm_wakeup_vector(cpu, v);
  }

  hw::Path wakeup_irq(hw::Cpu& cpu) override {
    hw::Spinlock& in = *in_[cpu.id().value];
    kernel::WakeupList& list = *lists_[cpu.id().value];
    co_await in.acquire(cpu);
    for (Vcpu* v = co_await list.first(cpu); v != nullptr; v = co_await list.next(cpu, *v))
      if (co_await kvm_.test_on(cpu, *v)) co_await kvm_.wake_up(cpu, *v);
    co_await in.release(cpu);
  }

  hw::Path sched_in(hw::Cpu& cpu, Vcpu& v, hw::PcpuId previous) override {
    hw::Spinlock& in = *in_[previous.value];
    hw::Spinlock& out = *out_[previous.value];
    co_await in.acquire(cpu);
    co_await out.acquire(cpu);
    co_await lists_[previous.value]->del(cpu, v);
    co_await out.release(cpu);
    co_await in.release(cpu);
    co_await kvm_.restore_notification_vector(cpu, v);
  }

  void check_invariants() const override {
    for (const auto& list : lists_) list->check_consistency();
  }

 private:
  std::vector<std::unique_ptr<hw::CacheLine>> lines_;
  std::vector<std::unique_ptr<kernel::WakeupList>> lists_;
  std::vector<std::unique_ptr<hw::Spinlock>> in_;
  std::vector<std::unique_ptr<hw::Spinlock>> out_;
};

const kernel::RegisterDesign<SplitLock> kRegistered{
    "split-lock", "Yan Zhao v3: in_lock for the walk, out_lock for sched_out, both for sched_in"};

}  // namespace
}  // namespace wakesim::designs
