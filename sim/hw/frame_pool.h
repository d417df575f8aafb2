// Memory for coroutine frames, and for the model's containers that grow and shrink during a run
// (pool_allocator.h), pooled per machine (simcpp20 #11 is the cautionary tale: frames of processes that
// never resumed leaked). Blocks are handed out from per-size free lists, so a path that runs a million
// times allocates its frame once. Each block carries a small header naming its pool, so it returns to
// the pool it came from.
//
// One pool serves every pCPU of a machine: a path that first runs on a pCPU late in a run takes a frame
// that another pCPU freed, so the pool stops growing once the machine's frames in use at once have
// reached their high-water mark (per-pCPU pools each had to reach their own: the first frame of a size
// on a pCPU allocated, test/allocation).
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
  // Inline: a frame is taken and returned about once per simulated event.
  static void* allocate(FramePool* pool, size_t bytes) {
    const size_t size_class = (bytes + sizeof(Header) + kGranule - 1) / kGranule - 1;
    if (pool == nullptr || size_class >= kClasses) [[unlikely]]
      return allocate_unpooled(bytes);
    FreeFrame*& head = pool->free_[size_class];
    if (head == nullptr) [[unlikely]]
      pool->add_chunk(size_class);
    FreeFrame* f = head;
    head = f->next;
    ++pool->in_use_;
    auto* header = reinterpret_cast<Header*>(f);
    *header = Header{pool, size_class};
    return header + 1;
  }
  static void deallocate(void* frame) noexcept {
    Header* header = static_cast<Header*>(frame) - 1;
    FramePool* pool = header->pool;
    if (pool == nullptr) [[unlikely]] {
      deallocate_unpooled(header);
      return;
    }
    auto* f = reinterpret_cast<FreeFrame*>(header);
    f->next = pool->free_[header->size_class];
    pool->free_[header->size_class] = f;
    --pool->in_use_;
  }

  size_t frames_in_use() const { return in_use_; }
  // How many times the pool has taken memory from the heap.
  size_t chunks() const { return chunks_.size(); }

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
  static void* allocate_unpooled(size_t bytes);
  static void deallocate_unpooled(void* header) noexcept;
  [[gnu::noinline]] void add_chunk(size_t size_class);  // the only place the pool allocates
  std::array<FreeFrame*, kClasses> free_{};
  std::array<size_t, kClasses> frames_{};  // frames of each class, free or in use
  std::vector<std::unique_ptr<std::byte[]>> chunks_;
  size_t in_use_ = 0;
};

// Base of every object whose paths take frames from a pool (the pCPU, with its machine's pool): a
// coroutine whose parameters include one gets its frame from that pool.
class FramePoolOwner {
 public:
  explicit FramePoolOwner(FramePool& pool) : frame_pool_(pool) {}
  FramePool& frame_pool() { return frame_pool_; }

 private:
  FramePool& frame_pool_;
};

}  // namespace wakesim::hw
