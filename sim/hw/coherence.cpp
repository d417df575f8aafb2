#include "sim/hw/coherence.h"

#include <algorithm>
#include <vector>

#include "sim/hw/cpu.h"

namespace wakesim::hw {

using engine::Time;

uint64_t TransferCounters::total_transfers() const {
  uint64_t n = dram;
  for (uint64_t c : by_distance) n += c;
  return n;
}

Coherence::Coherence(engine::Simulation& sim, const Topology& topology, const CacheParams& params, Pollution& pollution)
    : sim_(sim),
      topology_(topology),
      params_(params),
      pollution_(pollution),
      levels_(params),
      has_matrix_(topology.has_matrix()),
      arbitration_(sim.stream(0, "coherence-arbitration")),
      stores_visible_(topology.pcpus()),
      fill_buffers_(static_cast<size_t>(topology.pcpus()) * static_cast<size_t>(params.fill_buffers)),
      next_fill_buffer_(topology.pcpus()),
      l1_sure_below_(levels_.curve(Level::kL1).sure_below()),
      l2_sure_below_(levels_.curve(Level::kL2).sure_below()) {
  // Every context of every pCPU may watch one line at once.
  woken_.reserve(static_cast<size_t>(topology.pcpus()) * Cpu::kMaxContexts);
  by_distance_[static_cast<size_t>(Distance::kSameThread)] = params.l1_latency;
  by_distance_[static_cast<size_t>(Distance::kSmtSibling)] = params.smt_sibling;
  by_distance_[static_cast<size_t>(Distance::kSameLlc)] = params.same_llc;
  by_distance_[static_cast<size_t>(Distance::kSameSocket)] = params.same_socket;
  by_distance_[static_cast<size_t>(Distance::kRemoteSocket)] = params.remote_socket;
  // domain_latency() of the holder's domain, by distance: the same domain (an SMT sibling or a core of
  // the same LLC), another domain of the socket, another socket.
  const std::array<Time, kDistanceClasses> domain_by_distance = {
      params.llc_latency, params.llc_latency, params.llc_latency, params.same_socket, params.remote_socket};
  for (size_t d = 0; d < supply_bound_.size(); ++d) supply_bound_[d] = std::min(by_distance_[d], domain_by_distance[d]);
  const uint32_t n = topology.pcpus();
  if (n <= kPairCostPcpus) {
    pair_cost_.resize(static_cast<size_t>(n) * n);
    for (uint32_t to = 0; to < n; ++to)
      for (uint32_t from = 0; from < n; ++from)
        pair_cost_[static_cast<size_t>(to) * n + from] = transfer_latency(PcpuId{to}, PcpuId{from});
  }
}

Time Coherence::dram_latency(const CacheLine& line, PcpuId by) const {
  return topology_.socket_of(by) == line.home_socket() ? params_.dram_local : params_.dram_remote;
}

Time Coherence::domain_latency(uint32_t domain, PcpuId by) const {
  if (static_cast<int>(domain) == topology_.llc_of(by)) return params_.llc_latency;
  return topology_.socket_of_llc(domain) == topology_.socket_of(by) ? params_.same_socket : params_.remote_socket;
}

// The counters of the accessing pCPU's core and domain, read once per access (the domain's only if
// needed).
struct Coherence::Here {
  Here(Coherence& c, PcpuId p, Time t)
      : self(c),
        by(p),
        now(t),
        core(static_cast<uint32_t>(c.topology_.core_of(p))),
        domain(static_cast<uint32_t>(c.topology_.llc_of(p))),
        core_view(c.pollution_.core_view(core, t)) {}
  PollutionView& domain_view() {
    if (!have_domain) {
      domain_counters = self.pollution_.domain_view(domain, now);
      have_domain = true;
    }
    return domain_counters;
  }
  Coherence& self;
  PcpuId by;
  Time now;
  uint32_t core;
  uint32_t domain;
  PollutionView core_view;
  PollutionView domain_counters;
  bool have_domain = false;
};

// Bytes brought into the copy's core / LLC domain since its last access (the accessing pCPU's own
// counters as read once per access, others' read now).
[[gnu::always_inline]] inline uint64_t Coherence::core_distance(const LineCopy& copy, Here& here) {
  const auto core = static_cast<uint32_t>(topology_.core_of(PcpuId{copy.pcpu}));
  return core == here.core ? here.core_view.distance(copy.core_mark)
                           : pollution_.core_distance(core, copy.core_mark, here.now);
}

[[gnu::always_inline]] inline uint64_t Coherence::llc_distance(const LineCopy& copy, Here& here) {
  return copy.domain == here.domain ? here.domain_view().distance(copy.llc_mark)
                                    : pollution_.domain_distance(copy.domain, copy.llc_mark, here.now);
}

Level Coherence::locate(CacheLine& line, const LineCopy& copy, Here& here) {
  return levels_.locate(
      copy.in_private(), [&] { return core_distance(copy, here); }, [&] { return llc_distance(copy, here); }, line.id_,
      copy_hash(copy));
}

Coherence::Supply Coherence::supply_from(const LineCopy& copy, Level level, PcpuId by) const {
  Supply s;
  if (level == Level::kL1 || level == Level::kL2) {  // in another core's (or the SMT sibling's) private caches
    const PcpuId holder{copy.pcpu};
    s.cost = transfer_latency(by, holder);
    s.distance = topology_.distance(by, holder);
  } else {  // in the LLC of the copy's domain (kSameThread: by's own)
    s.cost = domain_latency(copy.domain, by);
    if (static_cast<int>(copy.domain) != topology_.llc_of(by))
      s.distance = topology_.socket_of_llc(copy.domain) == topology_.socket_of(by) ? Distance::kSameSocket
                                                                                   : Distance::kRemoteSocket;
  }
  s.from_dram = false;
  return s;
}

namespace {
// Copies are unordered: the last one takes the removed one's place.
template <class Copies>
void remove_copy(Copies& copies, size_t i) {
  if (i + 1 != copies.size()) copies[i] = copies.back();
  copies.pop_back();
}
}  // namespace

// A miss of `by` on `line` that takes `cost` once started: it waits for the line's previous transfer
// and for a fill buffer (the pCPU's misses take them in turn: a miss starts no earlier than the one
// issued `fill_buffers` misses before it has completed), then holds the buffer until it is done.
Time Coherence::miss(const CacheLine& line, PcpuId by, Time cost) {
  const size_t k = static_cast<size_t>(params_.fill_buffers);
  uint16_t& next = next_fill_buffer_[by.value];
  Time& slot = fill_buffers_[static_cast<size_t>(by.value) * k + next];
  next = static_cast<uint16_t>(static_cast<size_t>(next) + 1 == k ? 0 : next + 1);
  slot = std::max({sim_.now(), line.busy_until_, slot}) + cost;
  return slot;
}

// by's copy after an access: at the top of its caches' stacks. A line brought into the core (not an L1
// hit) adds its 64 bytes to the core's counters, a line new to the domain to the domain's.
[[gnu::always_inline]] inline LineCopy Coherence::fresh_copy(Here& here, bool not_in_l1, bool new_to_domain) {
  if (not_in_l1) {
    pollution_.add_to_core(here.core, 64);
    here.core_view.add(64);
  }
  PollutionView& domain = here.domain_view();
  if (new_to_domain) {
    pollution_.add_to_domain(here.domain, 64);
    domain.add(64);
  }
  return LineCopy{here.by.value, here.domain, here.core_view.mark(), domain.mark()};
}

Level Coherence::level_of(CacheLine& line, PcpuId by) {
  Here here(*this, by, sim_.now());
  for (const LineCopy& c : line.copies_)
    if (c.pcpu == by.value) return locate(line, c, here);
  return Level::kMemory;
}

Time Coherence::access(CacheLine& line, PcpuId by, Access kind) {
  const Time now = sim_.now();
  auto& copies = line.copies_;

  // Most accesses find by's own copy in its L1 or L2 (and, for a write, alone): the same decisions as
  // below, without looking at anything else.
  size_t own = 0;
  for (; own < copies.size(); ++own) {
    LineCopy& mine = copies[own];
    if (mine.pcpu != by.value) continue;
    if (kind != Access::kLoad && copies.size() != 1) break;
    const auto core = static_cast<uint32_t>(topology_.core_of(by));
    PollutionView counters = pollution_.core_view(core, now);
    const uint64_t d = counters.distance(mine.core_mark);
    const Level level = d < l1_sure_below_ ? Level::kL1 : levels_.private_level(d, line.id_, copy_hash(mine));
    if (level == Level::kMemory) break;
    ++counters_.hits;
    if (level == Level::kL2) {
      ++counters_.l2_hits;
      pollution_.add_to_core(core, 64);
      counters.add(64);
    }
    mine.core_mark = counters.mark();
    mine.llc_mark = pollution_.domain_mark(static_cast<uint32_t>(topology_.llc_of(by)), now);
    const Time ready = now + levels_.latency(level);
    return kind == Access::kLoad ? ready : write_hit(line, by, kind, ready);
  }
  return access_elsewhere(line, by, kind, own);
}

// The other copies (pruning those pushed out to memory): the nearest supplies the data, and a write
// must also reach the farthest. A load needs only the nearest: a copy that could not supply sooner
// than the best found so far, wherever it is, is not located (nor pruned: pruning is lazy, and a
// copy found gone stays gone, cache_levels.h), which keeps many sharers (a ticket lock's spinners)
// from costing each load a look at every copy.
void Coherence::scan_copies(CacheLine& line, PcpuId by, Access kind, Here& here, Scan& scan) {
  auto& copies = line.copies_;
  Supply& best = scan.best;
  for (size_t i = 0; i < copies.size();) {
    const LineCopy& c = copies[i];
    if (c.pcpu == by.value) {
      scan.own = i++;
      continue;
    }
    scan.llc_copy_here = scan.llc_copy_here || (!c.in_private() && c.domain == here.domain);
    Supply s;
    if (c.in_private()) {
      // A copy surely still in its core's L2 (or L1) supplies by transfer: no survival draw needed.
      const PcpuId holder{c.pcpu};
      const Distance distance = topology_.distance(by, holder);
      const Time transfer = has_matrix_ ? transfer_latency(by, holder) : by_distance_[static_cast<size_t>(distance)];
      // A load skips a copy that could not beat the best found wherever it is (its core or its LLC).
      if (kind == Access::kLoad) {
        const Time bound = has_matrix_ ? std::min(transfer, domain_latency(c.domain, by))
                                       : supply_bound_[static_cast<size_t>(distance)];
        if (bound >= best.cost) {
          ++i;
          continue;
        }
      }
      const uint64_t d = core_distance(c, here);
      if (d < l2_sure_below_) {
        s = Supply{transfer, distance, false};
      } else {
        const Level level = levels_.locate(
            true, [d] { return d; }, [&] { return llc_distance(c, here); }, line.id_, copy_hash(c));
        if (level == Level::kMemory) {
          remove_copy(copies, i);
          continue;
        }
        s = supply_from(c, level, by);
      }
    } else {
      if (kind == Access::kLoad && domain_latency(c.domain, by) >= best.cost) {
        ++i;
        continue;
      }
      const Level level = locate(line, c, here);
      if (level == Level::kMemory) {
        remove_copy(copies, i);
        continue;
      }
      s = supply_from(c, level, by);
    }
    if (s.cost < best.cost) best = s;
    if (!scan.others || s.cost > scan.farthest.cost) scan.farthest = s;
    scan.others = true;
    ++i;
  }
}

// `mine` becomes the line's only copy (a write, or a load that found no other copy), just made by
// fresh_copy(): all_cores_floor() now is what the cores' counters read at its mark.
void Coherence::make_sole_copy(CacheLine& line, const LineCopy& mine, Time now) {
  line.copies_.clear();
  line.copies_.push_back(mine);
  line.copies_marked_after_ = pollution_.all_cores_floor(now);
}

// Whether every private copy of the line is surely still in its holder's L1 or L2: no core has brought
// in l2_sure_below_ bytes since the oldest of their last accesses (all cores' bytes together bound each
// core's, pollution.h).
bool Coherence::all_copies_in_l2(const CacheLine& line, Time now) {
  return pollution_.all_cores_ceil(now) - line.copies_marked_after_ + 1 < l2_sure_below_;
}

// scan_copies() when all_copies_in_l2(): each other copy supplies by transfer, and none is pruned, so
// the nearest and the farthest come from the holders alone, in the same order (the first of equals
// wins), without reading any core's counters. False (scan untouched) if a copy is only in an LLC:
// scan_copies() decides those.
bool Coherence::scan_copies_in_l2(const CacheLine& line, PcpuId by, Scan& scan) const {
  const auto& copies = line.copies_;
  size_t best = copies.size(), farthest = copies.size();
  Time best_cost = Time::max(), farthest_cost = Time::zero();
  size_t own = scan.own;
  const Time* costs =
      pair_cost_.empty() ? nullptr : pair_cost_.data() + static_cast<size_t>(by.value) * topology_.pcpus();
  for (size_t i = 0; i < copies.size(); ++i) {
    const LineCopy& c = copies[i];
    if (c.pcpu == by.value) {
      own = i;
      continue;
    }
    if (!c.in_private()) return false;
    const Time cost = costs != nullptr ? costs[c.pcpu] : transfer_latency(by, PcpuId{c.pcpu});
    if (cost < best_cost) {
      best_cost = cost;
      best = i;
    }
    if (farthest == copies.size() || cost > farthest_cost) {
      farthest_cost = cost;
      farthest = i;
    }
  }
  scan.own = own;
  if (farthest == copies.size()) return true;  // no other copy
  scan.others = true;
  scan.best = Supply{best_cost, topology_.distance(by, PcpuId{copies[best].pcpu}), false};
  scan.farthest = Supply{farthest_cost, topology_.distance(by, PcpuId{copies[farthest].pcpu}), false};
  return true;
}

// The rest: by's copy is not in its private caches (or other copies must be invalidated). `own_index`
// is where access() found by's copy (copies.size(): it has none).
[[gnu::noinline]] Time Coherence::access_elsewhere(CacheLine& line, PcpuId by, Access kind, size_t own_index) {
  // A line's first access comes here (it has no copy yet), and so gets its id here.
  if (line.id_ == 0) line.id_ = ++next_line_id_;
  const Time now = sim_.now();
  auto& copies = line.copies_;
  Here here(*this, by, now);

  // The commonest case on a contended line: its only copy is in another core's L1 or L2. The same
  // decisions and results as the general code below (a transfer by distance), without its generality.
  if (copies.size() == 1 && copies[0].in_private()) {
    const LineCopy& other = copies[0];
    const PcpuId holder{other.pcpu};
    const auto holder_core = static_cast<uint32_t>(topology_.core_of(holder));
    if (holder_core != here.core) {
      const uint64_t d = pollution_.core_distance(holder_core, other.core_mark, now);
      const Level level = d < l1_sure_below_ ? Level::kL1 : levels_.private_level(d, line.id_, copy_hash(other));
      if (level != Level::kMemory) {
        const Distance distance = topology_.distance(by, holder);
        const Time cost = has_matrix_ ? transfer_latency(by, holder) : by_distance_[static_cast<size_t>(distance)];
        ++counters_.by_distance[static_cast<size_t>(distance)];
        const bool new_to_domain = distance == Distance::kSameSocket || distance == Distance::kRemoteSocket;
        const Time done = miss(line, by, cost);
        const LineCopy mine = fresh_copy(here, true, new_to_domain);
        if (kind == Access::kLoad) {
          line.busy_until_ = done;
          copies.push_back(mine);
          return done;
        }
        make_sole_copy(line, mine, now);
        return write_hit(line, by, kind, done);
      }
    }
  }

  // by's own copy first.
  size_t own = copies.size();
  Level own_level = Level::kMemory;
  if (own_index < copies.size()) {
    own_level = locate(line, copies[own_index], here);
    if (own_level == Level::kMemory) remove_copy(copies, own_index);
    else own = own_index;
  }
  // (A load that finds it in L1 or L2, or a write that finds it there alone, was served by access().)
  const bool own_private = own_level == Level::kL1 || own_level == Level::kL2;

  Scan scan;
  scan.own = own;
  if (all_copies_in_l2(line, now) && scan_copies_in_l2(line, by, scan)) {
    ++scans_.from_holders;
  } else {
    ++scans_.by_counters;
    scan_copies(line, by, kind, here, scan);
  }
  own = scan.own;
  const Supply& farthest = scan.farthest;
  const bool others = scan.others;
  const bool llc_copy_here = scan.llc_copy_here;
  Supply best = scan.best;
  const bool has_own = own < copies.size();
  // by's own copy, if only in its LLC, supplies like its LLC does.
  if (has_own && own_level == Level::kLlc && params_.llc_latency < best.cost)
    best = Supply{params_.llc_latency, Distance::kSameThread, false};
  auto count_supply = [&](const Supply& s) {
    if (s.from_dram) ++counters_.dram;
    else if (s.distance == Distance::kSameThread) ++counters_.llc_hits;  // by's own LLC
    else ++counters_.by_distance[static_cast<size_t>(s.distance)];
  };
  auto new_to_domain = [](const Supply& s) {
    return s.from_dram || s.distance == Distance::kSameSocket || s.distance == Distance::kRemoteSocket;
  };

  if (kind == Access::kLoad) {
    Supply s = best;
    if (s.cost == Time::max()) s.cost = dram_latency(line, by);  // from_dram stays true
    count_supply(s);
    const Time done = miss(line, by, s.cost);
    line.busy_until_ = done;
    // by now shares the line; an LLC-only copy of by's domain is superseded by by's copy.
    const LineCopy mine = fresh_copy(here, true, new_to_domain(s));
    if (has_own || llc_copy_here) {
      for (size_t i = 0; i < copies.size();) {
        if (copies[i].pcpu == by.value || (!copies[i].in_private() && copies[i].domain == here.domain))
          remove_copy(copies, i);
        else ++i;
      }
    }
    if (copies.empty()) make_sole_copy(line, mine, now);
    else copies.push_back(mine);
    return done;
  }

  // A store or RMW whose own copy is in L1 or L2 and every other copy gone: a write hit, as above.
  if (own_private && !others) {
    ++counters_.hits;
    if (own_level == Level::kL2) ++counters_.l2_hits;
    make_sole_copy(line, fresh_copy(here, own_level == Level::kL2, false), now);
    return write_hit(line, by, kind, now + levels_.latency(own_level));
  }

  // A store or RMW needs the line exclusive: its data (by's own copy, or the nearest other) and every
  // other copy invalidated. Counted once, by where the cost comes from: the farthest other copy when
  // there is one, else by's own LLC copy, else DRAM.
  Time data;
  bool brought_in = false;
  if (has_own) {
    data = levels_.latency(own_level);
  } else if (best.cost != Time::max()) {
    data = best.cost;
    brought_in = new_to_domain(best);
  } else {
    data = dram_latency(line, by);
    brought_in = true;
  }
  if (others) count_supply(farthest);
  else if (has_own) ++counters_.llc_hits;
  else ++counters_.dram;
  const Time cost = std::max(data, others ? farthest.cost : Time::zero());
  const Time ready = miss(line, by, cost);
  make_sole_copy(line, fresh_copy(here, own_level != Level::kL1, brought_in), now);
  return write_hit(line, by, kind, ready);
}

// A store or RMW by `by`, which holds the line exclusively from `ready` on: x86-TSO ordering.
Time Coherence::write_hit(CacheLine& line, PcpuId by, Access kind, Time ready) {
  Time& visible = stores_visible_[by.value];
  Time done;
  if (kind == Access::kRmw) {  // locked: the store buffer drains first
    done = std::max(ready, visible) + params_.atomic;
    visible = done;
    line.busy_until_ = std::max(line.busy_until_, done);
  } else {  // posted: visible in program order, the pCPU goes on after an L1 latency
    visible = std::max(ready, visible);
    line.busy_until_ = std::max(line.busy_until_, visible);
    done = sim_.now() + params_.l1_latency;
  }
  ++line.version_;
  if (!line.watchers_.empty()) wake_watchers(line);
  return done;
}

void Coherence::device_write(CacheLine& line) {
  const Time now = sim_.now();
  if (line.id_ == 0) line.id_ = ++next_line_id_;
  line.copies_.clear();
  if (params_.device_writes_to_llc) {
    // Allocated in the LLC of the home socket (its first LLC domain: Intel has one per socket).
    const auto domain =
        static_cast<uint32_t>(line.home_socket() * static_cast<int>(topology_.llc_domains()) / topology_.sockets());
    pollution_.add_to_domain(domain, 64);
    line.copies_.push_back(LineCopy{LineCopy::kNoPcpu, domain, {}, pollution_.domain_mark(domain, now)});
  }
  ++line.version_;
  if (!line.watchers_.empty()) wake_watchers(line);
}

void Coherence::wake_watchers(CacheLine& line) {
  // line_changed() only schedules the watcher's completion, so this never nests: woken_ is free.
  std::vector<LineWatcher*>& woken = woken_;
  woken.clear();
  for (LineWatcher& w : line.watchers_) woken.push_back(&w);
  line.watchers_.clear();
  // Fisher-Yates with the arbitration stream: which spinner's re-read the line serves first.
  for (size_t i = woken.size(); i > 1; --i) std::swap(woken[i - 1], woken[arbitration_.below(i)]);
  for (LineWatcher* w : woken) w->cpu->line_changed(w->context);
}

}  // namespace wakesim::hw
