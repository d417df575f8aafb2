// Derived configuration keys: quantities users think in that the model does not read, set or swept
// like any key and turned into model inputs when a configuration is loaded (config.cpp calls
// derive_keys after the file and the --set overrides, before validation).
//
// vms.vcpus_per_pcpu = vms.count x vms.vcpus / P, where P is the pCPUs the VMs use (vms.pcpus, or all
// of the host's, host.sockets x cores_per_socket x threads_per_core, when 0). Setting it sets
// vms.count = ratio x P / vms.vcpus, computed with the final host shape and vms.vcpus wherever they
// were set. Decisions:
//  - The count must come out whole (to 1e-9): an inexact ratio is an error that names the two nearest
//    achievable ratios and their counts, never a silent rounding, so a result's ratio is the one asked for.
//  - Setting vms.count and vms.vcpus_per_pcpu (non-zero) in the same source (one file, or the --set list,
//    which is also a sweep spec's [set] and axes) is an error. Across sources the later one wins: a
//    --set vms.count overrides a ratio in the file, and a --set ratio overrides the file's count.
//  - After the derivation the key is reset to 0 (not set): the resolved configuration (config.toml)
//    carries vms.count alone and loads back to the same run.
//
// vms.device_rate_per_pcpu = the VT-d interrupts per second per pCPU the VMs use: the device arrival
// rate of a vCPU x vms.count x (vCPUs per VM that take them, vms.device_vcpus or all) / P. Setting it
// scales vms.device_arrivals to rate x P / (count x device vCPUs) per vCPU, after vms.count is final,
// keeping the process's shape (poisson, periodic, onoff, mmpp; a replay or none is an error). It holds
// the host's interrupt load fixed while vms.vcpus_per_pcpu varies how it is spread. vms.device_arrivals
// may be set in the same source (it gives the shape); a later --set vms.device_arrivals without the
// rate overrides a rate set in the file. After the derivation the key is reset to 0.
// The blocked vCPUs per pCPU (the list length a wakeup walks) is a result of the load, not an input; it
// is not a key.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/config/loader.h"

namespace wakesim::experiment {

struct Config;

// Where each key was set: the configuration file (or built-in workload), then the --set overrides,
// and the keys a derived key set (where: "vms.vcpus_per_pcpu = 6 at FILE:LINE:COL").
struct KeySources {
  config::KeyOrigins file;
  config::KeyOrigins overrides;
  config::KeyOrigins derived;
};

// Checks that no source sets both a derived key and the key it determines (always), then, when
// `derive` is set, computes the determined keys and records them in `sources.derived`. Throws
// engine::UserError "WHERE: error: KEY: ...".
enum class Derive { kCheckOnly, kCheckAndDerive };
void derive_keys(Config& config, KeySources& sources, Derive derive);

// The pCPUs the VMs use: vms.pcpus, or every pCPU of the host when 0.
int vm_pcpus(const Config& config);
// The achieved vCPUs per pCPU of a configuration, count x vcpus / P.
double vcpus_per_pcpu(const Config& config);
// The achieved device interrupts per second per pCPU, mean device rate x count x device vCPUs / P.
double device_rate_per_pcpu(const Config& config);

// The derived keys that describe a configuration's scenario, for results files, in a fixed order.
std::vector<std::string> derived_keys(const Config& config);
// Their values, as written in runs.csv and aggregates.csv ("2", "0.375").
std::vector<std::pair<std::string, std::string>> derived_values(const Config& config);

}  // namespace wakesim::experiment
