#include "sim/kernel/scheduler.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/engine/errors.h"
#include "sim/kernel/vectors.h"

namespace wakesim::kernel {

using engine::Time;

namespace {

// Hands the pCPU from `prev` to `next`: prev's code stops here and next's continues where it stopped.
struct SwitchTo {
  std::coroutine_handle<>& prev_resume;
  std::coroutine_handle<>& next_resume;
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) noexcept {
    prev_resume = h;
    return std::exchange(next_resume, {});
  }
  void await_resume() const noexcept {}
};

// select_idle_sibling scans a bounded number of pCPUs (SIS_UTIL keeps it small on a busy host).
constexpr size_t kIdleScanLimit = 4;

}  // namespace

// A pCPU's idle task (swapper/N): waits in the idle state until something needs the pCPU.
class Scheduler::IdleTask final : public Task {
 public:
  IdleTask(Scheduler& s, hw::PcpuId cpu) : Task(s, fmt::format("swapper/{}", cpu.value), {cpu}) {}

 protected:
  hw::Path body() override {
    for (;;) {
      hw::Cpu& cpu = this->cpu();
      Runqueue& q = scheduler_.rq(cpu.id());
      if (!q.need_resched) co_await cpu.wait(q.resched, scheduler_.params().idle_exit_latency());
      co_await scheduler_.schedule(*this);
    }
  }
};

void Scheduler::SliceTimer::fire() {
  Runqueue& q = s_.rq(cpu_);
  if (q.curr != q.idle && !q.queue.empty()) s_.machine_.cpu(cpu_).raise(kLocalTimerVector);
}

namespace {
struct LaterTimer {
  template <class T>
  bool operator()(const T& a, const T& b) const {
    return a.when != b.when ? a.when > b.when : a.sequence > b.sequence;
  }
};
}  // namespace

void Scheduler::add_timer(hw::PcpuId cpu, Time when, TimerCallback callback) {
  Runqueue& q = rq(cpu);
  q.timers.push_back(Timer{when, timer_sequence_++, std::move(callback)});
  std::push_heap(q.timers.begin(), q.timers.end(), LaterTimer{});
  if (!q.timer_expiry->pending() || q.timer_expiry->when() > q.timers.front().when)
    machine_.sim().schedule_at(*q.timer_expiry, q.timers.front().when);
}

void Scheduler::TimerExpiry::fire() {
  Runqueue& q = s_.rq(cpu_);
  const Time now = s_.machine_.sim().now();
  while (!q.timers.empty() && q.timers.front().when <= now) {
    std::pop_heap(q.timers.begin(), q.timers.end(), LaterTimer{});
    q.expired.push_back(std::move(q.timers.back().callback));
    q.timers.pop_back();
  }
  if (!q.timers.empty()) s_.machine_.sim().schedule_at(*this, q.timers.front().when);
  s_.machine_.cpu(cpu_).raise(kLocalTimerVector);
}

std::string Scheduler::TimerExpiry::describe() const { return fmt::format("hrtimer expires on pCPU {}", cpu_.value); }

std::string Scheduler::SliceTimer::describe() const { return fmt::format("time slice ends on pCPU {}", cpu_.value); }

Scheduler::Scheduler(hw::Machine& machine, const KernelParams& params) : machine_(machine), params_(params) {
  const hw::Topology& topology = machine.topology();
  for (uint32_t c = 0; c < machine.pcpus(); ++c) {
    const hw::PcpuId id{c};
    auto q = std::make_unique<Runqueue>(topology.socket_of(id));
    q->cpu = id;
    q->lock = hw::make_spinlock(params.lock, rq_lock_class_, topology.socket_of(id));
    q->slice_timer = std::make_unique<SliceTimer>(*this, id);
    q->timer_expiry = std::make_unique<TimerExpiry>(*this, id);
    rqs_.push_back(std::move(q));
    idle_tasks_.push_back(std::make_unique<IdleTask>(*this, id));
    idle_tasks_.back()->idle_ = true;
    rqs_.back()->idle = idle_tasks_.back().get();
    hw::Cpu& cpu = machine.cpu(id);
    cpu.set_handler(kRescheduleVector, [this](hw::Cpu& c, hw::Vector) { return resched_ipi(c); });
    cpu.set_handler(kCallFunctionSingleVector, [this](hw::Cpu& c, hw::Vector) { return wakelist_ipi(c); });
    cpu.set_handler(kLocalTimerVector, [this](hw::Cpu& c, hw::Vector) { return timer_tick(c); });
  }
}

