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

Coherence::Coherence(engine::Simulation& sim, const Topology& topology, const CacheParams& params,
                     Pollution& pollution)
    : sim_(sim),
      topology_(topology),
      params_(params),
      pollution_(pollution),
      levels_(params),
      has_matrix_(topology.has_matrix()),
      arbitration_(sim.stream(0, "coherence-arbitration")),
      stores_visible_(topology.pcpus()),
      fill_buffers_(static_cast<size_t>(topology.pcpus()) * static_cast<size_t>(params.fill_buffers)) {
  by_distance_[static_cast<size_t>(Distance::kSameThread)] = params.l1_latency;
  by_distance_[static_cast<size_t>(Distance::kSmtSibling)] = params.smt_sibling;
  by_distance_[static_cast<size_t>(Distance::kSameLlc)] = params.same_llc;
  by_distance_[static_cast<size_t>(Distance::kSameSocket)] = params.same_socket;
  by_distance_[static_cast<size_t>(Distance::kRemoteSocket)] = params.remote_socket;
}

Time Coherence::dram_latency(const CacheLine& line, PcpuId by) const {
  return topology_.socket_of(by) == line.home_socket() ? params_.dram_local : params_.dram_remote;
}

Time Coherence::domain_latency(uint32_t domain, PcpuId by) const {
  if (static_cast<int>(domain) == topology_.llc_of(by)) return params_.llc_latency;
  return topology_.socket_of_llc(domain) == topology_.socket_of(by) ? params_.same_socket : params_.remote_socket;
}

Level Coherence::locate(CacheLine& line, const LineCopy& copy, Time now) {
  const uint64_t core_distance =
      copy.in_private()
          ? pollution_.core_distance(static_cast<uint32_t>(topology_.core_of(PcpuId{copy.pcpu})), copy.core_mark, now)
          : UINT64_MAX;
  const uint64_t llc_distance = pollution_.domain_distance(copy.domain, copy.llc_mark, now);
  return levels_.locate(core_distance, llc_distance, line.id_,
                        copy.core_mark.bytes * 0x9e3779b97f4a7c15ULL + copy.llc_mark.bytes);
}

Coherence::Supply Coherence::supply_from(const LineCopy& copy, Level level, PcpuId by) const {
  Supply s;
  s.level = level;
  if (level == Level::kL1 || level == Level::kL2) {  // in another core's (or the SMT sibling's) private caches
    const PcpuId holder{copy.pcpu};
    s.cost = transfer_latency(by, holder);
    s.distance = topology_.distance(by, holder);
    s.level = Level::kMemory;  // not by's own level
  } else {  // in the LLC of the copy's domain
    s.cost = domain_latency(copy.domain, by);
    if (static_cast<int>(copy.domain) != topology_.llc_of(by))
      s.distance = topology_.socket_of_llc(copy.domain) == topology_.socket_of(by) ? Distance::kSameSocket
                                                                                   : Distance::kRemoteSocket;
  }
  s.from_dram = false;
  return s;
}

Time Coherence::claim_fill_buffer(PcpuId by, Time start) {
  const size_t k = static_cast<size_t>(params_.fill_buffers);
  const size_t base = static_cast<size_t>(by.value) * k;
  size_t best = base;
  for (size_t i = base + 1; i < base + k; ++i)
    if (fill_buffers_[i] < fill_buffers_[best]) best = i;
  slot_ = best;
  return std::max(start, fill_buffers_[best]);
}

void Coherence::hold_fill_buffer(PcpuId, Time until) { fill_buffers_[slot_] = until; }

LineCopy Coherence::fresh_copy(PcpuId by, Time now, bool not_in_l1, bool new_to_domain) {
  const auto core = static_cast<uint32_t>(topology_.core_of(by));
  const auto domain = static_cast<uint32_t>(topology_.llc_of(by));
  if (not_in_l1) pollution_.add_to_core(core, 64);
  if (new_to_domain) pollution_.add_to_domain(domain, 64);
  return LineCopy{by.value, domain, pollution_.core_mark(core, now), pollution_.domain_mark(domain, now)};
}

Level Coherence::level_of(CacheLine& line, PcpuId by) {
  for (const LineCopy& c : line.copies_)
    if (c.pcpu == by.value) return locate(line, c, sim_.now());
  return Level::kMemory;
}

