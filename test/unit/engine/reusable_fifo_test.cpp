// ReusableFifo: first in, first out, and its storage is reused (no growth once it has held n items).
#include "sim/engine/reusable_fifo.h"

#include <deque>

#include <gtest/gtest.h>

#include "sim/engine/random.h"

namespace wakesim::engine {
namespace {

TEST(ReusableFifo, BehavesLikeADequeUnderRandomPushesAndPops) {
  ReusableFifo<int> fifo;
  std::deque<int> reference;
  RandomStream rng(3, 0, "fifo-test");
  int next = 0;
  for (int step = 0; step < 100000; ++step) {
    if (rng.below(100) < 52) {
      fifo.push_back(next);
      reference.push_back(next++);
    } else if (!reference.empty()) {
      ASSERT_EQ(fifo.front(), reference.front());
      fifo.pop_front();
      reference.pop_front();
    }
    ASSERT_EQ(fifo.size(), reference.size());
    ASSERT_EQ(fifo.empty(), reference.empty());
  }
  std::deque<int> rest(fifo.begin(), fifo.end());
  EXPECT_EQ(rest, reference);
}

TEST(ReusableFifo, KeepsItsStorageOnceItHasHeldTheMost) {
  ReusableFifo<int> fifo;
  for (int i = 0; i < 8; ++i) fifo.push_back(i);
  const int* storage = &fifo.front();
  for (int round = 0; round < 1000; ++round) {
    fifo.pop_front();       // one out ...
    fifo.push_back(round);  // ... one in: slides through the vector and compacts, never grows
    ASSERT_EQ(fifo.size(), 8u);
  }
  while (!fifo.empty()) fifo.pop_front();
  for (int i = 0; i < 8; ++i) fifo.push_back(i);
  EXPECT_EQ(&fifo.front(), storage);
}

TEST(ReusableFifo, GivesStorageBeyondWhatItKeepsBackWhenItDrains) {
  ReusableFifo<int> fifo;
  fifo.keep_when_drained(8);
  EXPECT_EQ(fifo.capacity(), 8u);
  for (int i = 0; i < 100; ++i) fifo.push_back(i);  // a burst
  EXPECT_GE(fifo.capacity(), 100u);
  for (int i = 0; i < 99; ++i) fifo.pop_front();
  EXPECT_GE(fifo.capacity(), 100u);  // not drained yet
  EXPECT_EQ(fifo.front(), 99);
  fifo.pop_front();
  EXPECT_TRUE(fifo.empty());
  EXPECT_EQ(fifo.capacity(), 8u);
  for (int i = 0; i < 8; ++i) fifo.push_back(i);
  EXPECT_EQ(fifo.capacity(), 8u);  // what it kept is enough again
}

}  // namespace
}  // namespace wakesim::engine
