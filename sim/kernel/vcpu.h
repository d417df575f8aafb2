// A vCPU: a host task that runs a guest (KVM's vcpu_run loop) and the per-vCPU state the wakeup path
// touches, each in its own cache line as in struct vcpu_vt / kvm_vcpu:
//   PID[v]  the posted-interrupt descriptor (one line);
//   N[v]    pi_wakeup_list, the wakeup-list node (the next line, reference/kvm-wakeup-paths.md §7);
//   W[v]    vcpu->wait.task, the rcuwait kvm_vcpu_wake_up reads;
//   R[v]    vcpu->ready / mode / stats.
//
// Lifecycle (kvm-wakeup-paths.md §6): enter the guest (sync PIR into the guest, VM entry) -> run guest
// requests -> an external interrupt exits (and may lead to preemption) -> when the guest has no work
// it executes HLT: VM exit, halt-polling (only while nothing else is runnable), kvm_vcpu_block
// (sched_out with the wakeup vector armed) -> woken -> sched_in -> VM entry.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/engine/event.h"
#include "sim/engine/reusable_fifo.h"
#include "sim/engine/vector_storage.h"
#include "sim/hw/cache_line.h"
#include "sim/hw/cpu.h"
#include "sim/hw/signal.h"
#include "sim/kernel/posted_interrupt.h"
#include "sim/kernel/task.h"

namespace wakesim::kernel {

class Kvm;
class WakeupList;

using WakeupHook = boost::intrusive::list_member_hook<boost::intrusive::link_mode<boost::intrusive::normal_link>>;

class Vcpu final : public Task {
 public:
  Vcpu(Kvm& kvm, uint32_t index, uint32_t vm, const CpuSetPtr& allowed);
  ~Vcpu() override;

  uint32_t index() const { return index_; }
  uint32_t vm() const { return vm_; }
  PiDescriptor& pid() { return pid_; }
  hw::CacheLine& node_line() { return node_line_; }
  hw::CacheLine& wait_line() { return wait_line_; }
  hw::CacheLine& run_line() { return run_line_; }
  bool blocking() const { return wait_task_; }  // kvm_vcpu_is_blocking: rcuwait active
  bool in_guest() const { return in_guest_; }
  bool polling() const { return polling_; }
  // Blocked in the scheduler's sense: asleep and off every runqueue.
  bool blocked() const { return state() == State::kSleeping && !on_rq(); }
  uint64_t requests_completed() const { return requests_completed_; }
  // How the guest pollutes the host's caches while it runs (its working set is this vCPU's own).
  void set_guest_touches(engine::ByteRate rate, engine::Bytes footprint) {
    guest_touches_ = hw::TouchProfile{rate, footprint, this};
  }

  // ---- where it is loaded (Kvm's pi_load / pi_put) ----
  hw::PcpuId loaded_cpu() const { return loaded_cpu_; }  // vcpu->cpu: the pCPU it was last loaded on
  bool loaded_once() const { return loaded_once_; }
  void set_loaded(hw::PcpuId cpu) {
    loaded_cpu_ = cpu;
    loaded_once_ = true;
  }
  // In guest mode (cleared around a VM exit that KVM handles without scheduling, as an IPI's).
  void set_in_guest(bool in_guest) { in_guest_ = in_guest; }