Scheduler::~Scheduler() {
  // Task bodies suspended in a switch belong to their tasks; pCPU threads (idle bodies) to the pCPUs.
  for (auto& q : rqs_) q->queue.clear();
}

void Scheduler::add_task(Task& task) {
  WAKESIM_CHECK(!task.allowed_.empty(), "task {} may run nowhere", task.name());
  Runqueue& q = rq(task.allowed_.front());
  task.last_cpu_ = q.cpu;
  task.on_rq_ = true;
  task.state_ = Task::State::kRunning;
  task.queued_at_ = machine_.sim().now();
  task.body_ = task.body();
  task.resume_ = task.body_.handle();
  q.queue.push_back(task);
  ++q.nr_running;
  q.need_resched = true;
}

void Scheduler::start() {
  stats_since_ = machine_.sim().now();
  for (auto& q : rqs_) {
    hw::Cpu& cpu = machine_.cpu(q->cpu);
    Task& idle = *q->idle;
    q->curr = &idle;
    idle.running_on_ = &cpu;
    idle.on_cpu_ = true;
    idle.last_cpu_ = q->cpu;
    q->idle_since = machine_.sim().now();
    cpu.start_thread(idle.body());
  }
}

hw::Path Scheduler::set_current_state_sleeping(hw::Cpu& cpu, Task& self) {
  self.state_ = Task::State::kSleeping;
  co_await cpu.store(self.line_);
  co_await cpu.compute(params_.barrier);  // set_current_state implies smp_mb()
}

hw::Path Scheduler::schedule(Task& self) {
  hw::Cpu& cpu = self.cpu();
  Runqueue& q = rq(cpu.id());
  cpu.irq_disable();
  co_await q.lock->acquire(cpu);
  co_await cpu.compute(params_.pick_next);
  q.need_resched = false;
  q.resched.clear();
  const bool blocking = !self.idle_ && self.state_ == Task::State::kSleeping;
  if (!self.idle_) {
    if (blocking) {
      self.on_rq_ = false;  // deactivate_task
      --q.nr_running;
    } else {
      q.queue.push_back(self);  // preempted or yielding: back of the queue
      self.queued_at_ = cpu.now();
    }
  }
  if (q.queue.empty() && params_.load_balance) co_await newidle_balance(cpu, q);
  Task* next = q.queue.empty() ? q.idle : &q.queue.front();
  if (next != q.idle) q.queue.pop_front();
  co_await cpu.store(q.line);
  if (next == &self) {  // nothing else to run
    co_await q.lock->release(cpu);
    co_await cpu.irq_enable();
    co_return;
  }
  co_await self.on_sched_out(cpu, !blocking);  // prepare_task_switch -> preempt notifiers
  co_await cpu.compute(params_.context_switch);
  ++context_switches_;
  if (self.idle_) q.idle_total += cpu.now() - std::max(q.idle_since, stats_since_);
  if (next->idle_) q.idle_since = cpu.now();
  else runqueue_delay_.record(cpu.now() - next->queued_at_);
  q.curr = next;
  q.switched_out = &self;
  next->on_cpu_ = true;
  next->last_cpu_ = q.cpu;
  next->running_on_ = &cpu;
  self.running_on_ = nullptr;
  arm_slice(q);
  co_await SwitchTo{self.resume_, next->resume_};
  // Running again, possibly on another pCPU.
  co_await finish_task_switch(self.cpu(), self);
}

