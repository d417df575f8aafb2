// Spinlocks built from cache-line operations (shared/DESIGN.md §4), not from a contention formula: a
// lock's cost is the line transfers its algorithm makes, serialised on its lines. Two algorithms:
//  - TicketLock: every waiter re-reads one line after each release, so the hand-off waits for about
//    half the waiters' re-reads (Boyd-Wickizer et al., "Non-scalable locks are dangerous", 2012);
//  - QueuedSpinlock: the Linux qspinlock (kernel/locking/qspinlock.c): fast-path cmpxchg, a pending bit
//    for the second contender, then an MCS queue in which each waiter spins on its own per-CPU node, so
//    a hand-off costs a constant number of transfers whatever the number of waiters.
// A lock belongs to a LockClass (like lockdep's classes and lockstat's rows), which keeps statistics.
// Acquisitions can name a lockdep subclass (spin_lock_nested); when the Machine's LockdepRecorder is on
// (sim/hw/lockdep.h) every acquisition and release is reported to it. Subclasses never change timing.
#pragma once

#include <coroutine>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sim/engine/time.h"
#include "sim/hw/cache_line.h"
#include "sim/hw/cpu.h"
#include "sim/hw/ids.h"
#include "sim/hw/lockdep.h"
#include "sim/hw/path.h"
#include "sim/stats/latency_histogram.h"

namespace wakesim::hw {

enum class LockKind : uint8_t { kTicket, kQueued };

// What a lock protects, as far as the design-neutral metrics care: the waits on a design's
// wakeup-list locks feed sched_in.list_wait and handler.list_wait (sim/kernel/kvm.h), whatever the
// design calls its locks.
enum class LockRole : uint8_t { kOther, kWakeupList };

// lockstat-style statistics of all locks of one class.
class LockClass {
 public:
  // `name`: the kernel's name, as lockdep reports show it ("rq->__lock"). `key`: the one spelling
  // the metrics, locks.csv, histogram files and plots use ("rq"); empty means the name, which must
  // then be an identifier.
  explicit LockClass(std::string name, std::string key = {}, LockRole role = LockRole::kOther);
  const std::string& name() const { return name_; }
  const std::string& key() const { return key_; }
  LockRole role() const { return role_; }

  uint64_t acquisitions() const { return acquisitions_; }
  uint64_t contended() const { return contended_; }
  double contended_fraction() const {
    return acquisitions_ == 0 ? 0.0 : static_cast<double>(contended_) / static_cast<double>(acquisitions_);
  }
  // acquire: the first attempt, the cost an uncontended acquisition has (the lock word's line
  // fetched for the atomic). wait: the time beyond it until the lock is owned, 0 when uncontended
  // (spinning, queueing, the hand-off). hold: from owning the lock to its release becoming visible to
  // other pCPUs (x86-TSO: after the critical section's own stores, coherence.h). handoff: for
  // contended acquisitions, from the previous holder's release becoming visible to owning it.
  const stats::LatencyHistogram& acquire() const { return acquire_; }
  const stats::LatencyHistogram& wait() const { return wait_; }
  const stats::LatencyHistogram& hold() const { return hold_; }
  const stats::LatencyHistogram& handoff() const { return handoff_; }
  void reset_statistics();

 private:
  friend class Spinlock;
  std::string name_;
  std::string key_;
  LockRole role_;
  uint64_t acquisitions_ = 0;
  uint64_t contended_ = 0;
  stats::LatencyHistogram acquire_;
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

  // What acquire() returns; co_await it on the pCPU. An uncontended acquisition is one atomic on the
  // lock word and needs no coroutine frame (the hot path); a contended one runs the algorithm's path.
  class [[nodiscard]] AcquireOp {
   public:
    static AcquireOp uncontended(Spinlock& lock, engine::Time started, Cpu::TimedOp atomic) {
      return AcquireOp(lock, started, atomic, Path());
    }
    static AcquireOp contended(Spinlock& lock, Path path) {
      return AcquireOp(lock, engine::Time::zero(), std::nullopt, std::move(path));
    }
    bool await_ready() const noexcept { return atomic_ ? atomic_->await_ready() : path_.await_ready(); }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) {
      if (!atomic_) return path_.await_suspend(h);
      return atomic_->await_suspend(h) ? std::noop_coroutine() : h;
    }
    void await_resume() {
      if (atomic_) lock_.acquired(atomic_->cpu, started_, atomic_->cpu.now(), false);
    }

