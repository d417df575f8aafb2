#include "sim/calibrate/transfer_pairs.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

namespace wakesim::calibrate {
namespace {

// Up to `count` elements of `items` at evenly spaced positions, first included.
template <typename T>
std::vector<T> spread(const std::vector<T>& items, size_t count) {
  if (items.size() <= count) return items;
  std::vector<T> chosen;
  for (size_t i = 0; i < count; ++i) chosen.push_back(items[i * items.size() / count]);
  return chosen;
}

class PairSet {
 public:
  explicit PairSet(size_t limit) : limit_(limit) {}
  bool full() const { return pairs_.size() >= limit_; }
  void add(int a, int b) {
    if (a == b || full()) return;
    const std::pair<int, int> pair{std::min(a, b), std::max(a, b)};
    if (seen_.insert(pair).second) pairs_.push_back(pair);
  }
  std::vector<std::pair<int, int>> take() { return std::move(pairs_); }

 private:
  size_t limit_;
  std::set<std::pair<int, int>> seen_;
  std::vector<std::pair<int, int>> pairs_;
};

}  // namespace

std::vector<std::pair<int, int>> select_pairs(const std::vector<CpuPlace>& places, const std::vector<int>& cpus,
                                              Thoroughness thoroughness) {
  if (cpus.size() < 2) return {};
  std::map<int, CpuPlace> place_of;
  for (const CpuPlace& p : places) place_of[p.cpu] = p;
  const auto place = [&](int cpu) {
    const auto it = place_of.find(cpu);
    return it != place_of.end() ? it->second : CpuPlace{cpu, 0, -1 - cpu, -1};  // unknown: a core of its own
  };
  const auto same_core = [&](int a, int b) {
    return place(a).socket == place(b).socket && place(a).core == place(b).core;
  };

  if (thoroughness == Thoroughness::kQuick) {
    const int first = cpus.front();
    int partner = -1;
    for (const int cpu : cpus)
      if (cpu != first && !same_core(first, cpu) && place(cpu).socket == place(first).socket) {
        partner = cpu;
        break;
      }
    if (partner < 0) partner = cpus[1];
    return {{std::min(first, partner), std::max(first, partner)}};
  }
  if (thoroughness == Thoroughness::kFull || cpus.size() <= 8) {
    PairSet all(SIZE_MAX);
    for (size_t i = 0; i < cpus.size(); ++i)
      for (size_t j = i + 1; j < cpus.size(); ++j) all.add(cpus[i], cpus[j]);
    return all.take();
  }

  // Cores in the order their first CPU appears; each core's CPUs.
  std::vector<std::vector<int>> cores;
  for (const int cpu : cpus) {
    auto it = std::find_if(cores.begin(), cores.end(), [&](const auto& core) { return same_core(core.front(), cpu); });
    if (it == cores.end()) {
      cores.push_back({cpu});
    } else {
      it->push_back(cpu);
    }
  }
  std::vector<int> firsts;  // the first CPU of every core
  firsts.reserve(cores.size());
  for (const auto& core : cores) firsts.push_back(core.front());

  PairSet pairs(kMaxSampledPairs);
  // SMT siblings.
  std::vector<std::pair<int, int>> siblings;
  for (const auto& core : cores)
    if (core.size() >= 2) siblings.push_back({core[0], core[1]});
  for (const auto& [a, b] : spread(siblings, 4)) pairs.add(a, b);
  // From the measuring CPU to cores across the whole set.
  const int anchor = cpus.front();
  std::vector<int> others(firsts.begin(), firsts.end());
  others.erase(std::remove_if(others.begin(), others.end(), [&](int cpu) { return same_core(cpu, anchor); }),
               others.end());
  for (const int cpu : spread(others, 16)) pairs.add(anchor, cpu);
  // Between LLC domains and between sockets, away from the measuring CPU: one pair of first CPUs for each
  // neighbouring pair of domains (sockets).
  const auto neighbours = [&](auto key) {
    std::map<int, std::vector<int>> groups;
    for (const int cpu : firsts)
      if (!same_core(cpu, anchor)) groups[key(cpu)].push_back(cpu);
    std::vector<int> representatives;
    representatives.reserve(groups.size());
    for (const auto& [group, members] : groups) representatives.push_back(members[members.size() / 2]);
    for (size_t i = 0; i + 1 < representatives.size() && i < 4; ++i)
      pairs.add(representatives[i], representatives[i + 1]);
  };
  neighbours([&](int cpu) { return place(cpu).llc_domain; });
  neighbours([&](int cpu) { return place(cpu).socket; });
  // Fill: pairs of cores half the set apart.
  const size_t n = firsts.size();
  for (size_t step = 0; step < n && !pairs.full(); ++step) {
    const size_t i = (step * 7919) % n;  // prime stride: every core (for n < 7919), scattered order
    pairs.add(firsts[i], firsts[(i + n / 2) % n]);
  }
  return pairs.take();
}

}  // namespace wakesim::calibrate
