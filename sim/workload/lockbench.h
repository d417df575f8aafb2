// The lock micro-benchmark (no KVM): N pCPUs each loop { non-critical work; acquire one lock; write K
// shared lines and compute for the critical-section time; release }. It measures a spinlock algorithm
// built from cache-line operations (sim/hw/spinlock.h) on a given machine, and with coherence costs
// set to zero it is the finite-source single-server queue that test/validation checks it against.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/config/schema.h"
#include "sim/engine/random.h"
#include "sim/hw/machine.h"
#include "sim/hw/spinlock.h"

namespace wakesim::workload {

enum class Placement : uint8_t {
  kCompact,  // pCPUs 0, 1, 2, ...: one socket first (Linux numbering), SMT siblings last
  kSpread,   // alternate sockets: socket 0, socket 1, socket 0, ...
};

struct LockbenchParams {
  int cpus = 8;
  Placement placement = Placement::kCompact;
  engine::Distribution think = engine::Distribution::exponential(2e6);    // 2 us between acquisitions
  engine::Distribution critical = engine::Distribution::constant(100e3);  // 100 ns critical section
  int shared_lines = 2;                                                   // lines written inside each critical section
  bool irqs_off = false;                                                  // spin_lock_irqsave instead of spin_lock

  static const config::Section<LockbenchParams>& schema();
};

// The pCPUs the benchmark uses, in order. Throws UserError if the machine has too few.
std::vector<hw::PcpuId> place(const hw::Topology& topology, int count, Placement placement);

class Lockbench {
 public:
  Lockbench(hw::Machine& machine, const LockbenchParams& params, hw::LockKind kind);
  void start();
  void reset_statistics();

  const hw::LockClass& lock_class() const { return class_; }
  uint64_t iterations() const { return iterations_; }
  const std::vector<hw::PcpuId>& pcpus() const { return pcpus_; }

 private:
  hw::Path worker(hw::Cpu& cpu, size_t index);

  hw::Machine& machine_;
  LockbenchParams params_;
  std::vector<hw::PcpuId> pcpus_;
  hw::LockClass class_{"lockbench"};
  std::unique_ptr<hw::Spinlock> lock_;
  std::vector<std::unique_ptr<hw::CacheLine>> shared_;
  std::vector<engine::RandomStream> think_rng_;
  std::vector<engine::RandomStream> critical_rng_;
  uint64_t iterations_ = 0;
};

}  // namespace wakesim::workload
