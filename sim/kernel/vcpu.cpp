#include "sim/kernel/vcpu.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/engine/errors.h"
#include "sim/kernel/halt_poll.h"
#include "sim/kernel/kvm.h"

namespace wakesim::kernel {

using engine::Time;

namespace {
int socket_of_first(Kvm& kvm, const CpuSetPtr& allowed) {
  return kvm.machine().topology().socket_of(allowed->empty() ? hw::PcpuId{0} : allowed->front());
}
}  // namespace

Vcpu::Vcpu(Kvm& kvm, uint32_t index, uint32_t vm, const CpuSetPtr& allowed)
    : Task(kvm.scheduler(), fmt::format("vcpu{}", index), allowed),
      kvm_(kvm),
      index_(index),
      vm_(vm),
      pid_(socket_of_first(kvm, allowed), kvm.machine().frame_pool()),
      node_line_(socket_of_first(kvm, allowed)),
      wait_line_(socket_of_first(kvm, allowed)),
      run_line_(socket_of_first(kvm, allowed)),
      loaded_cpu_(allowed->empty() ? hw::PcpuId{0} : allowed->front()),
      guest_work_(hw::PoolAllocator<GuestRequest>(kvm.machine().frame_pool())),
      timer_work_(hw::PoolAllocator<PostedRequest>(kvm.machine().frame_pool())),
      synced_(hw::PoolAllocator<PostedRequest>(kvm.machine().frame_pool())) {
  pid_.ndst = loaded_cpu_;
  pid_.sn = true;  // not loaded yet: notifications suppressed
  // Room for the requests a stable load keeps pending, so that the steady state allocates nothing
  // (shared/DESIGN.md §2). A burst beyond it takes storage from the machine's pool and gives it back
  // when the queue drains, for the next vCPU's burst.
  pid_.pir.reserve(kRequestsReserved);
  synced_.reserve(kRequestsReserved);
  timer_work_.reserve(kRequestsReserved);
  guest_work_.keep_when_drained(kRequestsReserved);
  // PID[v] and N[v] are read by the pCPUs that load, walk or post to this vCPU between two writes.
  for (hw::CacheLine* line : {&pid_.line, &node_line_}) kvm.machine().reserve_copies(*line, kLineCopiesReserved);
}

Vcpu::~Vcpu() = default;

std::optional<Time> Vcpu::oldest_undelivered() const {
  std::optional<Time> oldest;
  if (!pid_.pir.empty()) oldest = pid_.pir.front().posted_at;
  if (!timer_work_.empty())
    oldest = oldest ? std::min(*oldest, timer_work_.front().posted_at) : timer_work_.front().posted_at;
  return oldest;
}

bool Vcpu::take_pir_for_entry() {
  // synced_ is empty here; its storage is reused entry after entry.
  if (!pid_.on && pid_.pir.empty()) return false;
  pid_.on = false;
  synced_.swap(pid_.pir);
  return true;
}

void Vcpu::take_expired_timers() {
  synced_.insert(synced_.end(), timer_work_.begin(), timer_work_.end());
  timer_work_.clear();
  engine::release_storage_beyond(timer_work_, kRequestsReserved);
}

void Vcpu::GuestHook::deliver(hw::Cpu&) { owner.kvm_.deliver_in_guest(owner); }

void Vcpu::Watchdog::fire() { v_.kvm_.check_lost_wakeup(v_); }
std::string Vcpu::Watchdog::describe() const { return fmt::format("lost-wakeup watchdog of vCPU {}", v_.index()); }

hw::Path Vcpu::on_sched_out(hw::Cpu& cpu, bool preempted) {
  in_guest_ = false;
  co_await kvm_.pi_put(cpu, *this, preempted);
}

hw::Path Vcpu::on_sched_in(hw::Cpu& cpu) {
  kvm_.tracer().picked(*this, cpu.now());
  co_await kvm_.pi_load(cpu, *this);
}

// KVM's vcpu_run loop.
hw::Path Vcpu::body() {
  Scheduler& sched = kvm_.scheduler();
  const KernelParams& p = kvm_.params();
  co_await sched.schedule_tail(*this);
  for (;;) {
    co_await kvm_.enter_guest(cpu(), *this);
    bool exited = false;
    while (!guest_work_.empty()) {
      hw::Cpu& cpu = this->cpu();
      const hw::TouchProfile* touches = guest_touches_.rate.per_second > 0 ? &guest_touches_ : nullptr;
      const Time left = co_await cpu.run_interruptible(guest_work_.front().left, p.vm_exit, &guest_hook_, touches);
      if (left > Time::zero()) {  // an external interrupt exited to KVM (its handler has run)
        guest_work_.front().left = left;
        exited = true;
        break;
      }
      const RequestSource source = guest_work_.front().source;
      guest_work_.pop_front();
      ++requests_completed_;
      if (GuestModel* model = kvm_.guest_model()) co_await model->after_request(cpu, *this, source);
    }
    in_guest_ = false;
    if (!exited) {
      co_await cpu().compute(p.vm_exit);  // HLT exit
      co_await halt(cpu());
    }
    if (sched.need_resched(cpu().id())) co_await sched.schedule(*this);  // preempted: stays runnable
  }
}

// kvm_vcpu_halt: halt-polling, then kvm_vcpu_block, then the halt_poll_ns update.
hw::Path Vcpu::halt(hw::Cpu& start_cpu) {
  Scheduler& sched = kvm_.scheduler();
  const KernelParams& p = kvm_.params();
  const Time start = start_cpu.now();
  bool poll_hit = false;
  if (halt_poll_ns_ > Time::zero()) {
    const Time stop = start + halt_poll_ns_;
    polling_ = true;
    set_poll_signal(&poll_signal_);
    for (;;) {
      if (co_await kvm_.has_events(start_cpu, *this)) {
        poll_hit = true;
        break;
      }
      // kvm_vcpu_can_poll: single_task_running() && !need_resched() && before the deadline.
      if (!sched.single_task_running(start_cpu.id()) || sched.need_resched(start_cpu.id()) || start_cpu.now() >= stop)
        break;
      co_await start_cpu.wait(poll_signal_, Time::zero(), stop, hw::Activity::kPoll);
    }
    polling_ = false;
    set_poll_signal(nullptr);
    poll_signal_.clear();
  }
  if (poll_hit) kvm_.note_halt_poll_hit();
  else co_await block(start_cpu);
  halt_poll_ns_ = next_halt_poll_ns(halt_poll_ns_, cpu().now() - start, p);
}

// kvm_vcpu_block: prepare_to_rcuwait, then sleep in schedule() until there is something to do.
hw::Path Vcpu::block(hw::Cpu& start_cpu) {
  Scheduler& sched = kvm_.scheduler();
  wait_task_ = true;  // prepare_to_rcuwait: W[v].task = current
  co_await start_cpu.store(wait_line_);
  for (;;) {
    hw::Cpu& cpu = this->cpu();
    co_await sched.set_current_state_sleeping(cpu, *this);
    if (co_await kvm_.has_events(cpu, *this)) break;  // kvm_vcpu_check_block
    kvm_.note_block();
    co_await sched.schedule(*this);  // sched_out arms the wakeup vector (design hook)
  }
  sched.set_running(*this);  // finish_rcuwait: __set_current_state(TASK_RUNNING), W[v].task = NULL
  wait_task_ = false;
  co_await cpu().store(wait_line_);
}

}  // namespace wakesim::kernel
