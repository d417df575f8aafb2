// Memory for coroutine frames, pooled per pCPU (simcpp20 #11 is the cautionary tale: frames of
// processes that never resumed leaked). Frames are handed out from per-size free lists, so a path that
// runs a million times allocates its frame once. Each frame carries a small header naming its pool, so
// it returns to the pool it came from.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace wakesim::hw {

class FramePool {
 public:
  FramePool() = default;
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;
  ~FramePool();

  // `pool` may be null: the frame then comes from the global heap (paths run outside any pCPU).
  static void* allocate(FramePool* pool, size_t bytes);
  static void deallocate(void* frame) noexcept;

  size_t frames_in_use() const { return in_use_; }

 private:
  static constexpr size_t kGranule = 64;
  static constexpr size_t kClasses = 64;  // frames up to 4 KiB are pooled
  struct Header {
    FramePool* pool;
    size_t size_class;  // kClasses for unpooled frames
  };
  static_assert(sizeof(Header) == 16);
  struct FreeFrame {
    FreeFrame* next;
  };
  std::array<FreeFrame*, kClasses> free_{};
  std::vector<std::unique_ptr<std::byte[]>> chunks_;
  size_t in_use_ = 0;
};

// Base of every object that owns a pool (the pCPU): a coroutine whose parameters include one gets its
// frame from that pool.
class FramePoolOwner {
 public:
  FramePool& frame_pool() { return frame_pool_; }

 private:
  FramePool frame_pool_;
};

}  // namespace wakesim::hw
