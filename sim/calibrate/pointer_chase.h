// Load-to-use latency by working-set size: a dependent chain of loads (p = *p) over a random cycle
// through every 64-byte line of the working set, one pointer per line, in a hugepage buffer
// (huge_buffer.h). Each load's address comes from the previous load, so nothing overlaps, and the
// random order (random_order.h) gives neither the next-line nor the stride prefetcher anything to
// follow. ns per load = time / loads, median over repetitions; a repetition during which the thread was
// descheduled is run again, up to as many extra times as there are repetitions (preemption.h).
//
// Sweep: 8 KiB up to 4x the detected LLC rounded up to a power of two, or 1 GiB when the LLC is unknown
// or implausible (topology_probe.h), never more than 1 GiB nor half the free memory; 4 points per
// octave (kQuick: 2, up to 64 MiB). Per point: warm-up (one full cycle, at most kDefault 10 ms /
// kQuick 1 ms, so the caches hold the steady state), then 7 repetitions of ~4 ms (kQuick 3 of 0.5 ms).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "sim/calibrate/calibrate.h"
#include "sim/calibrate/huge_buffer.h"
#include "sim/calibrate/progress_tracker.h"
#include "sim/calibrate/timer.h"

namespace wakesim::calibrate {

struct ChasePlan {
  std::vector<uint64_t> working_sets;  // ascending, multiples of 64 bytes
  int repetitions = 0;
  std::chrono::nanoseconds per_repetition{};
  std::chrono::nanoseconds max_warm_up{};
};

ChasePlan plan_chase(Thoroughness thoroughness, const Topology& topology);
double estimated_seconds(const ChasePlan& plan);

struct ChaseRun {
  std::vector<ChasePoint> points;
  HugePageReport buffer;
  int preempted_repetitions = 0;  // repeated because the thread was descheduled (preemption.h)
};

// Runs on the calling (pinned) thread; one progress step per working set.
ChaseRun run_chase(const ChasePlan& plan, const Timer& timer, ProgressTracker& progress);

// Links the first `lines` 64-byte lines of `base` into one cycle in RandomOrder(lines, seed) order: each
// line's first 8 bytes point to the next line. Exposed for tests.
void link_random_cycle(std::byte* base, uint64_t lines, uint64_t seed);

}  // namespace wakesim::calibrate
