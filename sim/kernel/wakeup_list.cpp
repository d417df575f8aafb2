#include "sim/kernel/wakeup_list.h"

#include <fmt/format.h>

namespace wakesim::kernel {

WakeupList::WakeupList(const WakeupListEnvironment& env, hw::PcpuId owner)
    : env_(env), owner_(owner), head_line_(env.topology.socket_of(owner)) {
  env_.invariants.register_list_head(list_.end().pointed_node());
}

WakeupList::~WakeupList() {
  for (Vcpu& v : list_) v.on_list = nullptr;
  list_.clear();
  env_.invariants.unregister_list_head(list_.end().pointed_node());
}

bool WakeupList::contains(const Vcpu& v) const { return v.on_list == this; }

hw::CacheLine& WakeupList::line_of(const List::iterator& it) {
  return it == list_.end() ? head_line_ : it->node_line();
}

hw::Path WakeupList::add_tail(hw::Cpu& cpu, Vcpu& v) {
  if (v.on_list != nullptr) {
    env_.invariants.violation(fmt::format("vCPU {} added to pCPU {}'s wakeup list while on pCPU {}'s", v.index(),
                                          owner_.value, v.on_list->owner().value));
    // Not linked: a node in two lists would join them into a cycle that no walk leaves (a run told to go
    // on after violations would hang instead of counting them).
    co_return;
  }
  const auto tail = list_.empty() ? list_.end() : std::prev(list_.end());
  hw::CacheLine& tail_line = line_of(tail);
  list_.push_back(v);
  v.on_list = this;
  co_await cpu.load(head_line_);                                  // prev = head->prev (the tail)
  if (&tail_line != &head_line_) co_await cpu.store(head_line_);  // head->prev = new
  co_await cpu.store(v.node_line());                              // new->next = head, new->prev = tail
  co_await cpu.store(tail_line);                                  // tail->next = new (or head->next)
}

// list_del_rcu differs from list_del only in what it leaves in the removed node (the same stores).
hw::Path WakeupList::del_rcu(hw::Cpu& cpu, Vcpu& v) { return del(cpu, v); }

hw::Path WakeupList::del(hw::Cpu& cpu, Vcpu& v) {
  if (v.on_list != this) {
    env_.invariants.violation(
        fmt::format("vCPU {} removed from pCPU {}'s wakeup list but it is not on it", v.index(), owner_.value));
    co_return;
  }
  env_.tracer.removed(v, cpu.now());
  auto it = List::s_iterator_to(v);
  hw::CacheLine& prev_line = line_of(it == list_.begin() ? list_.end() : std::prev(it));
  hw::CacheLine& next_line = line_of(std::next(it));
  // Boost's normal-link erase leaves the node's own pointers untouched: like list_del_rcu, the node
  // still leads to its old successor. list_del poisons them (a walker that follows it is a bug).
  list_.erase(it);
  v.on_list = nullptr;
  co_await cpu.load(v.node_line());                             // prev = entry->prev, next = entry->next
  if (&next_line != &prev_line) co_await cpu.store(next_line);  // next->prev = prev
  co_await cpu.store(prev_line);                                // prev->next = next
  co_await cpu.store(v.node_line());                            // poison (prev only, for _rcu)
}

bool WakeupList::is_foreign_head(const List::iterator& it) const {
  if (it == list_.end() || !env_.invariants.is_list_head(it.pointed_node())) return false;
  env_.invariants.rcu_hazard(
      fmt::format("the wakeup walk on pCPU {} followed a stale pointer to another pCPU's list head "
                  "(node reused before a grace period)",
                  owner_.value));
  return true;
}

Vcpu* WakeupList::visit(hw::Cpu& cpu, const List::iterator& it) {
  if (it == list_.end()) return nullptr;
  Vcpu& v = *it;
  if (v.on_list != nullptr && v.on_list != this) {
    env_.invariants.rcu_hazard(
        fmt::format("the wakeup walk on pCPU {} followed a stale pointer into pCPU {}'s list at vCPU {} "
                    "(node reused before a grace period)",
                    owner_.value, v.on_list->owner().value, v.index()));
    return nullptr;
  }
  env_.tracer.reached(cpu, v);
  // The node's address is known: its next pointer can be loaded now, overlapping with whatever the
  // walker reads of the node meanwhile (the descriptor, for pi_test_on); next() consumes the load.
  cpu.prefetch(v.node_line());
  return &v;
}

hw::PathOf<Vcpu*> WakeupList::first(hw::Cpu& cpu) {
  env_.tracer.walk_started(cpu);
  const auto it = list_.begin();  // read at the load's issue: the value the load returns
  co_await cpu.load(head_line_);
  co_return visit(cpu, it);
}

hw::PathOf<Vcpu*> WakeupList::next(hw::Cpu& cpu, Vcpu& at) {
  co_await env_.stalls.at_node(cpu);
  if (at.on_list != this) {
    // A writer changed the list under a walker that holds the lock writers must take: a missing lock.
    env_.invariants.violation(
        fmt::format("pCPU {}'s wakeup list changed under a locked walk: vCPU {} was removed while the "
                    "walker on pCPU {} stood on it",
                    owner_.value, at.index(), cpu.id().value));
    co_return nullptr;
  }
  const auto it = std::next(List::s_iterator_to(at));
  co_await cpu.load(at.node_line());
  co_return visit(cpu, it);
}

hw::PathOf<Vcpu*> WakeupList::next_rcu(hw::Cpu& cpu, Vcpu& at, OnUnlinkedNode on_unlinked) {
  co_await env_.stalls.at_node(cpu);
  if (at.on_list != this) {
    if (on_unlinked == OnUnlinkedNode::kRestartFromHead) {
      env_.tracer.walk_restarted();
      co_return co_await first(cpu);
    }
    if (at.on_list != nullptr) {
      // Deleted from this list and re-added to another before the walker left it: its next pointer
      // now leads into that list, which the walker would take for its own (a hard lockup in the kernel).
      env_.invariants.rcu_hazard(
          fmt::format("the wakeup walk on pCPU {} stood on vCPU {}, which was moved to pCPU {}'s "
                      "list before the walker read its next pointer (node reused before a grace period)",
                      owner_.value, at.index(), at.on_list->owner().value));
      co_return nullptr;
    }
    // Deleted (list_del_rcu) and not reused: its next pointer still leads on through this list, or, if
    // the node was on another list in between, to that list's head.
  }
  // s_iterator_to on an unlinked normal-link node reads the pointers it kept. Only a node off this list
  // can lead to another list's head: a node on it leads to a node on it or to this list's own head
  // (heads are fixed, so what `it` points at is decided here, whatever the load lets happen).
  const bool unlinked = at.on_list != this;
  auto it = std::next(List::s_iterator_to(at));
  co_await cpu.load(at.node_line());
  if (unlinked && is_foreign_head(it)) co_return nullptr;
  // The successor may itself have been deleted meanwhile; it still leads on (or ends the walk).
  co_return visit(cpu, it);
}

void WakeupList::check_consistency() const {
  size_t n = 0;
  for (const Vcpu& v : list_) {
    if (v.on_list != this)
      env_.invariants.violation(
          fmt::format("vCPU {} is linked in pCPU {}'s wakeup list but records another", v.index(), owner_.value));
    ++n;
  }
  if (n != list_.size()) env_.invariants.violation(fmt::format("pCPU {}'s wakeup list is corrupt", owner_.value));
}

}  // namespace wakesim::kernel
