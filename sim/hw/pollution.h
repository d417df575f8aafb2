// Cache pollution by work that is not modelled line by line (shared/DESIGN.md §4, "Where a line
// lives"): guest execution, host tasks, kernel code outside the modelled paths. Such work touches
// memory at a rate, within a working set (its footprint), and every distinct byte it brings into a
// cache pushes the modelled lines one byte further down that cache's LRU stack.
//
// An LRU stack-distance approximation with counters, one per core (its private L1d/L2, shared by its
// SMT threads) and one per LLC domain (the sum over its cores). A line's stack distance in a cache is
// the number of distinct bytes brought in since the line's last access, estimated from two counters
// read at that access (a Mark) and now:
//  - `bytes`: bytes touched, at each running stream's rate (an upper bound: re-touches count again);
//  - `footprint`: the sum of the working sets that ran (each *stint* adds its source's footprint once;
//    an upper bound on distinct bytes, since a source re-touching its own working set brings in
//    nothing new).
// distance = min(bytes since, footprints since), where "footprints since" also counts the stints
// already running when the line was touched (a guest interrupted by the handler that touched the
// line goes on re-touching its whole working set afterwards). A stint is a run of one source on one
// pCPU; kernel code and idle in between do not end it, another source does.
//
// Cheap and deterministic: each pCPU has one stream (the rate of what it runs now); counters advance
// lazily, in integer arithmetic, when read or when a stream changes. No per-access scan, no events.
// Modelled lines count too: Coherence adds 64 bytes (to both counters) to a core for each modelled
// access that is not an L1 hit, and to a domain for each line brought into the domain (from DRAM or
// another domain), so that a pointer chase over modelled lines sees its own stack distance.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/bytes.h"
#include "sim/engine/int128.h"
#include "sim/engine/time.h"
#include "sim/hw/cache_line.h"
#include "sim/hw/ids.h"
#include "sim/hw/topology.h"

namespace wakesim::hw {

// How some work touches memory: `rate` bytes per second of execution, within a working set of
// `footprint` bytes. `source` names the working set: consecutive runs of one source on a pCPU form one
// stint (its footprint counts once).
struct TouchProfile {
  engine::ByteRate rate;
  engine::Bytes footprint{UINT64_MAX};
  const void* source = nullptr;
};

class Pollution {
 public:
  explicit Pollution(const Topology& topology);
  Pollution(const Pollution&) = delete;
  Pollution& operator=(const Pollution&) = delete;

  // From `now`, pCPU p runs work that touches memory as `profile` says (nullptr: nothing that is not
  // modelled line by line: idle, or kernel code). The profile must outlive its use.
  void set_profile(PcpuId p, const TouchProfile* profile, engine::Time now);
  const TouchProfile* profile(PcpuId p) const { return streams_[p.value].profile; }

  // Distinct bytes brought into a core's private caches / an LLC domain by modelled accesses or by an
  // eviction (a deep idle state flushing the core).
  void add_to_core(uint32_t core, uint64_t bytes) { add(cores_[core], bytes); }
  void add_to_domain(uint32_t domain, uint64_t bytes) { add(domains_[domain], bytes); }

  // The counters now, as a line accessed now records them.
  PollutionMark core_mark(uint32_t core, engine::Time now) { return mark(cores_[core], now); }
  PollutionMark domain_mark(uint32_t domain, engine::Time now) { return mark(domains_[domain], now); }
  // The stack distance now of a line whose last access there left `m`.
  uint64_t core_distance(uint32_t core, PollutionMark m, engine::Time now) { return distance(cores_[core], m, now); }
  uint64_t domain_distance(uint32_t domain, PollutionMark m, engine::Time now) {
    return distance(domains_[domain], m, now);
  }

 private:
  static constexpr int kQ = 32;  // fixed point: rates in bytes per ps << kQ, byte counters << kQ
  static constexpr uint64_t kMaxFootprint = uint64_t{1} << 50;  // "unbounded" working sets count as 1 PiB
  struct Stream {
    const TouchProfile* profile = nullptr;
    uint64_t rate_q = 0;                // bytes per ps << kQ
    const void* last_source = nullptr;  // the source of the current (or last) stint
    uint64_t open_footprint = 0;        // footprint of that stint, counted in the counters' `open`
  };
  struct Counter {
    engine::Uint128 bytes_q = 0;
    uint64_t rate_q = 0;  // sum over the member streams
    engine::Time since;
    uint64_t footprint = 0;  // footprints of every stint started, plus distinct modelled bytes
    uint64_t open = 0;       // footprints of the stints running now
  };

  void advance(Counter& c, engine::Time to) {
    if (to > c.since) {
      c.bytes_q += static_cast<engine::Uint128>(c.rate_q) * static_cast<uint64_t>((to - c.since).ps());
      c.since = to;
    }
  }
  static void add(Counter& c, uint64_t bytes) {
    c.bytes_q += static_cast<engine::Uint128>(bytes) << kQ;
    c.footprint += bytes;
  }
  PollutionMark mark(Counter& c, engine::Time now) {
    advance(c, now);
    return PollutionMark{static_cast<uint64_t>(c.bytes_q >> kQ), c.footprint - c.open};
  }
  uint64_t distance(Counter& c, PollutionMark m, engine::Time now) {
    advance(c, now);
    const uint64_t bytes = static_cast<uint64_t>(c.bytes_q >> kQ) - m.bytes;
    const uint64_t footprint = c.footprint - m.footprint;
    return bytes < footprint ? bytes : footprint;
  }

  const Topology& topology_;
  std::vector<Stream> streams_;   // per pCPU
  std::vector<Counter> cores_;    // per core (global core number)
  std::vector<Counter> domains_;  // per LLC domain (global)
};

}  // namespace wakesim::hw
