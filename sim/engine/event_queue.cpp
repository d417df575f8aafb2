#include "sim/engine/event_queue.h"

#include <utility>

#include "sim/engine/errors.h"

namespace wakesim::engine {

EventQueue::~EventQueue() {
  // Events that outlive the queue must not call back into it.
  for (size_t i = hole_ ? 1 : 0; i < heap_.size(); ++i) {
    Entry& entry = heap_[i];
    if (!graves_.empty() && graves_.contains(entry.event)) continue;
    entry.event->queue_ = nullptr;
    entry.event->entries_ = 0;
    entry.event->seq_ = 0;
  }
}

void EventQueue::push(Event& e, Time when, Priority priority) {
  if (e.seq_ != 0) cancel(e);
  const uint64_t seq = next_seq_++;
  WAKESIM_CHECK(seq <= kSeqMask, "event sequence numbers exhausted");
  e.when_ = when;
  e.seq_ = seq;
  e.queue_ = this;
  ++e.entries_;
  ++live_;
  const Entry item{when.ps(), (static_cast<uint64_t>(priority) << kSeqBits) | seq, &e};
  if (hole_) {
    hole_ = false;
    sift_down_from_root(item);
  } else {
    heap_.push_back(item);
    sift_up(heap_.size() - 1, item);
  }
}

void EventQueue::cancel(Event& e) {
  if (e.seq_ == 0) return;
  WAKESIM_CHECK(e.queue_ == this, "cancelling an event that belongs to another queue");
  e.seq_ = 0;
  --live_;
  ++stale_;
  if (stale_ > 64 && stale_ > live_) compact();
}

Event* EventQueue::pop() {
  if (hole_) fill_hole_with_last();
  drop_stale_top();
  if (heap_.empty()) return nullptr;
  Event* e = heap_[0].event;
  --e->entries_;
  e->seq_ = 0;
  --live_;
  hole_ = true;
  return e;
}

Time EventQueue::next_time() {
  if (hole_) fill_hole_with_last();
  drop_stale_top();
  return heap_.empty() ? Time::max() : Time::from_ps(heap_[0].time);
}

void EventQueue::forget(Event& e) {
  // The event is being destroyed while entries still point at it.
  if (e.seq_ != 0) {
    e.seq_ = 0;
    --live_;
    ++stale_;
  }
  Grave& grave = graves_[&e];  // an earlier event at this address may have left entries too
  grave.last_seq = next_seq_ - 1;
  grave.entries += e.entries_;
  e.entries_ = 0;
  e.queue_ = nullptr;
}

bool EventQueue::is_live(const Entry& entry) {
  if (!graves_.empty()) [[unlikely]] {
    auto grave = graves_.find(entry.event);
    if (grave != graves_.end() && (entry.order & kSeqMask) <= grave->second.last_seq) {
      if (--grave->second.entries == 0) graves_.erase(grave);
      --stale_;
      return false;
    }
  }
  if (entry.event->seq_ == (entry.order & kSeqMask)) return true;
  --entry.event->entries_;
  --stale_;
  return false;
}

void EventQueue::drop_stale_top() {
  while (!heap_.empty() && !is_live(heap_[0])) fill_hole_with_last();
}

void EventQueue::fill_hole_with_last() {
  const Entry last = heap_.back();
  heap_.pop_back();
  hole_ = false;
  if (!heap_.empty()) sift_down_from_root(last);
}

void EventQueue::sift_down_from_root(Entry item) {
  const size_t n = heap_.size();
  size_t i = 0;
  for (;;) {
    const size_t first = 4 * i + 1;
    if (first >= n) break;
    size_t best = first;
    const size_t end = first + 4 < n ? first + 4 : n;
    for (size_t c = first + 1; c < end; ++c)
      if (before(heap_[c], heap_[best])) best = c;
    if (!before(heap_[best], item)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = item;
}

void EventQueue::sift_up(size_t index, Entry item) {
  while (index > 0) {
    const size_t parent = (index - 1) / 4;
    if (!before(item, heap_[parent])) break;
    heap_[index] = heap_[parent];
    index = parent;
  }
  heap_[index] = item;
}

void EventQueue::compact() {
  if (hole_) fill_hole_with_last();
  std::vector<Entry> kept;
  kept.reserve(live_);
  for (const Entry& entry : heap_)
    if (is_live(entry)) kept.push_back(entry);
  heap_.clear();
  // Re-insert in the old array order; entry keys are unique, so pop order is unchanged.
  for (const Entry& entry : kept) {
    heap_.push_back(entry);
    sift_up(heap_.size() - 1, entry);
  }
}

}  // namespace wakesim::engine
