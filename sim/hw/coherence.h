// The cost of load, store and atomic read-modify-write on cache lines (shared/DESIGN.md §4).
//
// Where a line is: each copy sits in its core's L1d or L2, in its domain's LLC, or has been pushed out
// to memory by the bytes brought in since it was last touched (Pollution counts them, CacheLevels
// turns the counts into a level). An access costs what the nearest usable copy costs:
//  - the pCPU's own copy: the latency of the level it is in (L1, L2, or its own LLC);
//  - a copy in another core's private caches: the one-way transfer latency for the distance between
//    the two pCPUs (reference/core-to-core-latency.csv: the CAS ping-pong numbers are exactly this);
//  - a copy only in an LLC: the LLC latency in the pCPU's own domain, else the transfer latency to
//    that domain (another CCX, another socket);
//  - no copy anywhere: DRAM, local or remote to the line's home socket.
// A write must also reach every other copy: it costs the slower of fetching the data and invalidating
// the farthest copy, and leaves the writer as the only holder. A read leaves the line shared.
//
// A line serves one transfer at a time: a request waits until the previous transfer of the same line
// is done (requests are served in issue order). This is what makes contended lines expensive; a hit
// in the pCPU's own L1/L2 does not wait. Each pCPU has `fill_buffers` miss slots: a miss (a load,
// a load issued early, or a store's RFO) starts no earlier than a slot is free.
//
// Memory ordering is x86-TSO:
//  - a plain store retires into the store buffer: the pCPU goes on after an L1 latency. Its RFO is
//    issued at once (Intel and AMD cores prefetch the line for a store waiting in the store buffer, so
//    independent store misses overlap, up to the fill buffers), but the store becomes *visible* only
//    when its line has arrived AND every earlier store of that pCPU is visible: stores drain in program
//    order. So a release store (an unlock) is visible only after the critical section's stores;
//  - a locked RMW drains the store buffer: it completes after its own line has arrived and every
//    earlier store is visible, plus the atomic cost;
//  - loads may pass earlier stores to other lines (the store buffer forwards a pCPU's own stores);
//  - Cpu::fence (smp_mb) waits for the store buffer to drain.
// Operations take effect, in issue order, when they are issued (the directory state and `version`),
// and complete when their cost has elapsed; a store's line stays busy until the store is visible.
// Every write wakes the pCPUs watching the line (spinners), in an order drawn from the machine's
// arbitration stream: hardware does not serve simultaneous re-reads in any fixed order.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/engine/random.h"
#include "sim/engine/simulation.h"
#include "sim/hw/cache_levels.h"
#include "sim/hw/cache_line.h"
#include "sim/hw/host_params.h"
#include "sim/hw/pollution.h"
#include "sim/hw/topology.h"

namespace wakesim::hw {

enum class Access : uint8_t { kLoad, kStore, kRmw };

// Where accesses were served from.
struct TransferCounters {
  std::array<uint64_t, kDistanceClasses>
      by_distance{};  // from another core or domain, by distance (kSameThread unused)
  uint64_t dram = 0;
  uint64_t hits = 0;                 // the pCPU's own L1 or L2
  uint64_t l2_hits = 0;              // ... of which in L2
  uint64_t llc_hits = 0;             // the pCPU's own LLC
  uint64_t total_transfers() const;  // from other cores, other domains and DRAM
};

class Coherence {
 public:
  Coherence(engine::Simulation& sim, const Topology& topology, const CacheParams& params, Pollution& pollution);

  // Applies the access and returns its completion time (for a store: when the pCPU may go on; the
  // store becomes visible at stores_visible(by)). Wakes the line's watchers on a write.
  engine::Time access(CacheLine& line, PcpuId by, Access kind);
  // A write by a device (the IOMMU posting an interrupt): every core's copy is invalidated; the line is
  // then in the LLC of its home socket (device_writes_to_llc) or only in memory. Wakes the watchers.
  void device_write(CacheLine& line);
  // When every store `by` has issued so far is visible to other pCPUs.
  engine::Time stores_visible(PcpuId by) const { return stores_visible_[by.value]; }
  // Where `by`'s own copy of the line is now (kMemory if it has none); for tests and reports.
  Level level_of(CacheLine& line, PcpuId by);

