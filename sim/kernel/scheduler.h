// The host scheduler (kernel/sched, much simplified): one runqueue per pCPU with a FIFO of runnable
// tasks, round-robin with a time slice while others wait, wake placement (the previous pCPU if idle,
// else an idle pCPU sharing its LLC, else queue on the previous one; within the task's affinity), the
// runqueue lock and each task's pi_lock as real spinlocks on cache lines, try_to_wake_up with a local
// enqueue or the remote wakelist + IPI (ttwu_queue_cond: another LLC, or an idle target), resched IPIs,
// context-switch cost, and idle pCPUs waiting in an idle state whose exit latency an interrupt pays.
// Every code path is timed on the pCPU running it. A task still switching out (on_cpu) is waited for
// by spinning, not through the wakelist (WF_ON_CPU is not modelled).
//
// schedule() follows __schedule(): IRQs off, rq lock, dequeue a blocking task (or requeue a preempted
// one), pick the next, the sched_out notifier (KVM's vmx_vcpu_pi_put) with the lock held, the switch;
// the next task then runs finish_task_switch: prev->on_cpu = 0, unlock, IRQs on, its sched_in notifier.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <boost/intrusive/list.hpp>

#include "sim/engine/event.h"
#include "sim/engine/inline_function.h"
#include "sim/hw/machine.h"
#include "sim/hw/path.h"
#include "sim/hw/spinlock.h"
#include "sim/kernel/idle_governor.h"
#include "sim/kernel/kernel_params.h"
#include "sim/kernel/task.h"
#include "sim/stats/latency_histogram.h"

namespace wakesim::kernel {

class Scheduler {
 public:
  Scheduler(hw::Machine& machine, const KernelParams& params);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  ~Scheduler();

  // The shared affinity set of these pCPUs (tasks with equal affinity share one object).
  CpuSetPtr cpu_set(std::vector<hw::PcpuId> cpus);
  // Makes `task` runnable on its first allowed pCPU (before start()).
  void add_task(Task& task);
  // Starts every pCPU's idle task; the scheduler takes it from there.
  void start();

  // Called by the running task `self`: gives up the pCPU. If self's state is kSleeping it blocks
  // until try_to_wake_up; otherwise it stays runnable at the tail of its runqueue.
  hw::Path schedule(Task& self);
  // The first thing a task's body does when it first runs (ret_from_fork -> schedule_tail).
  hw::Path schedule_tail(Task& self);
  // set_current_state(TASK_INTERRUPTIBLE): a store to the task's line, with a full barrier.
  hw::Path set_current_state_sleeping(hw::Cpu& cpu, Task& self);
  void set_running(Task& self) { self.state_ = Task::State::kRunning; }
  // try_to_wake_up(p) run on `cpu`; true if it woke p (false: p was not sleeping).
  hw::PathOf<bool> try_to_wake_up(hw::Cpu& cpu, Task& p);

  // hrtimers: `callback` runs in the timer interrupt of `cpu` at `when` (LOCAL_TIMER_VECTOR).
  using TimerCallback = engine::InlineFunction<hw::Path(hw::Cpu&)>;  // never allocates
  using TimerId = uint64_t;
  TimerId add_timer(hw::PcpuId cpu, engine::Time when, TimerCallback callback);
  TimerId next_timer_id() const { return timer_sequence_; }  // what the next add_timer returns
  // Moves a pending timer to another pCPU (hrtimer_cancel + hrtimer_start there, as KVM migrates a
  // vCPU's APIC timer to the pCPU it is loaded on). False if it is no longer pending on `from`.
  bool move_timer(TimerId id, hw::PcpuId from, hw::PcpuId to);
  // Time from now to the earliest pending timer of `cpu` (Time::max(): none), what the idle
  // governor reads as the next timer event (tick_nohz_get_sleep_length).
  engine::Time until_next_timer(hw::PcpuId cpu) const;

  bool need_resched(hw::PcpuId cpu) const { return rq(cpu).need_resched; }
  bool single_task_running(hw::PcpuId cpu) const { return rq(cpu).nr_running <= 1; }
  Task* current(hw::PcpuId cpu) const { return rq(cpu).curr; }
  const KernelParams& params() const { return params_; }
  hw::Machine& machine() { return machine_; }
  // Idle periods since the last reset, by the state the governor chose.
  const std::array<uint64_t, hw::kIdleStates>& idle_entries() const { return idle_entries_; }
  hw::LockClass& rq_lock_class() { return rq_lock_class_; }
  hw::LockClass& pi_lock_class() { return pi_lock_class_; }
  const stats::LatencyHistogram& runqueue_delay() const { return runqueue_delay_; }
  uint64_t context_switches() const { return context_switches_; }
  void reset_statistics();

 private:
  using TaskList = boost::intrusive::list<
      Task,
      boost::intrusive::member_hook<
          Task, boost::intrusive::list_member_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>,
          &Task::rq_hook>,
      boost::intrusive::constant_time_size<false>>;
  class IdleTask;
  class TimerExpiry final : public engine::Event {
   public:
    TimerExpiry(Scheduler& s, hw::PcpuId cpu) : s_(s), cpu_(cpu) {}
    void fire() override;
    std::string describe() const override;

