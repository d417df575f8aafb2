// measure(): the order of the measurements and what they share. The calling thread is pinned to the
// measuring CPU for the whole run (caches, TLB and CPUID must all describe one CPU) and unpinned at the
// end. Order: topology (CPUID needs the pinned CPU), timer calibration, a warm-up, the pointer chase, the
// level estimate (it sizes the walk's sweep), the transfers, the walk. With repeats, the chase's sweep
// runs that many times before the level estimate, and the walk's that many times at the end
// (repeats.h).
#include "sim/calibrate/calibrate.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "sim/calibrate/core_to_core.h"
#include "sim/calibrate/list_walk.h"
#include "sim/calibrate/pinning.h"
#include "sim/calibrate/pointer_chase.h"
#include "sim/calibrate/progress_tracker.h"
#include "sim/calibrate/repeats.h"
#include "sim/calibrate/sizes.h"
#include "sim/calibrate/timer.h"
#include "sim/calibrate/topology_probe.h"

namespace wakesim::calibrate {
namespace {

enum Phase : size_t { kSetUp, kChase, kTransfers, kWalk };

// The CPUs to use: the requested ones, each of which must be allowed, or every allowed CPU.
std::vector<int> choose_cpus(const Options& options) {
  std::vector<int> allowed = allowed_cpus();
  if (allowed.empty()) throw std::runtime_error("this thread's CPU affinity mask is empty");
  if (options.cpus.empty()) return allowed;
  std::set<int> seen;
  for (const int cpu : options.cpus) {
    if (!std::binary_search(allowed.begin(), allowed.end(), cpu))
      throw std::runtime_error(fmt::format("calibrate: CPU {} is not one this process may run on (allowed: {})", cpu,
                                           format_cpu_list(allowed)));
    if (!seen.insert(cpu).second) throw std::runtime_error(fmt::format("calibrate: CPU {} is listed twice", cpu));
  }
  return options.cpus;
}

// Spins for `duration` on the measuring CPU before anything is timed: a VM's vCPU may have been idle
// (halted on the host, caches and predictors cold, the core at a low clock) and needs to be running.
void warm_up(std::chrono::nanoseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  volatile uint64_t sink = 0;
  while (std::chrono::steady_clock::now() < end)
    for (int i = 0; i < 1000; ++i) sink = sink + 1;
}

}  // namespace

Results measure(const Options& options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.walk_nodes < 1 || options.walk_nodes > kMaxWalkNodes)
    throw std::runtime_error(
        fmt::format("calibrate: walk_nodes must be in 1..{}, got {}", kMaxWalkNodes, options.walk_nodes));
  if (options.repeats < 1 || options.repeats > kMaxRepeats)
    throw std::runtime_error(fmt::format("calibrate: repeats must be in 1..{}, got {}", kMaxRepeats, options.repeats));
  const auto repeats = static_cast<size_t>(options.repeats);
  const bool quick = options.thoroughness == Thoroughness::kQuick;
  const std::vector<int> cpus = choose_cpus(options);

  const ScopedAffinity restore_affinity;
  pin_current_thread(cpus.front());

  Results results;
  results.measuring_cpu = cpus.front();
  results.walk_nodes = options.walk_nodes;
  results.repeats = options.repeats;
  results.topology = probe_topology();

  const Timer timer = Timer::calibrate(quick ? std::chrono::milliseconds(5) : std::chrono::milliseconds(25));
  results.timer = {timer.source_name(), timer.tsc_ghz(), timer.overhead_ns(), timer.resolution_ns()};
  if (!timer.fallback_reason().empty())
    results.topology.notes.push_back(fmt::format("timing with clock_gettime: {}", timer.fallback_reason()));

  // Plans up front, so that progress is a fraction of the whole run. The walk's range depends on the
  // chase's result; its estimate assumes the detected LLC if plausible, else a typical 32 MiB.
  const ChasePlan chase_plan = plan_chase(options.thoroughness, results.topology);
  const TransferPlan transfer_plan = plan_transfers(options.thoroughness, results.topology, cpus);
  const CacheInfo* llc = last_level_cache(results.topology);
  const uint64_t llc_guess = llc && llc_size_plausible(results.topology) ? llc->size_bytes : 32 * kMiB;
  const WalkPlan walk_guess = plan_walk(options.thoroughness, llc_guess, options.walk_nodes);
  const std::chrono::nanoseconds warm_up_time = quick ? std::chrono::milliseconds(20) : std::chrono::milliseconds(200);
  const auto times = static_cast<double>(repeats);
  ProgressTracker progress(options.progress,
                           {1e-9 * static_cast<double>(warm_up_time.count()), times * estimated_seconds(chase_plan),
                            estimated_seconds(transfer_plan), times * estimated_seconds(walk_guess)});

  progress.begin_phase(kSetUp, 1);
  progress.step("warm-up");
  warm_up(warm_up_time);

  progress.begin_phase(kChase, static_cast<int>(chase_plan.working_sets.size() * repeats));
  std::vector<std::vector<ChasePoint>> chase_repeats;
  std::vector<HugePageReport> buffers;  // every repeat's: a later repeat maps its buffers anew
  for (size_t repeat = 0; repeat < repeats; ++repeat) {
    ChaseRun chase = run_chase(chase_plan, timer, progress);
    chase_repeats.push_back(std::move(chase.points));
    results.preempted_repetitions += chase.preempted_repetitions;
    buffers.push_back(std::move(chase.buffer));
  }
  results.chase = combine_repeats(chase_repeats);
  results.levels = estimate_levels(results.topology, results.chase);

  progress.begin_phase(kTransfers, static_cast<int>(transfer_plan.pairs.size()));
  results.transfers = run_transfers(transfer_plan, timer, progress);

  const WalkPlan walk_plan = plan_walk(options.thoroughness, results.levels.llc_bytes, options.walk_nodes);
  progress.begin_phase(kWalk, static_cast<int>(walk_plan.pollution_sizes.size() * repeats));
  std::vector<std::vector<WalkPoint>> walk_repeats;
  for (size_t repeat = 0; repeat < repeats; ++repeat) {
    WalkRun walk = run_walk(walk_plan, timer, progress);
    walk_repeats.push_back(std::move(walk.points));
    buffers.insert(buffers.end(), walk.buffers.begin(), walk.buffers.end());
  }
  results.walk = combine_repeats(walk_repeats);

  results.hugepages = std::all_of(buffers.begin(), buffers.end(), [](const auto& b) { return b.backed(); });
  std::vector<std::string> described;  // each distinct description once (repeats map alike buffers)
  for (const HugePageReport& buffer : buffers) {
    std::string text = buffer.describe();
    if (std::find(described.begin(), described.end(), text) != described.end()) continue;
    results.hugepages_detail += (results.hugepages_detail.empty() ? "" : "; ") + text;
    described.push_back(std::move(text));
  }

  progress.finish();
  results.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return results;
}

}  // namespace wakesim::calibrate
