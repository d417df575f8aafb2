// Runs every (design, replicate) of a configuration, in parallel on `jobs` threads. Replicate r of
// every design uses the same seed (common random numbers), so differences between designs are the
// designs' and not noise. Results are ordered by (design, replicate) whatever the thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/experiment/config.h"
#include "sim/experiment/run_result.h"

namespace wakesim::experiment {

struct RunRecord {
  std::string design;
  int replicate = 0;
  uint64_t seed = 0;
  RunResult result;
  std::string error;  // empty when the run succeeded
};

struct ExperimentResult {
  std::vector<std::string> designs;
  std::vector<RunRecord> runs;  // design-major, replicate-minor
  size_t failures() const;
};

// The seed of replicate r: a SplitMix64 mix of (base seed, r), so replicates are independent.
uint64_t replicate_seed(uint64_t base_seed, int replicate);

// The designs a configuration asks for ("all" expands to every design of the scenario). Throws
// UserError naming the unknown design and the known ones.
std::vector<std::string> resolve_designs(const Config& config);

class RunWatch;

// `watch` (null: none) shows the runs live and abandons them when the user interrupts: then
// Interrupted (run_watch.h) is thrown and nothing is returned.
ExperimentResult run_experiment(const Config& config, int jobs, RunWatch* watch = nullptr);

// One run of `design` for replicate `replicate` of `config`: a failure (bad combination, invariant
// violation, internal error) is caught and kept in the record's error, with the wall time measured.
// With a `watch`, the run is one of its lines and tells it when it has finished.
RunRecord run_one(const Config& config, const std::string& design, int replicate, RunWatch* watch = nullptr);

}  // namespace wakesim::experiment