   private:
    Scheduler& s_;
    hw::PcpuId cpu_;
  };
  struct Timer {
    engine::Time when;
    uint64_t sequence;
    TimerCallback callback;
  };
  class SliceTimer final : public engine::Event {
   public:
    SliceTimer(Scheduler& s, hw::PcpuId cpu) : s_(s), cpu_(cpu) {}
    void fire() override;
    std::string describe() const override;

   private:
    Scheduler& s_;
    hw::PcpuId cpu_;
  };
  struct Runqueue {
    hw::PcpuId cpu;
    std::unique_ptr<hw::Spinlock> lock;  // rq->__lock
    hw::CacheLine line;                  // RQ[c]: nr_running, curr, the task list
    TaskList queue;                      // runnable, not running
    Task* curr = nullptr;
    Task* idle = nullptr;
    Task* switched_out = nullptr;  // prev, for finish_task_switch
    uint32_t nr_running = 0;       // tasks on this rq, the running one included (not idle)
    uint32_t waiting = 0;          // tasks in `queue`
    bool need_resched = false;
    hw::Signal resched;            // the idle task waits on it
    std::vector<Task*> wake_list;  // remote wakelist (llist)
    std::vector<Task*> waking;     // wake_list as taken by the wakelist IPI (storage reused)
    hw::CacheLine wake_list_line;
    std::unique_ptr<SliceTimer> slice_timer;
    std::vector<Timer> timers;  // min-heap on (when, sequence)
    std::vector<TimerCallback> expired;
    std::vector<TimerCallback> running_timers;  // expired as taken by the timer interrupt (storage reused)
    std::unique_ptr<TimerExpiry> timer_expiry;
    std::unique_ptr<IdleGovernor> governor;
    bool polling = false;  // the idle task polls need_resched (TIF_POLLING_NRFLAG): no IPI needed
    explicit Runqueue(int socket) : line(socket), wake_list_line(socket) {}
  };

  static constexpr size_t kLineCopiesReserved = 16;
  Runqueue& rq(hw::PcpuId cpu) { return *rqs_[cpu.value]; }
  void reserve_for_task(Runqueue& q);
  void queue_push(Runqueue& q, Task& t);
  Task& queue_pop_front(Runqueue& q);
  void queue_erase(Runqueue& q, Task& t);
  void set_curr(Runqueue& q, Task* t);
  const Runqueue& rq(hw::PcpuId cpu) const { return *rqs_[cpu.value]; }
  hw::PathOf<hw::PcpuId> select_task_rq(hw::Cpu& cpu, Task& p);
  bool is_idle(const Runqueue& q) const { return q.curr == q.idle && q.nr_running == 0 && q.wake_list.empty(); }
  // Enqueues p on q (q's lock held by the caller on `cpu`) and preempts q's idle task if needed.
  hw::Path activate(hw::Cpu& cpu, Runqueue& q, Task& p);
  void resched(hw::Cpu& from, Runqueue& q);
  // Pulls one waiting task into q from the busiest runqueue (q's lock held on `cpu`; it may be dropped
  // and retaken to lock in pCPU order). Returns whether a task moved.
  hw::PathOf<bool> newidle_balance(hw::Cpu& cpu, Runqueue& q);
  // Asks an idle pCPU that may run one of q's waiting tasks to balance (nohz_balancer_kick).
  void kick_idle_balancer(hw::Cpu& from, Runqueue& q);
  void arm_slice(Runqueue& q);
  hw::Path finish_task_switch(hw::Cpu& cpu, Task& self);
  hw::Path resched_ipi(hw::Cpu& cpu);
  hw::Path wakelist_ipi(hw::Cpu& cpu);
  hw::Path timer_tick(hw::Cpu& cpu);

  hw::Machine& machine_;
  KernelParams params_;
  hw::LockClass rq_lock_class_{"rq->__lock", "rq"};
  hw::LockClass pi_lock_class_{"p->pi_lock", "pi_lock"};
  std::vector<std::unique_ptr<Runqueue>> rqs_;
  std::vector<std::unique_ptr<Task>> idle_tasks_;
  stats::LatencyHistogram runqueue_delay_;
  uint64_t context_switches_ = 0;
  uint64_t timer_sequence_ = 0;
  std::array<uint64_t, hw::kIdleStates> idle_entries_{};
  hw::CacheLine nohz_line_{0};  // nohz.idle_cpus_mask, read by every kick
  CpuMask idle_mask_;           // runqueues whose current task is the idle task
  CpuMask overloaded_;          // runqueues with tasks waiting
  std::vector<CpuMask> llc_masks_;
  std::vector<std::vector<hw::PcpuId>> llc_members_;
  std::map<std::vector<uint32_t>, CpuSetPtr> cpu_sets_;
};

}  // namespace wakesim::kernel
