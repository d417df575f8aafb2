#include "sim/calibrate/topology_probe.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "sim/calibrate/cache_probe.h"
#include "sim/calibrate/sizes.h"
#include "sim/calibrate/sysfs.h"

namespace wakesim::calibrate {
namespace {

std::vector<int> online_cpus(const TopologyPaths& paths, std::vector<std::string>& notes) {
  if (const auto text = read_text(paths.cpu_root / "online"))
    if (auto cpus = parse_cpu_list(*text); cpus && !cpus->empty()) return *cpus;
  const long count = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  notes.push_back(
      fmt::format("{}: unreadable; assuming CPUs 0..{} are online", (paths.cpu_root / "online").string(), count - 1));
  std::vector<int> cpus(static_cast<size_t>(count));
  for (size_t i = 0; i < cpus.size(); ++i) cpus[i] = static_cast<int>(i);
  return cpus;
}

// The lowest CPU sharing `cpu`'s highest-level data or unified cache, from sysfs; -1 if unknown.
int llc_domain_of(const TopologyPaths& paths, int cpu) {
  int best_level = 0;
  int domain = -1;
  for (int index = 0; index < 16; ++index) {
    const auto dir = paths.cpu_root / fmt::format("cpu{}/cache/index{}", cpu, index);
    const auto level = read_int(dir / "level");
    if (!level) break;
    if (read_text(dir / "type").value_or("") == "Instruction" || *level <= best_level) continue;
    const auto shared = read_text(dir / "shared_cpu_list");
    const auto cpus = shared ? parse_cpu_list(*shared) : std::nullopt;
    if (!cpus || cpus->empty()) continue;
    best_level = *level;
    domain = cpus->front();
  }
  return domain;
}

struct CpuIdentity {
  std::string signature;
  std::string brand;
  bool hypervisor_bit = false;
  std::string hypervisor;
};

CpuIdentity identify_cpu() {
  CpuIdentity id;
#if defined(__x86_64__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  __cpuid(0, eax, ebx, ecx, edx);
  char vendor[13] = {};
  std::memcpy(vendor, &ebx, 4);
  std::memcpy(vendor + 4, &edx, 4);
  std::memcpy(vendor + 8, &ecx, 4);
  __cpuid(1, eax, ebx, ecx, edx);
  // Family and model with the extended fields (Intel SDM 2A, CPUID 01H; AMD APM 3, Fn0000_0001_EAX).
  const unsigned base_family = (eax >> 8) & 0xf;
  const unsigned family = base_family == 0xf ? base_family + ((eax >> 20) & 0xff) : base_family;
  const unsigned model =
      (base_family == 0x6 || base_family == 0xf) ? (((eax >> 16) & 0xf) << 4) | ((eax >> 4) & 0xf) : (eax >> 4) & 0xf;
  id.signature = fmt::format("{} family {} (0x{:x}) model {} (0x{:x}) stepping {}", vendor, family, family, model,
                             model, eax & 0xf);
  id.hypervisor_bit = (ecx >> 31) & 1;
  if (id.hypervisor_bit) {
    __cpuid(0x40000000, eax, ebx, ecx, edx);
    char name[13] = {};
    std::memcpy(name, &ebx, 4);
    std::memcpy(name + 4, &ecx, 4);
    std::memcpy(name + 8, &edx, 4);
    id.hypervisor = name;
    id.hypervisor.erase(id.hypervisor.find_last_not_of(' ') + 1);  // "bhyve bhyve " is padded
  }
  if (static_cast<unsigned>(__get_cpuid_max(0x80000000, nullptr)) >= 0x80000004u) {
    char brand[49] = {};
    for (size_t leaf = 0; leaf < 3; ++leaf) {
      __cpuid(0x80000002 + static_cast<unsigned>(leaf), eax, ebx, ecx, edx);
      std::memcpy(brand + 16 * leaf, &eax, 4);
      std::memcpy(brand + 16 * leaf + 4, &ebx, 4);
      std::memcpy(brand + 16 * leaf + 8, &ecx, 4);
      std::memcpy(brand + 16 * leaf + 12, &edx, 4);
    }
    id.brand = brand;
    const auto first = id.brand.find_first_not_of(' ');
    id.brand = first == std::string::npos ? "" : id.brand.substr(first);
  }
#else
  id.signature = "not x86-64";
#endif
  return id;
}

}  // namespace

const CacheInfo* data_cache(const Topology& topology, int level) {
  for (const CacheInfo& cache : topology.caches)
    if (cache.level == level && cache.type != "instruction") return &cache;
  return nullptr;
}

const CacheInfo* last_level_cache(const Topology& topology) {
  const CacheInfo* llc = nullptr;
  for (const CacheInfo& cache : topology.caches)
    if (cache.type != "instruction" && (!llc || cache.level > llc->level)) llc = &cache;
  return llc;
}

bool llc_size_plausible(const Topology& topology) {
  const CacheInfo* llc = last_level_cache(topology);
  if (!llc) return false;
  const int cpus_per_socket = std::max(1, topology.cpus / std::max(1, topology.sockets));
  const int served = llc->shared_by_cpus > 0 ? std::min(llc->shared_by_cpus, cpus_per_socket) : cpus_per_socket;
  return llc->size_bytes <= kPlausibleLlcPerCpu * static_cast<uint64_t>(served);
}

Topology probe_topology(const TopologyPaths& paths) {
  Topology t;
  const std::vector<int> online = online_cpus(paths, t.notes);
  t.cpus = static_cast<int>(online.size());

  // Places from sysfs topology; any missing file switches to the flat fallback for all CPUs.
  bool sysfs_topology = true;
  int max_siblings = 1;
  for (const int cpu : online) {
    const auto dir = paths.cpu_root / fmt::format("cpu{}/topology", cpu);
    const auto package = read_int(dir / "physical_package_id");
    const auto core = read_int(dir / "core_id");
    const auto siblings_text = read_text(dir / "thread_siblings_list");
    const auto siblings = siblings_text ? parse_cpu_list(*siblings_text) : std::nullopt;
    if (!package || !core || !siblings) {
      sysfs_topology = false;
      break;
    }
    max_siblings = std::max(max_siblings, static_cast<int>(siblings->size()));
    t.places.push_back({cpu, *package, *core, llc_domain_of(paths, cpu)});
  }
  if (!sysfs_topology) {
    t.notes.push_back(fmt::format("{}/cpuN/topology unreadable: assuming one socket and one thread per core",
                                  paths.cpu_root.string()));
    t.places.clear();
    for (const int cpu : online) t.places.push_back({cpu, 0, cpu, -1});
    max_siblings = 1;
  }
  std::set<int> sockets;
  std::set<std::pair<int, int>> cores;
  for (const CpuPlace& p : t.places) {
    sockets.insert(p.socket);
    cores.insert({p.socket, p.core});
  }
  t.sockets = static_cast<int>(sockets.size());
  t.cores_per_socket = static_cast<int>((cores.size() + sockets.size() - 1) / sockets.size());
  t.threads_per_core = max_siblings;
  const int cpus_per_socket = std::max(1, t.cpus / t.sockets);

  // Caches: describe the CPU this thread is on (that is where CPUID runs).
  const int here = sched_getcpu();
  const int cache_cpu = std::find(online.begin(), online.end(), here) != online.end() ? here : online.front();
  CacheProbe caches = probe_caches(paths.cpu_root / fmt::format("cpu{}", cache_cpu));
  t.caches = std::move(caches.caches);
  t.notes.insert(t.notes.end(), caches.notes.begin(), caches.notes.end());
  for (CacheInfo& cache : t.caches) {
    // CPUID's sharing field is the number of addressable IDs, a power of two that can exceed the CPUs
    // that exist (and a VM's vCPUs); a cache cannot be shared by more CPUs than a socket has.
    if (cache.shared_by_cpus > cpus_per_socket) {
      t.notes.push_back(fmt::format("L{} {}: {} reports sharing by {} CPUs, more than the {} per socket; clamped",
                                    cache.level, cache.type, cache.source, cache.shared_by_cpus, cpus_per_socket));
      cache.shared_by_cpus = cpus_per_socket;
    }
  }

  // LLC domains per socket: counted from sysfs where every CPU has one, else CPUs per socket / sharing.
  const bool domains_known = std::all_of(t.places.begin(), t.places.end(), [](auto& p) { return p.llc_domain >= 0; });
  const CacheInfo* llc = last_level_cache(t);
  if (domains_known && !t.places.empty()) {
    std::map<int, std::set<int>> domains_by_socket;
    for (const CpuPlace& p : t.places) domains_by_socket[p.socket].insert(p.llc_domain);
    t.llc_domains_per_socket = 1;
    for (const auto& [socket, domains] : domains_by_socket)
      t.llc_domains_per_socket = std::max(t.llc_domains_per_socket, static_cast<int>(domains.size()));
  } else if (llc && llc->shared_by_cpus > 0) {
    t.llc_domains_per_socket = (cpus_per_socket + llc->shared_by_cpus - 1) / llc->shared_by_cpus;
  } else {
    t.llc_domains_per_socket = 1;
    t.notes.push_back("LLC sharing unknown: assuming one LLC domain per socket");
  }
  if (llc && !llc_size_plausible(t))
    t.notes.push_back(
        fmt::format("L{} of {} ({}) for {} CPUs is more than {} per CPU: probably the host package's total, not this "
                    "machine's LLC domain; the pointer-chase curve decides its effective size",
                    llc->level, format_bytes(llc->size_bytes), llc->source,
                    llc->shared_by_cpus > 0 ? std::min(llc->shared_by_cpus, cpus_per_socket) : cpus_per_socket,
                    format_bytes(kPlausibleLlcPerCpu)));

  const CpuIdentity id = identify_cpu();
  t.cpu_signature = id.signature;
  t.virtualized = id.hypervisor_bit;
  t.hypervisor = id.hypervisor;
  const auto cpuinfo = read_text(paths.cpuinfo);
  const auto model = cpuinfo ? cpuinfo_field(*cpuinfo, "model name") : std::nullopt;
  t.cpu_model = model && !model->empty() ? *model : !id.brand.empty() ? id.brand : "unknown";
  return t;
}

}  // namespace wakesim::calibrate
