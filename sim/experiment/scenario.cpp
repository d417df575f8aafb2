#include "sim/experiment/scenario.h"

#include <algorithm>
#include <map>

namespace wakesim::experiment {
namespace {
// Filled during static initialisation, read-only afterwards.
std::map<std::string, ScenarioEntry>& registry() {
  static std::map<std::string, ScenarioEntry> entries;
  return entries;
}
}  // namespace

const MetricDeclarations& Scenario::metrics() const {
  static const MetricDeclarations none;
  return none;
}

void register_scenario(ScenarioEntry entry) {
  const std::string name = entry.name;
  registry().emplace(name, std::move(entry));
}

const ScenarioEntry* find_scenario(const std::string& name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<const ScenarioEntry*> all_scenarios() {
  std::vector<const ScenarioEntry*> out;
  for (const auto& [name, entry] : registry()) out.push_back(&entry);
  return out;
}

}  // namespace wakesim::experiment
