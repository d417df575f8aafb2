// An event is a point in simulated time at which some model object acts. Events are intrusive: the
// object that owns the behaviour owns the Event as a member and reschedules it, so scheduling never
// allocates. Order is total: (time, priority, insertion sequence), so exact ties run first in, first
// out and a run is deterministic.
#pragma once

#include <cstdint>
#include <string>

#include "sim/engine/time.h"

namespace wakesim::engine {

class EventQueue;

// Priorities break ties between events at the same picosecond; lower runs first.
enum class Priority : uint8_t {
  kCompletion = 0,  // a timed operation finishing: its effect is visible to everything else at that instant
  kDefault = 1,     // ordinary model activity
  kObserver = 2,    // measurement and stop: sees the state after all other activity at that instant
};

class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  virtual ~Event();

  // Called when simulated time reaches when(). The event is no longer pending when this runs, so it may
  // reschedule itself.
  virtual void fire() = 0;
  // A short description for diagnostics (an always-on check names the event that was running).
  virtual std::string describe() const;

  bool pending() const { return seq_ != 0; }
  Time when() const { return when_; }

 private:
  friend class EventQueue;
  Time when_;
  uint64_t seq_ = 0;      // sequence number of the live queue entry; 0 when not pending
  uint32_t entries_ = 0;  // queue entries (live or cancelled) still pointing at this event
  EventQueue* queue_ = nullptr;
};

// An event that calls a member function or lambda of its owner: `EventFn<F> tick_{[this] { ... }};`
template <class F>
class EventFn final : public Event {
 public:
  explicit EventFn(F f, const char* name = "event") : f_(std::move(f)), name_(name) {}
  void fire() override { f_(); }
  std::string describe() const override { return name_; }

 private:
  F f_;
  const char* name_;
};

}  // namespace wakesim::engine
