// The wake tracer: the one writer of every vCPU's wakeup trace (wakeup_trace.h). The kernel paths and
// the wakeup lists tell it what happened (posted, handler started, walk started, node reached, woken,
// picked, removed, guest entered) and it stamps the current episode of that vCPU; at VM entry it turns
// a complete episode into the decomposition's components and starts the next. It also counts the walk
// itself: nodes reached by any walker and RCU walks restarted from the head.
//
// Stamping rules (each stamp is taken once per episode, at the first event that qualifies):
//   posted:    an interrupt posted on the wakeup-vector path;
//   reached:   a walker in interrupt context reaching a vCPU with a posting (the handler's start, the
//              idle exit it paid and its walk start are copied from the pCPU's handler record);
//   woken:     try_to_wake_up woke it after it was reached;
//   picked:    its sched_in notifier starts after it was woken;
//   removed:   it left its wakeup list (by the handler or by sched_in) after it was picked.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/engine/time.h"
#include "sim/hw/cpu.h"
#include "sim/kernel/wakeup_trace.h"

namespace wakesim::kernel {

class Vcpu;

class WakeTracer {
 public:
  explicit WakeTracer(uint32_t pcpus) : handlers_(pcpus) {}

  // A vCPU with this index exists from now on (indexes are dense, from 0).
  void add_vcpu(uint32_t index);

  void posted(const Vcpu& v, engine::Time now);
  // The wakeup-vector handler starts on `cpu` (which paid `idle_exit` to take it).
  void handler_started(const hw::Cpu& cpu, engine::Time idle_exit);
  void walk_started(const hw::Cpu& cpu);
  void reached(const hw::Cpu& cpu, const Vcpu& v);
  void walk_restarted() { ++walk_restarts_; }
  void woken(const Vcpu& v, engine::Time now);
  void picked(const Vcpu& v, engine::Time now);
  void removed(const Vcpu& v, engine::Time now);
  // VM entry ends the episode: a complete one is recorded, and the next starts empty.
  void entered_guest(const Vcpu& v, engine::Time now);

  const WakeDecomposition& decomposition() const { return decomposition_; }
  uint64_t nodes_walked() const { return nodes_walked_; }
  uint64_t walk_restarts() const { return walk_restarts_; }
  // Clears what was recorded (the end of the warm-up); episodes in flight go on.
  void reset_statistics();

 private:
  WakeTrace& trace(const Vcpu& v);
  struct HandlerRecord {
    engine::Time start;
    engine::Time idle_exit;
    std::optional<engine::Time> walk_start;
  };
  std::vector<HandlerRecord> handlers_;  // per pCPU: its current (or last) wakeup handler
  std::vector<WakeTrace> traces_;        // per vCPU: the episode in flight
  WakeDecomposition decomposition_;
  uint64_t nodes_walked_ = 0;
  uint64_t walk_restarts_ = 0;
};

}  // namespace wakesim::kernel
