// `wakesim list keys|designs|scenarios|workloads|metrics [SCENARIO] [--json]`: what can be configured, run
// and measured. `wakesim list keys --config CONFIG [--set KEY=VALUE]...`: the effective value of every
// key for that configuration and where it came from.
#include <algorithm>
#include <fstream>
#include <ostream>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/config/loader.h"
#include "sim/config/suggest.h"
#include "sim/engine/errors.h"
#include "sim/experiment/config.h"
#include "sim/experiment/effective_keys.h"
#include "sim/experiment/metric_registry.h"
#include "sim/experiment/scenario.h"
#include "sim/kernel/wakeup_design.h"

namespace wakesim::app {
namespace {

// The schema defaults, and a header saying that a workload changes many of them.
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
  const experiment::LoadedConfig builtin = experiment::load_default_config({});
  std::string examples;
  for (const char* key : {"scenario", "host.preset", "vms.count"})
    for (const config::KeyOrigin& o : builtin.origins.file)
      if (o.key == key)
        examples += fmt::format("{}{} = {}", examples.empty() ? "" : ", ", o.key, config::to_toml_text(o.value));
  io.out << fmt::format(
      "# Schema defaults: a key's value when nothing sets it. The built-in default workload, what\n"
      "# `wakesim run` runs without CONFIG, sets {} of them, e.g. {};\n"
      "# `wakesim list keys --config default` shows its effective values and where each comes from.\n",
      builtin.origins.file.size(), examples);
  io.out << fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", "KEY", key_width, "TYPE", type_width, "DEFAULT", default_width,
                        "HELP [CONSTRAINTS]");
  for (const auto& d : docs) {
    io.out << fmt::format("{:<{}}  {:<{}}  {:<{}}  {}{}\n", d.key, key_width, d.type, type_width, d.default_text,
                          default_width, d.help, d.constraint.empty() ? "" : " [" + d.constraint + "]");
  }
  return 0;
}

// The effective configuration of CONFIG with the --set list, key by key, with each value's origin.
int list_effective_keys(Streams& io, const std::string& config, const std::vector<std::string>& overrides) {
  const CommandConfig command = load_command_config(config, overrides, io);
  const auto keys = experiment::effective_keys(command.loaded);
  size_t key_width = 0, value_width = 0;
  for (const auto& k : keys) {
    key_width = std::max(key_width, k.key.size());
    value_width = std::max(value_width, k.value.size());
  }
  key_width = std::min<size_t>(key_width, 40);
  value_width = std::min<size_t>(value_width, 30);
  std::string sets;
  for (const std::string& o : overrides) sets += " --set " + o;
  io.out << fmt::format(
      "# {}{}\n# every key's effective value and where it comes from: default (the schema's), a preset\n"
      "# (host.preset = ...; a host key written anywhere overrides it), FILE:LINE, --set, or a derived key\n",
      command.loaded.source, sets);
  io.out << fmt::format("{:<{}}  {:<{}}  {}\n", "KEY", key_width, "VALUE", value_width, "FROM");
  for (const auto& k : keys)
    io.out << fmt::format("{:<{}}  {:<{}}  {}\n", k.key, key_width, k.value, value_width, k.origin);
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
        first =
            line.substr(line.find_first_not_of("# ") == std::string::npos ? line.size() : line.find_first_not_of("# "));
        break;
      }
    }
    io.out << fmt::format("{:<24}  {}\n", f.stem().string(), first);
  }
  return 0;
}

