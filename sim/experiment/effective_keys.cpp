#include "sim/experiment/effective_keys.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/config/loader.h"

namespace wakesim::experiment {
namespace {

// The last place that sets `key`: a derived key's computation, else the --set list, else the file.
const config::KeyOrigin* origin_of(const KeySources& sources, const std::string& key) {
  for (const config::KeyOrigins* list : {&sources.derived, &sources.overrides, &sources.file}) {
    const auto found =
        std::find_if(list->rbegin(), list->rend(), [&](const config::KeyOrigin& o) { return o.key == key; });
    if (found != list->rend()) return &*found;
  }
  return nullptr;
}

}  // namespace

std::vector<EffectiveKey> effective_keys(const LoadedConfig& loaded) {
  const std::vector<std::string> derived = derived_keys(loaded.config);
  std::vector<EffectiveKey> out;
  for (const config::KeyValue& k : config::read_keys(Config::schema().info(), &loaded.config)) {
    EffectiveKey e{k.key, config::to_toml_text(k.value), "default"};
    const config::KeyOrigin* origin = origin_of(loaded.origins, k.key);
    if (origin != nullptr) {
      e.origin = config::line_of(origin->where);
      // A derived key reads 0 once applied: show what it was set to.
      if (std::find(derived.begin(), derived.end(), k.key) != derived.end())
        e.value = config::to_toml_text(origin->value);
    } else if (!k.preset.empty()) {
      if (const config::KeyOrigin* preset = origin_of(loaded.origins, k.preset))
        e.origin = fmt::format("{} = {}", k.preset, config::to_toml_text(preset->value));
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace wakesim::experiment
