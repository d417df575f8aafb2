// The simulated host: topology, cache pollution and the memory-hierarchy cost model, the pCPUs and
// interrupt delivery.
// One per Simulation; everything in it refers to that Simulation only.
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "sim/engine/simulation.h"
#include "sim/hw/coherence.h"
#include "sim/hw/cpu.h"
#include "sim/hw/frame_pool.h"
#include "sim/hw/host_params.h"
#include "sim/hw/interrupts.h"
#include "sim/hw/lockdep.h"
#include "sim/hw/pollution.h"
#include "sim/hw/topology.h"

namespace wakesim::hw {

class Machine {
 public:
  Machine(engine::Simulation& sim, const HostParams& params);
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;
  ~Machine();

  engine::Simulation& sim() { return sim_; }
  const HostParams& params() const { return params_; }
  const Topology& topology() const { return topology_; }
  Coherence& coherence() { return coherence_; }
  Pollution& pollution() { return pollution_; }
  Interrupts& interrupts() { return interrupts_; }
  // The memory of every pCPU's coroutine frames and of the model's pooled containers.
  FramePool& frame_pool() { return frame_pool_; }
  uint32_t pcpus() const { return topology_.pcpus(); }
  // Room in `line` for the copies of up to `sharers` pCPUs (no more than the machine has), so that
  // reading it from that many does not allocate during the run (shared/DESIGN.md §2).
  void reserve_copies(CacheLine& line, size_t sharers) const {
    line.reserve_copies(std::min<size_t>(sharers, pcpus()));
  }
  Cpu& cpu(PcpuId id) { return *cpus_[id.value]; }
  // The lock-order recorder, when on (kernel.lockdep); nullptr otherwise.
  void enable_lockdep();
  LockdepRecorder* lockdep() { return lockdep_.get(); }

  void reset_statistics();

 private:
  engine::Simulation& sim_;
  FramePool frame_pool_;  // first member: it outlives everything whose frames or containers it holds
  HostParams params_;
  Topology topology_;
  Pollution pollution_;
  Coherence coherence_;
  Interrupts interrupts_;
  std::vector<std::unique_ptr<Cpu>> cpus_;
  std::unique_ptr<LockdepRecorder> lockdep_;
};

}  // namespace wakesim::hw