hw::Path Scheduler::schedule_tail(Task& self) { co_await finish_task_switch(self.cpu(), self); }

hw::Path Scheduler::finish_task_switch(hw::Cpu& cpu, Task& self) {
  Runqueue& q = rq(cpu.id());
  Task* prev = std::exchange(q.switched_out, nullptr);
  if (prev != nullptr) {
    prev->on_cpu_ = false;  // smp_store_release(&prev->on_cpu, 0): a waker may spin on it
    co_await cpu.store(prev->line_);
  }
  co_await q.lock->release(cpu);
  co_await cpu.irq_enable();
  co_await self.on_sched_in(cpu);
}

void Scheduler::arm_slice(Runqueue& q) {
  if (q.curr == q.idle || q.queue.empty() || q.slice_timer->pending()) return;
  machine_.sim().schedule_in(*q.slice_timer, params_.timeslice);
}

hw::PathOf<bool> Scheduler::try_to_wake_up(hw::Cpu& cpu, Task& p) {
  const bool irqs_were_on = cpu.irqs_enabled();
  if (irqs_were_on) cpu.irq_disable();  // raw_spin_lock_irqsave(&p->pi_lock)
  co_await p.pi_lock_->acquire(cpu);
  co_await cpu.load(p.line_);  // ttwu_state_match reads __state
  bool woke = false;
  if (p.state_ == Task::State::kSleeping) {
    woke = true;
    ++wakeups_;
    if (p.on_rq_) {
      // ttwu_runnable: it has not finished schedule() yet; it stays on its runqueue.
      Runqueue& q = rq(p.last_cpu_);
      co_await q.lock->acquire(cpu);
      p.state_ = Task::State::kRunning;
      co_await cpu.store(p.line_);
      co_await q.lock->release(cpu);
    } else {
      p.state_ = Task::State::kWaking;
      co_await cpu.store(p.line_);
      if (p.on_cpu_) co_await cpu.spin_until(p.line_, [&p] { return !p.on_cpu_; });
      const hw::PcpuId target = co_await select_task_rq(cpu, p);
      co_await cpu.compute(params_.ttwu_work);
      Runqueue& q = rq(target);
      p.last_cpu_ = target;  // set_task_cpu
      const hw::Topology& topology = machine_.topology();
      // ttwu_queue_cond: queue remotely when the target does not share our LLC, or is idle (the waker is
      // likely busy, so the idle target does the enqueue itself); never for our own pCPU.
      bool wakelist = false;
      if (params_.ttwu_queue && target != cpu.id()) {
        if (topology.llc_of(target) != topology.llc_of(cpu.id())) {
          wakelist = true;
        } else {
          const bool target_idle = q.nr_running == 0;
          co_await cpu.load(q.line);  // cpu_rq(cpu)->nr_running
          wakelist = target_idle;
        }
      }
      if (wakelist) {
        // ttwu_queue_wakelist: the target adds it to its runqueue in its IPI handler.
        const bool first = q.wake_list.empty();
        q.wake_list.push_back(&p);
        co_await cpu.rmw(q.wake_list_line);  // llist_add
        if (first) {
          ++wakelist_ipis_;
          machine_.interrupts().send_ipi(cpu.id(), target, kCallFunctionSingleVector);
        }
      } else {
        co_await q.lock->acquire(cpu);
        co_await activate(cpu, q, p);
        co_await q.lock->release(cpu);
      }
    }
  }
  co_await p.pi_lock_->release(cpu);
  if (irqs_were_on) co_await cpu.irq_enable();
  co_return woke;
}

