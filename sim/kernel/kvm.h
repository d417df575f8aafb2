// KVM's side of the posted-interrupt wakeup path (arch/x86/kvm/vmx/posted_intr.c and the generic
// vCPU code in virt/kvm/kvm_main.c), with the design-specific synchronisation delegated to the chosen
// WakeupDesign. Step-by-step paths and their sources: reference/kvm-wakeup-paths.md §1 and §7; what is
// and is not modelled: sim/kernel/README.md.
//
// Kvm owns the vCPUs and the design, and runs KVM's paths: it delivers interrupts to vCPUs from three
// kinds of source (VT-d devices and IPIv senders post to the descriptor; timers and IPIs without IPIv
// take the software path that wakes the vCPU directly), loads and puts vCPUs, and records wakeup
// latency per path. Two jobs sit beside it, each in its own class that it owns: the wake tracer
// (wake_tracer.h, the one writer of the wakeup decomposition's timestamps) and the invariant checker
// (invariant_checker.h, where every broken invariant is reported). The wakeup lists the designs build
// see only those two and the walk-stall injector (WakeupListEnvironment), not Kvm.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/config/schema.h"
#include "sim/hw/machine.h"
#include "sim/hw/spinlock.h"
#include "sim/kernel/invariant_checker.h"
#include "sim/kernel/kernel_params.h"
#include "sim/kernel/posted_interrupt.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/vcpu.h"
#include "sim/kernel/wake_tracer.h"
#include "sim/kernel/wakeup_design.h"
#include "sim/kernel/wakeup_list.h"
#include "sim/kernel/walk_stalls.h"
#include "sim/stats/latency_histogram.h"

namespace wakesim::kernel {

// Switches of the designs and fault injection, set in the [design] section.
struct DesignParams {
  // rcu-list: a walker that finds its node unlinked restarts from the head (turn off to see the
  // node-reuse hazard of list_for_each_entry_rcu without a grace period before re-adding).
  bool rcu_reuse_guard = true;
  // Fault injection: each node visit of a wakeup walk stalls with this probability for this long, as
  // if the host itself were preempted (nested virtualization, SMIs). Off by default.
  double walk_stall_probability = 0;
  engine::Time walk_stall;
  // single-lock: the v6.15 lockdep annotation (c0b8dcabb2cd): the wakeup handler takes the lock in
  // subclass 0, sched_out in subclass 1 (PI_LOCK_SCHED_OUT), sched_in in 0 and tells lockdep it also
  // holds 1. Off: the pre-6.15 code, one subclass. Only lockdep sees it (kernel.lockdep).
  bool lockdep_subclasses = true;

  static const config::Section<DesignParams>& schema();
};

// What the guest does after each request it handles (sends IPIs to sibling vCPUs, ...).
class GuestModel {
 public:
  virtual ~GuestModel() = default;
  virtual hw::Path after_request(hw::Cpu& cpu, Vcpu& v, RequestSource source) = 0;
};

struct KvmMetrics {
  // Latencies run from the request's physical origin (the IOMMU's write, the sender's ICR write, the
  // timer's expiry) to the guest running with it.
  std::array<stats::LatencyHistogram, kWakePaths> latency;              // per path
  std::array<stats::LatencyHistogram, kRequestSources> source_latency;  // per source, every path
  stats::LatencyHistogram wakeup_latency;  // every wakeup of a halted vCPU: wakeup vector, software, halt-poll
  stats::LatencyHistogram handler_time;    // duration of one wakeup-vector handler
  // Waits on the design's wakeup-list locks (LockRole::kWakeupList) beyond an uncontended
  // acquisition: per sched_in that removes a vCPU from its previous list, and per wakeup handler
  // before and during its walk (zero for a design whose walk takes no lock).
  stats::LatencyHistogram sched_in_list_wait;
  stats::LatencyHistogram handler_list_wait;
  std::array<uint64_t, kWakePaths> postings{};
  uint64_t notifications = 0;    // notification interrupts sent by posting
  uint64_t wakeup_irqs = 0;      // wakeup-vector handlers run
  uint64_t self_ipis = 0;        // ON already set when arming the wakeup vector
  uint64_t wakes = 0;            // kvm_vcpu_wake_up calls that woke a task
  uint64_t redundant_wakes = 0;  // ... that found it already awake
  uint64_t halt_poll_hits = 0;
  uint64_t blocks = 0;
  void clear() { *this = KvmMetrics{}; }
};

class Kvm {
 public:
  // Requests one vCPU may have pending (posted or being handled) before the run stops as bad input: a
  // stable load keeps a few; 100,000 is a backlog that only grows (the progress guard, after_post).
  static constexpr size_t kMaxPendingRequests = 100'000;

