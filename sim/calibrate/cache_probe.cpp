// Register layouts: Intel SDM vol. 2A, CPUID leaf 04H; AMD APM vol. 3, appendix E.4 (Fn8000_0005,
// Fn8000_0006, Fn8000_001D).
#include "sim/calibrate/cache_probe.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "sim/calibrate/sysfs.h"

namespace wakesim::calibrate {
namespace {

int type_rank(const std::string& type) {
  if (type == "data") return 0;
  if (type == "instruction") return 1;
  return 2;
}

void sort_caches(std::vector<CacheInfo>& caches) {
  std::stable_sort(caches.begin(), caches.end(), [](const CacheInfo& a, const CacheInfo& b) {
    return a.level != b.level ? a.level < b.level : type_rank(a.type) < type_rank(b.type);
  });
}

bool has_data_cache(const std::vector<CacheInfo>& caches) {
  return std::any_of(caches.begin(), caches.end(), [](const CacheInfo& c) { return c.type != "instruction"; });
}

uint32_t bits(uint32_t value, int high, int low) { return (value >> low) & ((uint32_t{1} << (high - low + 1)) - 1); }

#if defined(__x86_64__)
CpuidRegisters cpuid(uint32_t leaf, uint32_t subleaf = 0) {
  CpuidRegisters r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

std::string cpu_vendor() {
  const CpuidRegisters r = cpuid(0);
  char vendor[13] = {};
  std::memcpy(vendor, &r.ebx, 4);
  std::memcpy(vendor + 4, &r.edx, 4);
  std::memcpy(vendor + 8, &r.ecx, 4);
  return vendor;
}

// Walks subleaves of a deterministic cache leaf until the "no more caches" one.
std::vector<CacheInfo> read_cache_leaf(uint32_t leaf) {
  std::vector<CacheInfo> caches;
  for (uint32_t subleaf = 0; subleaf < 16; ++subleaf) {
    const auto cache = decode_cache_leaf(cpuid(leaf, subleaf));
    if (!cache) break;
    caches.push_back(*cache);
  }
  return caches;
}
#endif

}  // namespace

std::optional<CacheInfo> decode_cache_leaf(const CpuidRegisters& r) {
  const uint32_t type = bits(r.eax, 4, 0);
  if (type == 0) return std::nullopt;
  CacheInfo cache;
  cache.level = static_cast<int>(bits(r.eax, 7, 5));
  cache.type = type == 1 ? "data" : type == 2 ? "instruction" : "unified";
  cache.ways = static_cast<int>(bits(r.ebx, 31, 22) + 1);
  const uint64_t partitions = bits(r.ebx, 21, 12) + 1;
  const uint64_t line = bits(r.ebx, 11, 0) + 1;
  const uint64_t sets = uint64_t{r.ecx} + 1;
  cache.size_bytes = static_cast<uint64_t>(cache.ways) * partitions * line * sets;
  if (bits(r.eax, 9, 9)) cache.ways = 0;  // fully associative: "ways" has no meaning for a set model
  cache.shared_by_cpus = static_cast<int>(bits(r.eax, 25, 14) + 1);
  cache.source = "cpuid";
  return cache;
}

int decode_amd_legacy_ways(uint32_t code) {
  static constexpr int kWays[16] = {0, 1, 2, 3, 4, 6, 8, 0, 16, 0, 32, 48, 64, 96, 128, 0};
  return kWays[code & 0xf];
}

std::vector<CacheInfo> decode_amd_legacy_leaves(const CpuidRegisters& leaf_80000005,
                                                const CpuidRegisters& leaf_80000006) {
  std::vector<CacheInfo> caches;
  // L1: ECX data, EDX instruction; size in KiB [31:24], ways [23:16] (0xff: fully associative).
  const auto l1 = [&](uint32_t reg, const char* type) {
    const uint64_t kib = bits(reg, 31, 24);
    const uint32_t ways = bits(reg, 23, 16);
    if (kib == 0) return;
    caches.push_back({1, type, kib * 1024, ways == 0xff ? 0 : static_cast<int>(ways), 0, "cpuid"});
  };
  l1(leaf_80000005.ecx, "data");
  l1(leaf_80000005.edx, "instruction");
  // L2: ECX, size in KiB [31:16], ways code [15:12]. L3: EDX, size in 512 KiB units [31:18], code [15:12].
  const uint64_t l2_kib = bits(leaf_80000006.ecx, 31, 16);
  if (l2_kib != 0 && bits(leaf_80000006.ecx, 15, 12) != 0)
    caches.push_back(
        {2, "unified", l2_kib * 1024, decode_amd_legacy_ways(bits(leaf_80000006.ecx, 15, 12)), 0, "cpuid"});
  const uint64_t l3_units = bits(leaf_80000006.edx, 31, 18);
  if (l3_units != 0 && bits(leaf_80000006.edx, 15, 12) != 0)
    caches.push_back(
        {3, "unified", l3_units * 512 * 1024, decode_amd_legacy_ways(bits(leaf_80000006.edx, 15, 12)), 0, "cpuid"});
  return caches;
}

CacheProbe probe_caches_sysfs(const std::filesystem::path& cpu_dir) {
  CacheProbe probe;
  std::error_code error;
  const auto cache_dir = cpu_dir / "cache";
  if (!std::filesystem::is_directory(cache_dir, error)) return probe;
  for (int index = 0; index < 16; ++index) {
    const auto dir = cache_dir / fmt::format("index{}", index);
    if (!std::filesystem::is_directory(dir, error)) break;
    const auto level = read_int(dir / "level");
    const auto type = read_text(dir / "type");
    const auto size_text = read_text(dir / "size");
    const auto size = size_text ? parse_size(*size_text) : std::nullopt;
    if (!level || !type || !size) {
      probe.notes.push_back(fmt::format("{}: incomplete (level, type or size unreadable), ignored", dir.string()));
      continue;
    }
    CacheInfo cache;
    cache.level = *level;
    cache.type = *type == "Data" ? "data" : *type == "Instruction" ? "instruction" : "unified";
    cache.size_bytes = *size;
    cache.ways = read_int(dir / "ways_of_associativity").value_or(0);
    if (const auto shared = read_text(dir / "shared_cpu_list"))
      if (const auto cpus = parse_cpu_list(*shared)) cache.shared_by_cpus = static_cast<int>(cpus->size());
    cache.source = "sysfs";
    probe.caches.push_back(cache);
  }
  sort_caches(probe.caches);
  return probe;
}

CacheProbe probe_caches_cpuid() {
  CacheProbe probe;
#if defined(__x86_64__)
  const std::string vendor = cpu_vendor();
  const uint32_t max_extended = __get_cpuid_max(0x80000000, nullptr);
  if (vendor == "GenuineIntel") {
    if (__get_cpuid_max(0, nullptr) >= 4) probe.caches = read_cache_leaf(4);
  } else if (vendor == "AuthenticAMD" || vendor == "HygonGenuine") {
    const bool topology_extensions = max_extended >= 0x80000001 && bits(cpuid(0x80000001).ecx, 22, 22);
    if (topology_extensions && max_extended >= 0x8000001D) probe.caches = read_cache_leaf(0x8000001D);
    if (probe.caches.empty() && max_extended >= 0x80000006) {
      probe.caches = decode_amd_legacy_leaves(cpuid(0x80000005), cpuid(0x80000006));
      if (!probe.caches.empty())
        probe.notes.push_back(
            "CPUID leaf 0x8000001D is empty (hidden by the hypervisor?): caches from the legacy leaves 0x80000005/6, "
            "which report no sharing");
    }
  } else {
    probe.notes.push_back(fmt::format("CPUID vendor '{}': no cache leaf decoder", vendor));
  }
#else
  probe.notes.push_back("not an x86-64 CPU: no CPUID");
#endif
  sort_caches(probe.caches);
  return probe;
}

CacheProbe probe_caches_getconf() {
  CacheProbe probe;
  struct Query {
    int level;
    const char* type;
    int size_name;
    int ways_name;
  };
  static constexpr Query kQueries[] = {
      {1, "data", _SC_LEVEL1_DCACHE_SIZE, _SC_LEVEL1_DCACHE_ASSOC},
      {1, "instruction", _SC_LEVEL1_ICACHE_SIZE, _SC_LEVEL1_ICACHE_ASSOC},
      {2, "unified", _SC_LEVEL2_CACHE_SIZE, _SC_LEVEL2_CACHE_ASSOC},
      {3, "unified", _SC_LEVEL3_CACHE_SIZE, _SC_LEVEL3_CACHE_ASSOC},
      {4, "unified", _SC_LEVEL4_CACHE_SIZE, _SC_LEVEL4_CACHE_ASSOC},
  };
  for (const Query& q : kQueries) {
    const long size = sysconf(q.size_name);
    if (size <= 0) continue;
    const long ways = sysconf(q.ways_name);
    probe.caches.push_back(
        {q.level, q.type, static_cast<uint64_t>(size), ways > 0 ? static_cast<int>(ways) : 0, 0, "getconf"});
  }
  return probe;
}

CacheProbe probe_caches(const std::filesystem::path& cpu_dir) {
  CacheProbe result;
  for (int source = 0; source < 3; ++source) {
    CacheProbe probe = source == 0   ? probe_caches_sysfs(cpu_dir)
                       : source == 1 ? probe_caches_cpuid()
                                     : probe_caches_getconf();
    result.notes.insert(result.notes.end(), probe.notes.begin(), probe.notes.end());
    if (has_data_cache(probe.caches)) {
      result.caches = std::move(probe.caches);
      return result;
    }
    const std::string name = source == 0 ? (cpu_dir / "cache").string() : source == 1 ? "CPUID" : "getconf";
    result.notes.push_back(fmt::format("{}: no data cache described", name));
  }
  return result;
}

}  // namespace wakesim::calibrate
