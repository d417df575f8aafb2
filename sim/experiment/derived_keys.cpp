#include "sim/experiment/derived_keys.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "sim/config/units.h"
#include "sim/engine/errors.h"
#include "sim/experiment/config.h"
#include "sim/workload/arrival_process.h"

namespace wakesim::experiment {
namespace {

using engine::UserError;

constexpr const char* kRatioKey = "vms.vcpus_per_pcpu";
constexpr const char* kCountKey = "vms.count";
constexpr const char* kRateKey = "vms.device_rate_per_pcpu";
constexpr const char* kArrivalsKey = "vms.device_arrivals";
constexpr int kMaxCount = 1 << 20;  // as vms.count's own bound (vm_workload.cpp)

bool is_zero(const config::Value& v) {
  if (v.is_string()) {  // a rate: "0/s", "0k/s"
    std::string error;
    const auto rate = config::parse_rate(std::get<std::string>(v.data), error);
    return rate && rate->per_second == 0;
  }
  return (v.is_int() && std::get<int64_t>(v.data) == 0) || (v.is_float() && std::get<double>(v.data) == 0.0);
}

// The last place a source sets `key` (for the ratio: to a non-zero value, as 0 means "not set").
const config::KeyOrigin* last_nonzero_set(const config::KeyOrigins& origins, const std::string& key) {
  const config::KeyOrigin* found = nullptr;
  for (const config::KeyOrigin& o : origins)
    if (o.key == key) found = (key == kRatioKey || key == kRateKey) && is_zero(o.value) ? nullptr : &o;
  return found;
}

void check_source(const config::KeyOrigins& origins, const char* what) {
  const config::KeyOrigin* ratio = last_nonzero_set(origins, kRatioKey);
  const config::KeyOrigin* count = last_nonzero_set(origins, kCountKey);
  if (ratio == nullptr || count == nullptr) return;
  throw UserError(fmt::format("{}: error: {}: sets {}, which {} also sets ({}); keep one of them", ratio->where,
                              kRatioKey, kCountKey, what, count->where));
}

std::string ratio_text(double r) { return fmt::format("{}", r); }

// vms.vcpus_per_pcpu: sets vms.count.
void derive_count(Config& config, KeySources& sources) {
  const double ratio = config.vms.vcpus_per_pcpu;
  if (ratio == 0) return;
  config.vms.vcpus_per_pcpu = 0;
  // A later --set vms.count overrides a ratio set in the file.
  if (last_nonzero_set(sources.overrides, kCountKey) != nullptr &&
      last_nonzero_set(sources.overrides, kRatioKey) == nullptr)
    return;
  const config::KeyOrigin* origin = last_nonzero_set(sources.overrides, kRatioKey);
  if (origin == nullptr) origin = last_nonzero_set(sources.file, kRatioKey);
  const std::string where = origin != nullptr ? origin->where : "configuration";
  const int pcpus = vm_pcpus(config), vcpus = config.vms.vcpus;
  const double exact = ratio * pcpus / vcpus;
  const double whole = std::round(exact);
  const auto shape = [&](double count) {
    return fmt::format("{} VM{} of {} vCPU{} on {} pCPU{}", count, count == 1 ? "" : "s", vcpus, vcpus == 1 ? "" : "s",
                       pcpus, pcpus == 1 ? "" : "s");
  };
  const auto achievable = [&](double count) {
    return fmt::format("{} ({} = {})", ratio_text(count * vcpus / pcpus), kCountKey, count);
  };
  if (exact < 1 - 1e-9)
    throw UserError(fmt::format("{}: error: {}: {} needs {}; the smallest achievable is {}", where, kRatioKey,
                                ratio_text(ratio), shape(std::round(exact * 1e4) / 1e4), achievable(1)));
  if (exact > kMaxCount + 1e-9)
    throw UserError(fmt::format("{}: error: {}: {} needs {}, more than {}; the largest achievable is {}", where,
                                kRatioKey, ratio_text(ratio), shape(std::round(exact * 1e4) / 1e4), kMaxCount,
                                achievable(kMaxCount)));
  if (std::abs(exact - whole) > 1e-9 * std::max(1.0, exact))
    throw UserError(
        fmt::format("{}: error: {}: {} needs {}, not a whole number of VMs; nearest achievable: {} or {} "
                    "(or change vms.vcpus or vms.pcpus)",
                    where, kRatioKey, ratio_text(ratio), shape(std::round(exact * 1e4) / 1e4),
                    achievable(std::floor(exact)), achievable(std::ceil(exact))));
  config.vms.count = static_cast<int>(whole);
  sources.derived.push_back(config::KeyOrigin{kCountKey,
                                              fmt::format("{} = {} at {}", kRatioKey, ratio_text(ratio), where),
                                              config::Value{static_cast<int64_t>(config.vms.count)}});
}

// The vCPUs of each VM that take device interrupts (vms.device_vcpus, capped at the VM's size; 0: all).
int device_vcpus(const Config& config) {
  return config.vms.device_vcpus > 0 ? std::min(config.vms.device_vcpus, config.vms.vcpus) : config.vms.vcpus;
}

// vms.device_rate_per_pcpu: scales vms.device_arrivals to the asked load per pCPU, after vms.count is
// final. A later --set vms.device_arrivals (without the rate) overrides a rate set in the file.
void derive_device_rate(Config& config, KeySources& sources) {
  const double rate = config.vms.device_rate_per_pcpu.per_second;
  if (rate == 0) return;
  config.vms.device_rate_per_pcpu = engine::Rate{0};
  if (last_nonzero_set(sources.overrides, kArrivalsKey) != nullptr &&
      last_nonzero_set(sources.overrides, kRateKey) == nullptr)
    return;
  const config::KeyOrigin* origin = last_nonzero_set(sources.overrides, kRateKey);
  if (origin == nullptr) origin = last_nonzero_set(sources.file, kRateKey);
  const std::string where = origin != nullptr ? origin->where : "configuration";
  const double per_vcpu = rate * vm_pcpus(config) / (static_cast<double>(config.vms.count) * device_vcpus(config));
  const double current = config.vms.device_arrivals.mean_rate();
  std::optional<workload::ArrivalSpec> scaled;
  if (current > 0) scaled = workload::scale_arrivals(config.vms.device_arrivals, per_vcpu / current);
  if (!scaled)
    throw UserError(
        fmt::format("{}: error: {}: scales {} to the asked load, but {} = \"{}\" {}; set a process such as "
                    "\"poisson(1k/s)\" (its shape is kept, its rate replaced)",
                    where, kRateKey, kArrivalsKey, kArrivalsKey, workload::format_arrivals(config.vms.device_arrivals),
                    current > 0 ? "is a replay, whose times are data" : "has no arrivals to scale"));
  config.vms.device_arrivals = std::move(*scaled);
  const std::string asked = origin != nullptr ? config::to_toml_text(origin->value) : fmt::format("{}/s", rate);
  sources.derived.push_back(config::KeyOrigin{kArrivalsKey, fmt::format("{} = {} at {}", kRateKey, asked, where),
                                              config::Value{workload::format_arrivals(config.vms.device_arrivals)}});
}

}  // namespace

int vm_pcpus(const Config& config) {
  if (config.vms.pcpus > 0) return config.vms.pcpus;
  return config.host.sockets * config.host.cores_per_socket * config.host.threads_per_core;
}

double device_rate_per_pcpu(const Config& config) {
  return config.vms.device_arrivals.mean_rate() * config.vms.count * device_vcpus(config) / vm_pcpus(config);
}

double vcpus_per_pcpu(const Config& config) {
  return static_cast<double>(config.vms.count) * config.vms.vcpus / vm_pcpus(config);
}

void derive_keys(Config& config, KeySources& sources, Derive derive) {
  check_source(sources.file, "this file");
  check_source(sources.overrides, "the --set list");
  if (derive == Derive::kCheckOnly) return;
  derive_count(config, sources);
  derive_device_rate(config, sources);
}

std::vector<std::string> derived_keys(const Config& config) {
  if (config.scenario == "kvm") return {kRatioKey, kRateKey};  // the vms section belongs to the kvm scenario
  return {};
}

std::vector<std::pair<std::string, std::string>> derived_values(const Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& key : derived_keys(config))
    if (key == kRatioKey) out.emplace_back(key, ratio_text(vcpus_per_pcpu(config)));
    else if (key == kRateKey) out.emplace_back(key, ratio_text(device_rate_per_pcpu(config)));
  return out;
}

}  // namespace wakesim::experiment
