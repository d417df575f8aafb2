// Runs every (design, replicate) of a configuration, in parallel on `jobs` threads. Replicate r of
// every design uses the same seed (common random numbers), so differences between designs are the
// designs' and not noise. Results are ordered by (design, replicate) whatever the thread count.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/experiment/config.h"
#include "sim/experiment/run_result.h"

namespace wakesim::experiment {

// Why a run failed, carried as a value from the runner to the CLI (exit status 2 for the user's
// mistakes, 1 for wakesim's own) and into stored run records.
enum class RunFailure : uint8_t {
  kNone,
  kUserError,           // a bad configuration or combination (engine::UserError)
  kOutOfMemory,         // the run needed more memory than the process may use
  kInvariantViolation,  // the model broke one of its own invariants (engine::InvariantViolation)
  kInternalError,       // any other failure inside wakesim
};
const char* to_string(RunFailure f);  // "none", "user-error", "out-of-memory", ...
std::optional<RunFailure> run_failure_from(std::string_view name);
// wakesim's fault rather than the user's: the CLI exits with status 1 and asks for a report.
inline bool is_internal(RunFailure f) {
  return f == RunFailure::kInvariantViolation || f == RunFailure::kInternalError;
}

struct RunRecord {
  std::string design;
  int replicate = 0;
  uint64_t seed = 0;
  RunResult result;
  std::string error;                       // empty when the run succeeded
  RunFailure failure = RunFailure::kNone;  // kNone exactly when `error` is empty
  bool failed() const { return !error.empty(); }
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
