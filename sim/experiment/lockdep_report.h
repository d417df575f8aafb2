// `wakesim lockdep`: one short run per design with the lock-order recorder on (kernel.lockdep), then
// the analysis of sim/hw/lockdep_analysis.h: what lockdep would report, whether the subclass
// annotations silence it, whether the acquisitions seen could really deadlock, and the longest chain.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/experiment/config.h"
#include "sim/hw/lockdep.h"
#include "sim/hw/lockdep_analysis.h"

namespace wakesim::experiment {

struct DesignLockdep {
  std::string design;
  std::shared_ptr<const hw::LockdepRecord> record;  // null when the run failed
  hw::LockdepAnalysis analysis;
  std::string error;  // the run's error, if it failed
};

struct LockdepRun {
  Config config;  // as run: kernel.lockdep on, one replicate, run.warmup 0, run.duration the time simulated
  std::vector<DesignLockdep> designs;
  bool possible_deadlock() const;
  bool failed() const;
};

// The longest simulated time per design, unless asked for more: lockdep needs orders, not statistics.
inline constexpr int64_t kLockdepDefaultMaxPs = 50'000'000'000;  // 50 ms

// Runs the designs `config` selects (run.designs), each once, for run.warmup + run.duration capped at
// `max_time`. Throws UserError for an unknown design or a non-kvm scenario.
LockdepRun run_lockdep(Config config, engine::Time max_time, int jobs);

std::string lockdep_text(const LockdepRun& run);
std::string lockdep_json(const LockdepRun& run);

}  // namespace wakesim::experiment
