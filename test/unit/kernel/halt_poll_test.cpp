// The halt_poll_ns update (kvm_main.c's grow_halt_poll_ns / shrink_halt_poll_ns), rule by rule, and a
// sequence of halts as the kernel would take them.
#include "sim/kernel/halt_poll.h"

#include <gtest/gtest.h>

namespace wakesim::kernel {
namespace {

using engine::Time;

Time us(int64_t n) { return Time::from_ps(n * 1'000'000); }

KernelParams params(Time max, int grow, Time grow_start, int shrink) {
  KernelParams p;
  p.halt_poll_ns = max;
  p.halt_poll_grow = grow;
  p.halt_poll_grow_start = grow_start;
  p.halt_poll_shrink = shrink;
  return p;
}

TEST(HaltPoll, AShortHaltGrowsTheWindowFromGrowStartByTheFactorUpToTheMaximum) {
  const KernelParams p = params(us(200), 2, us(10), 0);           // the x86 defaults (shrink 0)
  EXPECT_EQ(next_halt_poll_ns(Time::zero(), us(50), p), us(10));  // from 0: grow_start
  EXPECT_EQ(next_halt_poll_ns(us(10), us(50), p), us(20));
  EXPECT_EQ(next_halt_poll_ns(us(80), us(100), p), us(160));
  EXPECT_EQ(next_halt_poll_ns(us(160), us(199), p), us(200));       // capped
  EXPECT_EQ(next_halt_poll_ns(us(200), us(201), p), Time::zero());  // a long halt: shrink 0 resets
}

TEST(HaltPoll, AHaltWithinTheWindowKeepsIt) {
  const KernelParams p = params(us(200), 2, us(10), 2);
  EXPECT_EQ(next_halt_poll_ns(us(40), us(40), p), us(40));
  EXPECT_EQ(next_halt_poll_ns(us(40), us(3), p), us(40));
}

TEST(HaltPoll, ALongHaltShrinksByTheDivisorAndToZeroBelowGrowStart) {
  const KernelParams p = params(us(200), 2, us(10), 2);
  EXPECT_EQ(next_halt_poll_ns(us(160), us(500), p), us(80));
  EXPECT_EQ(next_halt_poll_ns(us(30), us(500), p), us(15));
  EXPECT_EQ(next_halt_poll_ns(us(15), us(500), p), Time::zero());        // 7.5 us < grow_start
  EXPECT_EQ(next_halt_poll_ns(Time::zero(), us(500), p), Time::zero());  // nothing to shrink, no growth
}

TEST(HaltPoll, AHaltOfExactlyTheMaximumNeitherGrowsNorShrinks) {
  const KernelParams p = params(us(200), 2, us(10), 2);
  EXPECT_EQ(next_halt_poll_ns(us(40), us(200), p), us(40));
}

TEST(HaltPoll, AMaximumOfZeroTurnsPollingOff) {
  const KernelParams p = params(Time::zero(), 2, us(10), 2);
  EXPECT_EQ(next_halt_poll_ns(us(40), us(1), p), Time::zero());
  EXPECT_EQ(next_halt_poll_ns(Time::zero(), us(1), p), Time::zero());
}

TEST(HaltPoll, ASequenceOfHaltsFollowsTheKernel) {
  // Short halts grow 10, 30, 90, 200 (grow 3); a long one halves to 100; a short one within keeps it.
  const KernelParams p = params(us(200), 3, us(10), 2);
  Time w = Time::zero();
  const std::pair<int64_t, int64_t> steps[] = {{20, 10}, {20, 30}, {40, 90}, {150, 200}, {900, 100}, {60, 100}};
  for (const auto& [halt_us, expected_us] : steps) {
    w = next_halt_poll_ns(w, us(halt_us), p);
    EXPECT_EQ(w, us(expected_us)) << "after a halt of " << halt_us << " us";
  }
}

}  // namespace
}  // namespace wakesim::kernel
