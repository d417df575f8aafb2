// The cost of load, store and atomic read-modify-write on cache lines (shared/DESIGN.md §4):
//  - a pCPU that holds the line in the needed state pays a hit (plus the atomic cost for an RMW);
//  - otherwise the line is transferred from its holder, costing the one-way latency for the distance
//    between the two pCPUs (reference/core-to-core-latency.csv: the CAS ping-pong numbers are exactly
//    this cost); a write must reach every sharer, so it costs the farthest holder's latency, and leaves
//    the writer as the only (exclusive) holder; a read leaves the line shared;
//  - a line nobody caches (never touched, or untouched for host.cache.evict_after) comes from DRAM,
//    local or remote to its home socket;
//  - a line serves one transfer at a time: a request waits until the previous transfer of the same line
//    is done (requests are served in the order they are issued). This is what makes contended lines
//    expensive; a hit does not wait.
//  - a plain store is posted (x86 store buffer): the pCPU goes on after a hit's time while the line
//    transfer completes in the background (it still occupies the line); a locked RMW first waits for
//    the pCPU's posted stores to complete (locked instructions drain the store buffer);
// Operations take effect, in issue order, when they are issued; they complete when their cost has
// elapsed. Every write wakes the pCPUs watching the line (spinners), in an order drawn from the
// machine's arbitration stream: hardware does not serve simultaneous re-reads in any fixed order.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/engine/random.h"
#include "sim/engine/simulation.h"
#include "sim/hw/cache_line.h"
#include "sim/hw/host_params.h"
#include "sim/hw/topology.h"

namespace wakesim::hw {

enum class Access : uint8_t { kLoad, kStore, kRmw };

struct TransferCounters {
  std::array<uint64_t, kDistanceClasses> by_distance{};  // indexed by Distance (kSameThread unused)
  uint64_t dram = 0;
  uint64_t hits = 0;
  uint64_t total_transfers() const;
};

class Coherence {
 public:
  Coherence(engine::Simulation& sim, const Topology& topology, const CacheParams& params);

  // Applies the access and returns its completion time. Wakes the line's watchers on a write.
  engine::Time access(CacheLine& line, PcpuId by, Access kind);
  // A write by a device (the IOMMU posting an interrupt): every cached copy is invalidated and the
  // line is next read from memory. Wakes the line's watchers.
  void device_write(CacheLine& line);

  engine::Time transfer_latency(PcpuId to, PcpuId from) const {
    if (has_matrix_ && to != from) return *topology_.matrix_latency(to, from);
    return by_distance_[static_cast<size_t>(topology_.distance(to, from))];
  }
  const CacheParams& params() const { return params_; }
  const TransferCounters& counters() const { return counters_; }
  void reset_counters() { counters_ = {}; }

 private:
  engine::Time dram_latency(const CacheLine& line, PcpuId by) const;
  void wake_watchers(CacheLine& line);

  engine::Simulation& sim_;
  const Topology& topology_;
  CacheParams params_;
  std::array<engine::Time, kDistanceClasses> by_distance_{};
  bool has_matrix_;
  engine::RandomStream arbitration_;
  TransferCounters counters_;
  std::vector<engine::Time> stores_drained_at_;  // per pCPU: when its posted stores have completed
};

}  // namespace wakesim::hw
