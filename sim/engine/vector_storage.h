// Giving a vector's spare storage back: for containers whose storage comes from a shared pool
// (hw/pool_allocator.h), so that storage one object needed for a burst serves the next object's burst
// instead of staying with the first.
#pragma once

#include <cstddef>
#include <vector>

namespace wakesim::engine {

// An empty `v` with storage for more than `n` elements keeps storage for `n` only (the rest goes back
// to its allocator). A vector that is not empty, or not larger, is left as it is.
template <class T, class Allocator>
void release_storage_beyond(std::vector<T, Allocator>& v, size_t n) {
  if (!v.empty() || v.capacity() <= n) return;
  std::vector<T, Allocator> smaller(v.get_allocator());
  smaller.reserve(n);
  v.swap(smaller);
}

}  // namespace wakesim::engine
