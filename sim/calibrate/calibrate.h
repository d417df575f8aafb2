// `wakesim calibrate`'s measuring library: small timed C++ kernels that measure the machine they run on,
// so that the simulator's host parameters (sim/hw/host_params.h) can come from this machine instead of a
// preset. Nothing here uses simulator code; the CLI command, the host-file writer and the comparison
// with the simulator live in sim/app.
//
// What is measured (each on real memory, timed with the fenced TSC or clock_gettime, see timer.h):
//  - topology: sysfs, else CPUID, else getconf (topology_probe.h, cache_probe.h);
//  - load latency by working set: a dependent pointer chase over a random cycle of 64-byte lines in a
//    hugepage buffer (pointer_chase.h) -> the L1/L2/LLC/DRAM plateaus and effective capacities
//    (estimate_levels below);
//  - core-to-core line transfer: a CAS ping-pong on one line between two pinned threads, the method of
//    github.com/nviennot/core-to-core-latency (core_to_core.h), i.e. the numbers the simulator's
//    host.cache.{smt_sibling,same_llc,same_socket,remote_socket} are defined by;
//  - KVM's wakeup-list walk after the cache was polluted by F bytes of guest-like accesses: the curve the
//    simulator's pollution model must reproduce (list_walk.h).
//
// Runtime on this project's 2-vCPU Zen 5 VM: kDefault 8-12 s (17 s when the effective LLC cannot be
// found and the walk's pollution must reach 1 GiB), kQuick under 1 s (also in ASan Debug builds, whose
// instrumentation is kept out of the timed loops: uninstrumented.h). measure() pins the calling thread
// while it runs and restores its affinity afterwards. It keeps no global state; two measure() calls
// at once would only disturb each other's numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wakesim::calibrate {

// One cache as the system describes it (per instance: an L3 shared by 8 CPUs appears once per domain).
struct CacheInfo {
  int level = 0;
  std::string type;         // "data", "instruction" or "unified"
  uint64_t size_bytes = 0;  // one instance
  int ways = 0;             // 0: not reported (e.g. AMD's CPUID 0x80000006 code 9, "see leaf 0x8000001D")
  int shared_by_cpus = 0;   // logical CPUs sharing one instance; 0: not reported
  std::string source;       // "sysfs", "cpuid", "getconf" or "measured"
};

// Where one logical CPU sits. `llc_domain` is the lowest CPU number sharing its last-level cache, or -1
// when only CPUID/getconf were available (they describe the calling CPU, not the others).
struct CpuPlace {
  int cpu = 0;
  int socket = 0;
  int core = 0;  // sysfs core_id: unique within a socket only
  int llc_domain = -1;
};

struct Topology {
  std::string cpu_model;      // /proc/cpuinfo "model name" (a VM may show a generic one, e.g. "AMD EPYC")
  std::string cpu_signature;  // CPUID vendor, family, model, stepping: identifies the core when the name is generic
  int cpus = 0;               // online logical CPUs
  int sockets = 0;
  int cores_per_socket = 0;
  int threads_per_core = 0;
  int llc_domains_per_socket = 0;  // CPUs per socket / CPUs sharing one LLC; 1 when the sharing is unknown
  bool virtualized = false;        // CPUID.1:ECX[31], the hypervisor-present bit
  std::string hypervisor;          // CPUID 0x40000000 vendor string, empty on bare metal
  std::vector<CacheInfo> caches;   // data and unified caches first-level first; instruction caches too
  std::vector<CpuPlace> places;    // one per online CPU, ascending
  std::vector<std::string> notes;  // what the probe could not determine, or reported but distrusts
};

// Load-to-use latency of a dependent load over a working set; median over repetitions.
struct ChasePoint {
  uint64_t working_set_bytes = 0;
  double ns_per_load = 0;  // with repeats: the median of the repeats' values
  double spread = 1;       // the largest of the repeats' values / the smallest (1: one repeat)
};

// One-way cache-line transfer between two CPUs: CAS ping-pong round trip / 2, median over samples.
// p10/p90 are the 10th and 90th percentiles of the samples: a wide spread means the pair's placement
// changed during the run (a VM's vCPUs moving between host cores) or the CPUs were busy.
struct TransferPoint {
  int cpu_a = 0;
  int cpu_b = 0;
  double one_way_ns = 0;
  double p10_ns = 0;
  double p90_ns = 0;
};

