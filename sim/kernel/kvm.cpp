#include "sim/kernel/kvm.h"

#include <fmt/format.h>

#include "sim/engine/errors.h"
#include "sim/kernel/vectors.h"

namespace wakesim::kernel {

using engine::Time;

const char* to_string(WakePath p) {
  switch (p) {
    case WakePath::kWakeupVector:
      return "wakeup_vector";
    case WakePath::kSoftware:
      return "software";
    case WakePath::kHaltPoll:
      return "halt_poll";
    case WakePath::kRunning:
      return "running";
  }
  return "?";
}

const char* to_string(RequestSource s) {
  switch (s) {
    case RequestSource::kDevice:
      return "device";
    case RequestSource::kIpi:
      return "ipi";
    case RequestSource::kTimer:
      return "timer";
  }
  return "?";
}

const config::Section<DesignParams>& DesignParams::schema() {
  static const auto s =
      config::Section<DesignParams>("design", "design switches and fault injection")
          .field(&DesignParams::rcu_reuse_guard, "rcu_reuse_guard",
                 "rcu-list: restart a walk whose node was unlinked under it (off shows the node-reuse hazard)")
          .field(&DesignParams::walk_stall_probability, "walk_stall_probability",
                 "fault injection: probability that a wakeup walk stalls at a node", {.min = 0.0, .max = 1.0})
          .field(&DesignParams::walk_stall, "walk_stall", "fault injection: how long such a stall lasts",
                 {.min = Time::zero()})
          .field(&DesignParams::lockdep_subclasses, "lockdep_subclasses",
                 "single-lock: the v6.15 lockdep subclasses (IRQ path 0, sched_out 1, sched_in both); off = pre-6.15");
  return s;
}

Kvm::Kvm(hw::Machine& machine, Scheduler& scheduler, const KernelParams& params, const DesignParams& design_params,
         const std::string& design)
    : machine_(machine),
      scheduler_(scheduler),
      params_(params),
      design_params_(design_params),
      invariants_(params.stop_on_violation ? OnViolation::kStopTheRun : OnViolation::kCountAndGoOn),
      tracer_(machine.pcpus()),
      walk_stalls_(design_params.walk_stall_probability, design_params.walk_stall,
                   machine.sim().stream(0, "walk-stall")) {
  const DesignEntry* entry = find_design(design);
  WAKESIM_CHECK(entry != nullptr, "design '{}' is not registered", design);
  design_ = entry->make(*this);
  for (uint32_t c = 0; c < machine.pcpus(); ++c) {
    hw::Cpu& cpu = machine.cpu(hw::PcpuId{c});
    cpu.set_handler(kPostedIntrWakeupVector, [this](hw::Cpu& cpu, hw::Vector) { return wakeup_handler(cpu); });
    cpu.set_handler(kPostedIntrVector, [this](hw::Cpu& cpu, hw::Vector) { return posted_intr_handler(cpu); });
  }
}

Kvm::~Kvm() {
  // The design's lists still link vCPUs: they go first. Destroying the vCPUs' suspended paths touches
  // nothing else.
  design_.reset();
  vcpus_.clear();
}

Vcpu& Kvm::add_vcpu(uint32_t vm, const CpuSetPtr& allowed) {
  vcpus_.push_back(std::make_unique<Vcpu>(*this, static_cast<uint32_t>(vcpus_.size()), vm, allowed));
  Vcpu& v = *vcpus_.back();
  armed_timers_.emplace_back().reserve(kGuestTimersReserved);
  tracer_.add_vcpu(v.index());
  scheduler_.add_task(v);
  return v;
}

hw::LockClass& Kvm::lock_class(const std::string& name, hw::LockRole role) {
  for (auto& c : lock_classes_) {
    if (c->name() != name) continue;
    WAKESIM_CHECK(c->role() == role, "lock class '{}' made with two roles", name);
    return *c;
  }
  lock_classes_.push_back(std::make_unique<hw::LockClass>(name, std::string(), role));
  return *lock_classes_.back();
}

std::unique_ptr<hw::Spinlock> Kvm::make_lock(const std::string& class_name, hw::PcpuId owner, hw::LockRole role) {
  auto lock = hw::make_spinlock(params_.lock, lock_class(class_name, role), machine_.topology().socket_of(owner));
  // Every pCPU that removes a vCPU from this list reads the word: room for their copies up front.
  machine_.reserve_copies(lock->word(), kLineCopiesReserved);
  lock->set_instance_name(fmt::format("cpu {}", owner), owner);
  return lock;
}

std::unique_ptr<hw::Spinlock> Kvm::make_lock(const std::string& class_name, hw::CacheLine& line, hw::LockRole role,
                                             std::optional<hw::PcpuId> owner) {
  auto lock = hw::make_spinlock(params_.lock, lock_class(class_name, role), line);
  machine_.reserve_copies(line, kLineCopiesReserved);  // as above: read by the pCPUs that take the locks
  if (owner) lock->set_instance_name(fmt::format("cpu {}", *owner), owner);
  return lock;
}

// ---- descriptor updates ----------------------------------------------------------------------------

// try_cmpxchg64 loop on the control word: read it, then cmpxchg; if anyone wrote the line in between
// (the IOMMU or an IPIv sender setting ON), the cmpxchg fails and the loop retries.
hw::Path Kvm::cmpxchg_control(hw::Cpu& cpu, Vcpu& v, bool wakeup_vector) {
  PiDescriptor& pid = v.pid();
  for (;;) {
    const uint64_t seen = pid.line.version();
    co_await cpu.load(pid.line);
    const bool unchanged = pid.line.version() == seen;
    if (unchanged) {
      if (wakeup_vector) {
        pid.nv = kPostedIntrWakeupVector;
      } else {
        pid.ndst = cpu.id();
        pid.sn = false;
        pid.nv = kPostedIntrVector;
      }
    }
    co_await cpu.rmw(pid.line);
    if (unchanged) co_return;
  }
}

hw::Path Kvm::arm_wakeup_vector(hw::Cpu& cpu, Vcpu& v) {
  if (v.pid().sn) invariants_.violation(fmt::format("vCPU {} blocks with SN set", v.index()));
  co_await cmpxchg_control(cpu, v, /*wakeup_vector=*/true);
  if (v.pid().on) {
    // An interrupt was posted before NV changed and went to the old vector: raise the wakeup vector
    // now; it is taken when IRQs come back on (try_to_wake_up is not allowed from sched_out).
    ++metrics_.self_ipis;
    machine_.interrupts().send_ipi(cpu.id(), cpu.id(), kPostedIntrWakeupVector);
  }
}

hw::Path Kvm::restore_notification_vector(hw::Cpu& cpu, Vcpu& v) {
  co_await cmpxchg_control(cpu, v, /*wakeup_vector=*/false);
}

hw::TimedResult<bool> Kvm::test_on(hw::Cpu& cpu, Vcpu& v) {
  const bool on = v.pid().on;
  return {cpu.load(v.pid().line), on};
}

hw::PathOf<bool> Kvm::wake_up(hw::Cpu& cpu, Vcpu& v) {
  co_await cpu.fence(params_.barrier);  // rcuwait_wake_up: smp_mb()
  const bool waiting = v.blocking();
  co_await cpu.load(v.wait_line());  // rcu_dereference(w->task)
  bool woke = false;
  if (waiting) woke = co_await scheduler_.try_to_wake_up(cpu, v);
  if (woke) {
    ++metrics_.wakes;
    tracer_.woken(v, cpu.now());
    co_await cpu.store(v.run_line());  // WRITE_ONCE(vcpu->ready, true); ++halt_wakeup
  } else {
    ++metrics_.redundant_wakes;
  }
  co_return woke;
}

// ---- the vCPU's put / load (preempt notifiers) ------------------------------------------------------

hw::Path Kvm::pi_put(hw::Cpu& cpu, Vcpu& v, bool preempted) {
  if (!needs_pi_wakeup()) co_return;
  if (params_.sn_on_every_put) {
    // vmx_vcpu_pi_put since 6.17 (6737557442e5): enable the wakeup handler for a voluntary block,
    // else suppress notifications.
    if (!preempted && v.blocking()) {
      co_await design_->sched_out(cpu, v);
    } else {
      v.pid().sn = true;
      co_await cpu.rmw(v.pid().line);  // pi_set_sn
    }
    co_return;
  }
  // v5.17-6.16: a blocking vCPU goes on the list even when it was preempted, and only a preempted
  // vCPU gets SN (so a preempted blocker sits on a list with notifications suppressed).
  if (v.blocking()) co_await design_->sched_out(cpu, v);
  if (preempted) {
    v.pid().sn = true;
    co_await cpu.rmw(v.pid().line);  // pi_set_sn
  }
}

hw::Path Kvm::pi_load(hw::Cpu& cpu, Vcpu& v) {
  PiDescriptor& pid = v.pid();
  const hw::PcpuId previous = v.loaded_cpu();
  // kvm_arch_vcpu_load on another pCPU: the APIC timer's hrtimer follows (KVM_REQ_MIGRATE_TIMER;
  // the hrtimer calls' own cost is not modelled).
  for (ArmedTimer& t : armed_timers_[v.index()]) {
    if (t.cpu != cpu.id() && scheduler_.move_timer(t.id, t.cpu, cpu.id())) t.cpu = cpu.id();
  }
  co_await cpu.load(pid.line);
  bool check_pir = true;
  if (v.loaded_once() && pid.nv != kPostedIntrWakeupVector && previous == cpu.id()) {
    // Fast path: same pCPU, not on a wakeup list: only clear SN.
    const bool was_suppressed = pid.sn;
    pid.sn = false;
    co_await cpu.rmw(pid.line);  // pi_test_and_clear_sn
    check_pir = was_suppressed;
  } else {
    const bool irqs_were_on = cpu.irqs_enabled();
    if (irqs_were_on) cpu.irq_disable();  // local_irq_save
    if (pid.nv == kPostedIntrWakeupVector) {
      Time list_wait = Time::zero();
      Time* outer = cpu.exchange_list_wait_sink(&list_wait);
      co_await design_->sched_in(cpu, v, previous);
      tracer_.removed(v, cpu.now());  // a design whose handler already unlinked v removes nothing here
      cpu.exchange_list_wait_sink(outer);
      metrics_.sched_in_list_wait.record(list_wait);
    } else {
      co_await restore_notification_vector(cpu, v);
    }
    if (irqs_were_on) co_await cpu.irq_enable();
  }
  if (check_pir) {
    // after_clear_sn: smp_mb__after_atomic(); if (!pi_is_pir_empty()) pi_set_on()
    co_await cpu.load(pid.line);
    if (!pid.pir.empty() && !pid.on) {
      pid.on = true;
      co_await cpu.rmw(pid.line);
    }
  }
  v.set_loaded(cpu.id());
}

// ---- guest entry and delivery ------------------------------------------------------------------------

void Kvm::record_delivery(const PostedRequest& r) {
  const Time now = machine_.sim().now();
  const Time latency = now - r.posted_at;
  metrics_.latency[static_cast<size_t>(r.path)].record(latency);
  metrics_.source_latency[static_cast<size_t>(r.source)].record(latency);
  if (r.path != WakePath::kRunning) {
    metrics_.wakeup_latency.record(latency);
    const auto bin = static_cast<size_t>(now.ps() / kSeriesBinPs);
    if (bin >= series_sum_.size()) series_sum_.resize(bin + 1, 0.0), series_count_.resize(bin + 1, 0);
    series_sum_[bin] += latency.ns();
    ++series_count_[bin];
  }
}

void Kvm::reserve_series(Time end) {
  const auto bins = static_cast<size_t>(end.ps() / kSeriesBinPs) + 1;
  series_sum_.reserve(bins);
  series_count_.reserve(bins);
}

std::vector<std::pair<Time, double>> Kvm::latency_series() const {
  std::vector<std::pair<Time, double>> out;
  for (size_t i = 0; i < series_sum_.size(); ++i)
    if (series_count_[i] > 0)
      out.emplace_back(Time::from_ps(static_cast<int64_t>(i) * kSeriesBinPs), series_sum_[i] / series_count_[i]);
  return out;
}

hw::Path Kvm::enter_guest(hw::Cpu& cpu, Vcpu& v) {
  // vmx_sync_pir_to_irr: clear ON, xchg the PIR words into the virtual IRR.
  if (v.take_pir_for_entry()) co_await cpu.rmw(v.pid().line);
  v.take_expired_timers();
  co_await cpu.compute(params_.vm_entry);
  v.set_in_guest(true);
  v.accept_taken([this](const PostedRequest& r) { record_delivery(r); });
  tracer_.entered_guest(v, cpu.now());
  // A notification that arrived during the entry is processed by the guest right away.
  if (!v.pid().pir.empty()) deliver_in_guest(v);
}

void Kvm::deliver_in_guest(Vcpu& v) {
  v.accept_posted([this](const PostedRequest& r) { record_delivery(r); });
}

hw::TimedResult<bool> Kvm::has_events(hw::Cpu& cpu, Vcpu& v) {
  return {cpu.load(v.pid().line), v.has_work()};  // kvm_arch_vcpu_runnable -> vmx_sync_pir_to_irr reads PIR
}

// ---- interrupt sources -----------------------------------------------------------------------------

WakePath Kvm::classify(const Vcpu& v, bool software) const {
  if (v.polling()) return WakePath::kHaltPoll;
  if (v.blocked()) return software ? WakePath::kSoftware : WakePath::kWakeupVector;
  return WakePath::kRunning;
}

void Kvm::after_post(Vcpu& v, WakePath path) {
  // The progress guard for a vCPU that cannot keep up: postings faster than it handles them grow its
  // backlog (and memory) without bound, so far past any stable load it is bad input, not a long run.
  if (v.backlog() >= kMaxPendingRequests) [[unlikely]]
    throw engine::UserError(fmt::format(
        "vCPU {} has {} requests pending at simulated time {}: interrupts are posted faster than it can handle "
        "them (vms.device_arrivals, vms.timer_arrivals and guest IPIs, each taking vms.request of guest time), so "
        "its backlog grows without bound; lower the rates or shorten vms.request",
        v.index(), kMaxPendingRequests, engine::to_string(machine_.sim().now())));
  ++metrics_.postings[static_cast<size_t>(path)];
  v.kick_poll();
  if (path == WakePath::kWakeupVector) tracer_.posted(v, machine_.sim().now());
  if ((path == WakePath::kWakeupVector || path == WakePath::kSoftware) && !v.watchdog().pending())
    machine_.sim().schedule_in(v.watchdog(), params_.lost_wakeup_timeout);
}

void Kvm::post_from_device(Vcpu& v, Time work) {
  const WakePath path = classify(v, /*software=*/false);
  PiDescriptor& pid = v.pid();
  machine_.coherence().device_write(pid.line);  // the IOMMU writes PIR and ON in memory
  if (pid.post(PostedRequest{machine_.sim().now(), path, work, RequestSource::kDevice})) {
    ++metrics_.notifications;
    machine_.interrupts().notify_from_device(pid.ndst, pid.nv);
  }
  after_post(v, path);
}

hw::Path Kvm::send_guest_ipi(hw::Cpu& cpu, Vcpu& from, Vcpu& to, Time work) {
  if (params_.ipiv) {
    // IPI virtualization: the sender's CPU posts into the target's descriptor, no VM exit.
    const WakePath path = classify(to, /*software=*/false);
    PiDescriptor& pid = to.pid();
    const bool notify = pid.post(PostedRequest{cpu.now(), path, work, RequestSource::kIpi});
    const hw::PcpuId ndst = pid.ndst;
    const hw::Vector nv = pid.nv;
    after_post(to, path);
    co_await cpu.rmw(pid.line);
    if (notify) {
      ++metrics_.notifications;
      machine_.interrupts().send_ipi(cpu.id(), ndst, nv);
    }
    co_return;
  }
  // Without IPIv the ICR write exits to KVM, which delivers in software and re-enters. The IPI's
  // latency starts at the ICR write, as with IPIv: the sender's VM exit is part of it.
  const Time icr_write = cpu.now();
  from.set_in_guest(false);
  co_await cpu.compute(params_.vm_exit);
  co_await deliver_software(cpu, to, work, RequestSource::kIpi, icr_write);
  co_await cpu.compute(params_.vm_entry);
  from.set_in_guest(true);
}

hw::Path Kvm::deliver_software(hw::Cpu& cpu, Vcpu& v, Time work, RequestSource source, std::optional<Time> origin) {
  // __vmx_deliver_posted_interrupt: set PIR, set ON; if ON was already set there is nothing to do.
  const WakePath path = classify(v, /*software=*/true);
  PiDescriptor& pid = v.pid();
  pid.pir.push_back(PostedRequest{origin.value_or(cpu.now()), path, work, source});
  after_post(v, path);
  co_await cpu.rmw(pid.line);  // pi_test_and_set_pir
  const bool was_on = pid.on;
  pid.on = true;
  co_await cpu.rmw(pid.line);  // pi_test_and_set_on
  if (was_on) co_return;
  if (v.in_guest() && v.running()) {
    ++metrics_.notifications;
    machine_.interrupts().send_ipi(cpu.id(), v.cpu().id(), kPostedIntrVector);  // kvm_vcpu_trigger_posted_interrupt
  } else {
    co_await wake_up(cpu, v);  // "The vCPU isn't in the guest; wake the vCPU in case it is blocking"
  }
}

void Kvm::arm_guest_timer(Vcpu& v, Time when, Time work) {
  // The APIC timer's hrtimer runs where the vCPU was last loaded; apic_timer_expired() sets a pending
  // timer request and kicks the vCPU (kvm_vcpu_kick -> kvm_vcpu_wake_up): the software path.
  // The request's latency starts at the expiry, so that a timer interrupt that waits for an idle exit
  // (or for IRQs to come back on) pays for it.
  const Scheduler::TimerId id = scheduler_.next_timer_id();
  scheduler_.add_timer(v.loaded_cpu(), when, [this, &v, work, when, id](hw::Cpu& cpu) -> hw::Path {
    std::erase_if(armed_timers_[v.index()], [id](const ArmedTimer& t) { return t.id == id; });
    const WakePath path = classify(v, /*software=*/true);
    v.add_timer_request(PostedRequest{when, path, work, RequestSource::kTimer});
    after_post(v, path);
    co_await cpu.store(v.run_line());  // kvm_make_request(KVM_REQ_UNBLOCK)
    if (v.in_guest() && v.running()) {
      if (&v.cpu() != &cpu) machine_.interrupts().send_ipi(cpu.id(), v.cpu().id(), kRescheduleVector);
    } else {
      co_await wake_up(cpu, v);
    }
  });
  armed_timers_[v.index()].push_back(ArmedTimer{id, v.loaded_cpu()});
}

// ---- interrupt handlers ----------------------------------------------------------------------------

hw::Path Kvm::wakeup_handler(hw::Cpu& cpu) {
  ++metrics_.wakeup_irqs;
  const Time start = cpu.now();
  tracer_.handler_started(cpu, cpu.idle_exit_of_interrupt());
  Time list_wait = Time::zero();
  Time* outer = cpu.exchange_list_wait_sink(&list_wait);
  co_await design_->wakeup_irq(cpu);
  cpu.exchange_list_wait_sink(outer);
  metrics_.handler_list_wait.record(list_wait);
  metrics_.handler_time.record(cpu.now() - start);
}

// POSTED_INTR_VECTOR outside guest mode: nothing to do (the vCPU syncs PIR at its next entry, or the
// halt-poll loop sees it).
hw::Path Kvm::posted_intr_handler(hw::Cpu&) { co_return; }

// ---- invariants ------------------------------------------------------------------------------------

void Kvm::check_lost_wakeup(Vcpu& v) {
  const Time now = machine_.sim().now();
  const std::optional<Time> undelivered = v.oldest_undelivered();
  if (!undelivered) return;
  const Time oldest = *undelivered;
  if (v.blocked() && now - oldest >= params_.lost_wakeup_timeout) {
    invariants_.lost_wakeup(
        fmt::format("lost wakeup: vCPU {} is still blocked {} after an interrupt was posted to it (at {}; "
                    "kernel.lost_wakeup_timeout is {})",
                    v.index(), engine::to_string(now - oldest), engine::to_string(oldest),
                    engine::to_string(params_.lost_wakeup_timeout)));
    return;
  }
  // Overdue but not blocked (running, or runnable and waiting for its pCPU): it will see the work; look
  // again a timeout later rather than at `now`, which would fire this check forever at one instant.
  const Time due = oldest + params_.lost_wakeup_timeout;
  machine_.sim().schedule_at(v.watchdog(), due > now ? due : now + params_.lost_wakeup_timeout);
}

void Kvm::check_invariants() {
  for (const auto& v : vcpus_) {
    if (v->on_list != nullptr && !v->on_list->contains(*v))
      invariants_.violation(fmt::format("vCPU {} records a list it is not on", v->index()));
  }
  design_->check_invariants();
}

uint64_t Kvm::requests_pending() const {
  uint64_t n = 0;
  for (const auto& v : vcpus_) n += v->requests_pending();
  return n;
}

void Kvm::reset_statistics() {
  metrics_.clear();
  tracer_.reset_statistics();
  invariants_.reset_statistics();
  for (auto& c : lock_classes_) c->reset_statistics();
}

}  // namespace wakesim::kernel
