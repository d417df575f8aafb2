#include "sim/hw/frame_pool.h"

#include <algorithm>
#include <cstdlib>

namespace wakesim::hw {

FramePool::~FramePool() = default;

void* FramePool::allocate_unpooled(size_t bytes) {
  auto* header = static_cast<Header*>(::operator new(bytes + sizeof(Header)));
  *header = Header{nullptr, kClasses};
  return header + 1;
}

void FramePool::deallocate_unpooled(void* header) noexcept { ::operator delete(header); }

// A chunk of this class's frames: 16 at first, then as many as the class already has, so that the
// frames a pCPU needs at once double with each chunk (amortised like a vector's growth), and the
// steady state after a warm-up finds its frames pooled.
void FramePool::add_chunk(size_t size_class) {
  const size_t frame_bytes = (size_class + 1) * kGranule;
  const size_t frames = std::max<size_t>(16, frames_[size_class]);
  frames_[size_class] += frames;
  chunks_.push_back(std::make_unique<std::byte[]>(frame_bytes * frames));
  std::byte* base = chunks_.back().get();
  FreeFrame*& head = free_[size_class];
  for (size_t i = 0; i < frames; ++i) {
    auto* f = reinterpret_cast<FreeFrame*>(base + i * frame_bytes);
    f->next = head;
    head = f;
  }
}

}  // namespace wakesim::hw