// KVM's wakeup-list walk after `pollution_bytes` of sequential read-modify-write: ns per list node
// (walk time / nodes, timer overhead subtracted). Summarised by the median of means of groups of 8
// repetitions rather than the median: a walk lasts only a few clock ticks (10 ns on AMD Zen), and the
// group means average the tick quantisation out while the median still ignores interrupts
// (statistics.h).
struct WalkPoint {
  uint64_t pollution_bytes = 0;
  double ns_per_node = 0;  // with repeats: the median of the repeats' values
  double spread = 1;       // the largest of the repeats' values / the smallest (1: one repeat)
};

// Per level: plateau latency (median of the flat part of the chase curve) and effective capacity (the
// working set at which latency is half-way, in log space, between this level's plateau and the next's).
// Ways come from the probe, defaulting to 8/16/16 when it reported none. `method` says which detected
// sizes anchored the fit and which the curve overruled. Zero latency/bytes: could not be estimated.
struct LevelEstimate {
  double l1_ns = 0, l2_ns = 0, llc_ns = 0, dram_ns = 0;
  uint64_t l1_bytes = 0, l2_bytes = 0, llc_bytes = 0;
  int l1_ways = 0, l2_ways = 0, llc_ways = 0;
  std::string method;
};

// How measure() reports how far it is. The fraction is monotone in [0, 1], estimated from planned
// work; `what` names the step about to run ("pointer chase 4 MiB"). Called from the measuring thread.
struct Progress {
  virtual void step(double fraction_done, std::string_view what) = 0;

 protected:
  ~Progress() = default;
};

enum class Thoroughness {
  kQuick,    // a few seconds: coarse curves, one transfer pair (for tests and smoke runs)
  kDefault,  // under ~45 s on a 2-core VM; transfers: all pairs up to 8 CPUs, else <= 32 sampled pairs
  kFull,     // as kDefault, with transfers between every pair of CPUs (minutes on large machines)
};

inline constexpr int kMaxRepeats = 20;

struct Options {
  Thoroughness thoroughness = Thoroughness::kDefault;
  std::vector<int> cpus;  // CPUs to use, the first one measures; empty: every CPU this thread may use
  int walk_nodes = 16;    // blocked vCPUs on the walked list, 1..4096
  // 1..kMaxRepeats: the whole chase sweep, and later the whole walk sweep, run this many times one
  // after the other; each point is then the median of its repeats and carries their spread
  // (repeats.h): how far the machine moved during this invocation, a lower bound on how closely it can
  // be measured.
  int repeats = 1;
  Progress* progress = nullptr;  // optional
};

// The clock the measurements were timed with.
struct TimerInfo {
  std::string source;        // "tsc" (lfence-fenced rdtsc) or "clock_gettime" (CLOCK_MONOTONIC)
  double tsc_ghz = 0;        // TSC ticks per ns against CLOCK_MONOTONIC; 0 when the TSC was not used
  double overhead_ns = 0;    // cost of an empty timed region (median of means), subtracted from walk times
  double resolution_ns = 0;  // the clock's step (AMD Zen: 10 ns, so walks are dithered: timer.h)
};

struct Results {
  Topology topology;
  int repeats = 1;                       // Options::repeats
  std::vector<ChasePoint> chase;         // ascending working set
  std::vector<TransferPoint> transfers;  // empty when fewer than two CPUs were allowed
  std::vector<WalkPoint> walk;           // ascending pollution, starting at 0
  int walk_nodes = 0;
  bool hugepages = false;        // every measurement buffer was >= 90% backed by transparent huge pages
  std::string hugepages_detail;  // per buffer: AnonHugePages from /proc/self/smaps, or why unknown
  LevelEstimate levels;          // estimate_levels(topology, chase)
  TimerInfo timer;
  int measuring_cpu = 0;          // the CPU the chase and the walk ran on
  int preempted_repetitions = 0;  // chase repetitions rerun because the thread was descheduled
  double seconds = 0;             // wall time of measure()
};

// Runs every measurement. Throws std::runtime_error with a message naming the cause (a CPU outside this
// thread's affinity mask, pinning refused, memory that cannot be mapped, bad options).
Results measure(const Options& options);

// Pure: the level latencies and effective capacities read off a pointer-chase curve (any order). Detected
// sizes in `topology.caches` anchor a level boundary only where the curve rises across them (>= 1.3x);
// otherwise (absent, absurd like a package-wide 508 MiB "L3", or contradicted) the boundary comes from a
// least-squares step fit of log latency. See level_estimate.cpp.
LevelEstimate estimate_levels(const Topology& topology, const std::vector<ChasePoint>& chase);

}  // namespace wakesim::calibrate
