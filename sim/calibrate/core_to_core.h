// Core-to-core cache-line transfer latency, measured as github.com/nviennot/core-to-core-latency does
// (its "CAS latency" benchmark, which reference/core-to-core-latency.csv and the simulator's
// host.cache.{smt_sibling,same_llc,same_socket,remote_socket} follow): two threads pinned to CPUs a and
// b share one 64-byte line holding a flag; b repeatedly does CAS(PING -> PONG), a repeatedly does
// CAS(PONG -> PING), each spinning on a failed `lock cmpxchg` until it succeeds. Every successful CAS
// needs the line that the other CPU just wrote, so one round trip is two line transfers (each with an
// atomic on the owner's side). A sample times kRoundTrips round trips on a's clock; one-way =
// sample / round trips / 2, median over samples (with the 10th and 90th percentiles).
//
// Samples count round trips, not time: when the hypervisor or a competing task deschedules one thread,
// only the sample in flight gets long, and the median discards it.
#pragma once

#include <utility>
#include <vector>

#include "sim/calibrate/calibrate.h"
#include "sim/calibrate/progress_tracker.h"
#include "sim/calibrate/timer.h"

namespace wakesim::calibrate {

inline constexpr int kRoundTrips = 1000;  // per sample, as nviennot/core-to-core-latency

struct TransferPlan {
  std::vector<std::pair<int, int>> pairs;  // transfer_pairs.h
  int samples = 0;                         // per pair: kDefault 200, kFull 100, kQuick 20
};

TransferPlan plan_transfers(Thoroughness thoroughness, const Topology& topology, const std::vector<int>& cpus);
double estimated_seconds(const TransferPlan& plan);

// One progress step per pair. Spawns two threads per pair; throws std::runtime_error if either cannot
// be pinned.
std::vector<TransferPoint> run_transfers(const TransferPlan& plan, const Timer& timer, ProgressTracker& progress);

TransferPoint measure_transfer(int cpu_a, int cpu_b, int samples, const Timer& timer);

}  // namespace wakesim::calibrate
