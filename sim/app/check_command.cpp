// `wakesim check CONFIG [--set KEY=VALUE]... [--print]`: load and validate a configuration without
// running it (its warnings too, on stderr).
#include <ostream>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/config/loader.h"
#include "sim/experiment/config.h"
#include "sim/experiment/preflight.h"
#include "sim/experiment/runner.h"

namespace wakesim::app {

Action add_check_command(CLI::App& app, Streams& io) {
  struct Options {
    std::string config;
    std::vector<std::string> overrides;
    bool print = false;
    std::string max_memory;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("check", "Validate a configuration file without running it");
  cmd->add_option("CONFIG", options->config, "TOML configuration file, or the name of a workload preset")->required();
  cmd->add_option("--set", options->overrides, "override a configuration key (repeatable)")->type_name("KEY=VALUE");
  cmd->add_flag("--print", options->print, "print the resolved configuration as TOML");
  cmd->add_option("--max-memory", options->max_memory, kMaxMemoryHelp)->type_name("SIZE");
  return [options, &io] {
    const CommandConfig command = load_command_config(options->config, options->overrides, io);
    const std::filesystem::path& path = *command.file;
    const experiment::LoadedConfig& loaded = command.loaded;
    const auto designs = experiment::resolve_designs(loaded.config);
    // As `run` does before its first run: the memory estimate (for one run), and each design's model
    // built, which reads the files the configuration names and checks requests against the host.
    experiment::preflight(loaded.config, {.max_memory = parse_max_memory(options->max_memory)});
    if (options->print) {
      io.out << config::to_toml(loaded.config);
    } else {
      std::string names;
      for (const auto& d : designs) names += (names.empty() ? "" : ", ") + d;
      io.out << fmt::format("{}: ok (scenario '{}', designs: {})\n", path.string(), loaded.config.scenario, names);
    }
    return 0;
  };
}

}  // namespace wakesim::app
