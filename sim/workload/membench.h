// Memory micro-benchmarks on one pCPU of the simulated host: the same two kernels `wakesim calibrate`
// times on the real machine (sim/calibrate), so that the model can be held against the measurement.
//  - chase: a dependent pointer chase over a working set of modelled lines, visited in a random cyclic
//    order; after warm-up rounds, ns per load is the latency of the level the working set fits in
//    (the cache-level model of sim/hw/cache_levels.h, and the pCPU's own misses as pollution);
//  - walk: a KVM wakeup-list walk after pollution. A list of `nodes` nodes, each two lines as in
//    struct vcpu_vt (the posted-interrupt descriptor PID[x], then the list node N[x]); each round the
//    pCPU first streams through `pollution` bytes of other memory (work not modelled line by line, at
//    `stream_rate`), then walks the list exactly as the wakeup handler does (sim/kernel/wakeup_list.h):
//    load the head, and per node issue the load of N[x].next, load PID[x] (pi_test_on), then step to the
//    next node. ns per node is the walk's time over the node count, averaged over the measured rounds.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/config/schema.h"
#include "sim/engine/bytes.h"
#include "sim/hw/machine.h"
#include "sim/stats/running_stats.h"

namespace wakesim::workload {

struct MemoryParams {
  int pcpu = 0;                                        // the pCPU that runs the benchmark
  engine::Bytes working_set = engine::Bytes::kib(16);  // chase: lines in the ring x 64 B
  int warmup_rounds = 2;                               // chase rounds (walk rounds) not measured
  int rounds = 4;                                      // measured rounds
  int nodes = 16;                                      // walk: list length
  engine::Bytes pollution{0};                          // walk: bytes streamed before each walk
  engine::ByteRate stream_rate{16e9};                  // walk: how fast the pollution is streamed

  static const config::Section<MemoryParams>& schema();
};

enum class MemoryTest : uint8_t { kChase, kWalk };

class MemoryBench {
 public:
  MemoryBench(hw::Machine& machine, const MemoryParams& params, MemoryTest test);
  MemoryBench(const MemoryBench&) = delete;
  MemoryBench& operator=(const MemoryBench&) = delete;
  ~MemoryBench();

  // Starts the benchmark on its pCPU; it ends by itself (no events left). `done()` tells.
  void start();
  bool done() const { return done_; }
  engine::Time finished_at() const { return finished_at_; }
  // ns per load (chase) or per node (walk), one value per measured round.
  const stats::RunningStats& per_access_ns() const { return per_access_ns_; }
  // Accesses counted while measuring, by where they were served (Coherence's counters).
  const hw::TransferCounters& measured_counters() const { return measured_; }
  uint64_t measured_accesses() const { return measured_accesses_; }

 private:
  struct Node {
    explicit Node(int socket) : pid(socket), node(socket) {}
    hw::CacheLine pid;
    hw::CacheLine node;
  };
  hw::Path chase(hw::Cpu& cpu);
  hw::Path walk(hw::Cpu& cpu);
  hw::Path walk_once(hw::Cpu& cpu);
  void begin_measuring();

  hw::Machine& machine_;
  MemoryParams params_;
  MemoryTest test_;
  std::vector<std::unique_ptr<hw::CacheLine>> ring_;  // chase, in visiting order
  hw::CacheLine head_;
  std::vector<std::unique_ptr<Node>> list_;  // walk, in list order
  hw::TouchProfile stream_;
  stats::RunningStats per_access_ns_;
  hw::TransferCounters measured_;
  uint64_t measured_accesses_ = 0;
  bool done_ = false;
  engine::Time finished_at_;
};

}  // namespace wakesim::workload