Time Coherence::access(CacheLine& line, PcpuId by, Access kind) {
  const Time now = sim_.now();
  if (line.id_ == 0) line.id_ = ++next_line_id_;
  const auto my_domain = static_cast<uint32_t>(topology_.llc_of(by));

  // Where every copy is now: drop those pushed out to memory, find by's own and the best other supply.
  int own = -1;
  Level own_level = Level::kMemory;
  Supply best;
  Supply farthest;  // the other copy a write must reach last
  farthest.cost = Time::zero();
  bool others = false;
  for (size_t i = 0; i < line.copies_.size();) {
    const LineCopy& c = line.copies_[i];
    const Level level = locate(line, c, now);
    if (level == Level::kMemory) {
      line.copies_.erase(line.copies_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (c.pcpu == by.value) {
      own = static_cast<int>(i);
      own_level = level;
    } else {
      const Supply s = supply_from(c, level, by);
      if (s.cost < best.cost) best = s;
      if (!others || s.cost > farthest.cost) farthest = s;
      others = true;
    }
    ++i;
  }
  // by's own copy, if only in its LLC, supplies like its LLC does.
  if (own >= 0 && own_level == Level::kLlc && params_.llc_latency < best.cost) {
    best = Supply{params_.llc_latency, Distance::kSameThread, Level::kLlc, false};
  }
  auto count_supply = [&](const Supply& s) {
    if (s.from_dram) ++counters_.dram;
    else if (s.level == Level::kLlc && s.distance == Distance::kSameThread) ++counters_.llc_hits;
    else ++counters_.by_distance[static_cast<size_t>(s.distance)];
  };
  auto keep_only_mine = [&](LineCopy mine, bool shared) {
    if (!shared) {
      line.copies_.clear();
    } else {  // a reader: other copies stay; an LLC-only copy of by's domain is superseded by by's copy
      line.copies_.erase(std::remove_if(line.copies_.begin(), line.copies_.end(),
                                        [&](const LineCopy& c) {
                                          return c.pcpu == by.value || (!c.in_private() && c.domain == my_domain);
                                        }),
                         line.copies_.end());
    }
    line.copies_.push_back(mine);
  };

  if (kind == Access::kLoad) {
    if (own >= 0 && (own_level == Level::kL1 || own_level == Level::kL2)) {
      ++counters_.hits;
      if (own_level == Level::kL2) ++counters_.l2_hits;
      line.copies_[static_cast<size_t>(own)] = fresh_copy(by, now, own_level != Level::kL1, false);
      return now + levels_.latency(own_level);
    }
    Supply s = best;
    if (s.cost == Time::max()) s.cost = dram_latency(line, by);  // from_dram stays true
    count_supply(s);
    const Time start = claim_fill_buffer(by, std::max(now, line.busy_until_));
    const Time done = start + s.cost;
    hold_fill_buffer(by, done);
    line.busy_until_ = done;
    const bool new_to_domain = s.from_dram || s.distance == Distance::kSameSocket || s.distance == Distance::kRemoteSocket;
    keep_only_mine(fresh_copy(by, now, true, new_to_domain), /*shared=*/true);
    return done;
  }

  // A store or RMW needs the line exclusive: its data (by's own copy, or the nearest other) and every
  // other copy invalidated.
  Time ready;
  bool new_to_domain = false;
  bool not_in_l1 = true;
  if (own >= 0 && !others && (own_level == Level::kL1 || own_level == Level::kL2)) {
    ++counters_.hits;
    if (own_level == Level::kL2) ++counters_.l2_hits;
    ready = now + levels_.latency(own_level);
    not_in_l1 = own_level != Level::kL1;
  } else {
    // Counted once, by where the cost comes from: the farthest other copy when there is one, else
    // by's own LLC copy, else DRAM.
    Time data;
    if (own >= 0) {
      data = levels_.latency(own_level);
    } else if (best.cost != Time::max()) {
      data = best.cost;
      new_to_domain = best.distance == Distance::kSameSocket || best.distance == Distance::kRemoteSocket;
    } else {
      data = dram_latency(line, by);
      new_to_domain = true;
    }
    if (others) count_supply(farthest);
    else if (own >= 0) ++counters_.llc_hits;
    else ++counters_.dram;
    const Time cost = std::max(data, others ? farthest.cost : Time::zero());
    const Time start = claim_fill_buffer(by, std::max(now, line.busy_until_));
    ready = start + cost;
    hold_fill_buffer(by, ready);
  }
  Time& visible = stores_visible_[by.value];
  Time done;
  if (kind == Access::kRmw) {  // locked: the store buffer drains first
    done = std::max(ready, visible) + params_.atomic;
    visible = done;
    line.busy_until_ = std::max(line.busy_until_, done);
  } else {  // posted: visible in program order, the pCPU goes on after an L1 latency
    visible = std::max(ready, visible);
    line.busy_until_ = std::max(line.busy_until_, visible);
    done = now + params_.l1_latency;
  }
  keep_only_mine(fresh_copy(by, now, not_in_l1, new_to_domain), /*shared=*/false);
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
    const auto domain = static_cast<uint32_t>(line.home_socket() * static_cast<int>(topology_.llc_domains()) /
                                              topology_.sockets());
    pollution_.add_to_domain(domain, 64);
    line.copies_.push_back(LineCopy{LineCopy::kNoPcpu, domain, {}, pollution_.domain_mark(domain, now)});
  }
  ++line.version_;
  if (!line.watchers_.empty()) wake_watchers(line);
}

void Coherence::wake_watchers(CacheLine& line) {
  boost::container::small_vector<LineWatcher*, 8> woken;
  for (LineWatcher& w : line.watchers_) woken.push_back(&w);
  line.watchers_.clear();
  // Fisher-Yates with the arbitration stream: which spinner's re-read the line serves first.
  for (size_t i = woken.size(); i > 1; --i) std::swap(woken[i - 1], woken[arbitration_.below(i)]);
  for (LineWatcher* w : woken) w->cpu->line_changed(w->context);
}

}  // namespace wakesim::hw
