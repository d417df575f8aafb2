// The event queue's contract: total order by (time, priority, sequence), FIFO among exact ties,
// O(1) cancellation, safe destruction of pending events; checked against a reference model.
#include "sim/engine/event_queue.h"

#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "sim/engine/random.h"

namespace wakesim::engine {
namespace {

using namespace literals;

struct Tagged final : Event {
  int id;
  explicit Tagged(int i) : id(i) {}
  void fire() override {}
};

std::vector<int> drain(EventQueue& q) {
  std::vector<int> order;
  while (Event* e = q.pop()) order.push_back(static_cast<Tagged*>(e)->id);
  return order;
}

TEST(EventQueue, PopsInTimeOrder) {
  EventQueue q;
  Tagged a(1), b(2), c(3);
  q.push(b, 20_ns);
  q.push(c, 30_ns);
  q.push(a, 10_ns);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.next_time(), 10_ns);
  EXPECT_EQ(drain(q), (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, ExactTiesRunFirstInFirstOut) {
  EventQueue q;
  std::vector<std::unique_ptr<Tagged>> events;
  for (int i = 0; i < 100; ++i) {
    events.push_back(std::make_unique<Tagged>(i));
    q.push(*events.back(), 5_ns);
  }
  std::vector<int> expected(100);
  for (int i = 0; i < 100; ++i) expected[static_cast<size_t>(i)] = i;
  EXPECT_EQ(drain(q), expected);
}

TEST(EventQueue, PriorityBreaksTiesBeforeSequence) {
  EventQueue q;
  Tagged late(1), normal(2), early(3);
  q.push(late, 5_ns, Priority::kObserver);
  q.push(normal, 5_ns, Priority::kDefault);
  q.push(early, 5_ns, Priority::kCompletion);
  EXPECT_EQ(drain(q), (std::vector<int>{3, 2, 1}));
}

TEST(EventQueue, CancelRemovesAndRescheduleMoves) {
  EventQueue q;
  Tagged a(1), b(2), c(3);
  q.push(a, 10_ns);
  q.push(b, 20_ns);
  q.push(c, 30_ns);
  q.cancel(b);
  EXPECT_FALSE(b.pending());
  EXPECT_EQ(q.size(), 2u);
  q.push(a, 40_ns);  // moving a pending event cancels its old entry
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(drain(q), (std::vector<int>{3, 1}));
  q.cancel(b);  // cancelling a non-pending event is a no-op
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, EventDestroyedWhilePendingIsForgotten) {
  EventQueue q;
  Tagged keep(1);
  q.push(keep, 50_ns);
  {
    Tagged doomed(2);
    q.push(doomed, 10_ns);
    q.cancel(doomed);
    q.push(doomed, 20_ns);  // one cancelled and one live entry point at it when it dies
  }
  {
    Tagged reborn(3);  // may reuse the same address: its own entries must still count
    q.push(reborn, 30_ns);
    EXPECT_EQ(q.pop(), &reborn);
  }
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(drain(q), (std::vector<int>{1}));
}

TEST(EventQueue, EventsMayOutliveTheQueue) {
  Tagged survivor(1);
  {
    EventQueue q;
    q.push(survivor, 10_ns);
  }
  EXPECT_FALSE(survivor.pending());
}

// Random pushes, moves, cancels and pops against an ordered map of (time, priority, sequence): delays
// below `max_delay` ps; of every ten operations `pushes` push or move, `cancels` cancel, the rest pop.
void check_against_reference(int kEvents, uint64_t max_delay, uint64_t pushes, uint64_t cancels, uint64_t seed) {
  EventQueue q;
  RandomStream rng(seed, 0, "event-queue-test");
  std::vector<std::unique_ptr<Tagged>> events;
  events.reserve(kEvents);
  for (int i = 0; i < kEvents; ++i) events.push_back(std::make_unique<Tagged>(i));
  std::map<std::tuple<int64_t, int, uint64_t>, int> reference;
  std::map<int, std::tuple<int64_t, int, uint64_t>> key_of;
  uint64_t seq = 0;
  int64_t now = 0;
  for (int step = 0; step < 200000; ++step) {
    const uint64_t op = rng.below(10);
    const int id = static_cast<int>(rng.below(static_cast<uint64_t>(kEvents)));
    Tagged& e = *events[static_cast<size_t>(id)];
    if (op < pushes) {  // push or move
      const int64_t t = now + static_cast<int64_t>(rng.below(max_delay));
      const int prio = static_cast<int>(rng.below(3));
      if (auto it = key_of.find(id); it != key_of.end()) reference.erase(it->second), key_of.erase(it);
      const auto key = std::make_tuple(t, prio, ++seq);
      reference[key] = id;
      key_of[id] = key;
      q.push(e, Time::from_ps(t), static_cast<Priority>(prio));
    } else if (op < pushes + cancels) {  // cancel
      if (auto it = key_of.find(id); it != key_of.end()) reference.erase(it->second), key_of.erase(it);
      q.cancel(e);
    } else {  // pop
      Event* popped = q.pop();
      if (reference.empty()) {
        ASSERT_EQ(popped, nullptr);
        continue;
      }
      auto first = reference.begin();
      ASSERT_NE(popped, nullptr);
      ASSERT_EQ(static_cast<Tagged*>(popped)->id, first->second) << "step " << step;
      ASSERT_EQ(popped->when().ps(), std::get<0>(first->first));
      now = std::get<0>(first->first);
      key_of.erase(first->second);
      reference.erase(first);
    }
    ASSERT_EQ(q.size(), reference.size());
  }
}

TEST(EventQueue, MatchesReferenceModelUnderRandomOperations) { check_against_reference(500, 1000, 5, 2, 42); }

// Delays over the whole 40-bit range file entries at every level and refile large buckets; many
// events and frequent cancels make buckets span several storage chunks when compact() packs them.
TEST(EventQueue, MatchesReferenceModelAcrossLevelsWithHeavyCancellation) {
  check_against_reference(5000, uint64_t{1} << 40, 5, 3, 7);
}

// Few events over a short span: buckets hold at most a run's worth, so the run is long (up to 60
// entries) and most pushes land inside it, at every distance from its end (the insertion searches
// linearly from the end, then by bisection).
TEST(EventQueue, MatchesReferenceModelWhenPushesLandInsideALongRun) { check_against_reference(60, 200, 6, 1, 11); }

// Many entries at one instant (a level-0 bucket far larger than a storage chunk), cancelled in part.
TEST(EventQueue, LargeBucketsKeepOrderThroughCompaction) {
  EventQueue q;
  std::vector<std::unique_ptr<Tagged>> events;
  events.reserve(1000);
  for (int i = 0; i < 1000; ++i) events.push_back(std::make_unique<Tagged>(i));
  for (int i = 0; i < 1000; ++i) q.push(*events[static_cast<size_t>(i)], Time::from_ps(5 + (i % 3)));
  for (int i = 0; i < 1000; ++i)
    if (i % 4 != 0) q.cancel(*events[static_cast<size_t>(i)]);  // 750 stale: compaction runs
  std::vector<int> expected;
  for (int t = 5; t < 8; ++t)
    for (int i = 0; i < 1000; i += 4)
      if (5 + (i % 3) == t) expected.push_back(i);
  EXPECT_EQ(drain(q), expected);
}

}  // namespace
}  // namespace wakesim::engine
