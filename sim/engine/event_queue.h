// The pending-event set: a radix heap over integer picosecond time (Ahuja, Mehlhorn, Orlin, Tarjan,
// "Faster algorithms for the shortest path problem", JACM 37(2), 1990) with 256-way digits, and exact
// ties ordered by (priority, insertion sequence).
//
// Why this structure (measured with the hold model in test/bench/event_queue_bench.cpp; numbers in that
// file's header): simulated time never goes backwards, so the queue is monotone and a radix heap
// applies. An entry is filed under the highest base-256 digit in which its time differs from the
// reference (the last time taken out), in the bucket of its own value of that digit: (level, digit).
// Buckets of a lower level hold earlier times than any bucket of a higher level, and within a level a
// lower digit means earlier. push() is O(1): a count-leading-zeros, a shift and an append.
// The earliest entries are kept apart in a short sorted run (as in a ladder queue's bottom rung,
// Tang, Goh, Thng, ACM TOMACS 15(3), 2005), popped from its end. When the run is empty, the first
// non-empty bucket (found with occupancy bit masks) is taken: if it holds at most kRunMax entries, or
// all of one picosecond, they are sorted into the run; otherwise its minimum time becomes the new
// reference and its entries are refiled at lower levels. An entry moves at most 8 times and in practice
// once or twice before it is sorted. A push earlier than the run's end is inserted into the run in
// order, so an event scheduled for "now" at a more urgent priority still runs before others at "now".
// In the simulator this is the common case, not the exception: the default workload pushes 88% of its
// events into the run (1.66 M of 1.90 M; the run then holds 8-32 entries) and lockbench 99%, mostly
// 1-3 places from its end (an operation completing in the next nanoseconds), so the insertion point is
// searched from the end, a few steps linearly before a binary search (Simulation::schedule_at's share of
// a default run's samples: 7.7% -> 5.2%).
// Measured against std::priority_queue at N = 1e4 (hold model, this 2-core VM): a 4-ary heap with
// deferred pop, 1.0x; a binary radix heap (one bucket per bit; entries moved ~15 times each), 1.26x;
// 256-way buckets down to a 1-picosecond bottom level, 1.55x; this structure, about 2.4x. Re-measured
// 2026-12-05 (test/bench/event_queue_bench, 5 repetitions, medians): 39 M events/s at N = 1e2 (2.0x),
// 27 M at 1e4 (2.5x), 3.3-3.8 M at 1e6 (1.2-1.6x; 2.5x when first measured, not investigated: 24 MB of
// entries is most of this VM's shared 32 MB LLC). All work is on contiguous arrays of 24-byte entries,
// and event objects are touched only when popped.
// The whole model runs at about a third of this queue's hold-model rate (the default workload 11 M
// events/s, lockbench 7-15 M, in the same session as 31 M at N = 1e2), and only 28% of its events pass
// through the queue (the rest complete inline, Simulation::advance_inline): the queue is not what
// limits it (schedule_at, run_until and refill_run together take about 10% of a default run).
//
// Buckets are chains of fixed-size chunks taken from one free list per queue (emptied buckets give
// theirs back), so the queue stops allocating once its pending entries have reached their high-water
// mark: no allocation per event in steady state (test/allocation). The run is a vector reserved for
// kRunMax entries.
//
// cancel() is O(1) and lazy: the entry stays and is skipped when it reaches the front (its sequence no
// longer matches the event's); nothing in the queue points back into it, so no move ever writes to an
// event. Cancelled entries are compacted away when they outnumber live ones. An Event destroyed while
// entries still point at it is remembered by address together with the last sequence number issued,
// so those entries are recognised without touching the freed object.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/engine/event.h"
#include "sim/engine/time.h"

namespace wakesim::engine {

class EventQueue {
 public:
  EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;
  ~EventQueue();

