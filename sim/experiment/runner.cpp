#include "sim/experiment/runner.h"

#include <chrono>
#include <new>
#include <optional>

#include <fmt/format.h>

#include "sim/calibrate/sizes.h"
#include "sim/config/suggest.h"
#include "sim/engine/errors.h"
#include "sim/experiment/parallel.h"
#include "sim/experiment/preflight.h"
#include "sim/experiment/run_watch.h"
#include "sim/experiment/scenario.h"
#include "sim/experiment/timings.h"

namespace wakesim::experiment {

namespace {
constexpr std::pair<RunFailure, const char*> kFailureNames[] = {
    {RunFailure::kNone, "none"},
    {RunFailure::kUserError, "user-error"},
    {RunFailure::kOutOfMemory, "out-of-memory"},
    {RunFailure::kInvariantViolation, "invariant-violation"},
    {RunFailure::kInternalError, "internal-error"},
};
}  // namespace

const char* to_string(RunFailure f) {
  for (const auto& [kind, name] : kFailureNames)
    if (kind == f) return name;
  return "?";
}

std::optional<RunFailure> run_failure_from(std::string_view name) {
  for (const auto& [kind, n] : kFailureNames)
    if (name == n) return kind;
  return std::nullopt;
}

size_t ExperimentResult::failures() const {
  size_t n = 0;
  for (const RunRecord& r : runs) n += r.failed() ? 1 : 0;
  return n;
}

uint64_t replicate_seed(uint64_t base_seed, int replicate) {
  uint64_t z = base_seed + 0x9e3779b97f4a7c15ull * (static_cast<uint64_t>(replicate) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::vector<std::string> resolve_designs(const Config& config) {
  const ScenarioEntry* entry = find_scenario(config.scenario);
  if (entry == nullptr) throw engine::UserError(fmt::format("error: scenario '{}' is not registered", config.scenario));
  const auto scenario = entry->make();
  const std::vector<std::string> all = scenario->designs(config);
  const std::vector<std::string> known = scenario->known_designs(config);
  std::vector<std::string> chosen;
  for (const std::string& d : config.run.designs) {
    if (d == "all") {
      for (const std::string& k : all)
        if (std::find(chosen.begin(), chosen.end(), k) == chosen.end()) chosen.push_back(k);
      continue;
    }
    if (std::find(known.begin(), known.end(), d) == known.end()) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      throw engine::UserError(fmt::format("error: run.designs: '{}' is not a design of scenario '{}'; known: {}{}", d,
                                          config.scenario, list, config::did_you_mean(d, known)));
    }
    if (std::find(chosen.begin(), chosen.end(), d) == chosen.end()) chosen.push_back(d);
  }
  if (chosen.empty()) throw engine::UserError("error: run.designs: no design selected");
  return chosen;
}

RunRecord run_one(const Config& config, const std::string& design, int replicate, RunWatch* watch) {
  RunRecord record{design, replicate, replicate_seed(config.run.seed, replicate), {}, {}};
  if (watch != nullptr) watch->check_interrupted();
  const auto start = std::chrono::steady_clock::now();
  try {
    const ScenarioEntry* entry = find_scenario(config.scenario);
    if (entry == nullptr)
      throw engine::UserError(fmt::format("error: scenario '{}' is not registered", config.scenario));
    std::optional<RunWatch::Run> watched;
    if (watch != nullptr)
      watched.emplace(*watch, fmt::format("{} r{}", design, replicate), config.run.warmup + config.run.duration);
    record.result = entry->make()->run(config, record.design, record.seed, watched ? &*watched : nullptr);
  } catch (const engine::UserError& e) {
    record.failure = RunFailure::kUserError;
    record.error = e.what();
  } catch (const engine::InvariantViolation& e) {
    record.failure = RunFailure::kInvariantViolation;
    record.error = e.what();
  } catch (const engine::InternalError& e) {
    record.failure = RunFailure::kInternalError;
    record.error = fmt::format("internal error: {}", e.what());
  } catch (const std::bad_alloc&) {
    record.failure = RunFailure::kOutOfMemory;
    record.error = fmt::format(
        "error: out of memory (this run alone was estimated at {}; `wakesim check` compares the "
        "estimate with the memory available; use a smaller configuration or fewer --jobs)",
        calibrate::format_bytes(estimate_run_memory(config).bytes_per_run));
  }
  if (record.failed()) record.result = RunResult{};
  record.result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  record.result.peak_rss_bytes = process_peak_rss_bytes();
  if (watch != nullptr) watch->finished(record.failed());
  return record;
}

ExperimentResult run_experiment(const Config& config, int jobs, RunWatch* watch) {
  ExperimentResult out;
  out.designs = resolve_designs(config);
  for (const std::string& design : out.designs)
    for (int r = 0; r < config.run.replicates; ++r) out.runs.push_back(RunRecord{design, r, 0, {}, {}});
  for_each_index_in_parallel(jobs, out.runs.size(), [&](size_t i) {
    out.runs[i] = run_one(config, out.runs[i].design, out.runs[i].replicate, watch);
  });
  return out;
}

}  // namespace wakesim::experiment
