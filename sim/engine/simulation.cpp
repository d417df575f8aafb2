#include "sim/engine/simulation.h"

#include <new>

#include "sim/engine/errors.h"

namespace wakesim::engine {

void Simulation::schedule_at(Event& e, Time when, Priority priority) {
  WAKESIM_CHECK(when >= now_, "scheduling {} at {}, before now ({})", e.describe(), when, now_);
  queue_.push(e, when, priority);
}

void Simulation::run_until(Time until) {
  stopping_ = false;
  until_ = until;
  try {
    while (!stopping_) {
      if (queue_.next_time() > until) {
        if (queue_.lost_track()) throw std::bad_alloc();  // events were dropped: see EventQueue::forget
        if (until > now_) now_ = until;
        break;
      }
      Event* e = queue_.pop();
      current_ = e;
      note_time(e->when());
      now_ = e->when();
      ++events_executed_;
      e->fire();
      if (watcher_ != nullptr && ++since_watch_ == kWatchEvery) {
        since_watch_ = 0;
        current_ = nullptr;
        watcher_->look(*this);
      }
    }
  } catch (const InternalError& error) {
    const std::string where = current_ != nullptr ? current_->describe() : "no event";
    current_ = nullptr;
    const std::string what = fmt::format("{} [at simulated time {}, in event '{}']", error.what(), now_, where);
    if (dynamic_cast<const InvariantViolation*>(&error) != nullptr) throw InvariantViolation(what);
    throw InternalError(what);
  }
  current_ = nullptr;
  until_ = Time::zero();
}

void Simulation::time_stalled() const {
  throw UserError(fmt::format(
      "simulated time stopped at {}: more than {} events in a row at that instant (the last in event '{}'). A "
      "duration of 0 where time must pass (an inter-arrival, think or service time, a cost in a loop), or a rate so "
      "high that its intervals round to 0 ps, keeps the simulation from advancing; check the configuration's "
      "durations and rates",
      now_, kMaxEventsAtOneInstant, current_ != nullptr ? current_->describe() : std::string("none")));
}

}  // namespace wakesim::engine
