// What the system says about its caches, from the best source available:
//  1. sysfs, /sys/devices/system/cpu/cpuN/cache/index*/ (level, type, size, ways_of_associativity,
//     shared_cpu_list): the kernel's own view, per instance, with the real sharing;
//  2. CPUID: the deterministic cache leaf (leaf 4 on Intel, 0x8000001D on AMD and Hygon; sharing =
//     EAX[25:14] + 1, an upper bound that is clamped later), else AMD's legacy leaves 0x80000005 (L1)
//     and 0x80000006 (L2, L3; no sharing, and in VMs often the whole package's L3: this project's Zen 5
//     VM reports 508 MiB there);
//  3. getconf, sysconf(_SC_LEVEL1_DCACHE_SIZE...): glibc's reading of the same CPUID leaves.
// Hypervisors often hide 1 and blank parts of 2, so every source is tried in turn. The decoders are
// exposed for tests with recorded register values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/calibrate/calibrate.h"

namespace wakesim::calibrate {

struct CpuidRegisters {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

struct CacheProbe {
  std::vector<CacheInfo> caches;  // sorted by level, data before instruction before unified
  std::vector<std::string> notes;
};

// One subleaf of CPUID leaf 4 / 0x8000001D; nullopt for the terminating "no more caches" subleaf.
std::optional<CacheInfo> decode_cache_leaf(const CpuidRegisters& subleaf);
// AMD's legacy L1 (0x80000005) and L2/L3 (0x80000006) descriptions; absent levels are left out.
std::vector<CacheInfo> decode_amd_legacy_leaves(const CpuidRegisters& leaf_80000005,
                                                const CpuidRegisters& leaf_80000006);
// AMD's 4-bit associativity code of leaf 0x80000006 -> ways (lower bound of the range the code
// stands for); 0 for "disabled", "fully associative" and 9, "see leaf 0x8000001D".
int decode_amd_legacy_ways(uint32_t code);

// `cpu_dir` is e.g. /sys/devices/system/cpu/cpu0 (a parameter so that tests can use a fake tree).
CacheProbe probe_caches_sysfs(const std::filesystem::path& cpu_dir);
CacheProbe probe_caches_cpuid();  // the CPU the calling thread runs on
CacheProbe probe_caches_getconf();

// The first of sysfs, CPUID, getconf that describes a data or unified cache; notes say which were
// unavailable.
CacheProbe probe_caches(const std::filesystem::path& cpu_dir);

}  // namespace wakesim::calibrate
