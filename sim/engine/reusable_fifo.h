// A first-in first-out queue that keeps its storage: once it has held n items, holding n again never
// allocates. For the model's per-object queues on the hot path (a vCPU's pending guest work), where a
// std::deque allocates and frees a block as it fills and drains.
//
// Items live in one std::vector from `head_` on; pop_front() only advances `head_`. The vector is
// cleared when it drains and compacted (the live items moved to the front) when a push would have to
// grow it while popped slots are free, so the capacity is bounded by twice the largest size held.
// With a pooling allocator, keep_when_drained(n) gives storage beyond n items back when the queue
// drains (a burst's storage then serves another object's burst instead of staying with this one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "sim/engine/vector_storage.h"

namespace wakesim::engine {

template <class T, class Allocator = std::allocator<T>>
class ReusableFifo {
 public:
  explicit ReusableFifo(const Allocator& allocator = Allocator()) : items_(allocator) {}

  bool empty() const { return head_ == items_.size(); }
  size_t size() const { return items_.size() - head_; }
  size_t capacity() const { return items_.capacity(); }
  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  auto begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() const { return items_.end(); }

  void reserve(size_t n) { items_.reserve(n); }
  // When the queue drains with storage for more than `n` items, it keeps storage for `n` only.
  void keep_when_drained(size_t n) {
    keep_ = n;
    items_.reserve(n);
  }
  void push_back(T item) {
    if (items_.size() == items_.capacity() && head_ > 0) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    items_.push_back(std::move(item));
  }
  void pop_front() {
    if (++head_ == items_.size()) clear();
  }
  void clear() {
    items_.clear();
    head_ = 0;
    release_storage_beyond(items_, keep_);
  }

 private:
  std::vector<T, Allocator> items_;
  size_t head_ = 0;
  size_t keep_ = SIZE_MAX;  // keep whatever storage was needed
};

}  // namespace wakesim::engine
