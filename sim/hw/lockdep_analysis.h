// What lockdep would say about a recorded run (sim/hw/lockdep.h), and whether it could really deadlock.
//
// Class level (lockdep's view). Two graphs are built from the recorded class edges:
//  - the lockdep graph, whose nodes are (class, subclass) pairs: a cycle in it is what lockdep prints as
//    "possible circular locking dependency" given the subclass annotations the code used;
//  - the class graph, subclasses ignored (self-loops dropped: same-class nesting is a recursive-lock
//    question, reported separately when the subclasses are equal too). A cycle here that has no
//    counterpart in the lockdep graph is one the subclass annotations silence.
// Also lockdep's IRQ rules: a class taken both in hard IRQ and with IRQs enabled (inconsistent lock
// state), and an order from a class used in hard IRQ to one taken with IRQs enabled (HARDIRQ-safe ->
// HARDIRQ-unsafe).
//
// Instance level (could it really deadlock?). A deadlock is a cycle of lock instances l0 -> l1 -> ...
// -> l0 in which, at one moment, each edge's pCPU holds l(i) and waits for l(i+1). The recorded
// instance edges (held instance -> acquired instance, with the pCPU and context that did it) are
// searched for elementary cycles (up to kMaxCycleLength instances) whose edges can be in progress at
// the same time. Two edges can if they ran on different pCPUs, or on the same pCPU when one ran in
// hard IRQ and the other with IRQs enabled (the handler interrupted the holder). Two edges on one pCPU
// otherwise cannot: a pCPU runs one context at a time, and a section with IRQs off cannot be
// interrupted. Annotation-only acquisitions (lockdep's spin_acquire) are not instance edges: nobody
// waits on them. Separately, an instance taken in hard IRQ on a pCPU that also holds it with IRQs
// enabled is a real self-deadlock.
// When a class cycle has no instance cycle, the report says why, from the data: for each pair of
// consecutive class edges X -> Y -> Z it checks whether some instance y of Y was both acquired under X
// by one edge and held while taking Z by another that could run concurrently; the first pair for which
// none was is the explanation ("X -> Y is only taken on the pCPU that owns the Y instance, with IRQs
// off, and Y -> Z only in hard IRQ on that same pCPU: they never hold and wait for one instance at
// once" is the KVM case, kvm-wakeup-paths.md §2).
// The answer is about the acquisitions the run exercised: an order never exercised is not seen, as in
// lockdep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/hw/lockdep.h"

namespace wakesim::hw {

struct LockdepAnalysis {
  static constexpr size_t kMaxCycleLength = 6;
  static constexpr uint64_t kSearchBudget = 20'000'000;  // DFS steps of the instance search

  struct InstanceDeadlock {
    std::vector<LockdepRecord::InstanceEdge> edges;  // edge i: cpu holds edges[i].from, waits for .to
    std::vector<uint32_t> classes;                   // class of each edges[i].from
  };
  struct Verdict {
    bool possible_deadlock = false;
    std::string reason;  // why not, or the witness
    int witness = -1;    // index into deadlocks
  };
  struct NodeCycle {                         // what lockdep prints
    std::vector<LockdepRecord::Node> nodes;  // n0 -> n1 -> ... -> n0
    std::vector<size_t> edges;               // indices into record.class_edges
    Verdict verdict;
  };
  struct ClassCycle {  // subclasses ignored
    std::vector<uint32_t> classes;
    bool reported_by_lockdep = false;  // a NodeCycle projects onto it
    Verdict verdict;
  };

  std::vector<NodeCycle> lockdep_cycles;
  std::vector<ClassCycle> class_cycles;
  std::vector<std::string> recursive;           // same (class, subclass) nested
  std::vector<std::string> irq_inconsistent;    // class used in hard IRQ and with IRQs on
  std::vector<std::string> irq_safe_unsafe;     // HARDIRQ-safe -> HARDIRQ-unsafe orders
  std::vector<std::string> irq_self_deadlocks;  // instance level
  std::vector<InstanceDeadlock> deadlocks;      // distinct class signatures
  uint64_t deadlock_cycles = 0;                 // instance cycles found (all signatures)
  bool search_truncated = false;
  std::vector<size_t> longest_chains;  // indices into record.chains

  bool observed_deadlock = false;  // record.stuck is not empty: the run itself deadlocked

  bool possible_deadlock() const { return !deadlocks.empty() || !irq_self_deadlocks.empty() || observed_deadlock; }
};

LockdepAnalysis analyze_lockdep(const LockdepRecord& record);

// The report of one design, lockdep-like, as text (no trailing blank line).
std::string format_lockdep_report(const LockdepRecord& record, const LockdepAnalysis& analysis);

}  // namespace wakesim::hw
