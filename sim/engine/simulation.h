// One simulation: its clock, pending events and random streams. There is no global simulator state;
// a sweep runs many Simulation objects at once on different threads. Model objects hold a
// Simulation& and must not outlive it.
#pragma once

#include <cstdint>

#include "sim/engine/event.h"
#include "sim/engine/event_queue.h"
#include "sim/engine/random.h"
#include "sim/engine/time.h"

namespace wakesim::engine {

class Simulation;

// Looks at a running simulation from outside, between two events, every Simulation::kWatchEvery
// events (a live progress line, the user's interruption). It reads the clock and the event count only,
// so a watched run gives exactly the results of an unwatched one. It may throw to abandon the run: the
// model is then between events and is destroyed with the Simulation.
class Watcher {
 public:
  virtual ~Watcher() = default;
  virtual void look(const Simulation& sim) = 0;
};

class Simulation {
 public:
  explicit Simulation(uint64_t seed) : seed_(seed) {}
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  Time now() const { return now_; }

  // Schedules `e` at an absolute time, which must not be in the past. A pending `e` is moved.
  void schedule_at(Event& e, Time when, Priority priority = Priority::kDefault);
  void schedule_in(Event& e, Time delay, Priority priority = Priority::kDefault) {
    schedule_at(e, now_ + delay, priority);
  }
  void cancel(Event& e) { queue_.cancel(e); }

  // Runs events in (time, priority, sequence) order until none is left at or before `until`, or stop()
  // is called. The clock then reads `until` (or the stop time). An always-on check that fails inside an
  // event is rethrown as InternalError with the simulated time and the event added.
  void run_until(Time until);
  // Ends run_until() after the current event.
  void stop() { stopping_ = true; }
  // For an event that would be scheduled at `when` only to continue what the current event is doing
  // (a pCPU's operation completing): if no other event comes before it, the clock moves to `when` and
  // the caller goes on at once, counted as one executed event. Exactly what pushing and popping it
  // would do, without the queue. False (nothing changes) if another event is due at or before `when`,
  // or `when` is past the end of the current run_until().
  bool advance_inline(Time when) {
    if (when > until_ || stopping_ || queue_.next_time_bound() <= when) return false;
    note_time(when);
    now_ = when;
    ++events_executed_;
    return true;
  }

  // The progress guard: this many events in a row at one simulated instant means time has stopped
  // (a zero-time loop, or a rate so high its intervals round to 0 ps) and memory would grow without
  // bound; run_until() then throws UserError naming the time and the event. Legitimate bursts at one
  // instant (every vCPU's first timer at t = 0) are orders of magnitude smaller.
  static constexpr uint64_t kMaxEventsAtOneInstant = 10'000'000;

  // The random stream for (this run's seed, entity, purpose). Same key, same values, in every design.
  RandomStream stream(uint64_t entity, StreamPurpose purpose) const { return RandomStream(seed_, entity, purpose); }

  // Calls `watcher` (null: none) from run_until every kWatchEvery events; it must outlive the runs.
  static constexpr uint32_t kWatchEvery = 1 << 16;
  void watch(Watcher* watcher) { watcher_ = watcher; }

  uint64_t events_executed() const { return events_executed_; }
  size_t events_pending() const { return queue_.size(); }

 private:
  uint64_t seed_;
  Time now_;
  EventQueue queue_;
  uint64_t events_executed_ = 0;
  Event* current_ = nullptr;
  bool stopping_ = false;
  Time until_;                  // the end of the current run_until()
  uint64_t events_at_now_ = 0;  // events in a row at now_ (the progress guard)

  void note_time(Time when) {
    if (when != now_) {
      events_at_now_ = 0;
    } else if (++events_at_now_ > kMaxEventsAtOneInstant) [[unlikely]] {
      time_stalled();
    }
  }
  [[noreturn]] void time_stalled() const;
  Watcher* watcher_ = nullptr;
  uint32_t since_watch_ = 0;  // events run_until has run since the watcher last looked
};

}  // namespace wakesim::engine