  Kvm(hw::Machine& machine, Scheduler& scheduler, const KernelParams& params, const DesignParams& design_params,
      const std::string& design);
  Kvm(const Kvm&) = delete;
  Kvm& operator=(const Kvm&) = delete;
  ~Kvm();

  hw::Machine& machine() { return machine_; }
  Scheduler& scheduler() { return scheduler_; }
  const KernelParams& params() const { return params_; }
  const DesignParams& design_params() const { return design_params_; }
  WakeupDesign& design() { return *design_; }

  // Creates a vCPU (a task) that may run on `allowed`, and makes it runnable. Call before the run starts.
  Vcpu& add_vcpu(uint32_t vm, const CpuSetPtr& allowed);
  const std::vector<std::unique_ptr<Vcpu>>& vcpus() const { return vcpus_; }
  // Requests posted but not yet handled by their guests (PIR, pending timers, guest queues).
  uint64_t requests_pending() const;
  void set_guest_model(GuestModel* model) { guest_model_ = model; }
  // Whether the VMs have devices assigned with VT-d posted interrupts (kvm_arch_has_assigned_device).
  void set_assigned_devices(bool on) { assigned_devices_ = on; }
  // vmx_needs_pi_wakeup: a blocked vCPU can be the target of posted interrupts (IPIv or VT-d PI).
  bool needs_pi_wakeup() const { return params_.ipiv || assigned_devices_; }

  // ---- for designs ----
  // A spinlock of the named class (one class per lock role, as lockdep and lockstat see them), homed
  // on `owner`'s socket, of the kernel's spinlock algorithm. The class name is also its metric key
  // (lock.<name>.wait.p99), so it must be an identifier. `role`: kWakeupList for every lock a design
  // takes to change or walk its wakeup lists; their waits make sched_in.list_wait and
  // handler.list_wait, the metrics every design fills in whatever its locks are called.
  std::unique_ptr<hw::Spinlock> make_lock(const std::string& class_name, hw::PcpuId owner, hw::LockRole role);
  // The same, with the lock word in `line` (locks declared next to each other share a cache line).
  // `owner`: the pCPU a per-CPU lock belongs to (named in lockdep reports).
  std::unique_ptr<hw::Spinlock> make_lock(const std::string& class_name, hw::CacheLine& line, hw::LockRole role,
                                          std::optional<hw::PcpuId> owner = std::nullopt);
  // pi_enable_wakeup_handler after the list insertion: cmpxchg NV to the wakeup vector; a self-IPI if
  // ON was already set (delivered when IRQs come back on).
  hw::Path arm_wakeup_vector(hw::Cpu& cpu, Vcpu& v);
  // vmx_vcpu_pi_load's descriptor update: cmpxchg NDST = cpu, SN = 0, NV = POSTED_INTR_VECTOR.
  hw::Path restore_notification_vector(hw::Cpu& cpu, Vcpu& v);
  // pi_test_on: a load of the descriptor.
  hw::TimedResult<bool> test_on(hw::Cpu& cpu, Vcpu& v);
  // kvm_vcpu_wake_up: smp_mb, read vcpu->wait.task, try_to_wake_up. True if it woke the task.
  hw::PathOf<bool> wake_up(hw::Cpu& cpu, Vcpu& v);
  const std::vector<std::unique_ptr<hw::LockClass>>& lock_classes() const { return lock_classes_; }

