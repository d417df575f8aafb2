#include "sim/hw/spinlock.h"

#include <algorithm>
#include <cctype>

#include "sim/engine/errors.h"
#include "sim/hw/machine.h"

namespace wakesim::hw {

LockClass::LockClass(std::string name, std::string key, LockRole role)
    : name_(std::move(name)), key_(key.empty() ? name_ : std::move(key)), role_(role) {
  const bool identifier = !key_.empty() && std::all_of(key_.begin(), key_.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  WAKESIM_CHECK(identifier,
                "lock class key '{}' is not an identifier (letters, digits, '_'): metrics and file "
                "names use it",
                key_);
}

void LockClass::reset_statistics() {
  acquisitions_ = contended_ = 0;
  acquire_.clear();
  wait_.clear();
  hold_.clear();
  handoff_.clear();
}

Spinlock::AcquireOp Spinlock::acquire(Cpu& cpu, LockSubclass subclass) {
  if (LockdepRecorder* lockdep = cpu.machine().lockdep()) lockdep->acquire(cpu, *this, subclass, false);
  return do_acquire(cpu);
}

Cpu::TimedOp Spinlock::release(Cpu& cpu) {
  if (LockdepRecorder* lockdep = cpu.machine().lockdep()) lockdep->release(cpu, *this, false);
  return do_release(cpu);
}

void Spinlock::lockdep_acquire(Cpu& cpu, LockSubclass subclass) {
  if (LockdepRecorder* lockdep = cpu.machine().lockdep()) lockdep->acquire(cpu, *this, subclass, true);
}

void Spinlock::lockdep_release(Cpu& cpu) {
  if (LockdepRecorder* lockdep = cpu.machine().lockdep()) lockdep->release(cpu, *this, true);
}

void Spinlock::lockdep_set_subclass(Cpu& cpu, LockSubclass subclass) {
  if (LockdepRecorder* lockdep = cpu.machine().lockdep()) lockdep->set_subclass(cpu, *this, subclass);
}

void Spinlock::acquired(Cpu& cpu, engine::Time started, engine::Time attempted, bool contended) {
  WAKESIM_CHECK(!holder_, "lock {} acquired by pCPU {} while pCPU {} holds it", class_.name(), cpu.id(), *holder_);
  holder_ = cpu.id();
  held_since_ = cpu.now();
  if (LockdepRecorder* lockdep = cpu.machine().lockdep()) lockdep->acquired(cpu, *this);
  ++class_.acquisitions_;
  class_.acquire_.record(attempted - started);
  const engine::Time wait = cpu.now() - attempted;
  class_.wait_.record(wait);
  if (class_.role() == LockRole::kWakeupList) {
    if (engine::Time* sink = cpu.list_wait_sink()) *sink += wait;
  }
  if (contended) {
    --waiters_;
    ++class_.contended_;
    class_.handoff_.record(cpu.now() - std::max(released_at_, started));
  }
}

void Spinlock::releasing(Cpu& cpu) {
  WAKESIM_CHECK(holder_ == cpu.id(), "lock {} released by pCPU {} but held by {}", class_.name(), cpu.id(),
                holder_ ? fmt::format("{}", *holder_) : std::string("nobody"));
  holder_.reset();
}

void Spinlock::released(Cpu& cpu) {
  released_at_ = cpu.machine().coherence().stores_visible(cpu.id());
  class_.hold_.record(released_at_ - held_since_);
}

// Each state change happens where its line operation is issued, before the co_await: operations on a
// line take effect in issue order (coherence.h).

Spinlock::AcquireOp TicketLock::do_acquire(Cpu& cpu) {
  const uint32_t ticket = next_++;
  // The xadd returns both tickets at its serialization point.
  if (owner_ == ticket) return AcquireOp::uncontended(*this, cpu.now(), cpu.rmw(word_));
  return AcquireOp::contended(*this, wait_for_ticket(cpu, ticket));
}

Path TicketLock::wait_for_ticket(Cpu& cpu, uint32_t ticket) {
  const engine::Time started = cpu.now();
  co_await cpu.rmw(word_);
  const engine::Time attempted = cpu.now();
  begin_wait();
  co_await cpu.spin_until(word_, [this, ticket] { return owner_ == ticket; });
  acquired(cpu, started, attempted, true);
}

Cpu::TimedOp TicketLock::do_release(Cpu& cpu) {
  releasing(cpu);
  ++owner_;
  auto unlock = cpu.store(word_);  // head ticket + 1
  released(cpu);
  return unlock;
}

Spinlock::AcquireOp QueuedSpinlock::do_acquire(Cpu& cpu) {
  // Fast path: cmpxchg(0 -> locked).
  if (!locked_ && !pending_ && tail_ == nullptr) {
    locked_ = true;
    return AcquireOp::uncontended(*this, cpu.now(), cpu.rmw(word_));
  }
  return AcquireOp::contended(*this, acquire_contended(cpu));
}

Path QueuedSpinlock::acquire_contended(Cpu& cpu) {
  const engine::Time started = cpu.now();
  co_await cpu.rmw(word_);  // the failed cmpxchg still takes the line
  const engine::Time attempted = cpu.now();
  begin_wait();
  if (!pending_ && tail_ == nullptr) {
    // Second contender: set the pending bit and wait for the owner to leave.
    pending_ = true;
    co_await cpu.rmw(word_);
    co_await cpu.spin_until(word_, [this] { return !locked_; });
    locked_ = true;
    pending_ = false;
    co_await cpu.store(word_);  // clear_pending_set_locked
    acquired(cpu, started, attempted, true);
    co_return;
  }
  // Queue on this pCPU's node (MCS) and spin on it.
  QueueNode& node = cpu.queue_node();
  node.next = nullptr;
  node.locked = false;
  co_await cpu.store(node.line);
  QueueNode* previous = tail_;
  tail_ = &node;
  co_await cpu.rmw(word_);  // xchg_tail
  if (previous != nullptr) {
    previous->next = &node;
    co_await cpu.store(previous->line);
    co_await cpu.spin_until(node.line, [&node] { return node.locked; });
  }
  // Head of the queue: wait for the owner and any pending waiter to go.
  co_await cpu.spin_until(word_, [this] { return !locked_ && !pending_; });
  locked_ = true;
  if (tail_ == &node) {
    tail_ = nullptr;  // last in the queue: cmpxchg the tail away together with setting locked
    co_await cpu.rmw(word_);
  } else {
    co_await cpu.store(word_);  // set_locked
    co_await cpu.spin_until(node.line, [&node] { return node.next != nullptr; });
    QueueNode* next = node.next;
    next->locked = true;
    co_await cpu.store(next->line);  // arch_mcs_spin_unlock_contended
  }
  acquired(cpu, started, attempted, true);
}

Cpu::TimedOp QueuedSpinlock::do_release(Cpu& cpu) {
  releasing(cpu);
  locked_ = false;
  auto unlock = cpu.store(word_);
  released(cpu);
  return unlock;
}

std::unique_ptr<Spinlock> make_spinlock(LockKind kind, LockClass& lock_class, int home_socket) {
  if (kind == LockKind::kTicket) return std::make_unique<TicketLock>(lock_class, home_socket);
  return std::make_unique<QueuedSpinlock>(lock_class, home_socket);
}

std::unique_ptr<Spinlock> make_spinlock(LockKind kind, LockClass& lock_class, CacheLine& shared_line) {
  if (kind == LockKind::kTicket) return std::make_unique<TicketLock>(lock_class, shared_line);
  return std::make_unique<QueuedSpinlock>(lock_class, shared_line);
}

}  // namespace wakesim::hw
