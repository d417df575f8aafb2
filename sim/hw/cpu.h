// A pCPU: runs paths (sim/hw/path.h) and takes interrupts.
//
// A pCPU executes a stack of contexts: the thread context (index 0) and a hard-IRQ context on top while
// a handler runs. Each context is suspended in exactly one primitive at any event boundary:
//  - a timed operation: compute(), load/store/rmw of a cache line (not interruptible);
//  - an interruptible wait: run_interruptible(), wait_for_change() (spinning), wait(Signal).
// An interrupt is taken when it arrives if the current context has IRQs enabled and is in an
// interruptible wait, else when the current operation completes with IRQs enabled, or when IRQs are
// re-enabled (shared/DESIGN.md §4). Taking it pushes a hard-IRQ context (IRQs off) that pays the wait's
// preemption cost (e.g. a VM exit, or an idle-state exit, given by the kernel model), the entry cost,
// runs the vector's handler and pays the exit cost; then the preempted wait continues: a compute
// resumes with its remaining time, run_interruptible returns early, a spinner re-reads its line.
// Spinning costs no event per iteration: the spinner sleeps until a write to the watched line.
//
// Memory: line operations go through Coherence (x86-TSO stores, cache levels). A path can issue a load
// early with prefetch() and consume it later with load(): independent loads then overlap (memory-level
// parallelism) while a dependent chain pays each miss. Work that is not modelled line by line (guest
// mode, host tasks, optionally kernel code) pollutes the caches as its TouchProfile says (pollution.h).
//
// Statistics: IRQ-off time (the stretches in which this pCPU cannot take an interrupt, handlers
// included) and interrupts taken.
#pragma once

#include <array>
#include <bitset>
#include <coroutine>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include "sim/engine/event.h"
#include "sim/engine/simulation.h"
#include "sim/engine/time.h"
#include "sim/hw/cache_line.h"
#include "sim/hw/coherence.h"
#include "sim/hw/frame_pool.h"
#include "sim/hw/ids.h"
#include "sim/hw/path.h"
#include "sim/hw/pollution.h"
#include "sim/hw/signal.h"
#include "sim/stats/latency_histogram.h"

namespace wakesim::hw {

class Machine;

// What a pCPU spends its time on, for the time-share metrics.
enum class Activity : uint8_t {
  kGuest,     // guest mode (run_interruptible with a guest hook)
  kHostTask,  // other host work (run_interruptible without a hook, e.g. a noise task)
  kKernel,    // host kernel code in thread context (compute and line operations)
  kIrq,       // hard-IRQ handlers, including entry and exit
  kSpin,      // spinning on a lock or flag (spin_until), in any context
  kPoll,      // waiting for a signal while busy-polling (KVM halt-polling)
  kIdle,      // idle: waiting in an idle state, or nothing to run
  kIdleExit,  // leaving an idle state after an interrupt arrived, before the interrupt is taken
};
inline constexpr int kActivities = 8;
const char* to_string(Activity a);

// Per-pCPU queue nodes for queued spinlocks (the kernel's qnodes: one per nesting level).
struct QueueNode {
  explicit QueueNode(int home_socket) : line(home_socket) {}
  CacheLine line;
  QueueNode* next = nullptr;
  bool locked = false;
};

class Cpu final : public FramePoolOwner, private PathPromiseBase::Owner {
 public:
  static constexpr int kMaxContexts = 4;
  using Handler = std::function<Path(Cpu&, Vector)>;

  Cpu(Machine& machine, PcpuId id);
  Cpu(const Cpu&) = delete;
  Cpu& operator=(const Cpu&) = delete;
  ~Cpu();

  PcpuId id() const { return id_; }
  Machine& machine() { return machine_; }
  engine::Simulation& sim() { return sim_; }
  engine::Time now() const { return sim_.now(); }

  // ---- Awaitable primitives, for use inside paths running on this pCPU -----------------------------
  struct TimedOp;
  struct InterruptibleOp;
  struct IrqEnableOp;
  struct SignalWait;
  struct LineWait;
  // Busy work for `cost`; an interrupt pauses it and it resumes afterwards.
  TimedOp compute(engine::Time cost);
  // Work (e.g. guest execution) that an interrupt ends early: it returns the time left (zero when it ran
  // in full), after the handler has run. `preempt_cost` is paid first when an interrupt ends it.
  // `hook` (optional) takes one vector without ending the work: VMX posted-interrupt processing, where
  // the notification vector arriving in guest mode is handled by the guest with no VM exit.
  struct InterruptHook {
    Vector vector;
    virtual void deliver(Cpu& cpu) = 0;

