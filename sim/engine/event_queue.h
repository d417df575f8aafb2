// The pending-event set: a 4-ary min-heap of (time, priority|sequence, event) entries.
//
// Why this structure (measured in test/bench/event_queue_bench.cpp, hold model, see its header):
// - entries are 24-byte values, so comparisons never chase pointers and a cache line holds more than
//   two of them; a 4-ary heap halves the depth of a binary heap and keeps the 4 children of a node in
//   one or two cache lines;
// - pop() is deferred: it leaves a hole at the root, and the push() that almost always follows (the
//   event just run schedules its successor) fills the hole with one sift-down instead of a sift-down
//   for the pop and a sift-up for the push;
// - cancel() is O(1) and lazy: the entry stays in the heap and is skipped when it reaches the top (its
//   sequence no longer matches the event's). Nothing in the heap points back into it, so no sift ever
//   writes to an event object. Cancelled entries are compacted away when they outnumber live ones.
// An Event destroyed while entries still point at it is remembered by address together with the last
// sequence number issued, so those entries are recognised without touching the freed object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sim/engine/event.h"
#include "sim/engine/time.h"

namespace wakesim::engine {

class EventQueue {
 public:
  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;
  ~EventQueue();

  // Schedules `e` at `when`. If `e` is already pending it is moved (its old entry is cancelled).
  void push(Event& e, Time when, Priority priority = Priority::kDefault);
  // Makes a pending event not pending. No effect on an event that is not pending.
  void cancel(Event& e);
  // Removes and returns the earliest pending event (its when() is its time), or nullptr if none.
  Event* pop();
  // Time of the earliest pending event, or Time::max() if there is none.
  Time next_time();

  size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }
  uint64_t pushes() const { return next_seq_ - 1; }

 private:
  friend class Event;
  struct Entry {
    int64_t time;
    uint64_t order;  // priority in the top 8 bits, insertion sequence below
    Event* event;
  };
  static constexpr int kSeqBits = 56;
  static constexpr uint64_t kSeqMask = (uint64_t{1} << kSeqBits) - 1;
  static bool before(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.order < b.order);
  }

  void forget(Event& e);               // called by ~Event when entries still point at it
  bool is_live(const Entry& entry);    // false for cancelled entries; releases their bookkeeping
  void fill_hole_with_last();
  void sift_down_from_root(Entry item);
  void sift_up(size_t index, Entry item);
  void drop_stale_top();
  void compact();

  std::vector<Entry> heap_;
  bool hole_ = false;  // heap_[0] has been popped and is waiting for a replacement
  uint64_t next_seq_ = 1;
  size_t live_ = 0;
  size_t stale_ = 0;
  struct Grave {
    uint64_t last_seq;  // entries for this address with a sequence <= last_seq are stale
    uint32_t entries;   // how many of them are still in the heap
  };
  std::unordered_map<const Event*, Grave> graves_;
};

}  // namespace wakesim::engine