  engine::Time transfer_latency(PcpuId to, PcpuId from) const {
    if (has_matrix_ && to != from) return *topology_.matrix_latency(to, from);
    return by_distance_[static_cast<size_t>(topology_.distance(to, from))];
  }
  const CacheParams& params() const { return params_; }
  const CacheLevels& levels() const { return levels_; }
  const TransferCounters& counters() const { return counters_; }
  void reset_counters() { counters_ = {}; }
  // How each look at a line's other copies went: answered from the holders alone, every copy surely in
  // its holder's L2 (scan_copies_in_l2), or by reading the holders' pollution counters (scan_copies).
  // The same results either way; the first is the fast one (its test checks it is taken).
  struct ScanCounts {
    uint64_t from_holders = 0;
    uint64_t by_counters = 0;
  };
  const ScanCounts& scans() const { return scans_; }

 private:
  // What supplying a copy to `by` costs, and from where.
  struct Supply {
    engine::Time cost = engine::Time::max();
    Distance distance = Distance::kSameThread;  // kSameThread: by's own LLC (or DRAM, with from_dram)
    bool from_dram = true;
  };
  struct Here;
  engine::Time access_elsewhere(CacheLine& line, PcpuId by, Access kind, size_t own_index);
  // What the loop over the other copies finds: the nearest (a load's supplier), the farthest (what a
  // write waits for), by's own copy's index.
  struct Scan {
    Supply best;
    Supply farthest;
    bool others = false;
    bool llc_copy_here = false;  // a copy only in by's LLC (a load supersedes it)
    size_t own = 0;              // copies.size(): none
  };
  void make_sole_copy(CacheLine& line, const LineCopy& mine, engine::Time now);
  bool all_copies_in_l2(const CacheLine& line, engine::Time now);
  bool scan_copies_in_l2(const CacheLine& line, PcpuId by, Scan& scan) const;
  void scan_copies(CacheLine& line, PcpuId by, Access kind, Here& here, Scan& scan);
  // What picks a copy's survival hash besides its line (cache_levels.h).
  static uint64_t copy_hash(const LineCopy& c) { return c.core_mark.bytes * 0x9e3779b97f4a7c15ULL + c.llc_mark.bytes; }
  uint64_t core_distance(const LineCopy& copy, Here& here);
  uint64_t llc_distance(const LineCopy& copy, Here& here);
  Level locate(CacheLine& line, const LineCopy& copy, Here& here);
  Supply supply_from(const LineCopy& copy, Level level, PcpuId by) const;
  engine::Time domain_latency(uint32_t domain, PcpuId by) const;
  engine::Time dram_latency(const CacheLine& line, PcpuId by) const;
  engine::Time miss(const CacheLine& line, PcpuId by, engine::Time cost);
  LineCopy fresh_copy(Here& here, bool not_in_l1, bool new_to_domain);
  engine::Time write_hit(CacheLine& line, PcpuId by, Access kind, engine::Time ready);
  void wake_watchers(CacheLine& line);

  engine::Simulation& sim_;
  const Topology& topology_;
  CacheParams params_;
  Pollution& pollution_;
  CacheLevels levels_;
  std::array<engine::Time, kDistanceClasses> by_distance_{};
  // Per distance class from the accessing pCPU (no latency matrix): the least a copy held by a pCPU at
  // that distance can cost to supply, from the holder's private caches or from its LLC domain (a private
  // copy's domain is its holder's). A load skips a copy whose bound is no better than the best found.
  std::array<engine::Time, kDistanceClasses> supply_bound_{};
  bool has_matrix_;
  // transfer_latency(to, from) at [to * pcpus + from], for hosts of up to kPairCostPcpus pCPUs (empty
  // above: 512 KiB at 256): one load per copy when a line's copies are scanned.
  static constexpr uint32_t kPairCostPcpus = 256;
  std::vector<engine::Time> pair_cost_;
  engine::RandomStream arbitration_;
  TransferCounters counters_;
  ScanCounts scans_;
  std::vector<engine::Time> stores_visible_;  // per pCPU: when its buffered stores are all visible
  std::vector<engine::Time> fill_buffers_;    // per pCPU x fill_buffers: when each miss slot is free
  std::vector<uint16_t> next_fill_buffer_;    // per pCPU: the slot its next miss takes
  std::vector<LineWatcher*> woken_;           // wake_watchers' scratch list (storage reused)
  uint32_t next_line_id_ = 0;
  uint64_t l1_sure_below_;  // a private copy at a smaller core distance is surely in L1
  uint64_t l2_sure_below_;  // ... surely in L1 or L2
};

}  // namespace wakesim::hw
