// A standard allocator over a FramePool (frame_pool.h): a container of the model that grows and
// shrinks during a run (a vCPU's pending requests) takes its storage from the machine's pool, so that
// storage one object gives back serves the next object that needs it, and the steady state allocates
// nothing once the machine's total in use has reached its high-water mark (test/allocation).
//
// Any PoolAllocator frees any block: a block's header names the pool it came from. So all compare
// equal, and a container's storage may move to another container (swap, move) freely. Without a pool
// (the default) blocks come from the heap, with the same header.
#pragma once

#include <cstddef>
#include <type_traits>

#include "sim/hw/frame_pool.h"

namespace wakesim::hw {

template <class T>
class PoolAllocator {
 public:
  using value_type = T;
  using is_always_equal = std::true_type;
  static_assert(alignof(T) <= 16, "pool blocks are 16-byte aligned");

  PoolAllocator() noexcept = default;
  explicit PoolAllocator(FramePool& pool) noexcept : pool_(&pool) {}
  template <class U>
  explicit(false) PoolAllocator(const PoolAllocator<U>& other) noexcept : pool_(other.pool()) {}

  T* allocate(size_t n) { return static_cast<T*>(FramePool::allocate(pool_, n * sizeof(T))); }
  void deallocate(T* p, size_t /*n*/) noexcept { FramePool::deallocate(p); }
  FramePool* pool() const { return pool_; }

  template <class U>
  bool operator==(const PoolAllocator<U>& /*other*/) const noexcept {
    return true;
  }

 private:
  FramePool* pool_ = nullptr;
};

}  // namespace wakesim::hw
