#include "sim/hw/coherence.h"

#include <algorithm>
#include <vector>

#include "sim/hw/cpu.h"

namespace wakesim::hw {

uint64_t TransferCounters::total_transfers() const {
  uint64_t n = dram;
  for (uint64_t c : by_distance) n += c;
  return n;
}

Coherence::Coherence(engine::Simulation& sim, const Topology& topology, const CacheParams& params)
    : sim_(sim),
      topology_(topology),
      params_(params),
      has_matrix_(topology.has_matrix()),
      arbitration_(sim.stream(0, "coherence-arbitration")),
      stores_drained_at_(topology.pcpus()) {
  by_distance_[static_cast<size_t>(Distance::kSameThread)] = params.hit;
  by_distance_[static_cast<size_t>(Distance::kSmtSibling)] = params.smt_sibling;
  by_distance_[static_cast<size_t>(Distance::kSameLlc)] = params.same_llc;
  by_distance_[static_cast<size_t>(Distance::kSameSocket)] = params.same_socket;
  by_distance_[static_cast<size_t>(Distance::kRemoteSocket)] = params.remote_socket;
}

engine::Time Coherence::dram_latency(const CacheLine& line, PcpuId by) const {
  return topology_.socket_of(by) == line.home_socket() ? params_.dram_local : params_.dram_remote;
}

engine::Time Coherence::access(CacheLine& line, PcpuId by, Access kind) {
  using engine::Time;
  const Time now = sim_.now();
  if (params_.evict_after > Time::zero() && line.cached() && now - line.last_access_ > params_.evict_after) {
    line.has_owner_ = false;
    line.sharers_.clear();
  }
  line.last_access_ = now;
  const Time start = std::max(now, line.busy_until_);

  if (kind == Access::kLoad) {
    if (line.held_by(by)) {
      ++counters_.hits;
      return now + params_.hit;
    }
    Time cost;
    if (!line.cached()) {
      cost = dram_latency(line, by);
      ++counters_.dram;
    } else {
      PcpuId source = line.owner_;
      Time best_sharer_latency;
      if (!line.has_owner_) {  // the nearest sharer supplies the line
        source = line.sharers_.front();
        Time& best = best_sharer_latency;
        best = transfer_latency(by, source);
        for (PcpuId s : line.sharers_) {
          const Time t = transfer_latency(by, s);
          if (t < best) best = t, source = s;
        }
      }
      cost = line.has_owner_ ? transfer_latency(by, source) : best_sharer_latency;
      ++counters_.by_distance[static_cast<size_t>(topology_.distance(by, source))];
      if (line.has_owner_) {  // Modified -> Shared
        line.sharers_.assign(1, line.owner_);
        line.has_owner_ = false;
      }
    }
    line.sharers_.push_back(by);
    line.busy_until_ = start + cost;
    return line.busy_until_;
  }

  const Time extra = kind == Access::kRmw ? params_.atomic : Time::zero();
  Time& drained = stores_drained_at_[by.value];
  Time done;
  const bool exclusive = (line.has_owner_ && line.owner_ == by) ||
                         (!line.has_owner_ && line.sharers_.size() == 1 && line.sharers_.front() == by);
  if (exclusive) {
    ++counters_.hits;
    done = (kind == Access::kRmw ? std::max(now, drained) : now) + params_.hit + extra;
  } else {
    Time cost;
    if (!line.cached()) {
      cost = dram_latency(line, by);
      ++counters_.dram;
    } else {
      // The write completes when the farthest holder has handed over or invalidated its copy.
      PcpuId farthest = by;
      cost = Time::zero();
      auto consider = [&](PcpuId h) {
        if (h == by) return;
        const Time t = transfer_latency(by, h);
        if (farthest == by || t > cost) farthest = h, cost = t;
      };
      if (line.has_owner_) consider(line.owner_);
      for (PcpuId s : line.sharers_) consider(s);
      ++counters_.by_distance[static_cast<size_t>(topology_.distance(by, farthest))];
    }
    if (kind == Access::kRmw) {
      done = std::max(start, drained) + cost + extra;
      line.busy_until_ = done;
    } else {  // posted: visible to others at start + cost, the pCPU continues after a hit
      line.busy_until_ = start + cost;
      drained = std::max(drained, line.busy_until_);
      done = now + params_.hit;
    }
  }
  line.has_owner_ = true;
  line.owner_ = by;
  line.sharers_.clear();
  ++line.version_;
  if (!line.watchers_.empty()) wake_watchers(line);
  return done;
}

void Coherence::device_write(CacheLine& line) {
  line.has_owner_ = false;
  line.sharers_.clear();
  line.last_access_ = sim_.now();
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
