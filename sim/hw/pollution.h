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
// Scan resistance: an LLC does not give each byte of a stream of used-once data the place of a line
// that is used again (Intel's adaptive LLC insertion since Ivy Bridge; the Zen 5 walk measured by
// `wakesim calibrate`, results/calibration/). Streams count in the LLC domains' counters at
// host.cache.llc_pollution_weight of their rate and footprint (1: plain LRU); the private levels count
// them whole (the measured L1/L2 walk steps sit at the chase's capacities).
//
// Cheap and deterministic: each pCPU has one stream (the rate of what it runs now); counters advance
// in integer arithmetic only when a stream changes, and a read computes the value at its time without
// writing it. No per-access scan, no events.
// Modelled lines count too: Coherence adds 64 bytes (to both counters) to a core for each modelled
// access that is not an L1 hit, and to a domain for each line brought into the domain (from DRAM or
// another domain), so that a pointer chase over modelled lines sees its own stack distance.
#pragma once

#include <algorithm>
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

// A counter as an access reads it: bytes touched, footprints started, footprints of running stints.
struct PollutionView {
  uint64_t bytes = 0;
  uint64_t footprint = 0;
  uint64_t open = 0;
  // The stack distance of a line whose last access left `m`.
  uint64_t distance(PollutionMark m) const {
    const uint64_t b = (bytes - m.bytes) & kBytesMask, f = footprint - m.footprint;
    return b < f ? b : f;
  }
  static constexpr uint64_t kBytesMask = (uint64_t{1} << 48) - 1;  // the byte counter wraps at 2^48
  // The mark an access now leaves.
  PollutionMark mark() const { return PollutionMark{bytes, footprint - open}; }
  void add(uint64_t n) {
    bytes += n;
    footprint += n;
  }
};

class Pollution {
 public:
  // `llc_weight` (host.cache.llc_pollution_weight): the share of a streamed byte that counts in the LLC
  // domains' counters; modelled lines always count whole.
  explicit Pollution(const Topology& topology, double llc_weight = 1.0);
  Pollution(const Pollution&) = delete;
  Pollution& operator=(const Pollution&) = delete;

  // From `now`, pCPU p runs work that touches memory as `profile` says (nullptr: nothing that is not
  // modelled line by line: idle, or kernel code). The profile must outlive its use.
  void set_profile(PcpuId p, const TouchProfile* profile, engine::Time now);
  const TouchProfile* profile(PcpuId p) const { return streams_[p.value].profile; }

  // Distinct bytes brought into a core's private caches / an LLC domain by modelled accesses or by an
  // eviction (a deep idle state flushing the core).
  void add_to_core(uint32_t core, uint64_t bytes) {
    add(cores_[core], bytes);
    all_cores_.bytes_q += static_cast<engine::Uint128>(bytes) << kRateQ;
  }
  void add_to_domain(uint32_t domain, uint64_t bytes) { add(domains_[domain], bytes); }

  // The counters at `now` (which must not go backwards for one counter).
  PollutionView core_view(uint32_t core, engine::Time now) { return view(cores_[core], now); }
  PollutionView domain_view(uint32_t domain, engine::Time now) { return view(domains_[domain], now); }
  PollutionMark core_mark(uint32_t core, engine::Time now) { return core_view(core, now).mark(); }
  PollutionMark domain_mark(uint32_t domain, engine::Time now) { return domain_view(domain, now).mark(); }
  uint64_t core_distance(uint32_t core, PollutionMark m, engine::Time now) { return core_view(core, now).distance(m); }
  uint64_t domain_distance(uint32_t domain, PollutionMark m, engine::Time now) {
    return domain_view(domain, now).distance(m);
  }

  // Bytes brought into all cores together by `now`, rounded down / up. A line whose copies were all
  // marked at or after a time when all_cores_floor() read F has, at `now`, a core distance of at most
  // all_cores_ceil(now) - F + 1 in every holder's core (the +1: a view rounds to whole bytes). Coherence
  // uses it to know, without reading each holder's counter, that every copy is still in its L2.
  uint64_t all_cores_floor(engine::Time now) {
    advance(all_cores_, now);
    return static_cast<uint64_t>(all_cores_.bytes_q >> kRateQ);
  }
  uint64_t all_cores_ceil(engine::Time now) {
    advance(all_cores_, now);
    return static_cast<uint64_t>((all_cores_.bytes_q + ((engine::Uint128{1} << kRateQ) - 1)) >> kRateQ);
  }

