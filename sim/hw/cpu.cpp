#include "sim/hw/cpu.h"

#include "sim/engine/errors.h"
#include "sim/hw/machine.h"

namespace wakesim::hw {

using engine::Time;

void Signal::notify() {
  notified_ = true;
  if (waiter_ != nullptr) {
    Cpu* cpu = waiter_;
    waiter_ = nullptr;
    cpu->signal_notified(waiter_context_);
  }
}

Signal::~Signal() {
  if (waiter_ != nullptr) waiter_->signal_destroyed(waiter_context_);
}

void Cpu::signal_destroyed(int context) {
  if (context >= 0 && context < kMaxContexts) contexts_[static_cast<size_t>(context)].signal = nullptr;
}

const char* to_string(Activity a) {
  switch (a) {
    case Activity::kGuest:
      return "guest";
    case Activity::kHostTask:
      return "host_task";
    case Activity::kKernel:
      return "kernel";
    case Activity::kIrq:
      return "irq";
    case Activity::kSpin:
      return "spin";
    case Activity::kPoll:
      return "poll";
    case Activity::kIdle:
      return "idle";
    case Activity::kIdleExit:
      return "idle_exit";
  }
  return "?";
}

void Cpu::change_activity(Activity a, const TouchProfile* touches) {
  const Time now = sim_.now();
  activity_time_[static_cast<size_t>(activity_)] += now - activity_since_;
  activity_since_ = now;
  activity_ = a;
  if (touches != touching_) {
    touching_ = touches;
    machine_.pollution().set_profile(id_, touches, now);
  }
}

void Cpu::evict_private_caches() {
  // As if far more than the L2 had been brought in: no private copy survives (cache_levels.h).
  machine_.pollution().add_to_core(static_cast<uint32_t>(machine_.topology().core_of(id_)),
                                   64 * machine_.params().cache.l2_size.value);
}

Time Cpu::time_in(Activity a) const {
  Time t = activity_time_[static_cast<size_t>(a)];
  if (a == activity_) t += sim_.now() - activity_since_;
  return t;
}

std::string Cpu::Completion::describe() const { return fmt::format("pCPU {} operation completes", cpu_.id()); }

Cpu::Cpu(Machine& machine, PcpuId id)
    : FramePoolOwner(machine.frame_pool()),
      machine_(machine),
      sim_(machine.sim()),
      coherence_(machine.coherence()),
      id_(id) {
  for (int i = 0; i < kMaxContexts; ++i) {
    contexts_[static_cast<size_t>(i)].watcher.cpu = this;
    contexts_[static_cast<size_t>(i)].watcher.context = i;
    queue_nodes_[static_cast<size_t>(i)] = std::make_unique<QueueNode>(machine.topology().socket_of(id));
  }
}

Cpu::~Cpu() {
  sim_.cancel(completion_);
  for (int d = depth_; d >= 0; --d) {
    Context& c = contexts_[static_cast<size_t>(d)];
    c.watcher.unlink();  // lines may outlive the pCPU; signals may not (a Signal unregisters itself)
    c.top.reset();
  }
}

// ---- primitives -------------------------------------------------------------------------------------

Cpu::TimedOp Cpu::compute(Time cost) { return TimedOp{*this, now() + cost, Wait::kCompute}; }
Cpu::TimedOp Cpu::load(CacheLine& line) {
  if (depth_ >= 0) {
    for (Context::Prefetched& p : top().prefetched) {
      if (p.line != &line) continue;
      p.line = nullptr;
      if (line.version() == p.version) return TimedOp{*this, std::max(now(), p.done), Wait::kTimed};
      break;  // written since it was read early: the load is replayed
    }
  }
  return TimedOp{*this, coherence_.access(line, id_, Access::kLoad), Wait::kTimed};
}

void Cpu::prefetch(CacheLine& line) {
  WAKESIM_CHECK(depth_ >= 0, "prefetch outside any context on pCPU {}", id_);
  Context& c = top();
  for (const Context::Prefetched& p : c.prefetched)
    if (p.line == &line && p.version == line.version()) return;
  Context::Prefetched& slot = c.prefetched[c.next_prefetch];
  c.next_prefetch = (c.next_prefetch + 1) % c.prefetched.size();
  slot.line = &line;
  slot.version = line.version();
  slot.done = coherence_.access(line, id_, Access::kLoad);
}

Cpu::TimedOp Cpu::fence(Time cost) {
  return TimedOp{*this, std::max(now(), coherence_.stores_visible(id_)) + cost, Wait::kTimed};
}
Cpu::TimedOp Cpu::store(CacheLine& line) {
  return TimedOp{*this, coherence_.access(line, id_, Access::kStore), Wait::kTimed};
}
Cpu::TimedOp Cpu::rmw(CacheLine& line) {
  return TimedOp{*this, coherence_.access(line, id_, Access::kRmw), Wait::kTimed};
}

Cpu::InterruptibleOp Cpu::run_interruptible(Time duration, Time preempt_cost, InterruptHook* hook,
                                            const TouchProfile* touches) {
  return InterruptibleOp{*this, duration, preempt_cost, hook, touches, Time::zero()};
}

void Cpu::InterruptibleOp::await_suspend(std::coroutine_handle<> h) {
  cpu.suspend_until(h, Wait::kInterruptible, cpu.now() + duration, Inline::kNever);
  Context& c = cpu.top();
  c.preempt_cost = preempt_cost;
  c.result = &left;
  c.hook = hook;
  c.touches = touches;
  c.activity = hook != nullptr ? Activity::kGuest : (cpu.depth_ >= 1 ? Activity::kIrq : Activity::kHostTask);
  cpu.set_activity(c.activity);
}

void Cpu::irq_disable() {
  WAKESIM_CHECK(depth_ >= 0, "irq_disable outside any context on pCPU {}", id_);
  top().irqs_on = false;
  note_interruptible(false);
}

Cpu::IrqEnableOp Cpu::irq_enable() { return IrqEnableOp{*this}; }

bool Cpu::IrqEnableOp::await_ready() const noexcept {
  Context& c = cpu.top();
  c.irqs_on = true;
  cpu.note_interruptible(true);
  return cpu.pending_.none();
}

void Cpu::IrqEnableOp::await_suspend(std::coroutine_handle<> h) {
  Context& c = cpu.top();
  c.waiting = h;
  c.wait = Wait::kIrqWindow;
  c.activity = cpu.depth_ >= 1 ? Activity::kIrq : Activity::kKernel;
  cpu.take_interrupt();
}

bool Cpu::irqs_enabled() const { return depth_ < 0 || contexts_[static_cast<size_t>(depth_)].irqs_on; }

Cpu::LineWait Cpu::wait_for_change(CacheLine& line, uint64_t seen) { return LineWait{*this, line, seen}; }

void Cpu::LineWait::await_suspend(std::coroutine_handle<> h) {
  Context& c = cpu.top();
  c.waiting = h;
  c.wait = Wait::kLine;
  c.line = &line;
  c.preempt_cost = Time::zero();
  c.activity = Activity::kSpin;
  cpu.set_activity(c.activity);
  line.watchers_.push_back(c.watcher);
}

Cpu::SignalWait Cpu::wait(Signal& signal, Time preempt_cost, Time deadline, Activity activity) {
  return SignalWait{*this, signal, preempt_cost, deadline, activity};
}

Cpu::SignalWait Cpu::idle(Signal& signal, Time exit_latency) {
  return SignalWait{*this, signal, exit_latency, Time::max(), Activity::kIdle, /*idle_wait=*/true};
}

void Cpu::SignalWait::await_suspend(std::coroutine_handle<> h) {
  Context& c = cpu.top();
  WAKESIM_CHECK(signal.waiter_ == nullptr, "two contexts wait on one signal (pCPU {})", cpu.id());
  c.waiting = h;
  c.wait = Wait::kSignal;
  c.signal = &signal;
  c.preempt_cost = preempt_cost;
  c.deadline = deadline;
  c.idle_wait = idle_wait;
  c.activity = activity;
  cpu.set_activity(activity);
  signal.waiter_ = &cpu;
  signal.waiter_context_ = cpu.depth_;
  if (deadline != Time::max()) cpu.sim_.schedule_at(cpu.completion_, deadline, engine::Priority::kCompletion);
}

bool Cpu::suspend_for_event(std::coroutine_handle<> h, Wait kind, Time end) {
  Context& c = top();
  c.waiting = h;
  c.wait = kind;
  c.end = end;
  c.preempt_cost = Time::zero();
  c.hook = nullptr;
  c.touches = nullptr;
  sim_.schedule_at(completion_, end, engine::Priority::kCompletion);
  return true;
}

bool Cpu::change_activity_then_complete(std::coroutine_handle<> h, Wait kind, Time end, Inline allow) {
  set_activity(top().activity);
  return complete_or_wait(h, kind, end, allow);
}

const stats::LatencyHistogram& Cpu::irq_off_time() const {
  static const stats::LatencyHistogram kNone;  // an immutable empty histogram, shared by every machine
  return irq_off_ ? *irq_off_ : kNone;
}

// ---- running ----------------------------------------------------------------------------------------

void Cpu::start_thread(Path path) {
  WAKESIM_CHECK(depth_ == -1, "pCPU {} already runs a thread context", id_);
  if (!irq_off_) irq_off_ = std::make_unique<stats::LatencyHistogram>();
  depth_ = 0;
  Context& c = top();
  c.spinning = 0;
  c.irqs_on = true;
  c.wait = Wait::kNone;
  c.preempted = false;
  c.top = std::move(path);
  c.top.handle().promise().owner = this;
  c.prefetched = {};
  note_interruptible(true);
  c.top.handle().resume();
}

void Cpu::set_handler(Vector v, Handler handler) { handlers_[v.value] = std::move(handler); }

void Cpu::raise(Vector v) {
  if (depth_ >= 0) {
    Context& c = top();
    if (c.wait == Wait::kInterruptible && c.hook != nullptr && c.hook->vector == v && !c.preempted) {
      c.hook->deliver(*this);
      return;
    }
  }
  if (pending_.test(v.value)) {
    ++interrupts_coalesced_;
    return;
  }
  pending_.set(v.value);
  if (can_interrupt_now()) take_interrupt();
}

bool Cpu::can_interrupt_now() const {
  if (depth_ < 0) return true;
  const Context& c = contexts_[static_cast<size_t>(depth_)];
  if (!c.irqs_on) return false;
  switch (c.wait) {
    case Wait::kCompute:
    case Wait::kInterruptible:
    case Wait::kLine:
    case Wait::kSignal:
    case Wait::kIrqWindow:
      return true;
    default:
      return false;
  }
}

void Cpu::on_completion() {
  Context& c = top();
  if (c.wait == Wait::kInterruptible) *c.result = Time::zero();
  if (c.wait == Wait::kSignal && c.signal->waiter_ == this) c.signal->waiter_ = nullptr;  // deadline reached
  c.wait = Wait::kNone;
  resume_top();
}

void Cpu::resume_top() {
  Context& c = top();
  if (c.irqs_on && pending_.any()) {
    c.wait = Wait::kIrqWindow;
    take_interrupt();
    return;
  }
  std::coroutine_handle<> h = std::exchange(c.waiting, {});
  h.resume();
}

void Cpu::line_changed(int context) {
  if (context != depth_) return;
  Context& c = top();
  if (c.wait == Wait::kLine) sim_.schedule_at(completion_, now(), engine::Priority::kCompletion);
}

void Cpu::signal_notified(int context) {
  if (context != depth_) return;  // preempted: continue_after_interrupt sees the flag
  Context& c = top();
  if (c.wait == Wait::kSignal) sim_.schedule_at(completion_, now(), engine::Priority::kCompletion);
}

void Cpu::take_interrupt() {
  last_interrupt_at_ = now();
  Time preempt_cost = Time::zero();
  Time idle_exit = Time::zero();
  if (depth_ >= 0) {
    Context& c = top();
    if (!c.preempted) {
      switch (c.wait) {
        case Wait::kCompute:
          sim_.cancel(completion_);
          c.remaining = c.end - now();
          break;
        case Wait::kInterruptible:
          sim_.cancel(completion_);
          *c.result = c.end - now();
          preempt_cost = c.preempt_cost;
          break;
        case Wait::kLine:
          sim_.cancel(completion_);
          c.watcher.unlink();
          break;
        case Wait::kSignal:
          sim_.cancel(completion_);
          if (c.signal->waiter_ == this) c.signal->waiter_ = nullptr;
          (c.idle_wait ? idle_exit : preempt_cost) = c.preempt_cost;
          break;
        case Wait::kIrqWindow:
          break;
        default:
          WAKESIM_CHECK(false, "pCPU {} interrupted in an uninterruptible operation", id_);
      }
      c.preempted = true;
    }
  }
  int vector = 255;
  while (!pending_.test(static_cast<size_t>(vector))) --vector;  // the highest pending vector first
  pending_.reset(static_cast<size_t>(vector));
  ++depth_;
  WAKESIM_CHECK(depth_ < kMaxContexts, "interrupts nested too deeply on pCPU {}", id_);
  Context& irq = top();
  irq.spinning = 0;
  irq.irqs_on = false;
  irq.wait = Wait::kNone;
  irq.preempted = false;
  irq.prefetched = {};
  irq.touches = nullptr;
  irq.idle_wait = false;
  irq.exiting_idle = false;
  irq.idle_exit = idle_exit;
  note_interruptible(false);
  set_activity(Activity::kIrq);
  ++interrupts_taken_;
  irq.top = interrupt_frame(Vector{static_cast<uint8_t>(vector)}, preempt_cost, idle_exit);
  irq.top.handle().promise().owner = this;
  irq.top.handle().resume();
}

Path Cpu::interrupt_frame(Vector v, Time preempt_cost, Time idle_exit) {
  const IrqParams& irq = machine_.params().irq;
  if (idle_exit > Time::zero()) {
    // The core leaves its idle state before it takes the interrupt: idle-exit time, and IRQs-off
    // time starts only once the interrupt is taken.
    top().exiting_idle = true;
    co_await compute(idle_exit);
    top().exiting_idle = false;
    irq_off_since_ = now();
  }
  co_await compute(preempt_cost + irq.entry);
  if (handlers_[v.value]) co_await handlers_[v.value](*this, v);
  co_await compute(irq.exit);
}

std::coroutine_handle<> Cpu::path_finished(std::coroutine_handle<> finished) noexcept {
  Context& c = top();
  if (c.top.handle().address() == finished.address()) c.top.reset();  // destroys the finished frame (it is suspended)
  --depth_;
  if (depth_ < 0) {
    note_interruptible(true);
    set_activity(Activity::kIdle);
    if (pending_.any()) take_interrupt();  // raised during the handler: a pCPU with no thread takes it now
    return std::noop_coroutine();
  }
  note_interruptible(top().irqs_on);
  set_activity(top().activity);
  return continue_after_interrupt();
}

std::coroutine_handle<> Cpu::continue_after_interrupt() {
  Context& c = top();
  if (c.irqs_on && pending_.any()) {  // another interrupt is waiting: take it before resuming
    take_interrupt();
    return std::noop_coroutine();
  }
  c.preempted = false;
  switch (c.wait) {
    case Wait::kCompute:
      if (c.remaining > Time::zero()) {
        c.end = now() + c.remaining;
        sim_.schedule_at(completion_, c.end, engine::Priority::kCompletion);
        return std::noop_coroutine();
      }
      break;
    case Wait::kSignal:
      if (!c.idle_wait && !c.signal->notified() && now() < c.deadline) {
        c.signal->waiter_ = this;
        c.signal->waiter_context_ = depth_;
        if (c.deadline != Time::max()) sim_.schedule_at(completion_, c.deadline, engine::Priority::kCompletion);
        return std::noop_coroutine();
      }
      break;
    default:
      break;
  }
  c.wait = Wait::kNone;
  return std::exchange(c.waiting, {});
}

void Cpu::note_interruptible(bool on) {
  if (on == interruptible_) return;
  if (on) {
    if (!irq_off_) [[unlikely]]
      irq_off_ = std::make_unique<stats::LatencyHistogram>();
    irq_off_->record(now() - irq_off_since_);
    if (LockdepRecorder* lockdep = machine_.lockdep()) lockdep->irq_section_end(id_, now() - irq_off_since_);
  } else {
    irq_off_since_ = now();
  }
  interruptible_ = on;
}

void Cpu::reset_statistics() {
  activity_time_ = {};
  activity_since_ = now();
  if (irq_off_) irq_off_->clear();
  if (!interruptible_) irq_off_since_ = now();
  interrupts_taken_ = 0;
  interrupts_coalesced_ = 0;
}

}  // namespace wakesim::hw