   protected:
    ~InterruptHook() = default;
  };
  // `touches`: how the work pollutes the caches meanwhile (nullptr: it does not).
  InterruptibleOp run_interruptible(engine::Time duration, engine::Time preempt_cost = engine::Time::zero(),
                                    InterruptHook* hook = nullptr, const TouchProfile* touches = nullptr);
  // A load; if the line was prefetched by this context and nobody wrote it since, it completes when
  // the early load does (it was issued then).
  TimedOp load(CacheLine& line);
  // Issues a load now without waiting (an out-of-order core executing an independent load early); a
  // later load() of the same line by this context consumes it.
  void prefetch(CacheLine& line);
  TimedOp store(CacheLine& line);
  TimedOp rmw(CacheLine& line);
  // smp_mb (mfence / a locked instruction): waits until every store of this pCPU is visible, plus `cost`.
  TimedOp fence(engine::Time cost);
  // How kernel code running on this pCPU pollutes the caches (nullptr: not at all, the default).
  // A deep idle state (core C6) writes back and invalidates the core's L1 and L2.
  void evict_private_caches();
  // local_irq_disable / local_irq_enable. Enabling takes pending interrupts at once.
  void irq_disable();
  IrqEnableOp irq_enable();
  bool irqs_enabled() const;
  // Waits until the line's version differs from `seen` (returns at once if it already does).
  LineWait wait_for_change(CacheLine& line, uint64_t seen);
  // Waits for signal.notify() (returning true and clearing it) or until `deadline` (returning false).
  // An interrupt meanwhile pays `preempt_cost` (e.g. an idle state's exit) and the wait goes on.
  // `activity` says what the pCPU is doing meanwhile (idle, or busy-polling).
  SignalWait wait(Signal& signal, engine::Time preempt_cost = engine::Time::zero(),
                  engine::Time deadline = engine::Time::max(), Activity activity = Activity::kIdle);
  // The idle loop's wait in an idle state: ends at signal.notify() (returning true) or after the
  // first interrupt's handler has run (returning false), as cpuidle returns to the idle loop after
  // every wakeup. The interrupt first pays `exit_latency`, which counts as idle exit: neither IRQ
  // time nor IRQs-off time (the irqsoff tracer excludes idle too).
  SignalWait idle(Signal& signal, engine::Time exit_latency);
  // When this pCPU last took an interrupt (its arrival, before any idle exit).
  engine::Time last_interrupt_at() const { return last_interrupt_at_; }
  // The idle exit the interrupt now being handled paid (zero when it did not find the pCPU idle).
  engine::Time idle_exit_of_interrupt() const {
    return depth_ >= 1 ? contexts_[static_cast<size_t>(depth_)].idle_exit : engine::Time::zero();
  }
  // Spins until pred() holds: reads the line, and while pred() is false waits for a write to it and
  // reads again. pred() is evaluated at each read's issue, i.e. on the value that read returns.
  template <class Pred>
  Path spin_until(CacheLine& line, Pred pred);

  // ---- Running paths and interrupts -------------------------------------------------------------
  // Runs `path` as this pCPU's thread context; the pCPU must be idle (no thread context).
  void start_thread(Path path);
  bool busy() const { return depth_ >= 0; }
  // An interrupt arrives at this pCPU (from Interrupts, after its delivery latency).
  void raise(Vector v);
  void set_handler(Vector v, Handler handler);
  int context_depth() const { return depth_; }  // -1 idle, 0 thread, >= 1 hard IRQ
  // Where the waits on wakeup-list locks (LockRole::kWakeupList) add up while a kernel path that
  // reports them runs on this pCPU (sched_in, the wakeup handler); null: nowhere. Returns the old one.
  engine::Time* exchange_list_wait_sink(engine::Time* sink) { return std::exchange(list_wait_sink_, sink); }
  engine::Time* list_wait_sink() const { return list_wait_sink_; }
  bool in_interrupt() const { return depth_ >= 1; }
  QueueNode& queue_node() { return *queue_nodes_[static_cast<size_t>(depth_ < 0 ? 0 : depth_)]; }

  // ---- Statistics ---------------------------------------------------------------------------------
  // The IRQ-off sections since the last reset (empty for a pCPU that has run nothing).
  const stats::LatencyHistogram& irq_off_time() const;
  // Time spent per activity since the last reset, up to now.
  engine::Time time_in(Activity a) const;
  uint64_t interrupts_taken() const { return interrupts_taken_; }
  uint64_t interrupts_coalesced() const { return interrupts_coalesced_; }
  void reset_statistics();

