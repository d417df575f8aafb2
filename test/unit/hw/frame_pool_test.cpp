// FramePool: coroutine frames by size class from per-pool free lists, each returning to the pool it
// came from; frames too large for a class, or without a pool, come from the heap.
#include "sim/hw/frame_pool.h"

#include <cstring>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace wakesim::hw {
namespace {

TEST(FramePool, FramesAreAlignedDistinctAndWholeForTheirSize) {
  FramePool pool;
  std::vector<std::pair<std::byte*, size_t>> frames;
  for (size_t bytes : {1u, 47u, 48u, 49u, 100u, 1000u, 4000u, 4080u})
    for (int i = 0; i < 20; ++i) frames.emplace_back(static_cast<std::byte*>(FramePool::allocate(&pool, bytes)), bytes);
  EXPECT_EQ(pool.frames_in_use(), frames.size());
  // Every byte of every frame is its own (a write to one never shows in another; ASan checks bounds).
  for (size_t i = 0; i < frames.size(); ++i) std::memset(frames[i].first, static_cast<int>(i & 0xff), frames[i].second);
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(frames[i].first) % 16, 0u);
    for (size_t b = 0; b < frames[i].second; ++b) ASSERT_EQ(frames[i].first[b], static_cast<std::byte>(i & 0xff));
  }
  for (auto [f, bytes] : frames) FramePool::deallocate(f);
  EXPECT_EQ(pool.frames_in_use(), 0u);
}

TEST(FramePool, AFreedFrameIsReusedForTheSameSizeClass) {
  FramePool pool;
  void* a = FramePool::allocate(&pool, 200);
  FramePool::deallocate(a);
  EXPECT_EQ(FramePool::allocate(&pool, 200), a);  // last freed, first reused
  void* b = FramePool::allocate(&pool, 200);
  EXPECT_NE(b, a);
  FramePool::deallocate(a);
  FramePool::deallocate(b);
}

TEST(FramePool, FramesReturnToThePoolTheyCameFrom) {
  FramePool p, q;
  void* from_p = FramePool::allocate(&p, 64);
  void* from_q = FramePool::allocate(&q, 64);
  EXPECT_EQ(p.frames_in_use(), 1u);
  EXPECT_EQ(q.frames_in_use(), 1u);
  FramePool::deallocate(from_p);  // the header names p
  EXPECT_EQ(p.frames_in_use(), 0u);
  EXPECT_EQ(q.frames_in_use(), 1u);
  FramePool::deallocate(from_q);
  EXPECT_EQ(q.frames_in_use(), 0u);
}

TEST(FramePool, LargeFramesAndFramesWithoutAPoolComeFromTheHeap) {
  FramePool pool;
  void* large = FramePool::allocate(&pool, 64 * 1024);
  void* unowned = FramePool::allocate(nullptr, 100);
  EXPECT_EQ(pool.frames_in_use(), 0u);
  std::memset(large, 1, 64 * 1024);
  std::memset(unowned, 2, 100);
  FramePool::deallocate(large);  // back to the heap (ASan reports a mismatch or a leak otherwise)
  FramePool::deallocate(unowned);
  EXPECT_EQ(pool.frames_in_use(), 0u);
}

}  // namespace
}  // namespace wakesim::hw
