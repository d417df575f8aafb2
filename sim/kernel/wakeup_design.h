// The interface a wakeup design implements: the three points where KVM's posted-interrupt wakeup path
// needs synchronisation (reference/kvm-wakeup-paths.md §7), written as paths on the pCPU that runs
// them. The kernel owns this interface and calls it; it never includes a design. A design is one .cpp
// file in sim/designs/ that subclasses WakeupDesign and registers itself by name:
//
//   const kernel::RegisterDesign<SingleLock> kRegistered{"single-lock", "upstream: one per-pCPU lock"};
//
// Hooks and their context (what the kernel has done before calling, what it does after):
//  - sched_out(cpu, v): v blocks on `cpu` (pi_enable_wakeup_handler). IRQs are off and cpu's runqueue
//    lock is held. The design puts v on cpu's list and calls Kvm::arm_wakeup_vector.
//  - wakeup_irq(cpu): the POSTED_INTR_WAKEUP_VECTOR handler on `cpu` (hard IRQ, IRQs off). The design
//    walks cpu's list and calls Kvm::wake_up on every vCPU whose descriptor has ON (Kvm::test_on).
//  - sched_in(cpu, v, previous): v resumes on `cpu` after blocking on `previous`, with IRQs off
//    (vmx_vcpu_pi_load). The design removes v from previous's list and calls
//    Kvm::restore_notification_vector. Only called while v's notification vector is the wakeup vector.
//  - check_invariants(): called at the end of a run; report through Kvm::violation.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/hw/cpu.h"
#include "sim/hw/ids.h"
#include "sim/hw/path.h"

namespace wakesim::kernel {

class Kvm;
class Vcpu;

class WakeupDesign {
 public:
  explicit WakeupDesign(Kvm& kvm) : kvm_(kvm) {}
  WakeupDesign(const WakeupDesign&) = delete;
  WakeupDesign& operator=(const WakeupDesign&) = delete;
  virtual ~WakeupDesign() = default;

  virtual hw::Path sched_out(hw::Cpu& cpu, Vcpu& v) = 0;
  virtual hw::Path wakeup_irq(hw::Cpu& cpu) = 0;
  virtual hw::Path sched_in(hw::Cpu& cpu, Vcpu& v, hw::PcpuId previous) = 0;
  virtual void check_invariants() const {}

 protected:
  Kvm& kvm_;
};

enum class DesignUse : uint8_t { kShipped, kTestOnly };  // kTestOnly: registered by a test, not part of "all"

struct DesignEntry {
  std::string name;
  std::string help;
  std::function<std::unique_ptr<WakeupDesign>(Kvm&)> make;
  DesignUse use = DesignUse::kShipped;
};

// False if the name is taken (engine/name_registry.h: the first registration stays, the second is
// listed by duplicate_designs()).
bool register_design(DesignEntry entry);
const DesignEntry* find_design(const std::string& name);
std::vector<const DesignEntry*> all_designs();  // sorted by name
const std::vector<std::string>& duplicate_designs();

template <class D>
struct RegisterDesign {
  RegisterDesign(std::string name, std::string help, DesignUse use = DesignUse::kShipped) {
    register_design(
        DesignEntry{std::move(name), std::move(help), [](Kvm& kvm) { return std::make_unique<D>(kvm); }, use});
  }
};

}  // namespace wakesim::kernel
