#include "sim/experiment/config.h"

#include "sim/config/loader.h"
#include "sim/config/suggest.h"
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
      .section(&Config::queue, "queue", workload::QueueParams::schema())
      .section(&Config::lockbench, "lockbench", workload::LockbenchParams::schema());
  return s;
}

LoadedConfig load_config(const std::optional<std::filesystem::path>& file, const std::vector<std::string>& overrides) {
  LoadedConfig loaded;
  loaded.source = file ? file->string() : "built-in defaults";
  // Presets first (from the file, then the overrides), so that every explicit key overrides them.
  using config::Keys;
  if (file) config::apply_file(loaded.config, *file, Keys::kPresetsOnly);
  for (const std::string& o : overrides) config::apply_override(loaded.config, o, Keys::kPresetsOnly);
  if (file) config::apply_file(loaded.config, *file, Keys::kAllButPresets);
  for (const std::string& o : overrides) config::apply_override(loaded.config, o, Keys::kAllButPresets);
  config::validate(loaded.config, loaded.source);
  return loaded;
}

}  // namespace wakesim::experiment
