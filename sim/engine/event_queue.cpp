#include "sim/engine/event_queue.h"

#include <bit>
#include <new>
#include <utility>

#include "sim/engine/errors.h"

namespace wakesim::engine {

EventQueue::EventQueue() {
  run_.reserve(kRunMax);
  chunk_blocks_.reserve(32);  // 64 chunks doubled 31 times: more than any memory
}

EventQueue::~EventQueue() { detach_all(); }

// 64 chunks at first, then as many as the queue already has: the chunks double with each block, so a
// queue whose pending entries keep setting new records allocates O(log) times.
void EventQueue::add_chunks() {
  const size_t chunks = std::max<size_t>(64, chunks_);
  chunks_ += chunks;
  auto block = std::make_unique_for_overwrite<Chunk[]>(chunks);
  for (size_t i = 0; i < chunks; ++i) {
    block[i].next = free_chunks_;
    free_chunks_ = &block[i];
  }
  chunk_blocks_.push_back(std::move(block));
}

void EventQueue::append_chunk(Bucket& bucket) {
  if (free_chunks_ == nullptr) [[unlikely]]
    add_chunks();
  Chunk* c = free_chunks_;
  free_chunks_ = c->next;
  c->next = nullptr;
  c->count = 0;
  if (bucket.last != nullptr) bucket.last->next = c;
  else bucket.first = c;
  bucket.last = c;
}

void EventQueue::release(Bucket& bucket) {
  if (bucket.first != nullptr) {
    bucket.last->next = free_chunks_;
    free_chunks_ = bucket.first;
  }
  bucket = Bucket{};
}

void EventQueue::detach_all() noexcept {
  // Events that outlive the queue (or its entries) must not call back into it. An entry whose event has
  // a grave points at a destroyed event: not touched.
  auto detach = [&](const Entry& entry) {
    if (!graves_.empty() && graves_.contains(entry.event)) return;
    entry.event->queue_ = nullptr;
    entry.event->entries_ = 0;
    entry.event->seq_ = 0;
  };
  for (const Entry& entry : run_) detach(entry);
  for (const Bucket& bucket : buckets_) bucket.for_each(detach);
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
  Bucket& bucket = buckets_[level * kDigits + digit];
  if (bucket.last == nullptr || bucket.last->count == kChunkEntries) [[unlikely]]
    append_chunk(bucket);
  bucket.last->entries[bucket.last->count++] = entry;
  ++bucket.size;
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
    // Searched from the end: an event pushed for the next few nanoseconds goes before few others.
    auto at = run_.end();
    for (int step = 0; step < kRunLinearSteps && at != run_.begin() && later(entry, *(at - 1)); ++step) --at;
    if (at != run_.begin() && later(entry, *(at - 1))) at = std::upper_bound(run_.begin(), at, entry, later);
    run_.insert(at, entry);
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
    Bucket& bucket = buckets_[static_cast<size_t>(level) * kDigits + static_cast<size_t>(digit)];
    if (level == 0 || bucket.size <= kRunMax) {
      // The bucket spans [prefix | digit, prefix | digit + 1) at its level; the run covers that span.
      bucket.for_each([this](const Entry& entry) { run_.push_back(entry); });
      release(bucket);
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
    int64_t earliest = bucket.first->entries[0].time;
    bucket.for_each([&earliest](const Entry& entry) { earliest = std::min(earliest, entry.time); });
    reference_ = earliest;
    // Every entry lands at a lower level, never back in this bucket, so iterating while filing is safe.
    bucket.for_each([this](const Entry& entry) { file(entry); });
    release(bucket);
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
      for (Bucket& bucket : buckets_) release(bucket);
      for (auto& mask : occupied_) mask.fill(0);
      levels_occupied_ = 0;
      graves_.clear();
      live_ = 0;
    }
  }
  e.entries_ = 0;
  e.queue_ = nullptr;
}

// Keeps the live entries in order, packed into the bucket's first chunks; the rest go back.
void EventQueue::filter(Bucket& bucket) {
  Chunk* out = bucket.first;
  uint32_t n = 0;
  size_t kept = 0;
  for (Chunk* c = bucket.first; c != nullptr; c = c->next) {
    for (uint32_t i = 0; i < c->count; ++i) {
      if (!is_live(c->entries[i])) continue;
      if (n == kChunkEntries) {  // `out` is behind the chunk being read: it has been read in full
        out->count = n;
        out = out->next;
        n = 0;
      }
      out->entries[n++] = c->entries[i];
      ++kept;
    }
  }
  if (kept == 0) {
    release(bucket);
    return;
  }
  out->count = n;
  if (out->next != nullptr) {
    bucket.last->next = free_chunks_;
    free_chunks_ = out->next;
    out->next = nullptr;
  }
  bucket.last = out;
  bucket.size = kept;
}

void EventQueue::compact() {
  size_t kept = 0;
  for (const Entry& entry : run_)
    if (is_live(entry)) run_[kept++] = entry;
  run_.resize(kept);  // stays sorted
  for (int level = 0; level < kLevels; ++level) {
    auto& mask = occupied_[static_cast<size_t>(level)];
    for (int digit = 0; digit < kDigits; ++digit) {
      Bucket& bucket = buckets_[static_cast<size_t>(level) * kDigits + static_cast<size_t>(digit)];
      if (bucket.empty()) continue;
      filter(bucket);
      if (bucket.empty()) mask[static_cast<size_t>(digit / 64)] &= ~(uint64_t{1} << (digit % 64));
    }
    if (std::all_of(mask.begin(), mask.end(), [](uint64_t m) { return m == 0; }))
      levels_occupied_ &= ~(uint32_t{1} << level);
  }
}

}  // namespace wakesim::engine
