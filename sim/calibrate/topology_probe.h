// The machine's shape: CPUs, sockets, cores, SMT, LLC domains, caches, model and whether it is a VM.
// Sources: /sys/devices/system/cpu (online, cpuN/topology/{physical_package_id,core_id,
// thread_siblings_list}, cpuN/cache/indexK/shared_cpu_list for each CPU's LLC domain), /proc/cpuinfo
// ("model name"), CPUID (signature, the hypervisor bit and vendor) and cache_probe.h for the caches.
// Without sysfs topology it falls back to sysconf(_SC_NPROCESSORS_ONLN) CPUs, one socket, one thread per
// core, and says so in Topology::notes.
//
// Plausibility (this project's Zen 5 VM reports the package's 508 MiB L3 for 2 vCPUs): an LLC larger than
// kPlausibleLlcPerCpu per CPU it serves is kept as reported but noted as distrusted; the pointer-chase
// curve decides its effective size (estimate_levels).
#pragma once

#include <filesystem>

#include "sim/calibrate/calibrate.h"

namespace wakesim::calibrate {

// Largest LLC share per logical CPU of shipping parts is ~12 MiB (96 MiB X3D L3 over 8 cores); 16 MiB
// leaves a margin.
inline constexpr uint64_t kPlausibleLlcPerCpu = uint64_t{16} << 20;

struct TopologyPaths {
  std::filesystem::path cpu_root = "/sys/devices/system/cpu";
  std::filesystem::path cpuinfo = "/proc/cpuinfo";
};

// Caches are described for the CPU the calling thread runs on (pin it first).
Topology probe_topology(const TopologyPaths& paths = {});

// The highest-level data or unified cache, or nullptr.
const CacheInfo* last_level_cache(const Topology& topology);
// The level-`level` data or unified cache, or nullptr.
const CacheInfo* data_cache(const Topology& topology, int level);
// Whether the LLC's reported size is believable for the CPUs that share it (see kPlausibleLlcPerCpu).
bool llc_size_plausible(const Topology& topology);

}  // namespace wakesim::calibrate
