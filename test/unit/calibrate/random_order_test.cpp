#include "sim/calibrate/random_order.h"

#include <vector>

#include <gtest/gtest.h>

#include "sim/calibrate/huge_buffer.h"
#include "sim/calibrate/pointer_chase.h"
#include "sim/calibrate/sizes.h"

namespace wakesim::calibrate {
namespace {

TEST(RandomOrder, IsABijectionForAnySize) {
  for (const uint64_t n : {1u, 2u, 3u, 4u, 5u, 17u, 100u, 4097u, 65536u}) {
    const RandomOrder order(n, 7);
    std::vector<bool> seen(n, false);
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t element = order(i);
      ASSERT_LT(element, n);
      ASSERT_FALSE(seen[element]) << "n = " << n << ": " << element << " twice";
      seen[element] = true;
    }
  }
}

TEST(RandomOrder, IsDeterministicAndDependsOnTheSeed) {
  const RandomOrder a(1000, 1), b(1000, 1), c(1000, 2);
  int same_as_other_seed = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(a(i), b(i));
    same_as_other_seed += a(i) == c(i);
  }
  EXPECT_LT(same_as_other_seed, 20);
}

TEST(RandomOrder, HasNoSequentialRuns) {
  // Consecutive positions landing on neighbouring elements would let a prefetcher follow the chase.
  const uint64_t n = 65536;
  const RandomOrder order(n, 3);
  int neighbours = 0;
  for (uint64_t i = 0; i + 1 < n; ++i) {
    const int64_t step = static_cast<int64_t>(order(i + 1)) - static_cast<int64_t>(order(i));
    neighbours += step >= -2 && step <= 2;
  }
  EXPECT_LT(neighbours, 20);  // a random order has about 4 * n / n = 4
}

TEST(RandomOrder, OutOfRangeIsAnError) {
  EXPECT_THROW(RandomOrder(0, 1), std::logic_error);
  EXPECT_THROW(RandomOrder(10, 1)(10), std::out_of_range);
}

TEST(LinkRandomCycle, VisitsEveryLineOnce) {
  const HugeBuffer buffer(2 * kMiB, "test");
  for (const uint64_t lines : {1u, 2u, 1000u, 32768u}) {
    link_random_cycle(buffer.data(), lines, 11);
    std::vector<bool> seen(lines, false);
    const std::byte* p = buffer.data();
    for (uint64_t step = 0; step < lines; ++step) {
      const auto index = static_cast<uint64_t>(p - buffer.data()) / kLineBytes;
      ASSERT_LT(index, lines);
      ASSERT_FALSE(seen[index]) << "line " << index << " visited twice in a cycle of " << lines;
      seen[index] = true;
      p = *reinterpret_cast<const std::byte* const*>(p);
    }
    EXPECT_EQ(p, buffer.data()) << "the cycle must close after " << lines << " lines";
  }
}

}  // namespace
}  // namespace wakesim::calibrate