  // ---- interrupt sources ----
  void post_from_device(Vcpu& v, engine::Time work);                               // VT-d posted interrupt
  hw::Path send_guest_ipi(hw::Cpu& cpu, Vcpu& from, Vcpu& to, engine::Time work);  // IPIv, or exit + software
  // vmx_deliver_posted_interrupt (an IPI without IPIv, or another software-injected interrupt).
  // `origin`: when the request came into being (the sender's ICR write for an IPI); default now.
  hw::Path deliver_software(hw::Cpu& cpu, Vcpu& v, engine::Time work, RequestSource source = RequestSource::kIpi,
                            std::optional<engine::Time> origin = std::nullopt);
  // The vCPU's APIC timer (an hrtimer, armed when the guest programs the deadline): on the pCPU the
  // vCPU was last loaded on, and moved with the vCPU when it is loaded elsewhere (kvm_migrate_timers).
  void arm_guest_timer(Vcpu& v, engine::Time when, engine::Time work);

  // ---- used by Vcpu ----
  hw::Path pi_put(hw::Cpu& cpu, Vcpu& v, bool preempted);   // vmx_vcpu_pi_put
  hw::Path pi_load(hw::Cpu& cpu, Vcpu& v);                  // vmx_vcpu_pi_load
  hw::Path enter_guest(hw::Cpu& cpu, Vcpu& v);              // sync PIR, VM entry
  hw::TimedResult<bool> has_events(hw::Cpu& cpu, Vcpu& v);  // kvm_vcpu_check_block
  void deliver_in_guest(Vcpu& v);                           // posted-interrupt processing in guest mode
  GuestModel* guest_model() { return guest_model_; }
  void note_halt_poll_hit() { ++metrics_.halt_poll_hits; }
  void note_block() { ++metrics_.blocks; }
  void check_lost_wakeup(Vcpu& v);

  // ---- invariants and tracing ----
  InvariantChecker& invariants() { return invariants_; }
  const InvariantChecker& invariants() const { return invariants_; }
  WakeTracer& tracer() { return tracer_; }
  const WakeTracer& tracer() const { return tracer_; }
  // What a design's wakeup lists report to and draw on.
  WakeupListEnvironment list_environment() {
    return WakeupListEnvironment{machine_.topology(), invariants_, tracer_, walk_stalls_};
  }
  // End-of-run checks: list consistency and the design's own.
  void check_invariants();

  const KvmMetrics& metrics() const { return metrics_; }
  void reset_statistics();
  // Mean wakeup latency (blocked paths) per 1 ms of simulated time since the start, warm-up included
  // (empty bins left out): the series a warm-up check runs on. Pairs of (bin start, mean latency in ns).
  std::vector<std::pair<engine::Time, double>> latency_series() const;
  // Sizes the series for a run that ends at `end`, so that recording never allocates mid-run.
  void reserve_series(engine::Time end);

 private:
  hw::Path wakeup_handler(hw::Cpu& cpu);
  hw::Path posted_intr_handler(hw::Cpu& cpu);
  hw::Path cmpxchg_control(hw::Cpu& cpu, Vcpu& v, bool wakeup_vector);
  hw::LockClass& lock_class(const std::string& name, hw::LockRole role);
  WakePath classify(const Vcpu& v, bool software) const;
  void after_post(Vcpu& v, WakePath path);
  void record_delivery(const PostedRequest& r);

  hw::Machine& machine_;
  Scheduler& scheduler_;
  KernelParams params_;
  DesignParams design_params_;
  std::vector<std::unique_ptr<hw::LockClass>> lock_classes_;
  InvariantChecker invariants_;
  WakeTracer tracer_;
  WalkStalls walk_stalls_;
  std::unique_ptr<WakeupDesign> design_;
  std::vector<std::unique_ptr<Vcpu>> vcpus_;
  GuestModel* guest_model_ = nullptr;
  bool assigned_devices_ = true;
  struct ArmedTimer {
    Scheduler::TimerId id;
    hw::PcpuId cpu;
  };
  static constexpr size_t kLineCopiesReserved = 16;
  static constexpr size_t kGuestTimersReserved = 4;    // a vCPU's armed timers without allocating
  std::vector<std::vector<ArmedTimer>> armed_timers_;  // per vCPU, pending guest timers
  KvmMetrics metrics_;
  static constexpr int64_t kSeriesBinPs = 1'000'000'000;  // 1 ms
  std::vector<double> series_sum_;
  std::vector<uint32_t> series_count_;
};

}  // namespace wakesim::kernel
