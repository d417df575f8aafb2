// `wakesim list keys|scenarios|workloads`: what can be configured and run.
#include <algorithm>
#include <fstream>
#include <ostream>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/config/loader.h"
#include "sim/engine/errors.h"
#include "sim/experiment/config.h"
#include "sim/experiment/scenario.h"
#include "sim/kernel/wakeup_design.h"

namespace wakesim::app {
namespace {

int list_keys(Streams& io) {
  const auto docs = config::document_keys(experiment::Config::schema().info());
  size_t key_width = 0, type_width = 0, default_width = 0;
  for (const auto& d : docs) {
    key_width = std::max(key_width, d.key.size());
    type_width = std::max(type_width, d.type.size());
    default_width = std::max(default_width, d.default_text.size());
  }
  key_width = std::min<size_t>(key_width, 40);
  type_width = std::min<size_t>(type_width, 26);
  default_width = std::min<size_t>(default_width, 22);
  io.out << fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", "KEY", key_width, "TYPE", type_width, "DEFAULT", default_width,
                        "HELP [CONSTRAINTS]");
  for (const auto& d : docs) {
    io.out << fmt::format("{:<{}}  {:<{}}  {:<{}}  {}{}\n", d.key, key_width, d.type, type_width, d.default_text,
                          default_width, d.help, d.constraint.empty() ? "" : " [" + d.constraint + "]");
  }
  return 0;
}

// The designs each scenario can compare ("all" is the unmarked ones).
int list_designs(Streams& io) {
  const experiment::Config config;
  for (const auto* s : experiment::all_scenarios()) {
    const auto scenario = s->make();
    const auto all = scenario->designs(config);
    for (const std::string& d : scenario->known_designs(config)) {
      std::string help;
      if (s->name == "kvm")
        if (const kernel::DesignEntry* e = kernel::find_design(d)) help = e->help;
      const bool in_all = std::find(all.begin(), all.end(), d) != all.end();
      io.out << fmt::format("{:<10}  {:<28}  {}{}\n", s->name, d, help, in_all ? "" : " (not in \"all\")");
    }
  }
  return 0;
}

int list_scenarios(Streams& io) {
  for (const auto* s : experiment::all_scenarios()) io.out << fmt::format("{:<12}  {}\n", s->name, s->help);
  return 0;
}

// Each preset opens with comment lines; the first says which real situation it stands for.
int list_workloads(Streams& io) {
  std::vector<std::filesystem::path> files;
  const auto dir = workloads_dir();
  if (std::filesystem::is_directory(dir))
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line, first;
    while (std::getline(in, line)) {
      if (line.starts_with("#")) {
        first = line.substr(line.find_first_not_of("# ") == std::string::npos ? line.size() : line.find_first_not_of("# "));
        break;
      }
    }
    io.out << fmt::format("{:<24}  {}\n", f.stem().string(), first);
  }
  return 0;
}

}  // namespace

Action add_list_command(CLI::App& app, Streams& io) {
  auto what = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("list", "List configuration keys, designs, scenarios or workload presets");
  cmd->add_option("WHAT", *what, "keys | designs | scenarios | workloads")
      ->required()
      ->check(CLI::IsMember({"keys", "designs", "scenarios", "workloads"}));
  return [what, &io] {
    if (*what == "keys") return list_keys(io);
    if (*what == "designs") return list_designs(io);
    if (*what == "scenarios") return list_scenarios(io);
    return list_workloads(io);
  };
}

}  // namespace wakesim::app
