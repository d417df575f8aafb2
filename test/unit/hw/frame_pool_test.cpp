// FramePool: coroutine frames by size class from per-pool free lists, each returning to the pool it
// came from; frames too large for a class, or without a pool, come from the heap.
#include "sim/hw/frame_pool.h"

#include <bit>
#include <cstring>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "sim/hw/pool_allocator.h"

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
  void* large = FramePool::allocate(&pool, size_t{64} * 1024);
  void* unowned = FramePool::allocate(nullptr, 100);
  EXPECT_EQ(pool.frames_in_use(), 0u);
  std::memset(large, 1, size_t{64} * 1024);
  std::memset(unowned, 2, 100);
  FramePool::deallocate(large);  // back to the heap (ASan reports a mismatch or a leak otherwise)
  FramePool::deallocate(unowned);
  EXPECT_EQ(pool.frames_in_use(), 0u);
}

TEST(FramePool, ChunksDoubleSoAGrowingPoolTakesMemoryLogarithmicallyOften) {
  FramePool pool;
  std::vector<void*> frames;
  // 16 frames in the first chunk, then as many as the class has: 16, 32, 64, ... 1024 in 7 chunks.
  for (size_t held : {16u, 32u, 64u, 128u, 256u, 512u, 1024u}) {
    while (frames.size() < held) frames.push_back(FramePool::allocate(&pool, 100));
    EXPECT_EQ(pool.chunks(), static_cast<size_t>(std::countr_zero(held / 16)) + 1) << held << " frames held";
  }
  for (void* f : frames) FramePool::deallocate(f);
  for (int i = 0; i < 1024; ++i) frames[static_cast<size_t>(i)] = FramePool::allocate(&pool, 100);
  EXPECT_EQ(pool.chunks(), 7u);  // holding as many again takes nothing new
  for (void* f : frames) FramePool::deallocate(f);
}

TEST(PoolAllocator, AContainersStorageComesFromThePoolAndServesTheNextContainerWhenFreed) {
  FramePool pool;
  std::vector<int, PoolAllocator<int>> a{PoolAllocator<int>(pool)};
  a.reserve(40);
  EXPECT_EQ(pool.frames_in_use(), 1u);
  const int* storage = a.data();
  a = std::vector<int, PoolAllocator<int>>(PoolAllocator<int>(pool));  // a's storage back to the pool
  EXPECT_EQ(pool.frames_in_use(), 0u);
  std::vector<int, PoolAllocator<int>> b{PoolAllocator<int>(pool)};
  b.reserve(40);
  EXPECT_EQ(b.data(), storage);
  // Storage moves between containers, and any allocator frees it into the pool it came from.
  std::vector<int, PoolAllocator<int>> unpooled;
  unpooled.swap(b);
  unpooled.clear();
  unpooled.shrink_to_fit();
  EXPECT_EQ(pool.frames_in_use(), 0u);
}

}  // namespace
}  // namespace wakesim::hw
