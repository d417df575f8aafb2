#include "sim/kernel/wakeup_trace.h"

namespace wakesim::kernel {

const char* to_string(WakeComponent c) {
  switch (c) {
    case WakeComponent::kNotification:
      return "notification";
    case WakeComponent::kIdleExit:
      return "idle_exit";
    case WakeComponent::kHandlerLock:
      return "handler_lock";
    case WakeComponent::kWalkPosition:
      return "walk_position";
    case WakeComponent::kWake:
      return "wake";
    case WakeComponent::kRunqueueDelay:
      return "runqueue_delay";
    case WakeComponent::kSchedInLock:
      return "sched_in_lock";
    case WakeComponent::kVmEntry:
      return "vm_entry";
  }
  return "?";
}

void WakeDecomposition::record(const WakeTrace& t, engine::Time entry) {
  if (!t.posted || !t.handler_start || !t.walk_start || !t.reached || !t.woken || !t.picked || !t.removed) return;
  if (*t.handler_start - *t.posted < t.idle_exit) return;  // the exit belongs to another episode
  // The notification's arrival splits posting -> handler start into the delivery and the idle exit.
  const engine::Time arrived_and_awake = *t.handler_start - t.idle_exit;
  const engine::Time points[] = {*t.posted, arrived_and_awake, *t.handler_start, *t.walk_start, *t.reached,
                                 *t.woken,  *t.picked,         *t.removed,       entry};
  for (int i = 0; i < kWakeComponents; ++i) {
    if (points[i + 1] < points[i]) return;  // not one coherent episode (e.g. woken by another path first)
  }
  for (int i = 0; i < kWakeComponents; ++i) components[static_cast<size_t>(i)].record(points[i + 1] - points[i]);
}

}  // namespace wakesim::kernel
