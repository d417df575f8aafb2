// Whole-scenario speed: simulated events per second of wall time on one core (items_per_second), for
// the queueing self-test and the lock micro-benchmark at several contention levels. Each iteration is
// one complete run of the scenario through the same code path as `wakesim run`.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "sim/experiment/config.h"
#include "sim/experiment/scenario.h"

namespace {

using namespace wakesim;

void run_scenario(benchmark::State& state, const std::vector<std::string>& overrides, const std::string& design) {
  const experiment::Config config = experiment::load_config(std::nullopt, overrides).config;
  const auto scenario = experiment::find_scenario(config.scenario)->make();
  uint64_t events = 0;
  for ([[maybe_unused]] auto _ : state) {
    const experiment::RunResult r = scenario->run(config, design, 1);
    events += r.events;
    benchmark::DoNotOptimize(r.metrics.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
}

void BM_Queue_MM1(benchmark::State& state) {
  run_scenario(state, {"scenario=queue", "run.warmup=10ms", "run.duration=200ms"}, "fifo");
}

void BM_Lockbench(benchmark::State& state) {
  const std::string design = state.range(1) == 0 ? "ticket" : "qspinlock";
  run_scenario(state,
               {"scenario=lockbench", "host.preset=icelake-2s", "lockbench.placement=spread",
                "lockbench.cpus=" + std::to_string(state.range(0)), "run.warmup=100us", "run.duration=5ms"},
               design);
  state.SetLabel(design);
}

// The built-in default workload (the main comparison), one design per case. Target: >= 2M events/s.
void BM_KvmDefault(benchmark::State& state, const std::string& design) {
  const experiment::Config config = experiment::load_default_config({"run.warmup=5ms", "run.duration=50ms"}).config;
  const auto scenario = experiment::find_scenario("kvm")->make();
  uint64_t events = 0;
  for ([[maybe_unused]] auto _ : state) {
    const experiment::RunResult r = scenario->run(config, design, 1);
    events += r.events;
    benchmark::DoNotOptimize(r.metrics.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
}

BENCHMARK(BM_Queue_MM1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvmDefault, single_lock, std::string("single-lock"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvmDefault, split_lock, std::string("split-lock"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvmDefault, rcu_list, std::string("rcu-list"))->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Lockbench)->ArgsProduct({{4, 16, 64}, {0, 1}})->Unit(benchmark::kMillisecond);

}  // namespace
