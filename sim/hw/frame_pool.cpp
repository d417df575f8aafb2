#include "sim/hw/frame_pool.h"

#include <cstdlib>

namespace wakesim::hw {

FramePool::~FramePool() = default;

void* FramePool::allocate_unpooled(size_t bytes) {
  auto* header = static_cast<Header*>(::operator new(bytes + sizeof(Header)));
  *header = Header{nullptr, kClasses};
  return header + 1;
}

void FramePool::deallocate_unpooled(void* header) noexcept { ::operator delete(header); }

// A chunk of 16 frames of this class.
void FramePool::add_chunk(size_t size_class) {
  const size_t frame_bytes = (size_class + 1) * kGranule;
  constexpr size_t kPerChunk = 16;
  chunks_.push_back(std::make_unique<std::byte[]>(frame_bytes * kPerChunk));
  std::byte* base = chunks_.back().get();
  FreeFrame*& head = free_[size_class];
  for (size_t i = 0; i < kPerChunk; ++i) {
    auto* f = reinterpret_cast<FreeFrame*>(base + i * frame_bytes);
    f->next = head;
    head = f;
  }
}

}  // namespace wakesim::hw
