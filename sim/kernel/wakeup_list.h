// A per-pCPU list of blocked vCPUs (wakeup_vcpus_on_cpu): a Boost.Intrusive list over the vCPU
// objects, whose node (pi_wakeup_list) is embedded in the vCPU as the kernel's list_head is, with every
// operation costed as the cache-line accesses it makes (kvm-wakeup-paths.md §7, include/linux/list.h):
//   add_tail:  reads H.prev, then writes H.prev, N[v] and the tail node's line (or H);
//   del:       reads N[v] (its prev and next), writes the neighbours' lines (other vCPUs' N, or H) and
//              poisons N[v];
//   del_rcu:   the same, but N[v].next is kept so that a concurrent walker can go on;
//   first/next: load H / load N[x]. Reaching node x issues the load of N[x].next at once, so it
//              overlaps with the walker's load of PID[x] (independent addresses); the step to the next
//              node depends on it (pointer chasing: each node's miss is paid in turn).
// The list reports to the invariant checker and the wake tracer and draws walk stalls from the fault
// injector, all handed to it by the KVM model (WakeupListEnvironment); it knows nothing else of KVM.
// Nodes use normal (non-safe) links: after del_rcu a node still points at its old successor, which is
// exactly what an RCU walker reads. Invariants are checked on every operation: a vCPU is on at most
// one list; a locked walker never sees its node removed under it (that would be a missing lock); an
// RCU walker never follows a node into another pCPU's list (the node-reuse hazard).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/intrusive/list.hpp>

#include "sim/hw/cache_line.h"
#include "sim/hw/cpu.h"
#include "sim/hw/path.h"
#include "sim/hw/topology.h"
#include "sim/kernel/invariant_checker.h"
#include "sim/kernel/vcpu.h"
#include "sim/kernel/wake_tracer.h"
#include "sim/kernel/walk_stalls.h"

namespace wakesim::kernel {

// What a wakeup list needs from the model it belongs to (Kvm::list_environment()).
struct WakeupListEnvironment {
  const hw::Topology& topology;  // where the head line is homed (the owner's socket)
  InvariantChecker& invariants;
  WakeTracer& tracer;
  WalkStalls& stalls;
};

class WakeupList {
 public:
  WakeupList(const WakeupListEnvironment& env, hw::PcpuId owner);
  WakeupList(const WakeupList&) = delete;
  WakeupList& operator=(const WakeupList&) = delete;
  ~WakeupList();

  hw::PcpuId owner() const { return owner_; }
  hw::CacheLine& head_line() { return head_line_; }
  size_t size() const { return list_.size(); }
  bool contains(const Vcpu& v) const;

  hw::Path add_tail(hw::Cpu& cpu, Vcpu& v);  // list_add_tail / list_add_tail_rcu
  hw::Path del(hw::Cpu& cpu, Vcpu& v);       // list_del (poisons the node)
  hw::Path del_rcu(hw::Cpu& cpu, Vcpu& v);   // list_del_rcu (keeps node->next)

  // Walks under the lock that excludes every writer: first() then next() until nullptr.
  hw::PathOf<Vcpu*> first(hw::Cpu& cpu);
  hw::PathOf<Vcpu*> next(hw::Cpu& cpu, Vcpu& at);
  // Lockless walk (list_for_each_entry_rcu). With kRestartFromHead, a walker that finds the node it
  // stands on unlinked from this list restarts from the head (the hlist_nulls remedy,
  // Documentation/RCU/rculist_nulls.rst); with kFollowStalePointer it follows the node's kept next
  // pointer, and if that leads into another list the hazard is reported.
  enum class OnUnlinkedNode : uint8_t { kFollowStalePointer, kRestartFromHead };
  hw::PathOf<Vcpu*> next_rcu(hw::Cpu& cpu, Vcpu& at, OnUnlinkedNode on_unlinked);

  // Full consistency check (end of run and tests); reports to the invariant checker.
  void check_consistency() const;

 private:
  using List = boost::intrusive::list<Vcpu, boost::intrusive::member_hook<Vcpu, WakeupHook, &Vcpu::wakeup_hook>,
                                      boost::intrusive::constant_time_size<true>>;
  // Line of the node before / after `v` in this list (a neighbour's N, or the head H).
  hw::CacheLine& line_of(const List::iterator& it);
  Vcpu* visit(hw::Cpu& cpu, const List::iterator& it);  // nullptr at the end; records the wake trace
  // True (and the hazard reported) if `it`, read from a node no longer on this list, is another list's
  // head: the one place a walk can meet one, so the only place that asks the invariant checker.
  bool is_foreign_head(const List::iterator& it) const;

  WakeupListEnvironment env_;
  hw::PcpuId owner_;
  hw::CacheLine head_line_;
  List list_;
};

}  // namespace wakesim::kernel
