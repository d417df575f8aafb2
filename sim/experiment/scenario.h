// A scenario is a kind of model that `wakesim run` can build from a configuration: the queueing
// self-test, the lock micro-benchmark, the KVM wakeup model. Scenarios register themselves by name;
// each compares one or more variants ("designs") under common random numbers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/simulation.h"
#include "sim/experiment/metric_registry.h"
#include "sim/experiment/run_result.h"

namespace wakesim::experiment {

struct Config;

class Scenario {
 public:
  virtual ~Scenario() = default;
  // The variants this scenario can compare, in a fixed order (e.g. the registered wakeup designs).
  virtual std::vector<std::string> designs(const Config& config) const = 0;
  // One simulation of `design` with `seed`, looked at by `watcher` while it runs (null: not watched;
  // engine/simulation.h: watching never changes a result). Throws engine::UserError for a bad
  // combination of settings and engine::InternalError when an always-on check fails; whatever the
  // watcher throws passes through.
  virtual RunResult run(const Config& config, const std::string& design, uint64_t seed,
                        engine::Watcher* watcher) const = 0;
  RunResult run(const Config& config, const std::string& design, uint64_t seed) const {
    return run(config, design, seed, nullptr);
  }
  // The metrics the terminal table shows, in order (empty: all of them).
  virtual std::vector<std::string> headline_metrics() const { return {}; }
  // Every metric, histogram and table run() reports (metric_registry.h). The reference must stay valid
  // after the scenario is destroyed: return a function-local static. The default declares nothing, so
  // the registry test fails until a scenario declares what it writes.
  virtual const MetricDeclarations& metrics() const;
  // Every name run() accepts, including test-only designs (designs() lists those "all" means).
  virtual std::vector<std::string> known_designs(const Config& config) const { return designs(config); }
};

struct ScenarioEntry {
  std::string name;
  std::string help;
  std::function<std::unique_ptr<Scenario>()> make;
};

// False if the name is taken (engine/name_registry.h: the first registration stays, the second is
// listed by duplicate_scenarios()).
bool register_scenario(ScenarioEntry entry);
const ScenarioEntry* find_scenario(const std::string& name);
std::vector<const ScenarioEntry*> all_scenarios();  // sorted by name
const std::vector<std::string>& duplicate_scenarios();

// `const RegisterScenario<QueueScenario> kRegistered{"queue", "..."};` in the scenario's .cpp file.
template <class S>
struct RegisterScenario {
  RegisterScenario(std::string name, std::string help) {
    register_scenario(ScenarioEntry{std::move(name), std::move(help), [] { return std::make_unique<S>(); }});
  }
};

}  // namespace wakesim::experiment
