// Sweep throughput: the standard sweep (workloads/sweeps/bench_standard.toml, 36 runs) end to end,
// including storing every run and writing the results directory, at --jobs 1 and --jobs 2. Runs are
// independent, so the ideal is linear scaling in cores; the counters report runs/s and simulated
// events/s. Whole-run timings for the README/notes: test/bench/sweep_scaling.sh.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <benchmark/benchmark.h>

#include "sim/app/commands.h"
#include "sim/experiment/sweep.h"

namespace {

namespace fs = std::filesystem;

void BM_StandardSweep(benchmark::State& state) {
  const int jobs = static_cast<int>(state.range(0));
  const fs::path spec = fs::path(WAKESIM_SOURCE_DIR) / "workloads" / "sweeps" / "bench_standard.toml";
  const auto resolve = [](const std::string& base, const fs::path&) { return wakesim::app::resolve_config_path(base); };
  const wakesim::experiment::SweepSpec sweep = wakesim::experiment::load_sweep_spec(spec, resolve);
  const fs::path out = fs::temp_directory_path() / ("wakesim-sweep-bench-" + std::to_string(::getpid()));
  size_t runs = 0;
  double events = 0;
  for ([[maybe_unused]] auto _ : state) {
    state.PauseTiming();
    fs::remove_all(out);
    state.ResumeTiming();
    wakesim::experiment::SweepOptions options;
    options.out = out;
    options.jobs = jobs;
    const auto outcome = wakesim::experiment::run_sweep(sweep, options);
    runs += outcome.runs;
    state.PauseTiming();
    std::ifstream timings(out / "timings.csv");
    std::string line;
    std::getline(timings, line);
    while (std::getline(timings, line)) {
      std::stringstream s(line);
      std::string cell;
      for (int c = 0; c < 4 && std::getline(s, cell, ','); ++c) {
      }
      events += std::stod(cell);
    }
    state.ResumeTiming();
  }
  fs::remove_all(out);
  state.counters["runs_per_s"] = benchmark::Counter(static_cast<double>(runs), benchmark::Counter::kIsRate);
  state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StandardSweep)->Arg(1)->Arg(2)->ArgName("jobs")->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace
