// Spinlocks built from cache-line operations (shared/DESIGN.md §4), not from a contention formula: a
// lock's cost is the line transfers its algorithm makes, serialised on its lines. Two algorithms:
//  - TicketLock: every waiter re-reads one line after each release, so the hand-off waits for about
//    half the waiters' re-reads (Boyd-Wickizer et al., "Non-scalable locks are dangerous", 2012);
//  - QueuedSpinlock: the Linux qspinlock (kernel/locking/qspinlock.c): fast-path cmpxchg, a pending bit
//    for the second contender, then an MCS queue in which each waiter spins on its own per-CPU node, so
//    a hand-off costs a constant number of transfers whatever the number of waiters.
// A lock belongs to a LockClass (like lockdep's classes and lockstat's rows), which keeps statistics.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sim/engine/time.h"
#include "sim/hw/cache_line.h"
#include "sim/hw/cpu.h"
#include "sim/hw/ids.h"
#include "sim/hw/path.h"
#include "sim/stats/latency_histogram.h"

namespace wakesim::hw {

enum class LockKind : uint8_t { kTicket, kQueued };

// lockstat-style statistics of all locks of one class.
class LockClass {
 public:
  explicit LockClass(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  uint64_t acquisitions() const { return acquisitions_; }
  uint64_t contended() const { return contended_; }
  double contended_fraction() const {
    return acquisitions_ == 0 ? 0.0 : static_cast<double>(contended_) / static_cast<double>(acquisitions_);
  }
  // From the start of acquire() to owning the lock; from owning it to the start of release(); and for
  // contended acquisitions, from the previous holder's release to owning it.
  const stats::LatencyHistogram& wait() const { return wait_; }
  const stats::LatencyHistogram& hold() const { return hold_; }
  const stats::LatencyHistogram& handoff() const { return handoff_; }
  void reset_statistics();

 private:
  friend class Spinlock;
  std::string name_;
  uint64_t acquisitions_ = 0;
  uint64_t contended_ = 0;
  stats::LatencyHistogram wait_;
  stats::LatencyHistogram hold_;
  stats::LatencyHistogram handoff_;
};

class Spinlock {
 public:
  Spinlock(LockClass& lock_class, int home_socket) : class_(lock_class), own_line_(home_socket), word_(own_line_) {}
  // A lock whose word lives in a line shared with other data (adjacent per-CPU variables).
  Spinlock(LockClass& lock_class, CacheLine& shared_line) : class_(lock_class), word_(shared_line) {}
  Spinlock(const Spinlock&) = delete;
  Spinlock& operator=(const Spinlock&) = delete;
  virtual ~Spinlock() = default;

  // Both run on `cpu`; the caller decides about IRQs (spin_lock_irqsave = irq_disable + acquire).
  virtual Path acquire(Cpu& cpu) = 0;
  virtual Path release(Cpu& cpu) = 0;

  bool held() const { return holder_.has_value(); }
  std::optional<PcpuId> holder() const { return holder_; }
  LockClass& lock_class() { return class_; }
  CacheLine& word() { return word_; }
  uint32_t waiters() const { return waiters_; }

 protected:
  void begin_wait() { ++waiters_; }
  void acquired(Cpu& cpu, engine::Time started, bool contended);
  void releasing(Cpu& cpu);

  LockClass& class_;
  CacheLine own_line_;
  CacheLine& word_;

 private:
  std::optional<PcpuId> holder_;
  uint32_t waiters_ = 0;
  engine::Time held_since_;
  engine::Time released_at_;
};

class TicketLock final : public Spinlock {
 public:
  using Spinlock::Spinlock;
  Path acquire(Cpu& cpu) override;
  Path release(Cpu& cpu) override;

 private:
  uint32_t next_ = 0;   // next ticket to hand out
  uint32_t owner_ = 0;  // ticket now being served
};

class QueuedSpinlock final : public Spinlock {
 public:
  using Spinlock::Spinlock;
  Path acquire(Cpu& cpu) override;
  Path release(Cpu& cpu) override;

 private:
  bool locked_ = false;
  bool pending_ = false;
  QueueNode* tail_ = nullptr;
};

std::unique_ptr<Spinlock> make_spinlock(LockKind kind, LockClass& lock_class, int home_socket);
std::unique_ptr<Spinlock> make_spinlock(LockKind kind, LockClass& lock_class, CacheLine& shared_line);

}  // namespace wakesim::hw