  // ---- Called by the hardware model -------------------------------------------------------------
  void line_changed(int context);  // a watched line was written
  void signal_notified(int context);
  void signal_destroyed(int context);

 private:
  enum class Wait : uint8_t { kNone, kTimed, kCompute, kInterruptible, kLine, kSignal, kIrqWindow };
  struct Context {
    std::coroutine_handle<> waiting;
    Wait wait = Wait::kNone;
    bool irqs_on = true;
    bool preempted = false;
    engine::Time end;                // when the current timed wait completes
    engine::Time remaining;          // of a preempted compute
    engine::Time preempt_cost;       // paid at interrupt entry when this wait is interrupted
    engine::Time deadline;           // of a signal wait
    bool idle_wait = false;          // a signal wait in an idle state (idle()): ends at an interrupt
    bool exiting_idle = false;       // an interrupt frame paying its idle exit
    engine::Time idle_exit;          // of this interrupt frame
    engine::Time* result = nullptr;  // run_interruptible's time left
    InterruptHook* hook = nullptr;
    const TouchProfile* touches = nullptr;  // of a run_interruptible
    CacheLine* line = nullptr;
    uint64_t seen_version = 0;
    LineWatcher watcher;
    Signal* signal = nullptr;
    Activity activity = Activity::kKernel;  // of the current wait
    int spinning = 0;                       // inside spin_until
    struct Prefetched {
      CacheLine* line = nullptr;
      uint64_t version = 0;
      engine::Time done;
    };
    std::array<Prefetched, 4> prefetched{};  // loads issued early, not yet consumed
    size_t next_prefetch = 0;
    Path top;  // the context's top-level path (the thread path, or the interrupt frame)
  };
  class Completion final : public engine::Event {
   public:
    explicit Completion(Cpu& cpu) : cpu_(cpu) {}
    void fire() override { cpu_.on_completion(); }
    std::string describe() const override;

   private:
    Cpu& cpu_;
  };

  Context& top() { return contexts_[static_cast<size_t>(depth_)]; }
  enum class Inline : uint8_t { kAllowed, kNever };
  // Returns false if the operation completed at once (the clock moved to `end`; see advance_inline).
  // Inline (below): it runs for most line operations. Every call it makes is its last step (a tail
  // call), so its common path needs no stack frame of its own.
  bool suspend_until(std::coroutine_handle<> h, Wait kind, engine::Time end, Inline allow);
  bool complete_or_wait(std::coroutine_handle<> h, Wait kind, engine::Time end, Inline allow);
  [[gnu::noinline]] bool change_activity_then_complete(std::coroutine_handle<> h, Wait kind, engine::Time end,
                                                       Inline allow);
  bool suspend_for_event(std::coroutine_handle<> h, Wait kind, engine::Time end);  // true
  void on_completion();
  void resume_top();
  bool can_interrupt_now() const;
  void take_interrupt();
  Path interrupt_frame(Vector v, engine::Time preempt_cost, engine::Time idle_exit);
  std::coroutine_handle<> path_finished(std::coroutine_handle<> finished) noexcept override;
  std::coroutine_handle<> continue_after_interrupt();
  void note_interruptible(bool on);
  void set_activity(Activity a) {
    // Guest and host-task work pollute at their declared rates; kernel code and idle touch only
    // modelled lines (sim/kernel/README.md, "Caches").
    const TouchProfile* touches = nullptr;
    if (a == Activity::kGuest || a == Activity::kHostTask) touches = depth_ >= 0 ? top().touches : nullptr;
    if (a == activity_ && touches == touching_) return;  // no change: the time accrues to it anyway
    change_activity(a, touches);
  }
  void change_activity(Activity a, const TouchProfile* touches);
  Activity activity_of(const Context& c, Wait kind) const {
    if (c.exiting_idle) return Activity::kIdleExit;
    if (c.spinning > 0 && (kind == Wait::kTimed || kind == Wait::kLine)) return Activity::kSpin;
    if (kind == Wait::kLine) return Activity::kSpin;
    return depth_ >= 1 ? Activity::kIrq : Activity::kKernel;
  }
  void begin_spin() { ++top().spinning; }
  void end_spin() { --top().spinning; }

