// A host task (a thread): a vCPU thread or a pCPU's idle task. Its code is a path
// that runs forever and calls Scheduler::schedule() to give up its pCPU; when it is picked again it
// continues right there, possibly on another pCPU (so task code asks cpu() after every schedule()).
//
// The fields try_to_wake_up and schedule() use live in cache lines as in task_struct: `line` holds
// __state, on_rq, on_cpu and cpu (T[x] in reference/kvm-wakeup-paths.md §7); pi_lock is a spinlock.
#pragma once

#include <coroutine>
#include <memory>
#include <string>
#include <vector>

#include <boost/intrusive/list.hpp>

#include "sim/hw/cache_line.h"
#include "sim/hw/cpu.h"
#include "sim/hw/path.h"
#include "sim/hw/spinlock.h"
#include "sim/kernel/cpu_set.h"

namespace wakesim::kernel {

class Scheduler;

class Task {
 public:
  enum class State : uint8_t {
    kRunning,   // TASK_RUNNING: on a runqueue (running or waiting to)
    kSleeping,  // TASK_INTERRUPTIBLE: set before schedule() to block
    kWaking,    // TASK_WAKING: try_to_wake_up is placing it
  };

  Task(Scheduler& scheduler, std::string name, CpuSetPtr allowed);
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  virtual ~Task();

  const std::string& name() const { return name_; }
  hw::Cpu& cpu() const { return *running_on_; }  // valid while the task runs
  bool running() const { return running_on_ != nullptr; }
  // Where the frames of this task's paths come from (hw/path.h): its pCPU's pool while it runs.
  hw::FramePool* running_frame_pool() const { return running_on_ != nullptr ? &running_on_->frame_pool() : nullptr; }
  State state() const { return state_; }
  bool on_rq() const { return on_rq_; }
  bool on_cpu() const { return on_cpu_; }
  const CpuSet& allowed() const { return *allowed_; }
  hw::CacheLine& line() { return line_; }
  hw::Spinlock& pi_lock() { return *pi_lock_; }

  // While set, a wake-up onto this task's runqueue or a need_resched notifies it (halt-polling).
  void set_poll_signal(hw::Signal* s) { poll_signal_ = s; }

 protected:
  // The task's code; it must start with `co_await scheduler.schedule_tail(*this)` and never return.
  virtual hw::Path body() = 0;
  // Preempt notifiers (kvm_sched_out / kvm_sched_in): run with the runqueue lock held and IRQs off,
  // respectively after the switch with IRQs on. `preempted`: the task stays runnable.
  virtual hw::Path on_sched_out(hw::Cpu& cpu, bool preempted);
  virtual hw::Path on_sched_in(hw::Cpu& cpu);
  Scheduler& scheduler_;

 private:
  friend class Scheduler;
  std::string name_;
  CpuSetPtr allowed_;
  State state_ = State::kRunning;
  bool on_rq_ = false;
  bool on_cpu_ = false;
  bool idle_ = false;
  hw::PcpuId last_cpu_;
  hw::Cpu* running_on_ = nullptr;
  hw::CacheLine line_;
  std::unique_ptr<hw::Spinlock> pi_lock_;
  hw::Signal* poll_signal_ = nullptr;
  std::coroutine_handle<> resume_;  // where the task is suspended while switched out
  hw::Path body_;                   // the task's code (owned; started at the first switch-in)
  engine::Time queued_at_;          // when it last became runnable (for run-queue delay)
 public:
  // Unlinks itself from its runqueue when the task is destroyed.
  boost::intrusive::list_member_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> rq_hook;
};

}  // namespace wakesim::kernel
