#include "sim/experiment/preflight.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "sim/calibrate/sizes.h"
#include "sim/engine/errors.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/scenario.h"

namespace wakesim::experiment {
namespace {

constexpr uint64_t kKiB = 1024, kMiB = kKiB * 1024;
// See the header for the measurements behind these.
constexpr uint64_t kBaseBytes = 16 * kMiB;
constexpr uint64_t kBytesPerPcpu = 80 * kKiB;
constexpr uint64_t kBytesPerVcpu = 7 * kKiB;

}  // namespace

MemoryEstimate estimate_run_memory(const Config& config) {
  MemoryEstimate e;
  e.pcpus = static_cast<int64_t>(config.host.sockets) * config.host.cores_per_socket * config.host.threads_per_core;
  if (config.scenario == "kvm") e.vcpus = static_cast<int64_t>(config.vms.count) * config.vms.vcpus;
  e.bytes_per_run =
      kBaseBytes + static_cast<uint64_t>(e.pcpus) * kBytesPerPcpu + static_cast<uint64_t>(e.vcpus) * kBytesPerVcpu;
  return e;
}

std::optional<uint64_t> available_memory() {
  std::optional<uint64_t> limit;
  auto lower = [&](uint64_t bytes) { limit = limit ? std::min(*limit, bytes) : bytes; };
  {
    std::ifstream in("/proc/meminfo");
    std::string key, unit;
    uint64_t kib = 0;
    while (in >> key >> kib >> unit)
      if (key == "MemAvailable:") {
        lower(kib * kKiB);
        break;
      }
  }
  // A cap the process runs under: ulimit -v, or the cgroup's memory.max (a container, systemd-run -p MemoryMax).
  rlimit address_space{};
  if (::getrlimit(RLIMIT_AS, &address_space) == 0 && address_space.rlim_cur != RLIM_INFINITY)
    lower(address_space.rlim_cur);
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  uint64_t bytes = 0;
  if (cgroup >> bytes) lower(bytes);  // "max" (no cap) does not read as a number
  return limit;
}

void preflight(const Config& config, const PreflightOptions& options) {
  const MemoryEstimate e = estimate_run_memory(config);
  const uint64_t concurrent = static_cast<uint64_t>(std::max(1, options.concurrent_runs));
  const uint64_t needed = e.bytes_per_run * concurrent;
  const std::optional<uint64_t> limit = options.max_memory ? options.max_memory : available_memory();
  if (limit && needed > *limit) {
    throw engine::UserError(fmt::format(
        "error: the run{} would need about {} of memory ({} pCPUs and {} vCPUs: about {} per run{}), more than {} {}. "
        "Use a smaller host or fewer VMs{}, or --max-memory SIZE if the estimate is wrong for this machine",
        concurrent > 1 ? "s" : "", calibrate::format_bytes(needed), e.pcpus, e.vcpus,
        calibrate::format_bytes(e.bytes_per_run), concurrent > 1 ? fmt::format(", {} at once", concurrent) : "",
        calibrate::format_bytes(*limit), options.max_memory ? "(--max-memory)" : "available on this machine",
        concurrent > 1 ? ", fewer --jobs" : ""));
  }
  if (!options.build_model) return;
  // Each design built and run for no measured time: the errors of construction (a bad latency matrix,
  // more pCPUs asked for than the host has) come now, once, with their file and line.
  Config probe = config;
  probe.run.warmup = engine::Time::zero();
  probe.run.duration = engine::Time::from_ps(1);
  const auto scenario = find_scenario(config.scenario)->make();
  for (const std::string& design : resolve_designs(config)) scenario->run(probe, design, config.run.seed);
}

}  // namespace wakesim::experiment