// Every metric, histogram and table per scenario (sim/experiment/metric_registry.h).
int list_metrics(Streams& io, const std::string& scenario, bool json) {
  const auto groups = experiment::registered_metrics(scenario);
  if (groups.empty()) {
    std::vector<std::string> names;
    for (const auto* s : experiment::all_scenarios()) names.push_back(s->name);
    std::string known;
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    throw engine::UserError(fmt::format("wakesim list metrics: error: '{}' is not a scenario{}; known: {}", scenario,
                                        config::did_you_mean(scenario, names), known));
  }
  if (json) {
    io.out << experiment::metrics_json(groups);
    return 0;
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& [name, help, d] = groups[g];
    io.out << fmt::format("{}{}: {}\n", g == 0 ? "" : "\n", name, help);
    if (d->empty()) {
      io.out << "  (declares no metrics)\n";
      continue;
    }
    size_t width = 0;
    for (const auto& m : d->metrics()) width = std::max(width, m.name.size());
    io.out << fmt::format("  {:<{}}  {:<8}  {:<8}  {}\n", "METRIC", width, "UNIT", "KIND", "HELP");
    for (const auto& m : d->metrics()) {
      std::string where;
      for (const auto& t : d->tables())
        for (const auto& c : t.columns)
          if (m.table_only && c.metric == m.name) where = fmt::format(" (only in {}.csv)", t.name);
      io.out << fmt::format("  {:<{}}  {:<8}  {:<8}  {}{}\n", m.name, width, m.unit, experiment::to_string(m.kind),
                            m.help, where);
    }
    if (!d->placeholders().empty()) io.out << "  placeholders (one name segment each):\n";
    for (const auto& p : d->placeholders()) {
      std::string values;
      for (const std::string& v : p.values) values += (values.empty() ? "" : ", ") + v;
      io.out << fmt::format("    {{{}}}: {}; {}\n", p.name, values.empty() ? "any identifier" : values, p.help);
    }
    if (!d->histograms().empty()) io.out << "  histograms (histograms/DESIGN/NAME.csv: lower_ns, upper_ns, count):\n";
    for (const auto& h : d->histograms()) io.out << fmt::format("    {} ({}): {}\n", h.name, h.unit, h.help);
    for (const auto& t : d->tables()) {
      std::string columns;
      for (const auto* list : {&experiment::table_key_columns(), &t.columns})
        for (const auto& c : *list) columns += (columns.empty() ? "" : ", ") + c.name;
      io.out << fmt::format("  table {}.csv: {}\n    columns: {}\n", t.name, t.help, columns);
    }
  }
  return 0;
}

}  // namespace

Action add_list_command(CLI::App& app, Streams& io) {
  struct ListOptions {
    std::string what;
    std::string scenario;
    std::string config;
    std::vector<std::string> overrides;
    bool json = false;
  };
  auto o = std::make_shared<ListOptions>();
  CLI::App* cmd =
      app.add_subcommand("list", "List configuration keys, designs, scenarios, workload presets or metrics");
  cmd->add_option("WHAT", o->what, "keys | designs | scenarios | workloads | metrics")
      ->required()
      ->check(CLI::IsMember({"keys", "designs", "scenarios", "workloads", "metrics"}));
  cmd->add_option("SCENARIO", o->scenario, "metrics: only this scenario's");
  cmd->add_flag("--json", o->json, "metrics: print them as JSON (the shape of a results directory's metrics.json)");
  cmd->add_option("--config", o->config,
                  "keys: the effective values for this configuration (file or preset) and where each comes from")
      ->type_name("CONFIG");
  cmd->add_option("--set", o->overrides, "keys, with --config: override a configuration key (repeatable)")
      ->type_name("KEY=VALUE");
  return [o, &io] {
    if (o->what != "metrics" && (!o->scenario.empty() || o->json))
      throw engine::UserError(
          fmt::format("wakesim list {}: error: SCENARIO and --json go with 'list metrics' only", o->what));
    if (o->what != "keys" && (!o->config.empty() || !o->overrides.empty()))
      throw engine::UserError(
          fmt::format("wakesim list {}: error: --config and --set go with 'list keys' only", o->what));
    if (o->config.empty() && !o->overrides.empty())
      throw engine::UserError(
          "wakesim list keys: error: --set needs --config (--config default for the built-in "
          "default workload)");
    const std::string& what = o->what;
    if (what == "metrics") return list_metrics(io, o->scenario, o->json);
    if (what == "keys") return o->config.empty() ? list_keys(io) : list_effective_keys(io, o->config, o->overrides);
    if (what == "designs") return list_designs(io);
    if (what == "scenarios") return list_scenarios(io);
    return list_workloads(io);
  };
}

}  // namespace wakesim::app
