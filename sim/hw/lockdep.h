// A lockdep-style recorder (kernel/locking/lockdep.c, much simplified): what lock orders a simulation
// actually exercised. One recorder per Machine (so per Simulation; never global), off unless
// `kernel.lockdep = true`; with it off, Spinlock pays one null-pointer test per acquisition.
//
// What is recorded, at each acquisition attempt (as lockdep records at lock_acquire, before spinning):
//  - the acquirer's context: kHardIrq (a handler runs), kIrqsOff (thread context, IRQs disabled) or
//    kProcess (thread context, IRQs enabled);
//  - per pCPU a held-lock stack; each entry has its lock class, subclass (spin_lock_nested), lock
//    instance and context depth. As in lockdep, locks held by an interrupted context do not order
//    the handler's locks (lockdep separates chains by irq_context);
//  - class level: an edge (class, subclass) -> (class, subclass) from the nearest lock held in the same
//    context to the new one (lockdep's check_prevs_add), with a count per acquiring context;
//  - instance level: an edge held instance -> acquired instance for *every* lock held in the same
//    context, with the pCPU and context that did it (the raw material of the deadlock check);
//  - lock usage per class and per instance: taken in hard IRQ, taken with IRQs enabled (lockdep's
//    IN-HARDIRQ / HARDIRQ-ON usage bits), per instance with the pCPUs;
//  - every distinct lock chain of two or more locks (same-context nesting), with the IRQ-off sections
//    in which it was the deepest chain: their durations;
//  - at the end (snapshot), acquisitions still waiting after kStuckAfter: the run itself deadlocked.
// Annotation-only acquisitions (lockdep's spin_acquire on a dep_map, no real lock operation) enter
// the class graph and the chains but not the instance graph: no pCPU ever waits on them.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/engine/time.h"
#include "sim/hw/ids.h"
#include "sim/stats/latency_histogram.h"

namespace wakesim::hw {

class Cpu;
class Spinlock;
class LockClass;

enum class LockContext : uint8_t {
  kHardIrq,  // in a hard-IRQ handler (IRQs off)
  kIrqsOff,  // thread context with IRQs disabled (spin_lock_irqsave, schedule(), ...)
  kProcess,  // thread context with IRQs enabled
};
inline constexpr int kLockContexts = 3;
const char* to_string(LockContext c);

// lockdep's subclass (spin_lock_nested(lock, subclass); SINGLE_DEPTH_NESTING = 1). 0..7 as lockdep.
struct LockSubclass {
  uint8_t value = 0;
};

// What a run recorded: plain data, safe to keep after the simulation is gone.
struct LockdepRecord {
  struct Class {
    std::string name;
    bool used_in_hardirq = false;  // IN-HARDIRQ
    bool used_irqs_on = false;     // HARDIRQ-ON: taken with IRQs enabled
  };
  struct Instance {
    uint32_t lock_class = 0;
    std::string name;                  // e.g. "wakeup_vcpus_on_cpu_lock[cpu 3]" or "p->pi_lock[vm0.vcpu1]"
    std::optional<PcpuId> owner;       // the pCPU a per-CPU lock belongs to
    std::vector<PcpuId> hardirq_cpus;  // pCPUs that took it in hard IRQ
    std::vector<PcpuId> irqs_on_cpus;  // pCPUs that took it with IRQs enabled
  };
  // A (class, subclass) pair, lockdep's node.
  struct Node {
    uint32_t lock_class = 0;
    uint8_t subclass = 0;
    // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
    auto operator<=>(const Node&) const = default;
  };
  struct ClassEdge {
    Node from, to;
    std::array<uint64_t, kLockContexts> count{};  // by the context of the acquisition of `to`
    uint64_t annotation = 0;                      // of which lockdep-only acquisitions
  };
  struct InstanceEdge {
    uint32_t from = 0, to = 0;  // instances
    PcpuId cpu;
    LockContext context = LockContext::kProcess;
    uint64_t count = 0;
  };
  struct Chain {
    std::vector<Node> nodes;  // outermost first
    LockContext context = LockContext::kProcess;
    uint64_t count = 0;
    PcpuId first_cpu;
    engine::Time first_seen;
    stats::LatencyHistogram irq_off;  // IRQ-off sections in which this was the deepest chain
  };
  std::vector<Class> classes;
  std::vector<Instance> instances;
  std::vector<ClassEdge> class_edges;
  std::vector<InstanceEdge> instance_edges;
  std::vector<Chain> chains;
  // A pCPU context still waiting for a lock at the end of the run, kStuckAfter or longer.
  struct StuckWaiter {
    PcpuId cpu;
    LockContext context = LockContext::kProcess;
    uint32_t waits_for = 0;        // instance
    std::optional<PcpuId> holder;  // who holds it
    std::vector<uint32_t> holds;   // instances this pCPU holds (all contexts)
    engine::Time since;
  };
  std::vector<StuckWaiter> stuck;
  engine::Time end;  // when the snapshot was taken
  uint64_t acquisitions = 0;

  std::string node_name(Node n) const;  // "name" or "name/1"
};

class LockdepRecorder {
 public:
  static constexpr engine::Time kStuckAfter = engine::Time::from_ps(1'000'000'000);  // 1 ms
  explicit LockdepRecorder(uint32_t pcpus);
  LockdepRecorder(const LockdepRecorder&) = delete;
  LockdepRecorder& operator=(const LockdepRecorder&) = delete;
  ~LockdepRecorder();

  // From Spinlock: an acquisition attempt (annotation: lockdep-only, no lock operation) and a release.
  void acquire(Cpu& cpu, Spinlock& lock, LockSubclass subclass, bool annotation);
  void acquired(Cpu& cpu, Spinlock& lock);  // the attempt succeeded
  void release(Cpu& cpu, Spinlock& lock, bool annotation);
  // lock_set_subclass on a held lock (no new edge, as lockdep).
  void set_subclass(Cpu& cpu, Spinlock& lock, LockSubclass subclass);
  // From Cpu: an IRQ-off stretch of `cpu` ended after `duration`.
  void irq_section_end(PcpuId cpu, engine::Time duration);

  const LockdepRecord& record() const { return record_; }
  // The record with the waiters stuck at `now`.
  LockdepRecord snapshot(engine::Time now) const;

 private:
  struct Held {
    Spinlock* lock;
    uint32_t instance;
    LockdepRecord::Node node;
    int depth;  // context depth (0 thread, >= 1 hard IRQ)
    LockContext context;
    bool annotation;
    uint64_t chain_key;
  };
  struct Waiting {
    const Spinlock* lock = nullptr;
    uint32_t instance = 0;
    LockContext context = LockContext::kProcess;
    engine::Time since;
  };
  static constexpr int kContexts = 4;  // Cpu::kMaxContexts
  struct PerCpu {
    std::vector<Held> held;
    std::array<Waiting, kContexts> waiting;  // by context depth
    int deepest_chain = -1;                  // chain index, in the current IRQ-off section
    size_t deepest_length = 0;
  };
  uint32_t class_id(LockClass& c);
  uint32_t instance_id(Spinlock& lock);
  void note_usage(uint32_t instance, PcpuId cpu, LockContext context);

  LockdepRecord record_;
  std::vector<PerCpu> cpus_;
  std::vector<LockClass*> class_ptrs_;
  std::unordered_map<uint64_t, uint32_t> class_edge_index_;
  std::unordered_map<uint64_t, uint32_t> instance_edge_index_;
  std::unordered_map<uint64_t, uint32_t> chain_index_;
};

}  // namespace wakesim::hw
