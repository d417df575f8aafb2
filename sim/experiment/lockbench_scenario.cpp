// The "lockbench" scenario: the lock micro-benchmark (sim/workload/lockbench.h) on the configured host,
// comparing the spinlock algorithms ("designs": ticket, qspinlock) under common random numbers.
#include "sim/engine/simulation.h"
#include "sim/experiment/config.h"
#include "sim/experiment/scenario.h"
#include "sim/hw/machine.h"
#include "sim/workload/lockbench.h"

namespace wakesim::experiment {
namespace {

MetricDeclarations declare_lockbench_metrics() {
  MetricDeclarations d;
  d.placeholder("distance",
                "where a line came from: another thread of the core, a core sharing the LLC, another "
                "LLC of the socket, the other socket",
                {hw::to_string(hw::Distance::kSmtSibling), hw::to_string(hw::Distance::kSameLlc),
                 hw::to_string(hw::Distance::kSameSocket), hw::to_string(hw::Distance::kRemoteSocket)});
  d.metric("throughput", "/s", MetricKind::kRate, "lock acquisitions, all pCPUs");
  d.metric("contended_fraction", "fraction", MetricKind::kFraction, "share of acquisitions that found the lock taken");
  d.latency_summary("wait", "the wait beyond the first attempt (0 when uncontended)");
  d.metric("hold.mean", "ns", MetricKind::kDuration,
           "mean hold time, from owning the lock to its release being visible");
  d.metric("handoff.mean", "ns", MetricKind::kDuration,
           "mean hand-off of contended acquisitions (release visible -> next owner)");
  d.metric("handoff.p50", "ns", MetricKind::kDuration, "median hand-off of contended acquisitions");
  d.metric("handoff.p99", "ns", MetricKind::kDuration, "99th percentile hand-off of contended acquisitions");
  d.metric("transfers_per_acquisition", "count", MetricKind::kCount,
           "cache-line transfers between pCPUs per acquisition");
  d.metric("transfers_per_acquisition.{distance}", "count", MetricKind::kCount,
           "cache-line transfers from the distance per acquisition");
  d.metric("irq_off.p99", "ns", MetricKind::kDuration,
           "99th percentile of the IRQs-off sections (only with lockbench.irqs_off)");
  d.histogram("wait", "ns", "waits beyond the first attempt");
  d.histogram("handoff", "ns", "hand-offs of contended acquisitions");
  return d;
}

class LockbenchScenario final : public Scenario {
 public:
  std::vector<std::string> designs(const Config&) const override { return {"ticket", "qspinlock"}; }
  const MetricDeclarations& metrics() const override {
    static const MetricDeclarations declarations = declare_lockbench_metrics();
    return declarations;
  }

  RunResult run(const Config& config, const std::string& design, uint64_t seed,
                engine::Watcher* watcher) const override {
    engine::Simulation sim(seed);
    sim.watch(watcher);
    hw::Machine machine(sim, config.host);
    workload::Lockbench bench(machine, config.lockbench,
                              design == "ticket" ? hw::LockKind::kTicket : hw::LockKind::kQueued);
    bench.start();
    sim.run_until(config.run.warmup);
    bench.reset_statistics();
    sim.run_until(config.run.warmup + config.run.duration);

    RunResult r;
    const hw::LockClass& lock = bench.lock_class();
    const double acquisitions = static_cast<double>(lock.acquisitions());
    r.add("throughput", "/s", config.run.duration.per_second(acquisitions));
    r.add("contended_fraction", "fraction", lock.contended_fraction());
    r.add_latency_summary("wait", lock.wait());
    r.add("hold.mean", "ns", lock.hold().mean() / 1e3);
    r.add("handoff.mean", "ns", lock.handoff().mean() / 1e3);
    r.add_time("handoff.p50", lock.handoff().p50());
    r.add_time("handoff.p99", lock.handoff().p99());
    const hw::TransferCounters& t = machine.coherence().counters();
    const double per = acquisitions > 0 ? 1.0 / acquisitions : 0.0;
    r.add("transfers_per_acquisition", "count", static_cast<double>(t.total_transfers()) * per);
    for (hw::Distance d :
         {hw::Distance::kSmtSibling, hw::Distance::kSameLlc, hw::Distance::kSameSocket, hw::Distance::kRemoteSocket})
      r.add(std::string("transfers_per_acquisition.") + hw::to_string(d), "count",
            static_cast<double>(t.by_distance[static_cast<size_t>(d)]) * per);
    stats::LatencyHistogram irq_off;
    for (hw::PcpuId p : bench.pcpus()) irq_off += machine.cpu(p).irq_off_time();
    if (config.lockbench.irqs_off) r.add_time("irq_off.p99", irq_off.p99());
    r.histograms.emplace_back("wait", lock.wait());
    r.histograms.emplace_back("handoff", lock.handoff());
    r.events = sim.events_executed();
    return r;
  }
};

const RegisterScenario<LockbenchScenario> kRegistered{
    "lockbench", "lock micro-benchmark: N pCPUs contend for one spinlock built from cache-line operations"};

}  // namespace
}  // namespace wakesim::experiment
