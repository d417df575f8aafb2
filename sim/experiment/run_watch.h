// Watching the runs of one command while they simulate (engine::Watcher, called between two events
// every 65536 of them):
//  - live, on a terminal: the runs done of the total (progress.h's bar) and one line per run in
//    progress, its simulated time of the total, wall time and events per second, redrawn in place at
//    most twice a second (a run shorter than half a second draws nothing);
//  - interruption: when `interrupted` says so (the user pressed Ctrl-C: sim/app/interrupt.h), every
//    run in progress is abandoned by throwing Interrupted out of it, and no new run starts.
// Watching reads the clock and the event count only: results are the same watched or not.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "sim/engine/simulation.h"
#include "sim/engine/time.h"
#include "sim/experiment/progress.h"

namespace wakesim::experiment {

// Thrown out of a run (and out of run_experiment, run_capacity) when the user interrupts.
struct Interrupted final : std::exception {
  const char* what() const noexcept override { return "interrupted"; }
};

class RunWatch {
 public:
  struct Options {
    std::ostream* live = nullptr;       // the terminal for the live lines (null: none)
    size_t runs = 0;                    // the total, for the bar
    std::function<bool()> interrupted;  // polled between events (empty: never)
  };
  explicit RunWatch(Options options);
  ~RunWatch();
  RunWatch(const RunWatch&) = delete;
  RunWatch& operator=(const RunWatch&) = delete;

  // One run, in progress for the lifetime of the object: its label ("rcu-list r2") and its simulated
  // length (zero when unknown in advance).
  class Run final : public engine::Watcher {
   public:
    Run(RunWatch& watch, std::string label, engine::Time length);
    ~Run() override;
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;
    void look(const engine::Simulation& sim) override;

   private:
    friend class RunWatch;
    RunWatch& watch_;
    std::string label_;
    engine::Time length_;
    engine::Time simulated_;
    uint64_t events_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  };

  // Throws Interrupted when the user has interrupted (before a run starts, between steps).
  void check_interrupted() const;
  // A run ended (the bar advances).
  void finished(bool failed);
  // Ends the live lines: the bar stays, with the time taken (idempotent; the destructor calls it).
  void done();

 private:
  void draw_locked(bool final);

  Options options_;
  Progress progress_;
  std::vector<const Run*> running_;  // in the order they started
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
  size_t lines_drawn_ = 0;  // 0: nothing on the terminal yet
  bool closed_ = false;
  std::mutex mutex_;
};

}  // namespace wakesim::experiment
