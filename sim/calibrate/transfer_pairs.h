// Which CPU pairs the core-to-core measurement visits. Every pair of a large machine would take minutes
// (64 CPUs: 2016 pairs), and pairs of one distance class (SMT sibling, same LLC, other LLC of the
// socket, other socket) measure about the same thing, so kDefault samples across the classes:
//  - up to 8 CPUs: every pair;
//  - else up to kMaxSampledPairs: up to 4 SMT sibling pairs (spread over cores); the first CPU with the
//    first thread of cores spread over the whole set (same LLC, other LLCs, other sockets in Linux's
//    numbering); pairs between LLC domains and between sockets that avoid the first CPU; then pairs half
//    the set apart until the budget is used.
// kFull: every pair. kQuick: one pair, the first CPU and the first CPU of another core of its socket
// (the common case), else any other CPU. Fewer than two CPUs: no pairs.
#pragma once

#include <utility>
#include <vector>

#include "sim/calibrate/calibrate.h"

namespace wakesim::calibrate {

inline constexpr size_t kMaxSampledPairs = 32;

// `cpus`: the CPUs allowed, in the caller's order (the first is the measuring CPU); `places` describes
// them (CPUs it does not list count as separate cores of socket 0). Pairs are (lower, higher), unique.
std::vector<std::pair<int, int>> select_pairs(const std::vector<CpuPlace>& places, const std::vector<int>& cpus,
                                              Thoroughness thoroughness);

}  // namespace wakesim::calibrate
