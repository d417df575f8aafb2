#include "sim/experiment/config.h"

#include <functional>

#include "sim/config/loader.h"
#include "sim/config/suggest.h"
#include "sim/experiment/derived_keys.h"
#include "sim/experiment/scenario.h"

namespace wakesim::experiment {

const config::Section<Config>& Config::schema() {
  auto known_scenario = [](const std::string& name) -> config::Problem {
    if (find_scenario(name) != nullptr) return std::nullopt;
    std::vector<std::string> names;
    for (const ScenarioEntry* e : all_scenarios()) names.push_back(e->name);
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    return fmt::format("'{}' is not a scenario; known: {}{}", name, list, config::did_you_mean(name, names));
  };
  static const auto s = config::Section<Config>("", "wakesim configuration")
      .field(&Config::scenario, "scenario", "which model to run (wakesim list scenarios)",
             {.check = known_scenario, .check_text = "a registered scenario"})
      .section(&Config::run, "run", RunParams::schema())
      .section(&Config::host, "host", hw::HostParams::schema())
      .section(&Config::kernel, "kernel", kernel::KernelParams::schema())
      .section(&Config::design, "design", kernel::DesignParams::schema())
      .section(&Config::vms, "vms", workload::VmParams::schema())
      .section(&Config::noise, "noise", workload::NoiseParams::schema())
      .section(&Config::queue, "queue", workload::QueueParams::schema())
      .section(&Config::lockbench, "lockbench", workload::LockbenchParams::schema())
      .section(&Config::memory, "memory", workload::MemoryParams::schema());
  return s;
}

namespace {
// Applies a source (a file or text) then the overrides: presets first, from both, so that every
// explicit key overrides them; then the derived keys (derived_keys.h) and validation. Without
// validation, the derived keys are only checked for conflicts: their values may depend on keys a
// sweep sets at other axes.
using ApplySource = std::function<void(Config&, config::Keys, config::KeyOrigins*)>;
LoadedConfig load(const ApplySource& apply_source, std::string source, const std::vector<std::string>& overrides,
                  bool validate) {
  using config::Keys;
  LoadedConfig loaded;
  loaded.source = std::move(source);
  const auto& schema = Config::schema().info();
  KeySources origins;
  for (Keys keys : {Keys::kPresetsOnly, Keys::kAllButPresets}) {
    if (apply_source) apply_source(loaded.config, keys, &origins.file);
    for (const std::string& o : overrides) config::apply_override(schema, &loaded.config, o, keys, &origins.overrides);
  }
  derive_keys(loaded.config, origins, validate ? Derive::kCheckAndDerive : Derive::kCheckOnly);
  if (validate) config::validate(loaded.config, loaded.source);
  return loaded;
}
}  // namespace

LoadedConfig load_config(const std::optional<std::filesystem::path>& file, const std::vector<std::string>& overrides,
                         bool validate) {
  if (!file) return load(nullptr, "built-in defaults", overrides, validate);
  return load([&](Config& c, config::Keys keys,
                  config::KeyOrigins* origins) { config::apply_file(Config::schema().info(), &c, *file, keys, origins); },
              file->string(), overrides, validate);
}

LoadedConfig load_default_config(const std::vector<std::string>& overrides, bool validate) {
  return load(
      [](Config& c, config::Keys keys, config::KeyOrigins* origins) {
        config::apply_text(Config::schema().info(), &c, builtin_default_workload(), "workloads/default.toml", keys,
                           origins);
      },
      "built-in default workload (workloads/default.toml)", overrides, validate);
}

}  // namespace wakesim::experiment
