#include "sim/experiment/scenario.h"

#include "sim/engine/name_registry.h"

namespace wakesim::experiment {
namespace {
// Filled during static initialisation, read-only afterwards.
engine::NameRegistry<ScenarioEntry>& registry() {
  static engine::NameRegistry<ScenarioEntry> entries;
  return entries;
}
}  // namespace

const MetricDeclarations& Scenario::metrics() const {
  static const MetricDeclarations none;
  return none;
}

bool register_scenario(ScenarioEntry entry) { return registry().add(std::move(entry)); }
const ScenarioEntry* find_scenario(const std::string& name) { return registry().find(name); }
std::vector<const ScenarioEntry*> all_scenarios() { return registry().all(); }
const std::vector<std::string>& duplicate_scenarios() { return registry().duplicates(); }

}  // namespace wakesim::experiment