 private:
  // Fixed point: rates in bytes per ps << kRateQ; byte counters in the same unit (bytes << kRateQ), in
  // 128 bits, so a counter advances by rate x time exactly: its value at a time does not depend on when
  // it was read in between (no rounding per read), and the sum over cores bounds each core's growth.
  // Views round to whole bytes; `bytes` wraps at 2^48 bytes (256 TiB: only differences are used, and no
  // distance comes near that).
  static constexpr int kRateQ = 40;
  static constexpr uint64_t kMaxFootprint = uint64_t{1} << 46;  // "unbounded" working sets count as 64 TiB
  struct Stream {
    const TouchProfile* profile = nullptr;
    uint64_t rate_q = 0;                // bytes per ps << kRateQ
    uint64_t llc_rate_q = 0;            // the same, weighted for the LLC domain's counter
    const void* last_source = nullptr;  // the source of the current (or last) stint
    uint64_t open_footprint = 0;        // footprint of that stint, counted in the core counter's `open`
    uint64_t llc_open_footprint = 0;    // the same, weighted, in the domain counter's
  };
  // A core's or domain's counter holds bytes << kRateQ plus half a byte, so that a view rounds to the
  // nearest byte with one shift.
  static constexpr engine::Uint128 kHalfByteQ = engine::Uint128{1} << (kRateQ - 1);
  struct Counter {
    engine::Uint128 bytes_q = kHalfByteQ;  // bytes << kRateQ, plus kHalfByteQ
    uint64_t rate_q = 0;                   // sum over the member streams, bytes per ps << kRateQ
    engine::Time since;                    // bytes_q is the value at this time (the last change of rate_q)
    uint64_t footprint = 0;                // footprints of every stint started, plus distinct modelled bytes
    uint64_t open = 0;                     // footprints of the stints running now
  };
  // Bytes brought into all cores together (the sum of the core counters' `bytes_q`, less their half-byte
  // offsets): its growth over an interval bounds every core's. 128-bit rate: the sum of many streams'
  // rates may pass 2^64.
  struct AllCores {
    engine::Uint128 bytes_q = 0;
    engine::Uint128 rate_q = 0;
    engine::Time since;
  };

  // A Counter or AllCores to `to`.
  template <class C>
  static void advance(C& c, engine::Time to) {
    if (to <= c.since) return;
    if (c.rate_q != 0) c.bytes_q += static_cast<engine::Uint128>(c.rate_q) * static_cast<uint64_t>((to - c.since).ps());
    c.since = to;
  }
  static void add(Counter& c, uint64_t bytes) {
    c.bytes_q += static_cast<engine::Uint128>(bytes) << kRateQ;
    c.footprint += bytes;
  }
  // The counter at `now`, without writing it: bytes_q holds its value at `since` (the last rate change),
  // and the rate has been constant since. The same value advance() would leave, exactly; a read that
  // writes nothing keeps the two or three counters each access reads off the hot path's store chain.
  // (A `now` before `since` reads the value at `since`, as advance() would.)
  static PollutionView view(const Counter& c, engine::Time now) {
    const int64_t elapsed = std::max<int64_t>((now - c.since).ps(), 0);
    const engine::Uint128 bytes_q = c.bytes_q + static_cast<engine::Uint128>(c.rate_q) * static_cast<uint64_t>(elapsed);
    return PollutionView{static_cast<uint64_t>(bytes_q >> kRateQ), c.footprint, c.open};
  }

  const Topology& topology_;
  uint64_t llc_weight_q_;  // llc_weight << kWeightQ
  static constexpr int kWeightQ = 16;
  std::vector<Stream> streams_;   // per pCPU
  std::vector<Counter> cores_;    // per core (global core number)
  std::vector<Counter> domains_;  // per LLC domain (global)
  AllCores all_cores_;
};

}  // namespace wakesim::hw
