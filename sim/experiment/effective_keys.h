// Every key of a loaded configuration with its effective value and where that value came from, for
// `wakesim list keys --config FILE [--set K=V]...`: the schema default, a preset (host.preset, for
// every host key nothing else sets), the file (FILE:LINE), a --set, or a derived key
// (vms.vcpus_per_pcpu sets vms.count).
#pragma once

#include <string>
#include <vector>

#include "sim/experiment/config.h"

namespace wakesim::experiment {

struct EffectiveKey {
  std::string key;    // dotted
  std::string value;  // TOML text; a derived key shows the value it was given (it reads 0 once applied)
  // "default", "host.preset = \"NAME\"", "FILE:LINE", "--set KEY=VALUE", "vms.vcpus_per_pcpu = 6 at FILE:LINE"
  std::string origin;
};

std::vector<EffectiveKey> effective_keys(const LoadedConfig& loaded);

}  // namespace wakesim::experiment
