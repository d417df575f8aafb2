#include "sim/experiment/lockdep_report.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/engine/errors.h"
#include "sim/experiment/runner.h"

namespace wakesim::experiment {

using Json = nlohmann::ordered_json;

bool LockdepRun::possible_deadlock() const {
  for (const DesignLockdep& d : designs)
    if (d.analysis.possible_deadlock()) return true;
  return false;
}

bool LockdepRun::failed() const {
  for (const DesignLockdep& d : designs)
    if (!d.error.empty()) return true;
  return false;
}

LockdepRun run_lockdep(Config config, engine::Time max_time, int jobs) {
  if (config.scenario != "kvm")
    throw engine::UserError(fmt::format(
        "error: scenario: lockdep analyses the 'kvm' scenario (the wakeup designs), not '{}'", config.scenario));
  config.kernel.lockdep = true;
  config.run.replicates = 1;
  config.run.duration = std::min(config.run.warmup + config.run.duration, max_time);
  config.run.warmup = engine::Time::zero();
  LockdepRun out{config, {}};
  const ExperimentResult result = run_experiment(config, jobs);
  for (const RunRecord& r : result.runs) {
    DesignLockdep d{r.design, r.result.lockdep, {}, r.error};
    if (d.record) d.analysis = hw::analyze_lockdep(*d.record);
    out.designs.push_back(std::move(d));
  }
  return out;
}

std::string lockdep_text(const LockdepRun& run) {
  std::string out = fmt::format("lockdep: {} simulated per design, seed {}, design.lockdep_subclasses = {}\n",
                                engine::to_string(run.config.run.duration), run.config.run.seed,
                                run.config.design.lockdep_subclasses);
  for (const DesignLockdep& d : run.designs) {
    out += fmt::format("\n=== {} ===\n", d.design);
    if (!d.error.empty()) {
      out += fmt::format("run failed: {}\n", d.error);
      continue;
    }
    if (!d.record) {
      out += "no lockdep record (internal error)\n";
      continue;
    }
    out += hw::format_lockdep_report(*d.record, d.analysis) + "\n";
    out += fmt::format("verdict: {}\n",
                       d.analysis.observed_deadlock ? "DEADLOCK (the simulated host deadlocked; see the instance level)"
                       : d.analysis.possible_deadlock() ? "POSSIBLE DEADLOCK (see the instance level)"
                       : !d.analysis.lockdep_cycles.empty()
                           ? "lockdep would warn, but the acquisitions seen cannot deadlock (false positive)"
                           : "no lockdep warning, no possible deadlock");
  }
  return out;
}

std::string lockdep_json(const LockdepRun& run) {
  Json root;
  root["duration_ns"] = run.config.run.duration.ns();
  root["seed"] = run.config.run.seed;
  root["lockdep_subclasses"] = run.config.design.lockdep_subclasses;
  Json designs = Json::array();
  for (const DesignLockdep& d : run.designs) {
    Json j;
    j["design"] = d.design;
    if (!d.error.empty() || !d.record) {
      j["error"] = d.error.empty() ? "no lockdep record" : d.error;
      designs.push_back(std::move(j));
      continue;
    }
    const hw::LockdepRecord& r = *d.record;
    const hw::LockdepAnalysis& a = d.analysis;
    j["acquisitions"] = r.acquisitions;
    Json edges = Json::array();
    for (const auto& e : r.class_edges) {
      Json je{{"from", r.node_name(e.from)}, {"to", r.node_name(e.to)}};
      for (int c = 0; c < hw::kLockContexts; ++c)
        je[hw::to_string(static_cast<hw::LockContext>(c))] = e.count[static_cast<size_t>(c)];
      je["annotation_only"] = e.annotation;
      edges.push_back(std::move(je));
    }
    j["class_edges"] = std::move(edges);
    auto verdict = [&](const hw::LockdepAnalysis::Verdict& v) {
      return Json{{"possible_deadlock", v.possible_deadlock}, {"reason", v.reason}};
    };
    Json lockdep = Json::array();
    for (const auto& c : a.lockdep_cycles) {
      Json chain = Json::array();
      for (auto n : c.nodes) chain.push_back(r.node_name(n));
      lockdep.push_back(Json{{"chain", std::move(chain)}, {"instance_check", verdict(c.verdict)}});
    }
    j["lockdep_cycles"] = std::move(lockdep);
    Json classes = Json::array();
    for (const auto& c : a.class_cycles) {
      Json chain = Json::array();
      for (uint32_t k : c.classes) chain.push_back(r.classes[k].name);
      classes.push_back(Json{{"chain", std::move(chain)},
                             {"silenced_by_subclasses", !c.reported_by_lockdep},
                             {"instance_check", verdict(c.verdict)}});
    }
    j["class_cycles"] = std::move(classes);
    Json warnings = Json::array();
    for (const auto* list : {&a.recursive, &a.irq_inconsistent, &a.irq_safe_unsafe})
      for (const std::string& s : *list) warnings.push_back(s);
    j["warnings"] = std::move(warnings);
    Json deadlocks = Json::array();
    for (const auto& dl : a.deadlocks) {
      Json steps = Json::array();
      for (const auto& e : dl.edges)
        steps.push_back(Json{{"cpu", e.cpu.value},
                             {"context", hw::to_string(e.context)},
                             {"holds", r.instances[e.from].name},
                             {"waits_for", r.instances[e.to].name}});
      deadlocks.push_back(std::move(steps));
    }
    for (const std::string& s : a.irq_self_deadlocks) deadlocks.push_back(s);
    j["possible_deadlocks"] = std::move(deadlocks);
    Json stuck = Json::array();
    for (const auto& s : r.stuck)
      stuck.push_back(Json{{"cpu", s.cpu.value},
                           {"context", hw::to_string(s.context)},
                           {"waits_for", r.instances[s.waits_for].name},
                           {"holder", s.holder ? Json(s.holder->value) : Json(nullptr)},
                           {"since_ns", s.since.ns()}});
    j["stuck_at_end"] = std::move(stuck);
    j["possible_deadlock"] = a.possible_deadlock();
    j["search_truncated"] = a.search_truncated;
    Json chains = Json::array();
    for (size_t i : a.longest_chains) {
      const auto& c = r.chains[i];
      Json nodes = Json::array();
      for (auto n : c.nodes) nodes.push_back(r.node_name(n));
      chains.push_back(Json{{"chain", std::move(nodes)},
                            {"context", hw::to_string(c.context)},
                            {"count", c.count},
                            {"irq_off_sections", c.irq_off.count()},
                            {"irq_off_p99_ns", c.irq_off.p99().ns()},
                            {"irq_off_max_ns", c.irq_off.max().ns()}});
    }
    j["longest_chains"] = std::move(chains);
    designs.push_back(std::move(j));
  }
  root["designs"] = std::move(designs);
  return root.dump(2) + "\n";
}

}  // namespace wakesim::experiment
