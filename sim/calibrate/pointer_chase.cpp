#include "sim/calibrate/pointer_chase.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/calibrate/preemption.h"
#include "sim/calibrate/random_order.h"
#include "sim/calibrate/sizes.h"
#include "sim/calibrate/statistics.h"
#include "sim/calibrate/topology_probe.h"
#include "sim/calibrate/uninstrumented.h"

namespace wakesim::calibrate {
namespace {

constexpr uint64_t kSmallestWorkingSet = 8 * kKiB;
constexpr uint64_t kLargestWorkingSet = kGiB;
constexpr uint64_t kChaseSeed = 0x7a1e'c4a5'e000'0001;
constexpr uint64_t kChunkLoads = 4096;  // warm-up granularity; a multiple of the kernel's unroll (8)

// The timed kernel: `loads` (a multiple of 8) dependent loads. Unrolled by hand so that loop control is
// 1/8 of the instructions; it runs in the shadow of the loads anyway, as nothing depends on it.
WAKESIM_UNINSTRUMENTED const std::byte* chase(const std::byte* p, uint64_t loads) {
  using Link = const std::byte* const*;
  for (uint64_t i = 0; i < loads; i += 8) {
    p = *reinterpret_cast<Link>(p);
    p = *reinterpret_cast<Link>(p);
    p = *reinterpret_cast<Link>(p);
    p = *reinterpret_cast<Link>(p);
    p = *reinterpret_cast<Link>(p);
    p = *reinterpret_cast<Link>(p);
    p = *reinterpret_cast<Link>(p);
    p = *reinterpret_cast<Link>(p);
  }
  return p;
}

// Times `loads` loads from `p`, advancing `p`. The empty asm makes the chain's end an input the compiler
// must produce before the stop read, so the chase can neither be dropped nor moved out of the interval.
double timed_chase(const std::byte*& p, uint64_t loads, const Timer& timer) {
  const uint64_t t0 = timer.start();
  p = chase(p, loads);
  asm volatile("" : "+r"(p) : : "memory");
  const uint64_t t1 = timer.stop();
  return timer.elapsed_ns(t0, t1);
}

uint64_t available_memory() {
  const long pages = sysconf(_SC_AVPHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return kLargestWorkingSet;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
}

}  // namespace

void link_random_cycle(std::byte* base, uint64_t lines, uint64_t seed) {
  const RandomOrder order(lines, seed);
  const auto line = [base](uint64_t index) { return base + index * kLineBytes; };
  const uint64_t first = order(0);
  uint64_t current = first;
  for (uint64_t i = 1; i < lines; ++i) {
    const uint64_t next = order(i);
    *reinterpret_cast<std::byte**>(line(current)) = line(next);
    current = next;
  }
  *reinterpret_cast<std::byte**>(line(current)) = line(first);
}

ChasePlan plan_chase(Thoroughness thoroughness, const Topology& topology) {
  uint64_t largest = kLargestWorkingSet;
  if (const CacheInfo* llc = last_level_cache(topology); llc && llc_size_plausible(topology))
    largest = std::min(largest, round_up_to_power_of_two(4 * llc->size_bytes));
  // Half of the free memory at most (rounded down to a power of two), so that calibration cannot push
  // the machine into reclaim; 64 MiB at least, which every machine that runs the simulator has.
  uint64_t memory_cap = 64 * kMiB;
  while (memory_cap * 2 <= available_memory() / 2) memory_cap *= 2;
  largest = std::max(64 * kMiB, std::min(largest, memory_cap));

  ChasePlan plan;
  if (thoroughness == Thoroughness::kQuick) {
    plan.working_sets = log_spaced_sizes(kSmallestWorkingSet, std::min(largest, 64 * kMiB), 2, kLineBytes);
    plan.repetitions = 3;
    plan.per_repetition = std::chrono::microseconds(500);
    plan.max_warm_up = std::chrono::milliseconds(1);
  } else {
    plan.working_sets = log_spaced_sizes(kSmallestWorkingSet, largest, 4, kLineBytes);
    plan.repetitions = 7;
    plan.per_repetition = std::chrono::milliseconds(4);
    plan.max_warm_up = std::chrono::milliseconds(10);
  }
  return plan;
}

double estimated_seconds(const ChasePlan& plan) {
  // Timed work plus building each cycle (~10 ns a line) and faulting the buffer in (~0.2 ns a byte).
  double seconds = 0;
  for (const uint64_t size : plan.working_sets) {
    const uint64_t lines = size / kLineBytes;
    seconds += 1e-9 * static_cast<double>(plan.repetitions * plan.per_repetition.count() + plan.max_warm_up.count()) +
               10e-9 * static_cast<double>(lines);
  }
  return seconds + (plan.working_sets.empty() ? 0 : 0.2e-9 * static_cast<double>(plan.working_sets.back()));
}

ChaseRun run_chase(const ChasePlan& plan, const Timer& timer, ProgressTracker& progress) {
  ChaseRun run;
  if (plan.working_sets.empty()) return run;
  HugeBuffer buffer(plan.working_sets.back(), "pointer-chase buffer");
  run.buffer = report_huge_pages(buffer);
  const auto max_warm_up_ns = static_cast<double>(plan.max_warm_up.count());
  const auto per_repetition_ns = static_cast<double>(plan.per_repetition.count());
  for (size_t index = 0; index < plan.working_sets.size(); ++index) {
    const uint64_t working_set = plan.working_sets[index];
    progress.step(fmt::format("pointer chase {}", format_bytes(working_set)));
    const uint64_t lines = working_set / kLineBytes;
    link_random_cycle(buffer.data(), lines, kChaseSeed + index);

    // Warm-up: one full cycle (every line where it settles in the hierarchy) unless that would take
    // longer than max_warm_up; past the LLC nearly every load misses anyway, so a partial cycle is
    // already the steady state. The last chunk's rate sizes the repetitions.
    const std::byte* p = buffer.data();
    uint64_t warmed = 0;
    double warm_ns = 0;
    double chunk_ns = 0;
    do {
      chunk_ns = timed_chase(p, kChunkLoads, timer);
      warm_ns += chunk_ns;
      warmed += kChunkLoads;
    } while (warmed < lines && warm_ns < max_warm_up_ns);
    const double estimate = std::max(0.05, chunk_ns / kChunkLoads);
    const uint64_t loads = std::max<uint64_t>(kChunkLoads, static_cast<uint64_t>(per_repetition_ns / estimate) / 8 * 8);

    std::vector<double> ns_per_load;
    ns_per_load.reserve(static_cast<size_t>(plan.repetitions));
    int retries = plan.repetitions;
    for (int repetition = 0; repetition < plan.repetitions; ++repetition)
      ns_per_load.push_back(
          undisturbed([&] { return (timed_chase(p, loads, timer) - timer.overhead_ns()) / static_cast<double>(loads); },
                      retries, run.preempted_repetitions));
    run.points.push_back({working_set, median(std::move(ns_per_load))});
  }
  return run;
}

}  // namespace wakesim::calibrate
