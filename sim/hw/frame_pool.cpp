#include "sim/hw/frame_pool.h"

#include <cstdlib>

namespace wakesim::hw {

FramePool::~FramePool() = default;

void* FramePool::allocate(FramePool* pool, size_t bytes) {
  const size_t total = bytes + sizeof(Header);
  const size_t size_class = (total + kGranule - 1) / kGranule - 1;
  if (pool == nullptr || size_class >= kClasses) {
    auto* header = static_cast<Header*>(::operator new(total));
    *header = Header{nullptr, kClasses};
    return header + 1;
  }
  FreeFrame*& head = pool->free_[size_class];
  if (head == nullptr) {
    // A chunk of 16 frames of this class.
    const size_t frame_bytes = (size_class + 1) * kGranule;
    constexpr size_t kPerChunk = 16;
    pool->chunks_.push_back(std::make_unique<std::byte[]>(frame_bytes * kPerChunk));
    std::byte* base = pool->chunks_.back().get();
    for (size_t i = 0; i < kPerChunk; ++i) {
      auto* f = reinterpret_cast<FreeFrame*>(base + i * frame_bytes);
      f->next = head;
      head = f;
    }
  }
  FreeFrame* f = head;
  head = f->next;
  ++pool->in_use_;
  auto* header = reinterpret_cast<Header*>(f);
  *header = Header{pool, size_class};
  return header + 1;
}

void FramePool::deallocate(void* frame) noexcept {
  Header* header = static_cast<Header*>(frame) - 1;
  FramePool* pool = header->pool;
  if (pool == nullptr) {
    ::operator delete(header);
    return;
  }
  auto* f = reinterpret_cast<FreeFrame*>(header);
  f->next = pool->free_[header->size_class];
  pool->free_[header->size_class] = f;
  --pool->in_use_;
}

}  // namespace wakesim::hw
