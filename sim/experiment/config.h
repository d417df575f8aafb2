// The whole configuration of a run: which scenario, how long, and every model's parameters. Loading
// order: built-in defaults, then the presets (host.preset) of the file and the --set overrides, then
// the other keys of the TOML file, then the other --set overrides, then the derived keys
// (derived_keys.h: vms.vcpus_per_pcpu sets vms.count), then validation.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/schema.h"
#include "sim/experiment/derived_keys.h"
#include "sim/experiment/run_params.h"
#include "sim/hw/host_params.h"
#include "sim/kernel/kernel_params.h"
#include "sim/kernel/kvm.h"
#include "sim/workload/lockbench.h"
#include "sim/workload/membench.h"
#include "sim/workload/queue_station.h"
#include "sim/workload/vm_workload.h"

namespace wakesim::experiment {

struct Config {
  std::string scenario = "kvm";
  RunParams run;
  hw::HostParams host;
  kernel::KernelParams kernel;
  kernel::DesignParams design;
  workload::VmParams vms;
  workload::NoiseParams noise;
  workload::QueueParams queue;
  workload::LockbenchParams lockbench;
  workload::MemoryParams memory;

  static const config::Section<Config>& schema();
};

struct LoadedConfig {
  Config config;
  std::string source;  // the file, or "built-in defaults"
  KeySources origins;  // where each key was set (the file, --set, a derived key): `list keys --config`
  // Settings that are valid but seldom meant, one line each, "WHERE: warning: ...": a preset chosen with
  // --set whose topology keys the file still overrides (an 8-core "Sapphire Rapids").
  std::vector<std::string> warnings;
};

// Defaults, then `file` (if any), then each "key=value" override, then validation (unless `validate` is
// false: a sweep spec checks its values one at a time before the whole combination). Throws UserError.
LoadedConfig load_config(const std::optional<std::filesystem::path>& file, const std::vector<std::string>& overrides,
                         bool validate = true);
// The same, starting from the built-in default workload (workloads/default.toml, compiled in).
LoadedConfig load_default_config(const std::vector<std::string>& overrides, bool validate = true);
const char* builtin_default_workload();

}  // namespace wakesim::experiment
