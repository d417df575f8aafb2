#include "sim/engine/simulation.h"

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/engine/errors.h"

namespace wakesim::engine {
namespace {

using namespace literals;

TEST(Simulation, RunsEventsAndAdvancesClock) {
  Simulation sim(1);
  std::vector<std::pair<int, Time>> log;
  EventFn a([&] { log.emplace_back(1, sim.now()); }, "a");
  EventFn b([&] { log.emplace_back(2, sim.now()); }, "b");
  sim.schedule_in(a, 10_ns);
  sim.schedule_in(b, 5_ns);
  sim.run_until(7_ns);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], std::make_pair(2, 5_ns));
  EXPECT_EQ(sim.now(), 7_ns);
  sim.run_until(100_ns);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1], std::make_pair(1, 10_ns));
  EXPECT_EQ(sim.now(), 100_ns);
  EXPECT_EQ(sim.events_executed(), 2u);
}

// Simulation::advance_inline: the clock moves to `when` as if an event there had been pushed and
// popped, only when nothing else could run first (the queue's bound is conservative: it may refuse,
// never wrongly accept); otherwise nothing changes.
TEST(Simulation, AdvanceInlineOnlyWhenNothingElseIsDueFirst) {
  Simulation sim(1);
  std::vector<std::pair<std::string, Time>> log;
  EventFn early([&] { log.emplace_back("early", sim.now()); }, "early");
  EventFn op(
      [&] {
        log.emplace_back("op", sim.now());
        EXPECT_TRUE(sim.advance_inline(sim.now() + 3_ns));  // nothing else pending
        log.emplace_back("op done", sim.now());
        sim.schedule_in(early, 1_ns);
        EXPECT_FALSE(sim.advance_inline(sim.now() + 1_ns));  // an event due at the same time runs first
        EXPECT_FALSE(sim.advance_inline(sim.now() + 2_ns));  // ... as does an earlier one
        EXPECT_EQ(sim.now(), 13_ns);
      },
      "op");
  sim.schedule_at(op, 10_ns);
  EXPECT_FALSE(sim.advance_inline(1_ns));  // outside run_until
  sim.run_until(100_ns);
  const std::vector<std::pair<std::string, Time>> expected = {{"op", 10_ns}, {"op done", 13_ns}, {"early", 14_ns}};
  EXPECT_EQ(log, expected);
  EXPECT_EQ(sim.events_executed(), 3u);  // op, its inline completion, early
}

TEST(Simulation, AdvanceInlineStopsAtTheHorizon) {
  Simulation sim(1);
  bool advanced = true;
  EventFn op([&] { advanced = sim.advance_inline(60_ns); }, "op");
  sim.schedule_at(op, 10_ns);
  sim.run_until(50_ns);
  EXPECT_FALSE(advanced);
  EXPECT_EQ(sim.now(), 50_ns);
}

TEST(Simulation, EventAtExactlyTheHorizonRuns) {
  Simulation sim(1);
  int fired = 0;
  EventFn e([&] { ++fired; });
  sim.schedule_at(e, 10_ns);
  sim.run_until(10_ns);
  EXPECT_EQ(fired, 1);
}

TEST(Simulation, SelfReschedulingEventAndStop) {
  Simulation sim(1);
  int ticks = 0;
  EventFn<std::function<void()>>* self = nullptr;
  EventFn<std::function<void()>> tick([&] {
    if (++ticks == 5) sim.stop();
    sim.schedule_in(*self, 1_us);
  });
  self = &tick;
  sim.schedule_in(tick, 1_us);
  sim.run_until(1_s);
  EXPECT_EQ(ticks, 5);
  EXPECT_EQ(sim.now(), 5_us);
}

TEST(Simulation, SchedulingInThePastIsAnInternalError) {
  Simulation sim(1);
  EventFn e([] {});
  sim.run_until(10_ns);
  EXPECT_THROW(sim.schedule_at(e, 5_ns), InternalError);
}

TEST(Simulation, FailedCheckIsAnnotatedWithTimeAndEvent) {
  Simulation sim(1);
  EventFn e([] { WAKESIM_CHECK(1 + 1 == 3, "arithmetic is {}", "broken"); }, "bad-event");
  sim.schedule_in(e, 42_ns);
  try {
    sim.run_until(1_us);
    FAIL() << "expected an InternalError";
  } catch (const InternalError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("arithmetic is broken"), std::string::npos) << what;
    EXPECT_NE(what.find("simulated time 42ns"), std::string::npos) << what;
    EXPECT_NE(what.find("bad-event"), std::string::npos) << what;
    EXPECT_NE(what.find("simulation_test.cpp"), std::string::npos) << what;
  }
}

