#include "sim/calibrate/transfer_pairs.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

namespace wakesim::calibrate {
namespace {

// Linux numbering: thread t of core c of socket s is CPU t * sockets * cores + s * cores + c; an LLC
// domain per `cores_per_llc` cores.
std::vector<CpuPlace> machine(int sockets, int cores, int threads, int cores_per_llc) {
  std::vector<CpuPlace> places;
  for (int t = 0; t < threads; ++t)
    for (int s = 0; s < sockets; ++s)
      for (int c = 0; c < cores; ++c)
        places.push_back({t * sockets * cores + s * cores + c, s, c, s * cores + c / cores_per_llc * cores_per_llc});
  std::sort(places.begin(), places.end(), [](const auto& a, const auto& b) { return a.cpu < b.cpu; });
  return places;
}

std::vector<int> cpus_of(const std::vector<CpuPlace>& places) {
  std::vector<int> cpus;
  cpus.reserve(places.size());
  for (const CpuPlace& p : places) cpus.push_back(p.cpu);
  return cpus;
}

TEST(SelectPairs, FewerThanTwoCpusGiveNone) {
  const auto places = machine(1, 2, 1, 2);
  EXPECT_TRUE(select_pairs(places, {}, Thoroughness::kDefault).empty());
  EXPECT_TRUE(select_pairs(places, {1}, Thoroughness::kFull).empty());
  EXPECT_TRUE(select_pairs(places, {0}, Thoroughness::kQuick).empty());
}

TEST(SelectPairs, SmallMachinesGetEveryPair) {
  const auto places = machine(1, 4, 2, 4);  // 8 CPUs
  const auto pairs = select_pairs(places, cpus_of(places), Thoroughness::kDefault);
  EXPECT_EQ(pairs.size(), 28u);
  EXPECT_EQ(select_pairs(machine(1, 2, 1, 2), {0, 1}, Thoroughness::kDefault),
            (std::vector<std::pair<int, int>>{{0, 1}}));
}

TEST(SelectPairs, QuickTakesOnePairOnAnotherCoreOfTheSocket) {
  const auto places = machine(2, 8, 2, 4);  // CPU 16 is CPU 0's SMT sibling; CPU 8 is on socket 1
  EXPECT_EQ(select_pairs(places, {0, 16, 8, 1}, Thoroughness::kQuick), (std::vector<std::pair<int, int>>{{0, 1}}));
  // Only the sibling is available.
  EXPECT_EQ(select_pairs(places, {16, 0}, Thoroughness::kQuick), (std::vector<std::pair<int, int>>{{0, 16}}));
}

TEST(SelectPairs, FullTakesEveryPair) {
  const auto places = machine(2, 8, 2, 4);  // 32 CPUs
  EXPECT_EQ(select_pairs(places, cpus_of(places), Thoroughness::kFull).size(), 32u * 31 / 2);
}

TEST(SelectPairs, LargeMachinesAreSampledAcrossDistanceClasses) {
  const auto places = machine(2, 32, 2, 8);  // 128 CPUs, 8 LLC domains
  const auto cpus = cpus_of(places);
  const auto pairs = select_pairs(places, cpus, Thoroughness::kDefault);
  EXPECT_LE(pairs.size(), kMaxSampledPairs);
  EXPECT_GE(pairs.size(), 24u);
  std::set<std::pair<int, int>> unique(pairs.begin(), pairs.end());
  EXPECT_EQ(unique.size(), pairs.size());
  const auto place = [&](int cpu) { return places[static_cast<size_t>(cpu)]; };
  int siblings = 0, same_llc = 0, other_llc = 0, other_socket = 0;
  for (const auto& [a, b] : pairs) {
    EXPECT_LT(a, b);
    const CpuPlace pa = place(a), pb = place(b);
    if (pa.socket != pb.socket) {
      ++other_socket;
    } else if (pa.core == pb.core) {
      ++siblings;
    } else if (pa.llc_domain == pb.llc_domain) {
      ++same_llc;
    } else {
      ++other_llc;
    }
  }
  EXPECT_GE(siblings, 1);
  EXPECT_GE(same_llc, 1);
  EXPECT_GE(other_llc, 1);
  EXPECT_GE(other_socket, 1);
}

TEST(SelectPairs, OnlyRequestedCpusAreUsed) {
  const auto places = machine(2, 16, 2, 8);
  std::vector<int> cpus;
  for (int cpu = 3; cpu < 64; cpu += 3) cpus.push_back(cpu);
  const std::set<int> allowed(cpus.begin(), cpus.end());
  for (const auto& [a, b] : select_pairs(places, cpus, Thoroughness::kDefault)) {
    EXPECT_TRUE(allowed.count(a));
    EXPECT_TRUE(allowed.count(b));
  }
}

}  // namespace
}  // namespace wakesim::calibrate