hw::PathOf<hw::PcpuId> Scheduler::select_task_rq(hw::Cpu& cpu, Task& p) {
  const auto& allowed = p.allowed_;
  hw::PcpuId prev = p.last_cpu_;
  if (std::find(allowed.begin(), allowed.end(), prev) == allowed.end()) prev = allowed.front();
  co_await cpu.load(rq(prev).line);
  if (is_idle(rq(prev))) co_return prev;
  // An idle pCPU sharing prev's LLC (select_idle_sibling), scanning a few after prev.
  const hw::Topology& topology = machine_.topology();
  const auto start = std::find(allowed.begin(), allowed.end(), prev);
  size_t scanned = 0;
  for (size_t i = 1; i < allowed.size() && scanned < kIdleScanLimit; ++i) {
    const size_t index = (static_cast<size_t>(start - allowed.begin()) + i) % allowed.size();
    const hw::PcpuId c = allowed[index];
    if (topology.llc_of(c) != topology.llc_of(prev)) continue;
    ++scanned;
    co_await cpu.load(rq(c).line);
    if (is_idle(rq(c))) co_return c;
  }
  co_return prev;
}

hw::Path Scheduler::activate(hw::Cpu& cpu, Runqueue& q, Task& p) {
  p.on_rq_ = true;
  p.state_ = Task::State::kRunning;
  p.last_cpu_ = q.cpu;
  p.queued_at_ = cpu.now();
  q.queue.push_back(p);
  ++q.nr_running;
  co_await cpu.store(q.line);
  co_await cpu.store(p.line_);
  if (q.curr == q.idle) {
    resched(cpu, q);
  } else {
    arm_slice(q);
    if (q.curr->poll_signal_ != nullptr) q.curr->poll_signal_->notify();  // single_task_running() is now false
    kick_idle_balancer(cpu, q);
  }
}

hw::PathOf<bool> Scheduler::newidle_balance(hw::Cpu& cpu, Runqueue& q) {
  // The busiest runqueue with a waiting task that may run here and is not still switching out,
  // preferring this LLC (the first sched domain newidle_balance looks at).
  const hw::Topology& topology = machine_.topology();
  Runqueue* busiest = nullptr;
  size_t busiest_waiting = 0;
  bool busiest_local = false;
  for (auto& other : rqs_) {
    if (other.get() == &q || other->queue.empty()) continue;
    bool movable = false;
    for (const Task& t : other->queue)
      if (!t.on_cpu_ && std::find(t.allowed_.begin(), t.allowed_.end(), q.cpu) != t.allowed_.end()) movable = true;
    if (!movable) continue;
    const bool local = topology.llc_of(other->cpu) == topology.llc_of(q.cpu);
    size_t waiting = 0;
    for ([[maybe_unused]] const Task& t : other->queue) ++waiting;
    if (busiest == nullptr || (local && !busiest_local) || (local == busiest_local && waiting > busiest_waiting))
      busiest = other.get(), busiest_waiting = waiting, busiest_local = local;
  }
  if (busiest == nullptr) co_return false;
  co_await cpu.load(busiest->line);
  co_await cpu.compute(params_.balance_work);
  // double_rq_lock: take the locks in pCPU order, dropping ours if it comes second.
  if (busiest->cpu < q.cpu) {
    co_await q.lock->release(cpu);
    co_await busiest->lock->acquire(cpu);
    co_await q.lock->acquire(cpu);
  } else {
    co_await busiest->lock->acquire(cpu);
  }
  Task* moved = nullptr;
  for (Task& t : busiest->queue)
    if (!t.on_cpu_ && std::find(t.allowed_.begin(), t.allowed_.end(), q.cpu) != t.allowed_.end()) {
      moved = &t;
      break;
    }
  if (moved != nullptr && q.queue.empty()) {
    busiest->queue.erase(TaskList::s_iterator_to(*moved));
    --busiest->nr_running;
    q.queue.push_back(*moved);
    ++q.nr_running;
    moved->last_cpu_ = q.cpu;
    ++migrations_;
    co_await cpu.store(busiest->line);
    co_await cpu.store(moved->line_);
  } else {
    moved = nullptr;  // things changed while we took the locks
  }
  co_await busiest->lock->release(cpu);
  co_return moved != nullptr;
}