  // ---- its requests: posted into the PIR (pid()), expired timers, and those the guest is handling ----
  void add_timer_request(const PostedRequest& r) { timer_work_.push_back(r); }
  // kvm_vcpu_check_block's question: anything posted, expired or unfinished.
  bool has_work() const { return pid_.on || !pid_.pir.empty() || !timer_work_.empty() || !guest_work_.empty(); }
  // Posted or being handled (the progress guard's measure of a backlog).
  size_t backlog() const { return pid_.pir.size() + guest_work_.size(); }
  // Posted, expired or being handled, not yet finished by the guest.
  uint64_t requests_pending() const { return pid_.pir.size() + timer_work_.size() + guest_work_.size(); }
  // When the oldest request still waiting for the guest to see it (PIR or expired timer) came into being.
  std::optional<engine::Time> oldest_undelivered() const;
  // vmx_sync_pir_to_irr at VM entry: when ON is set or the PIR holds requests, clears ON and takes the
  // PIR's requests (true: the descriptor was written). Then takes the expired timers.
  bool take_pir_for_entry();
  void take_expired_timers();
  // After the entry: the guest gets what was taken, in order; `delivered` sees each request first.
  template <class Delivered>
  void accept_taken(Delivered&& delivered);
  // Posted-interrupt processing in guest mode: clears ON, the guest gets every PIR request.
  template <class Delivered>
  void accept_posted(Delivered&& delivered);
  // A posting wakes a halt-polling loop.
  void kick_poll() {
    if (polling_) poll_signal_.notify();
  }
  // The lost-wakeup watchdog (Kvm schedules it after a posting).
  engine::Event& watchdog() { return watchdog_; }

  // ---- wakeup-list membership (WakeupList only) ----
  WakeupHook wakeup_hook;
  WakeupList* on_list = nullptr;  // the list the node is linked in

 protected:
  hw::Path body() override;
  hw::Path on_sched_out(hw::Cpu& cpu, bool preempted) override;
  hw::Path on_sched_in(hw::Cpu& cpu) override;

 private:
  struct GuestHook final : hw::Cpu::InterruptHook {
    explicit GuestHook(Vcpu& v) : owner(v) { vector = kPostedIntrVector; }
    void deliver(hw::Cpu& cpu) override;
    Vcpu& owner;
  };
  class Watchdog final : public engine::Event {
   public:
    explicit Watchdog(Vcpu& v) : v_(v) {}
    void fire() override;
    std::string describe() const override;

   private:
    Vcpu& v_;
  };

  static constexpr size_t kRequestsReserved = 8;
  static constexpr size_t kLineCopiesReserved = 4;

  // The guest takes `requests` in order (each seen by `delivered` first), leaving it empty.
  template <class Delivered>
  void accept(RequestVector& requests, Delivered&& delivered);
  hw::Path halt(hw::Cpu& cpu);
  hw::Path block(hw::Cpu& cpu);

  Kvm& kvm_;
  uint32_t index_;
  uint32_t vm_;
  PiDescriptor pid_;
  hw::CacheLine node_line_;
  hw::CacheLine wait_line_;
  hw::CacheLine run_line_;
  bool wait_task_ = false;  // W[v].task set (between prepare_to_rcuwait and finish_rcuwait)
  bool in_guest_ = false;
  bool polling_ = false;
  bool loaded_once_ = false;
  hw::PcpuId loaded_cpu_;  // vcpu->cpu
  engine::Time halt_poll_ns_;
  hw::Signal poll_signal_;
  GuestHook guest_hook_{*this};
  hw::TouchProfile guest_touches_{engine::ByteRate{0}, engine::Bytes{0}, this};
  Watchdog watchdog_{*this};
  struct GuestRequest {
    engine::Time left;
    RequestSource source;
  };
  engine::ReusableFifo<GuestRequest, hw::PoolAllocator<GuestRequest>> guest_work_;  // being handled, in order
  RequestVector timer_work_;  // expired guest timers (KVM_REQ_PENDING_TIMER)
  RequestVector synced_;      // taken at entry, not yet accepted (storage reused)
  uint64_t requests_completed_ = 0;
};

template <class Delivered>
void Vcpu::accept(RequestVector& requests, Delivered&& delivered) {
  for (const PostedRequest& r : requests) {
    delivered(r);
    guest_work_.push_back(GuestRequest{r.work, r.source});
  }
  requests.clear();
  engine::release_storage_beyond(requests, kRequestsReserved);  // a burst's storage back to the pool
}

template <class Delivered>
void Vcpu::accept_taken(Delivered&& delivered) {
  accept(synced_, delivered);
}

template <class Delivered>
void Vcpu::accept_posted(Delivered&& delivered) {
  pid_.on = false;
  accept(pid_.pir, delivered);
}

}  // namespace wakesim::kernel
