// The "memory" scenario: the memory micro-benchmarks (sim/workload/membench.h) on the configured host.
// Its two "designs" are the two kernels `wakesim calibrate` times on the real machine: "chase" (load
// latency over a working set) and "walk" (a wakeup-list walk after pollution), so that a simulated
// host description can be held against its measurement. The run ends when the benchmark does;
// run.duration and run.warmup are not used.
#include <fmt/format.h>

#include "sim/engine/simulation.h"
#include "sim/experiment/config.h"
#include "sim/experiment/scenario.h"
#include "sim/hw/machine.h"
#include "sim/workload/membench.h"

namespace wakesim::experiment {
namespace {

MetricDeclarations declare_memory_metrics() {
  MetricDeclarations d;
  d.placeholder("source",
                "where a measured access was served from: the pCPU's L1, L2, its LLC, another core's "
                "cache, DRAM",
                {"l1", "l2", "llc", "other_cores", "dram"});
  for (const auto& [access, what] :
       {std::pair{"load", "dependent load (chase)"}, {"node", "list node visited (walk)"}}) {
    const std::string name = std::string(access) + "_latency";
    d.metric(name + ".mean", "ns", MetricKind::kDuration,
             fmt::format("mean time per {} over the measured rounds", what));
    d.metric(name + ".min", "ns", MetricKind::kDuration, fmt::format("the fastest measured round's time per {}", what));
    d.metric(name + ".max", "ns", MetricKind::kDuration, fmt::format("the slowest measured round's time per {}", what));
  }
  d.metric("served.{source}", "fraction", MetricKind::kFraction,
           "share of the measured accesses served from the source");
  d.metric("simulated_time", "ns", MetricKind::kTime, "simulated time at which the benchmark finished");
  return d;
}

class MemoryScenario final : public Scenario {
 public:
  std::vector<std::string> designs(const Config&) const override { return {"chase", "walk"}; }
  const MetricDeclarations& metrics() const override {
    static const MetricDeclarations declarations = declare_memory_metrics();
    return declarations;
  }

  RunResult run(const Config& config, const std::string& design, uint64_t seed,
                engine::Watcher* watcher) const override {
    engine::Simulation sim(seed);
    sim.watch(watcher);
    hw::Machine machine(sim, config.host);
    const auto test = design == "chase" ? workload::MemoryTest::kChase : workload::MemoryTest::kWalk;
    workload::MemoryBench bench(machine, config.memory, test);
    bench.start();
    // The benchmark's path is the only source of events: run until it has finished.
    while (!bench.done() && sim.events_pending() > 0)
      sim.run_until(sim.now() + engine::Time::from_ps(1'000'000'000'000));

    RunResult r;
    const std::string what = test == workload::MemoryTest::kChase ? "load_latency" : "node_latency";
    r.add(what + ".mean", "ns", bench.per_access_ns().mean());
    r.add(what + ".min", "ns", bench.per_access_ns().min());
    r.add(what + ".max", "ns", bench.per_access_ns().max());
    // Where the measured accesses were served from, as fractions of them.
    const hw::TransferCounters& c = bench.measured_counters();
    const double n = bench.measured_accesses() > 0 ? static_cast<double>(bench.measured_accesses()) : 1.0;
    r.add("served.l1", "fraction", static_cast<double>(c.hits - c.l2_hits) / n);
    r.add("served.l2", "fraction", static_cast<double>(c.l2_hits) / n);
    r.add("served.llc", "fraction", static_cast<double>(c.llc_hits) / n);
    r.add("served.other_cores", "fraction", static_cast<double>(c.total_transfers() - c.dram) / n);
    r.add("served.dram", "fraction", static_cast<double>(c.dram) / n);
    r.add("simulated_time", "ns", bench.finished_at().ns());
    r.events = sim.events_executed();
    return r;
  }
};

const RegisterScenario<MemoryScenario> kRegistered{
    "memory", "memory micro-benchmarks on one pCPU: pointer-chase latency, wakeup-list walk after pollution"};

}  // namespace
}  // namespace wakesim::experiment