void Scheduler::kick_idle_balancer(hw::Cpu& from, Runqueue& q) {
  if (!params_.load_balance || q.queue.empty()) return;
  // An idle pCPU that may run a waiting task, this LLC first; it balances when it reschedules.
  const hw::Topology& topology = machine_.topology();
  Runqueue* target = nullptr;
  for (const Task& t : q.queue) {
    if (t.on_cpu_) continue;
    for (hw::PcpuId c : t.allowed_) {
      Runqueue& candidate = rq(c);
      if (&candidate == &q || !is_idle(candidate) || candidate.need_resched) continue;
      if (target == nullptr || (topology.llc_of(c) == topology.llc_of(q.cpu) &&
                                topology.llc_of(target->cpu) != topology.llc_of(q.cpu)))
        target = &candidate;
    }
    if (target != nullptr) break;
  }
  if (target != nullptr) resched(from, *target);
}

void Scheduler::resched(hw::Cpu& from, Runqueue& q) {
  if (q.need_resched) return;
  q.need_resched = true;
  if (q.curr != nullptr && q.curr->poll_signal_ != nullptr) q.curr->poll_signal_->notify();
  if (q.cpu == from.id() || params_.idle_state == IdleState::kPoll) {
    q.resched.notify();  // local, or a polling idle pCPU that watches its flag: no IPI
  } else {
    machine_.interrupts().send_ipi(from.id(), q.cpu, kRescheduleVector);
  }
}

// scheduler_ipi: the sender already set need_resched (resched_curr) if it wanted a reschedule; a bare
// reschedule IPI (kvm_vcpu_kick) only forces an exit from guest mode.
hw::Path Scheduler::resched_ipi(hw::Cpu& cpu) {
  Runqueue& q = rq(cpu.id());
  if (q.need_resched) q.resched.notify();
  co_return;
}

hw::Path Scheduler::wakelist_ipi(hw::Cpu& cpu) {
  Runqueue& q = rq(cpu.id());
  co_await cpu.rmw(q.wake_list_line);  // llist_del_all
  std::vector<Task*> woken = std::move(q.wake_list);
  q.wake_list.clear();
  co_await q.lock->acquire(cpu);
  for (Task* p : woken) co_await activate(cpu, q, *p);
  co_await q.lock->release(cpu);
}

hw::Path Scheduler::timer_tick(hw::Cpu& cpu) {
  Runqueue& q = rq(cpu.id());
  co_await cpu.compute(params_.tick_handler);
  if (!q.queue.empty()) {
    co_await cpu.load(nohz_line_);  // nohz_balancer_kick reads the idle mask
    kick_idle_balancer(cpu, q);
  }
  std::vector<TimerCallback> expired = std::move(q.expired);
  q.expired.clear();
  for (TimerCallback& callback : expired) co_await callback(cpu);
  if (q.curr != q.idle && !q.queue.empty()) {
    q.need_resched = true;
    if (q.curr->poll_signal_ != nullptr) q.curr->poll_signal_->notify();
  }
}

Time Scheduler::idle_time() const {
  const Time now = machine_.sim().now();
  Time total;
  for (const auto& q : rqs_) {
    total += q->idle_total;
    if (q->curr == q->idle) total += now - std::max(q->idle_since, stats_since_);
  }
  return total;
}

void Scheduler::reset_statistics() {
  stats_since_ = machine_.sim().now();
  for (auto& q : rqs_) q->idle_total = Time::zero();
  runqueue_delay_.clear();
  context_switches_ = wakeups_ = wakelist_ipis_ = migrations_ = 0;
  rq_lock_class_.reset_statistics();
  pi_lock_class_.reset_statistics();
}

}  // namespace wakesim::kernel