   private:
    AcquireOp(Spinlock& lock, engine::Time started, std::optional<Cpu::TimedOp> atomic, Path path)
        : lock_(lock), started_(started), atomic_(atomic), path_(std::move(path)) {}
    Spinlock& lock_;
    engine::Time started_;                // uncontended: when the atomic was issued
    std::optional<Cpu::TimedOp> atomic_;  // uncontended: the atomic, and acquired() when it completes
    Path path_;                           // contended: the algorithm's path (it records the acquisition)
  };

  // Both run on `cpu`; the caller decides about IRQs (spin_lock_irqsave = irq_disable + acquire).
  // `subclass` is lockdep's spin_lock_nested() subclass: it only matters to the lockdep recorder.
  // A release is the unlock store (visible after the critical section's stores, x86-TSO).
  AcquireOp acquire(Cpu& cpu, LockSubclass subclass = {});
  Cpu::TimedOp release(Cpu& cpu);
  // lockdep-only annotations (spin_acquire / spin_release on the lock's dep_map): no line operation,
  // no time; the recorder sees the lock as also held in `subclass` until lockdep_release.
  void lockdep_acquire(Cpu& cpu, LockSubclass subclass);
  void lockdep_release(Cpu& cpu);
  // lock_set_subclass: the held lock is from now on seen in `subclass`.
  void lockdep_set_subclass(Cpu& cpu, LockSubclass subclass);

  // Optional identification for lockdep reports: a name for this instance and the pCPU a per-CPU lock
  // belongs to.
  void set_instance_name(std::string name, std::optional<PcpuId> owner = std::nullopt) {
    instance_name_ = std::move(name);
    owner_ = owner;
  }
  const std::string& instance_name() const { return instance_name_; }
  std::optional<PcpuId> owner() const { return owner_; }

  bool held() const { return holder_.has_value(); }
  std::optional<PcpuId> holder() const { return holder_; }
  LockClass& lock_class() { return class_; }
  CacheLine& word() { return word_; }
  uint32_t waiters() const { return waiters_; }

 protected:
  virtual AcquireOp do_acquire(Cpu& cpu) = 0;
  virtual Cpu::TimedOp do_release(Cpu& cpu) = 0;
  void begin_wait() { ++waiters_; }
  // `attempted`: when the first attempt (the atomic on the lock word) completed.
  void acquired(Cpu& cpu, engine::Time started, engine::Time attempted, bool contended);
  void releasing(Cpu& cpu);
  // Right after the release store is issued: records the hold time up to its visibility.
  void released(Cpu& cpu);

  LockClass& class_;
  CacheLine own_line_;
  CacheLine& word_;

 private:
  friend class LockdepRecorder;
  std::optional<PcpuId> holder_;
  std::string instance_name_;
  std::optional<PcpuId> owner_;
  uint32_t lockdep_id_ = UINT32_MAX;  // instance number, given by the recorder at first sight
  uint32_t waiters_ = 0;
  engine::Time held_since_;
  engine::Time released_at_;
};

class TicketLock final : public Spinlock {
 public:
  using Spinlock::Spinlock;

 private:
  AcquireOp do_acquire(Cpu& cpu) override;
  Cpu::TimedOp do_release(Cpu& cpu) override;
  Path wait_for_ticket(Cpu& cpu, uint32_t ticket);
  uint32_t next_ = 0;   // next ticket to hand out
  uint32_t owner_ = 0;  // ticket now being served
};

class QueuedSpinlock final : public Spinlock {
 public:
  using Spinlock::Spinlock;

 private:
  AcquireOp do_acquire(Cpu& cpu) override;
  Cpu::TimedOp do_release(Cpu& cpu) override;
  Path acquire_contended(Cpu& cpu);
  bool locked_ = false;
  bool pending_ = false;
  QueueNode* tail_ = nullptr;
};

std::unique_ptr<Spinlock> make_spinlock(LockKind kind, LockClass& lock_class, int home_socket);
std::unique_ptr<Spinlock> make_spinlock(LockKind kind, LockClass& lock_class, CacheLine& shared_line);

}  // namespace wakesim::hw
