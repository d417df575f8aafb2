// The classic hold model (Jones, "An empirical comparison of priority-queue and event-set
// implementations", CACM 29(4), 1986): keep N events pending; each step pops the earliest and pushes
// one at now + an exponential increment. Compared, in one binary: wakesim's EventQueue (4-ary heap,
// deferred pop, lazy cancel) and std::priority_queue of (time, sequence, pointer). items_per_second is
// events per second; the ratio at each N is the target (>= 2x at N = 1e4, never below 1).
#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <tuple>
#include <vector>

#include <benchmark/benchmark.h>

#include "sim/engine/event_queue.h"
#include "sim/engine/random.h"

namespace {

using wakesim::engine::Event;
using wakesim::engine::EventQueue;
using wakesim::engine::RandomStream;
using wakesim::engine::Time;

struct NoopEvent final : Event {
  void fire() override {}
};

// The same increments for both queues: exponential with mean 1 us, in picoseconds.
const std::vector<int64_t>& increments() {
  static const std::vector<int64_t> table = [] {
    RandomStream rng(2026, 0, "hold-model");
    std::vector<int64_t> t(1 << 20);
    for (auto& x : t) x = static_cast<int64_t>(rng.exponential(1e6)) + 1;
    return t;
  }();
  return table;
}

void BM_Hold_EventQueue(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const auto& inc = increments();
  std::vector<NoopEvent> events(n);
  EventQueue q;
  size_t k = 0;
  for (auto& e : events) q.push(e, Time::from_ps(inc[k++ & (inc.size() - 1)]));
  for ([[maybe_unused]] auto _ : state) {
    Event* e = q.pop();
    const Time now = e->when();
    e->fire();
    q.push(*e, now + Time::from_ps(inc[k++ & (inc.size() - 1)]));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Hold_StdPriorityQueue(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const auto& inc = increments();
  std::vector<NoopEvent> events(n);
  using Entry = std::tuple<int64_t, uint64_t, Event*>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> q;
  uint64_t seq = 0;
  size_t k = 0;
  for (auto& e : events) q.emplace(inc[k++ & (inc.size() - 1)], seq++, &e);
  for ([[maybe_unused]] auto _ : state) {
    auto [t, s, e] = q.top();
    q.pop();
    e->fire();
    q.emplace(t + inc[k++ & (inc.size() - 1)], seq++, e);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Hold_EventQueue)->Arg(100)->Arg(10'000)->Arg(1'000'000);
BENCHMARK(BM_Hold_StdPriorityQueue)->Arg(100)->Arg(10'000)->Arg(1'000'000);

}  // namespace
