// Where the time of one wakeup goes, for the wakeups that take the POSTED_INTR_WAKEUP_VECTOR path (the
// other paths, software and halt-poll, have their latency per path but no decomposition):
// timestamps taken along the path (by the kernel and the wakeup-list operations, so designs need no
// instrumentation), turned into consecutive components that add up to the whole latency.
#pragma once

#include <array>
#include <optional>

#include "sim/engine/time.h"
#include "sim/stats/latency_histogram.h"

namespace wakesim::kernel {

enum class WakeComponent : uint8_t {
  kNotification,   // posting -> the wakeup handler runs, less the idle exit (delivery, VM exit, IRQ entry)
  kIdleExit,       // the target pCPU leaving its idle state before it takes the notification
  kHandlerLock,    // handler start -> its walk starts (waiting for the list lock)
  kWalkPosition,   // walk start -> the handler reaches this vCPU (the nodes before it)
  kWake,           // reached -> try_to_wake_up placed it on a runqueue
  kRunqueueDelay,  // placed -> its sched_in notifier starts (queueing, pick, switch, finish_task_switch)
  kSchedInLock,    // sched_in starts -> removed from the old pCPU's list (PID read, the old list's lock)
  kVmEntry,        // removed -> VM entry (notification vector restored, PIR synced, entry)
};
inline constexpr int kWakeComponents = 8;
const char* to_string(WakeComponent c);

struct WakeTrace {
  std::optional<engine::Time> posted, handler_start, walk_start, reached, woken, picked, removed;
  engine::Time idle_exit;  // paid by the interrupt whose handler reached the vCPU
  void reset() { *this = WakeTrace{}; }
};

struct WakeDecomposition {
  std::array<stats::LatencyHistogram, kWakeComponents> components;
  // Records a complete trace ending at VM entry `entry`; incomplete traces are ignored.
  void record(const WakeTrace& t, engine::Time entry);
  void clear() {
    for (auto& h : components) h.clear();
  }
};

}  // namespace wakesim::kernel
