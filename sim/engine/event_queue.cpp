#include "sim/engine/event_queue.h"

#include <bit>
#include <new>
#include <utility>

#include "sim/engine/errors.h"

namespace wakesim::engine {

EventQueue::~EventQueue() { detach_all(); }

void EventQueue::detach_all() noexcept {
  // Events that outlive the queue (or its entries) must not call back into it. An entry whose event has
  // a grave points at a destroyed event: not touched.
  auto release = [&](std::vector<Entry>& entries) {
    for (Entry& entry : entries) {
      if (!graves_.empty() && graves_.contains(entry.event)) continue;
      entry.event->queue_ = nullptr;
      entry.event->entries_ = 0;
      entry.event->seq_ = 0;
    }
  };
  release(run_);
  for (auto& bucket : buckets_) release(bucket);
}

[[gnu::always_inline]] inline bool EventQueue::is_live(const Entry& entry) {
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

// Inlined into push() and refill_run(): it is the hot path of both.
[[gnu::always_inline]] inline void EventQueue::file(const Entry& entry) {
  const uint64_t time = static_cast<uint64_t>(entry.time);
  const unsigned level = static_cast<unsigned>(63 - std::countl_zero((time ^ static_cast<uint64_t>(reference_)) | 1)) /
                         unsigned{kDigitBits};
  const unsigned digit = static_cast<unsigned>(time >> (level * kDigitBits)) & (kDigits - 1);
  buckets_[level * kDigits + digit].push_back(entry);
  occupied_[level][digit / 64] |= uint64_t{1} << (digit % 64);
  levels_occupied_ |= uint32_t{1} << level;
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
  const Entry entry{when.ps(), (static_cast<uint64_t>(priority) << kSeqBits) | seq, &e};
  if (entry.time < run_end_) {
    // The run holds every entry earlier than run_end_, in order (also one earlier than the next event
    // peeked at, after Simulation::advance_inline moved the clock to a time before it).
    run_.insert(std::upper_bound(run_.begin(), run_.end(), entry, later), entry);
  } else {
    WAKESIM_CHECK(when.ps() >= reference_, "event at {} is earlier than the queue's current time {}", when,
                  Time::from_ps(reference_));
    file(entry);
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

[[gnu::noinline]] bool EventQueue::refill_run() {
  for (;;) {
    // Drop cancelled entries at the front of the run.
    while (!run_.empty() && !is_live(run_.back())) run_.pop_back();
    if (!run_.empty()) return true;
    if (levels_occupied_ == 0) return false;
    // The first non-empty bucket holds the earliest times. Cancelled entries are moved like live ones
    // (checking them would touch every event); they are dropped when they reach the front.
    const int level = std::countr_zero(levels_occupied_);
    auto& mask = occupied_[static_cast<size_t>(level)];
    size_t word = 0;
    while (mask[word] == 0) ++word;
    const int digit = static_cast<int>(word * 64) + std::countr_zero(mask[word]);
    mask[word] &= mask[word] - 1;
    if (mask[word] == 0 && std::all_of(mask.begin(), mask.end(), [](uint64_t m) { return m == 0; }))
      levels_occupied_ &= ~(uint32_t{1} << level);
    std::vector<Entry>& bucket = buckets_[static_cast<size_t>(level * kDigits + digit)];
    if (level == 0 || bucket.size() <= kRunMax) {
      // The bucket spans [prefix | digit, prefix | digit + 1) at its level; the run covers that span.
      run_.swap(bucket);
      if (run_.size() <= 16) {  // insertion sort: runs are usually a handful of entries
        for (size_t i = 1; i < run_.size(); ++i) {
          const Entry e = run_[i];
          size_t j = i;
          for (; j > 0 && later(e, run_[j - 1]); --j) run_[j] = run_[j - 1];
          run_[j] = e;
        }
      } else {
        std::sort(run_.begin(), run_.end(), later);
      }
      reference_ = run_.back().time;
      const int shift = level * kDigitBits;
      run_end_ = ((reference_ >> shift) + 1) << shift;
      continue;
    }
    int64_t earliest = bucket.front().time;
    for (const Entry& entry : bucket) earliest = std::min(earliest, entry.time);
    reference_ = earliest;
    // Every entry lands at a lower level, never back in this bucket, so iterating while filing is safe.
    for (const Entry& entry : bucket) file(entry);
    bucket.clear();
  }
}

// The run's last entry is the next event, or refill_run() finds it.
[[gnu::always_inline]] inline bool EventQueue::front_ready() {
  if (!run_.empty()) {
    if (is_live(run_.back())) return true;
    run_.pop_back();
  }
  return refill_run();
}

Event* EventQueue::pop() {
  if (!front_ready()) return nullptr;
  Event* e = run_.back().event;
  run_.pop_back();
  --e->entries_;
  e->seq_ = 0;
  --live_;
  return e;
}

Time EventQueue::next_time() { return front_ready() ? Time::from_ps(run_.back().time) : Time::max(); }

void EventQueue::forget(Event& e) noexcept {
  // The event is being destroyed while entries still point at it.
  if (e.seq_ != 0) {
    e.seq_ = 0;
    --live_;
    ++stale_;
  }
  if (!lost_track_) {
    try {
      Grave& grave = graves_[&e];  // an earlier event at this address may have left entries too
      grave.last_seq = next_seq_ - 1;
      grave.entries += e.entries_;
    } catch (const std::bad_alloc&) {
      // Out of memory in a destructor, typically while a bad_alloc unwinds the run that owns this queue.
      // Throwing here would terminate the process; instead the queue drops every entry (no allocation)
      // and says so to anyone who asks it for an event again.
      lost_track_ = true;
      e.seq_ = 0;
      e.entries_ = 0;  // its own entries may be among those detached next; it is being destroyed anyway
      detach_all();
      run_.clear();
      for (auto& bucket : buckets_) bucket.clear();
      for (auto& mask : occupied_) mask.fill(0);
      levels_occupied_ = 0;
      graves_.clear();
      live_ = 0;
    }
  }
  e.entries_ = 0;
  e.queue_ = nullptr;
}

void EventQueue::compact() {
  auto filter = [&](std::vector<Entry>& entries) {
    size_t kept = 0;
    for (const Entry& entry : entries)
      if (is_live(entry)) entries[kept++] = entry;
    entries.resize(kept);
  };
  filter(run_);  // stays sorted
  for (int level = 0; level < kLevels; ++level) {
    auto& mask = occupied_[static_cast<size_t>(level)];
    for (int digit = 0; digit < kDigits; ++digit) {
      auto& bucket = buckets_[static_cast<size_t>(level * kDigits + digit)];
      if (bucket.empty()) continue;
      filter(bucket);
      if (bucket.empty()) mask[static_cast<size_t>(digit / 64)] &= ~(uint64_t{1} << (digit % 64));
    }
    if (std::all_of(mask.begin(), mask.end(), [](uint64_t m) { return m == 0; }))
      levels_occupied_ &= ~(uint32_t{1} << level);
  }
}

}  // namespace wakesim::engine
