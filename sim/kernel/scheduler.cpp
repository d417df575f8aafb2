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

// A pCPU's idle task (swapper/N): the idle loop (do_idle). For each idle period the governor picks
// a state; the period ends when the pCPU is asked to reschedule or an interrupt arrives, after whose
// handler the loop picks again (cpuidle returns to the idle loop after every wakeup).
class Scheduler::IdleTask final : public Task {
 public:
  IdleTask(Scheduler& s, hw::PcpuId cpu) : Task(s, fmt::format("swapper/{}", cpu.value), s.cpu_set({cpu})) {}

 protected:
  hw::Path body() override {
    for (;;) {
      hw::Cpu& cpu = this->cpu();
      Runqueue& q = scheduler_.rq(cpu.id());
      while (!q.need_resched) {
        const Time entered = cpu.now();
        const Time until_timer = scheduler_.until_next_timer(cpu.id());
        const hw::IdleState state = q.governor->select(until_timer);
        ++scheduler_.idle_entries_[static_cast<size_t>(state)];
        // Core C6 powers the core down: its L1 and L2 are written back and invalidated first.
        if (state == IdleState::kC6) cpu.evict_private_caches();
        const Time exit_latency = q.governor->exit_latency(state);
        q.polling = state == IdleState::kPoll;
        co_await cpu.idle(q.resched, exit_latency);
        q.polling = false;
        // The residency cpuidle measures: entry to the wakeup, the exit latency included.
        const bool interrupted = cpu.last_interrupt_at() >= entered && cpu.last_interrupt_at() <= cpu.now();
        q.governor->reflect(interrupted ? cpu.last_interrupt_at() + exit_latency - entered : cpu.now() - entered);
      }
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

Scheduler::TimerId Scheduler::add_timer(hw::PcpuId cpu, Time when, TimerCallback callback) {
  Runqueue& q = rq(cpu);
  const TimerId id = timer_sequence_++;
  q.timers.push_back(Timer{when, id, std::move(callback)});
  std::push_heap(q.timers.begin(), q.timers.end(), LaterTimer{});
  if (!q.timer_expiry->pending() || q.timer_expiry->when() > q.timers.front().when)
    machine_.sim().schedule_at(*q.timer_expiry, q.timers.front().when);
  return id;
}

bool Scheduler::move_timer(TimerId id, hw::PcpuId from, hw::PcpuId to) {
  if (from == to) return true;
  Runqueue& q = rq(from);
  auto it = std::find_if(q.timers.begin(), q.timers.end(), [id](const Timer& t) { return t.sequence == id; });
  if (it == q.timers.end()) return false;
  Timer moved = std::move(*it);
  q.timers.erase(it);
  std::make_heap(q.timers.begin(), q.timers.end(), LaterTimer{});
  machine_.sim().cancel(*q.timer_expiry);
  if (!q.timers.empty()) machine_.sim().schedule_at(*q.timer_expiry, q.timers.front().when);
  Runqueue& target = rq(to);
  target.timers.push_back(std::move(moved));
  std::push_heap(target.timers.begin(), target.timers.end(), LaterTimer{});
  if (!target.timer_expiry->pending() || target.timer_expiry->when() > target.timers.front().when)
    machine_.sim().schedule_at(*target.timer_expiry, target.timers.front().when);
  return true;
}

Time Scheduler::until_next_timer(hw::PcpuId cpu) const {
  const Runqueue& q = rq(cpu);
  if (q.timers.empty()) return Time::max();
  const Time now = machine_.sim().now();
  return q.timers.front().when > now ? q.timers.front().when - now : Time::zero();
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

Scheduler::Scheduler(hw::Machine& machine, const KernelParams& params)
    : machine_(machine), params_(params), idle_mask_(machine.pcpus()), overloaded_(machine.pcpus()) {
  if (params.lockdep) machine.enable_lockdep();
  const hw::Topology& topology = machine.topology();
  for (uint32_t c = 0; c < machine.pcpus(); ++c) {
    const auto llc = static_cast<size_t>(topology.llc_of(hw::PcpuId{c}));
    if (llc >= llc_masks_.size()) llc_masks_.resize(llc + 1, CpuMask(machine.pcpus())), llc_members_.resize(llc + 1);
    llc_masks_[llc].set(hw::PcpuId{c});
    llc_members_[llc].push_back(hw::PcpuId{c});
  }
  machine.reserve_copies(nohz_line_, machine.pcpus());  // every pCPU's tick reads it
  for (uint32_t c = 0; c < machine.pcpus(); ++c) {
    const hw::PcpuId id{c};
    auto q = std::make_unique<Runqueue>(topology.socket_of(id));
    q->cpu = id;
    q->lock = hw::make_spinlock(params.lock, rq_lock_class_, topology.socket_of(id));
    q->lock->set_instance_name(fmt::format("cpu {}", c), id);
    // RQ[c], its lock and its wakelist are read by every pCPU that places a task or balances: room
    // for their copies up front (shared/DESIGN.md §2, no allocation in the steady state).
    for (hw::CacheLine* line : {&q->line, &q->wake_list_line, &q->lock->word()})
      machine.reserve_copies(*line, kLineCopiesReserved);
    q->slice_timer = std::make_unique<SliceTimer>(*this, id);
    q->timer_expiry = std::make_unique<TimerExpiry>(*this, id);
    q->governor = make_idle_governor(params.idle_governor, machine.params().idle, params.idle_state);
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

CpuSetPtr Scheduler::cpu_set(std::vector<hw::PcpuId> cpus) {
  std::vector<uint32_t> key;
  key.reserve(cpus.size());
  for (hw::PcpuId p : cpus) key.push_back(p.value);
  auto [it, inserted] = cpu_sets_.try_emplace(key, nullptr);
  if (inserted) it->second = std::make_shared<const CpuSet>(std::move(cpus), machine_.pcpus());
  return it->second;
}

void Scheduler::queue_push(Runqueue& q, Task& t) {
  q.queue.push_back(t);
  if (q.waiting++ == 0) overloaded_.set(q.cpu);
}

Task& Scheduler::queue_pop_front(Runqueue& q) {
  Task& t = q.queue.front();
  q.queue.pop_front();
  if (--q.waiting == 0) overloaded_.reset(q.cpu);
  return t;
}

void Scheduler::queue_erase(Runqueue& q, Task& t) {
  q.queue.erase(TaskList::s_iterator_to(t));
  if (--q.waiting == 0) overloaded_.reset(q.cpu);
}

void Scheduler::set_curr(Runqueue& q, Task* t) {
  q.curr = t;
  if (t == q.idle) idle_mask_.set(q.cpu);
  else idle_mask_.reset(q.cpu);
}

// Storage each runqueue needs per task that may run on it, reserved when the task is added so that the
// steady state allocates nothing (shared/DESIGN.md §2): a few pending timers (a vCPU's APIC timer, a
// sleep) and a place on the wakelist. Capped per runqueue: a pCPU that thousands of tasks may use
// grows past the cap only if that many are really there at once.
void Scheduler::reserve_for_task(Runqueue& q) {
  constexpr size_t kTimersPerTask = 4;
  constexpr size_t kMaxReserved = 32;
  const size_t timers = std::min(q.timers.capacity() + kTimersPerTask, kMaxReserved);
  q.timers.reserve(timers);
  q.expired.reserve(timers);
  q.running_timers.reserve(timers);
  const size_t wakers = std::min(q.wake_list.capacity() + 1, kMaxReserved);
  q.wake_list.reserve(wakers);
  q.waking.reserve(wakers);
}

void Scheduler::add_task(Task& task) {
  WAKESIM_CHECK(!task.allowed_->empty(), "task {} may run nowhere", task.name());
  for (hw::PcpuId p : task.allowed_->list()) reserve_for_task(rq(p));
  Runqueue& q = rq(task.allowed_->front());
  task.last_cpu_ = q.cpu;
  task.on_rq_ = true;
  task.state_ = Task::State::kRunning;
  task.queued_at_ = machine_.sim().now();
  task.body_ = task.body();
  task.resume_ = task.body_.handle();
  queue_push(q, task);
  ++q.nr_running;
  q.need_resched = true;
}

void Scheduler::start() {
  for (auto& q : rqs_) {
    hw::Cpu& cpu = machine_.cpu(q->cpu);
    Task& idle = *q->idle;
    set_curr(*q, &idle);
    idle.running_on_ = &cpu;
    idle.on_cpu_ = true;
    idle.last_cpu_ = q->cpu;
    cpu.start_thread(idle.body());
  }
}

hw::Path Scheduler::set_current_state_sleeping(hw::Cpu& cpu, Task& self) {
  self.state_ = Task::State::kSleeping;
  co_await cpu.store(self.line_);
  co_await cpu.fence(params_.barrier);  // set_current_state implies smp_mb()
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
      queue_push(q, self);  // preempted or yielding: back of the queue
      self.queued_at_ = cpu.now();
    }
  }
  if (q.queue.empty() && params_.load_balance) co_await newidle_balance(cpu, q);
  Task* next = q.queue.empty() ? q.idle : &queue_pop_front(q);
  co_await cpu.store(q.line);
  if (next == &self) {  // nothing else to run
    co_await q.lock->release(cpu);
    co_await cpu.irq_enable();
    co_return;
  }
  co_await self.on_sched_out(cpu, !blocking);  // prepare_task_switch -> preempt notifiers
  co_await cpu.compute(params_.context_switch);
  ++context_switches_;
  if (!next->idle_) runqueue_delay_.record(cpu.now() - next->queued_at_);
  set_curr(q, next);
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
        if (first) machine_.interrupts().send_ipi(cpu.id(), target, kCallFunctionSingleVector);
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
  const CpuSet& allowed = *p.allowed_;
  hw::PcpuId prev = p.last_cpu_;
  if (!allowed.contains(prev)) prev = allowed.front();
  co_await cpu.load(rq(prev).line);
  if (is_idle(rq(prev))) co_return prev;
  // An idle pCPU sharing prev's LLC (select_idle_sibling), scanning a few after prev.
  const auto& members = llc_members_[static_cast<size_t>(machine_.topology().llc_of(prev))];
  const auto start = std::find(members.begin(), members.end(), prev);
  size_t scanned = 0;
  for (size_t i = 1; i < members.size() && scanned < kIdleScanLimit; ++i) {
    const hw::PcpuId c = members[(static_cast<size_t>(start - members.begin()) + i) % members.size()];
    if (!allowed.contains(c)) continue;
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
  queue_push(q, p);
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

namespace {
// The first waiting task of `queue` that may move to `to` (not still switching out: can_migrate_task).
template <class List>
Task* movable(List& queue, hw::PcpuId to) {
  for (Task& t : queue)
    if (!t.on_cpu() && t.allowed().contains(to)) return &t;
  return nullptr;
}
}  // namespace

hw::PathOf<bool> Scheduler::newidle_balance(hw::Cpu& cpu, Runqueue& q) {
  // The busiest overloaded runqueue with a task that may run here, preferring this LLC (the first sched
  // domain newidle_balance looks at).
  const hw::Topology& topology = machine_.topology();
  Runqueue* busiest = nullptr;
  bool busiest_local = false;
  overloaded_.for_each([&](hw::PcpuId c) {
    Runqueue& other = rq(c);
    if (&other == &q || movable(other.queue, q.cpu) == nullptr) return;
    const bool local = topology.llc_of(c) == topology.llc_of(q.cpu);
    if (busiest == nullptr || (local && !busiest_local) || (local == busiest_local && other.waiting > busiest->waiting))
      busiest = &other, busiest_local = local;
  });
  if (busiest == nullptr) co_return false;
  co_await cpu.load(busiest->line);
  co_await cpu.compute(params_.balance_work);
  // double_rq_lock: take the locks in pCPU order, dropping ours if it comes second; the second one
  // with raw_spin_rq_lock_nested(rq2, SINGLE_DEPTH_NESTING), as lockdep sees it.
  constexpr hw::LockSubclass kSingleDepthNesting{1};
  if (busiest->cpu < q.cpu) {
    co_await q.lock->release(cpu);
    co_await busiest->lock->acquire(cpu);
    co_await q.lock->acquire(cpu, kSingleDepthNesting);
  } else {
    co_await busiest->lock->acquire(cpu, kSingleDepthNesting);
  }
  Task* moved = q.queue.empty() ? movable(busiest->queue, q.cpu) : nullptr;  // things may have changed
  if (moved != nullptr) {
    queue_erase(*busiest, *moved);
    --busiest->nr_running;
    queue_push(q, *moved);
    ++q.nr_running;
    moved->last_cpu_ = q.cpu;
    co_await cpu.store(busiest->line);
    co_await cpu.store(moved->line_);
  }
  co_await busiest->lock->release(cpu);
  q.lock->lockdep_set_subclass(cpu, hw::LockSubclass{0});  // double_unlock_balance's lock_set_subclass
  co_return moved != nullptr;
}

void Scheduler::kick_idle_balancer(hw::Cpu& from, Runqueue& q) {
  if (!params_.load_balance || q.queue.empty()) return;
  // An idle pCPU that may run the first movable waiting task, this LLC first; it balances when it
  // reschedules.
  for (const Task& t : q.queue) {
    if (t.on_cpu_) continue;
    const CpuMask& allowed = t.allowed_->mask();
    const auto& llc = llc_masks_[static_cast<size_t>(machine_.topology().llc_of(q.cpu))];
    std::optional<hw::PcpuId> target = idle_mask_.first_common(allowed, llc);
    if (!target) target = idle_mask_.first_common(allowed);
    // is_idle also needs an empty queue and wakelist; need_resched means it is already coming.
    if (target && *target != q.cpu && is_idle(rq(*target)) && !rq(*target).need_resched) resched(from, rq(*target));
    return;
  }
}

void Scheduler::resched(hw::Cpu& from, Runqueue& q) {
  if (q.need_resched) return;
  q.need_resched = true;
  if (q.curr != nullptr && q.curr->poll_signal_ != nullptr) q.curr->poll_signal_->notify();
  if (q.cpu == from.id() || q.polling || params_.idle_state == IdleState::kPoll) {
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
  // IRQs are off in the handler, so it never nests on this pCPU: `waking` is free, and empty.
  std::vector<Task*>& woken = q.waking;
  woken.swap(q.wake_list);
  co_await q.lock->acquire(cpu);
  for (Task* p : woken) co_await activate(cpu, q, *p);
  woken.clear();
  co_await q.lock->release(cpu);
}

hw::Path Scheduler::timer_tick(hw::Cpu& cpu) {
  Runqueue& q = rq(cpu.id());
  co_await cpu.compute(params_.tick_handler);
  if (!q.queue.empty()) {
    co_await cpu.load(nohz_line_);  // nohz_balancer_kick reads the idle mask
    kick_idle_balancer(cpu, q);
  }
  std::vector<TimerCallback>& expired = q.running_timers;  // free and empty: the handler never nests
  expired.swap(q.expired);
  for (TimerCallback& callback : expired) co_await callback(cpu);
  expired.clear();
  if (q.curr != q.idle && !q.queue.empty()) {
    q.need_resched = true;
    if (q.curr->poll_signal_ != nullptr) q.curr->poll_signal_->notify();
  }
}

void Scheduler::reset_statistics() {
  runqueue_delay_.clear();
  context_switches_ = 0;
  idle_entries_ = {};
  rq_lock_class_.reset_statistics();
  pi_lock_class_.reset_statistics();
}

}  // namespace wakesim::kernel