// Two simulations with the same seed, interleaved in one thread, do not disturb each other.
// The progress guard (issue 17): an event that reschedules itself with no delay stops time; the run
// ends with a user error naming the instant and the event, within seconds, instead of hanging.
TEST(Simulation, ATimeThatStopsIsReportedAsBadInput) {
  Simulation sim(1);
  uint64_t fired = 0;
  EventFn<std::function<void()>>* self = nullptr;
  EventFn<std::function<void()>> loop(
      [&] {
        ++fired;
        sim.schedule_in(*self, Time::zero());
      },
      "zero-time loop");
  self = &loop;
  sim.schedule_in(loop, 5_ns);
  try {
    sim.run_until(1_ms);
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("simulated time stopped at 5ns"), std::string::npos) << what;
    EXPECT_NE(what.find("'zero-time loop'"), std::string::npos) << what;
  }
  EXPECT_EQ(fired, Simulation::kMaxEventsAtOneInstant + 1);  // the first, then K more at the same instant
  // Many events at one instant followed by progress are fine.
  Simulation ok(1);
  uint64_t n = 0;
  EventFn<std::function<void()>>* again = nullptr;
  EventFn<std::function<void()>> burst(
      [&] {
        if (++n % 1000 != 0) ok.schedule_in(*again, Time::zero());
        else if (n < 5000) ok.schedule_in(*again, 1_ns);
      },
      "burst");
  again = &burst;
  ok.schedule_in(burst, 1_ns);
  ok.run_until(1_ms);
  EXPECT_EQ(n, 5000u);
}

TEST(Simulation, IndependentInstancesAreDeterministic) {
  auto trace = [](Simulation& sim, std::vector<int64_t>& out) {
    auto rng = std::make_shared<RandomStream>(sim.stream(7, "trace"));
    auto self = std::make_shared<Event*>(nullptr);
    auto e = std::make_shared<EventFn<std::function<void()>>>([&sim, &out, rng, self] {
      out.push_back(sim.now().ps());
      sim.schedule_in(**self, Time::from_ps(static_cast<int64_t>(rng->below(1000)) + 1));
    });
    *self = e.get();
    sim.schedule_in(*e, 1_ns);
    return e;
  };
  Simulation s1(99), s2(99);
  std::vector<int64_t> t1, t2;
  auto e1 = trace(s1, t1);
  auto e2 = trace(s2, t2);
  for (int i = 1; i <= 10; ++i) {
    s1.run_until(Time::from_ps(int64_t{i} * 10'000));
    s2.run_until(Time::from_ps(int64_t{i} * 10'000));
  }
  EXPECT_GT(t1.size(), 100u);
  EXPECT_EQ(t1, t2);
}

}  // namespace
}  // namespace wakesim::engine

namespace wakesim::engine {
namespace {

using namespace literals;

// A chain of events, each scheduling the next 1 ns later, `n` of them.
struct Chain final : Event {
  Chain(Simulation& s, uint64_t n) : sim(s), left(n) {}
  void fire() override {
    if (--left > 0) sim.schedule_in(*this, 1_ns);
  }
  Simulation& sim;
  uint64_t left;
};

struct CountingWatcher final : Watcher {
  std::vector<uint64_t> seen;
  void look(const Simulation& sim) override { seen.push_back(sim.events_executed()); }
};

// The watcher looks every kWatchEvery events, between two events, and changes nothing.
TEST(Simulation, WatcherLooksEveryKWatchEveryEventsAndChangesNothing) {
  const uint64_t n = 3 * Simulation::kWatchEvery + 5;
  Simulation watched(1), plain(1);
  CountingWatcher watcher;
  watched.watch(&watcher);
  Chain a(watched, n), b(plain, n);
  watched.schedule_in(a, 1_ns);
  plain.schedule_in(b, 1_ns);
  watched.run_until(1_s);
  plain.run_until(1_s);
  const std::vector<uint64_t> expected = {Simulation::kWatchEvery, uint64_t{2} * Simulation::kWatchEvery,
                                          uint64_t{3} * Simulation::kWatchEvery};
  EXPECT_EQ(watcher.seen, expected);
  EXPECT_EQ(watched.events_executed(), plain.events_executed());
  EXPECT_EQ(watched.now(), plain.now());
}

// What a watcher throws leaves run_until as it is (it is not a simulator bug: no InternalError).
TEST(Simulation, WhatAWatcherThrowsPassesThrough) {
  struct Stop {};
  struct Thrower final : Watcher {
    void look(const Simulation&) override { throw Stop{}; }
  } thrower;
  Simulation sim(1);
  sim.watch(&thrower);
  Chain chain(sim, uint64_t{2} * Simulation::kWatchEvery);
  sim.schedule_in(chain, 1_ns);
  EXPECT_THROW(sim.run_until(1_s), Stop);
  EXPECT_EQ(sim.events_executed(), Simulation::kWatchEvery);
}

}  // namespace
}  // namespace wakesim::engine