  Machine& machine_;
  engine::Simulation& sim_;
  Coherence& coherence_;
  PcpuId id_;
  std::array<Context, kMaxContexts> contexts_;
  int depth_ = -1;
  engine::Time last_interrupt_at_;
  engine::Time* list_wait_sink_ = nullptr;
  Completion completion_{*this};
  std::bitset<256> pending_;
  std::array<Handler, 256> handlers_;
  std::array<std::unique_ptr<QueueNode>, kMaxContexts> queue_nodes_;
  bool interruptible_ = true;  // for IRQ-off accounting
  engine::Time irq_off_since_;
  // Made when the pCPU first runs a thread (or, with none, ends an IRQ-off section): a histogram is
  // 64 KB, and a lock benchmark's host has many more pCPUs than it uses, all built for every run.
  std::unique_ptr<stats::LatencyHistogram> irq_off_;
  uint64_t interrupts_taken_ = 0;
  uint64_t interrupts_coalesced_ = 0;
  Activity activity_ = Activity::kIdle;
  const TouchProfile* touching_ = nullptr;  // the profile Pollution has for this pCPU
  engine::Time activity_since_;
  std::array<engine::Time, kActivities> activity_time_{};
};

// ---- Awaiters ---------------------------------------------------------------------------------------

struct Cpu::TimedOp {
  Cpu& cpu;
  engine::Time end;
  Wait kind;
  bool await_ready() const noexcept { return end <= cpu.now(); }
  // Continues at once (false) when nothing else happens before `end` (Simulation::advance_inline).
  bool await_suspend(std::coroutine_handle<> h) { return cpu.suspend_until(h, kind, end, Inline::kAllowed); }
  void await_resume() const noexcept {}
};

struct Cpu::InterruptibleOp {
  Cpu& cpu;
  engine::Time duration;
  engine::Time preempt_cost;
  InterruptHook* hook;
  const TouchProfile* touches;
  engine::Time left;
  bool await_ready() const noexcept { return duration <= engine::Time::zero(); }
  void await_suspend(std::coroutine_handle<> h);
  engine::Time await_resume() const noexcept { return left; }
};

struct Cpu::IrqEnableOp {
  Cpu& cpu;
  bool await_ready() const noexcept;
  void await_suspend(std::coroutine_handle<> h);
  void await_resume() const noexcept {}
};

struct Cpu::LineWait {
  Cpu& cpu;
  CacheLine& line;
  uint64_t seen;
  bool await_ready() const noexcept { return line.version() != seen; }
  void await_suspend(std::coroutine_handle<> h);
  void await_resume() const noexcept {}
};

struct Cpu::SignalWait {
  Cpu& cpu;
  Signal& signal;
  engine::Time preempt_cost;
  engine::Time deadline;
  Activity activity;
  bool idle_wait = false;
  bool await_ready() const noexcept { return signal.notified() || deadline <= cpu.now(); }
  void await_suspend(std::coroutine_handle<> h);
  bool await_resume() const noexcept {
    const bool notified = signal.notified();
    signal.clear();
    return notified;
  }
};

inline bool Cpu::suspend_until(std::coroutine_handle<> h, Wait kind, engine::Time end, Inline allow) {
  Context& c = top();
  c.activity = activity_of(c, kind);
  // Whether set_activity(c.activity) would do anything, tested here so that the common path makes no
  // call: activity_of never gives guest or host-task work, so nothing changes when the pCPU already does
  // this activity with no stream of its own. Otherwise set_activity itself runs, out of line.
  if (c.activity != activity_ || touching_ != nullptr) [[unlikely]]
    return change_activity_then_complete(h, kind, end, allow);
  return complete_or_wait(h, kind, end, allow);
}

inline bool Cpu::complete_or_wait(std::coroutine_handle<> h, Wait kind, engine::Time end, Inline allow) {
  // Nothing can happen to this pCPU before `end` unless an event does: with none due, the operation
  // completes now (on_completion's work, without the event; the context's wait stays kNone). A
  // pending interrupt waiting for this operation to complete takes the event path.
  if (allow == Inline::kAllowed && !(top().irqs_on && pending_.any()) && sim_.advance_inline(end)) return false;
  return suspend_for_event(h, kind, end);
}

// A timed operation whose co_await yields `value`, read when the operation was issued: a one-operation
// kernel step that returns what it read (pi_test_on) without a coroutine frame of its own.
template <class T>
struct TimedResult {
  Cpu::TimedOp op;
  T value;
  bool await_ready() const noexcept { return op.await_ready(); }
  bool await_suspend(std::coroutine_handle<> h) { return op.await_suspend(h); }
  T await_resume() const noexcept { return value; }
};

template <class Pred>
Path Cpu::spin_until(CacheLine& line, Pred pred) {
  begin_spin();
  for (;;) {
    const uint64_t seen = line.version();
    const bool done = pred();
    co_await load(line);
    if (done) break;
    co_await wait_for_change(line, seen);
  }
  end_spin();
}

}  // namespace wakesim::hw
