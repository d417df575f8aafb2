// The "queue" scenario: one G/G/c station (sim/workload/queue_station.h), the engine's self-test.
#include "sim/engine/simulation.h"
#include "sim/experiment/config.h"
#include "sim/experiment/scenario.h"
#include "sim/workload/queue_station.h"

namespace wakesim::experiment {
namespace {

MetricDeclarations declare_queue_metrics() {
  MetricDeclarations d;
  d.metric("throughput", "/s", MetricKind::kRate, "customers served");
  d.metric("utilization", "fraction", MetricKind::kFraction, "mean share of the servers busy");
  d.metric("number_in_system.mean", "count", MetricKind::kCount,
           "time-average number of customers waiting or in service");
  d.latency_summary("wait", "the time a customer waits before service");
  d.latency_summary("response", "the time from arrival to the end of service");
  d.histogram("wait", "ns", "waiting times before service");
  d.histogram("response", "ns", "response times (wait plus service)");
  return d;
}

class QueueScenario final : public Scenario {
 public:
  std::vector<std::string> designs(const Config&) const override { return {"fifo"}; }
  const MetricDeclarations& metrics() const override {
    static const MetricDeclarations declarations = declare_queue_metrics();
    return declarations;
  }

  RunResult run(const Config& config, const std::string&, uint64_t seed, engine::Watcher* watcher) const override {
    engine::Simulation sim(seed);
    sim.watch(watcher);
    workload::QueueStation station(sim, config.queue);
    station.start();
    sim.run_until(config.run.warmup);
    station.reset_statistics();
    sim.run_until(config.run.warmup + config.run.duration);

    RunResult r;
    r.add("throughput", "/s", config.run.duration.per_second(static_cast<double>(station.completed())));
    r.add("utilization", "fraction", station.utilization());
    r.add("number_in_system.mean", "count", station.mean_number_in_system());
    r.add_latency_summary("wait", station.waiting());
    r.add_latency_summary("response", station.response());
    r.histograms.emplace_back("wait", station.waiting());
    r.histograms.emplace_back("response", station.response());
    r.events = sim.events_executed();
    return r;
  }
};

const RegisterScenario<QueueScenario> kRegistered{
    "queue", "G/G/c queueing station: the engine's self-test against queueing theory"};

}  // namespace
}  // namespace wakesim::experiment
