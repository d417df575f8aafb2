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

const config::KeyOrigin* last_set(const config::KeyOrigins& origins, const std::string& key) {
  const config::KeyOrigin* found = nullptr;
  for (const config::KeyOrigin& o : origins)
    if (o.key == key) found = &o;
  return found;
}

// A host preset chosen with --set over a file that sets the host's shape: the file's keys still win,
// as every explicit key overrides a preset wherever it is written, but a "Sapphire Rapids" with the 8
// cores per socket of the file's Ice Lake is seldom what the --set meant. One line per key it keeps,
// then what the host is and how to take the preset's values.
std::vector<std::string> preset_topology_warnings(const Config& config, const KeySources& origins) {
  const config::KeyOrigin* preset = last_set(origins.overrides, "host.preset");
  if (preset == nullptr || !preset->value.is_string()) return {};
  hw::HostParams chosen;
  if (hw::HostParams::schema().info().find_field("preset")->assign(&chosen, preset->value)) return {};
  const std::string& name = std::get<std::string>(preset->value.data);
  struct Shape {
    const char* key;
    int hw::HostParams::*member;
  };
  static constexpr Shape kShape[] = {{"host.sockets", &hw::HostParams::sockets},
                                     {"host.cores_per_socket", &hw::HostParams::cores_per_socket},
                                     {"host.threads_per_core", &hw::HostParams::threads_per_core},
                                     {"host.llc_per_socket", &hw::HostParams::llc_per_socket}};
  std::vector<std::string> out;
  std::string fix;
  for (const Shape& shape : kShape) {
    const config::KeyOrigin* in_file = last_set(origins.file, shape.key);
    if (in_file == nullptr || last_set(origins.overrides, shape.key) != nullptr) continue;
    const int kept = config.host.*shape.member, preset_value = chosen.*shape.member;
    if (kept == preset_value) continue;
    out.push_back(fmt::format("{}: warning: {} = {} from {} overrides {}'s {}", preset->where, shape.key, kept,
                              config::line_of(in_file->where), name, preset_value));
    fix += fmt::format(" --set {}={}", shape.key, preset_value);
  }
  if (out.empty()) return out;
  const hw::HostParams& h = config.host;
  out.push_back(
      fmt::format("{}: warning: so the host has {} x {} x {} = {} pCPUs, not {}'s {} x {} x {} = {}; to take "
                  "the preset's, add{}",
                  preset->where, h.sockets, h.cores_per_socket, h.threads_per_core,
                  h.sockets * h.cores_per_socket * h.threads_per_core, name, chosen.sockets, chosen.cores_per_socket,
                  chosen.threads_per_core, chosen.sockets * chosen.cores_per_socket * chosen.threads_per_core, fix));
  return out;
}

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
  KeySources& origins = loaded.origins;
  for (Keys keys : {Keys::kPresetsOnly, Keys::kAllButPresets}) {
    if (apply_source) apply_source(loaded.config, keys, &origins.file);
    for (const std::string& o : overrides) config::apply_override(schema, &loaded.config, o, keys, &origins.overrides);
  }
  derive_keys(loaded.config, origins, validate ? Derive::kCheckAndDerive : Derive::kCheckOnly);
  if (validate) config::validate(loaded.config, loaded.source);
  loaded.warnings = preset_topology_warnings(loaded.config, origins);
  return loaded;
}
}  // namespace

LoadedConfig load_config(const std::optional<std::filesystem::path>& file, const std::vector<std::string>& overrides,
                         bool validate) {
  if (!file) return load(nullptr, "built-in defaults", overrides, validate);
  return load(
      [&](Config& c, config::Keys keys, config::KeyOrigins* origins) {
        config::apply_file(Config::schema().info(), &c, *file, keys, origins);
      },
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