  // Schedules `e` at `when`, which must not be earlier than the time of the last event popped. If `e`
  // is already pending it is moved (its old entry is cancelled).
  void push(Event& e, Time when, Priority priority = Priority::kDefault);
  // Makes a pending event not pending. No effect on an event that is not pending.
  void cancel(Event& e);
  // Removes and returns the earliest pending event (its when() is its time), or nullptr if none.
  Event* pop();
  // Time of the earliest pending event, or Time::max() if there is none.
  Time next_time();
  // A lower bound on it, read without changing anything or touching an event (a cancelled entry may
  // make it earlier than the truth).
  Time next_time_bound() const {
    if (!run_.empty()) return Time::from_ps(run_.back().time);
    return levels_occupied_ == 0 ? Time::max() : Time::from_ps(run_end_);
  }

  // True after running out of memory while an event was destroyed (forget): the queue has dropped its
  // entries, so the simulation that owns it must not go on (Simulation::run_until checks).
  bool lost_track() const { return lost_track_; }

  size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

 private:
  friend class Event;
  struct Entry {
    int64_t time;
    uint64_t order;  // priority in the top 8 bits, insertion sequence below
    Event* event;
  };
  static constexpr int kSeqBits = 56;
  static constexpr uint64_t kSeqMask = (uint64_t{1} << kSeqBits) - 1;
  static constexpr int kDigitBits = 8;
  static constexpr int kDigits = 1 << kDigitBits;
  static constexpr int kLevels = 64 / kDigitBits;

  static constexpr size_t kRunMax = 64;
  static constexpr int kRunLinearSteps = 8;  // push() steps back this far through the run before bisecting
  static bool later(const Entry& a, const Entry& b) {
    return a.time > b.time || (a.time == b.time && a.order > b.order);
  }

  static constexpr uint32_t kChunkEntries = 16;
  struct Chunk {
    Chunk* next;
    uint32_t count;
    std::array<Entry, kChunkEntries> entries;
  };
  struct Bucket {
    Chunk* first = nullptr;
    Chunk* last = nullptr;
    size_t size = 0;
    bool empty() const { return size == 0; }
    template <class F>
    void for_each(F&& f) const {
      for (const Chunk* c = first; c != nullptr; c = c->next)
        for (uint32_t i = 0; i < c->count; ++i) f(c->entries[i]);
    }
  };
  void append_chunk(Bucket& bucket);    // a free chunk at the bucket's end (more chunks when none is free)
  [[gnu::noinline]] void add_chunks();  // a block of free chunks: the only place the queue allocates
  void release(Bucket& bucket);         // its chunks back to the free list; the bucket is empty
  void filter(Bucket& bucket);          // drops cancelled entries (compact)

  void file(const Entry& entry);     // into the (level, digit) bucket for its time
  void forget(Event& e) noexcept;    // called by ~Event when entries still point at it
  void detach_all() noexcept;        // every queued event forgets this queue
  bool is_live(const Entry& entry);  // false for cancelled entries; releases their bookkeeping
  bool front_ready();                // run_.back() is the next live entry; false if there is none
  bool refill_run();                 // makes run_ non-empty with the earliest entries; false if none
  void compact();

  std::vector<Entry> run_;  // the earliest entries, sorted latest-first; all earlier than run_end_
  int64_t run_end_ = 0;     // every entry in a bucket is at or after this time
  std::array<Bucket, static_cast<size_t>(kLevels) * kDigits> buckets_;  // [level * kDigits + digit]
  Chunk* free_chunks_ = nullptr;
  std::vector<std::unique_ptr<Chunk[]>> chunk_blocks_;                  // the chunks' storage, never given back
  size_t chunks_ = 0;                                                   // in all blocks
  std::array<std::array<uint64_t, kDigits / 64>, kLevels> occupied_{};  // non-empty buckets per level
  uint32_t levels_occupied_ = 0;                                        // bit L set when level L has any
  int64_t reference_ = 0;                                               // buckets are filed relative to this
  uint64_t next_seq_ = 1;
  size_t live_ = 0;
  size_t stale_ = 0;
  struct Grave {
    uint64_t last_seq;  // entries for this address with a sequence <= last_seq are stale
    uint32_t entries;   // how many of them are still queued
  };
  std::unordered_map<const Event*, Grave> graves_;
  bool lost_track_ = false;
};

}  // namespace wakesim::engine
