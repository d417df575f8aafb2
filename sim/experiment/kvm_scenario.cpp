// The "kvm" scenario: VMs on a host with the kernel model and a wakeup design (sim/kernel, sim/designs,
// sim/workload/vm_workload.h). Every design runs the same arrivals and guest behaviour for the same
// seed (common random numbers), so differences between designs are the designs'.
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "sim/engine/simulation.h"
#include "sim/experiment/config.h"
#include "sim/experiment/kvm_metrics.h"
#include "sim/experiment/scenario.h"
#include "sim/hw/machine.h"
#include "sim/kernel/kvm.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/wakeup_design.h"
#include "sim/stats/confidence.h"
#include "sim/stats/mser.h"
#include "sim/workload/vm_workload.h"

namespace wakesim::experiment {
namespace {

using engine::Time;

// Every lock class goes by its key (hw::LockClass::key) in metrics, locks.csv and histogram files.
void add_lock_metrics(RunResult& r, const hw::LockClass& c) {
  const std::string prefix = "lock." + c.key();
  r.add(prefix + ".acquisitions", "count", static_cast<double>(c.acquisitions()));
  r.add(prefix + ".contended_fraction", "fraction", c.contended_fraction());
  r.add_time(prefix + ".acquire.p99", c.acquire().p99());
  r.add_time(prefix + ".wait.p99", c.wait().p99());
  r.add_time(prefix + ".wait.max", c.wait().max());
  r.add_time(prefix + ".hold.p99", c.hold().p99());
}

std::string ns_number(Time t) { return fmt::format("{}", t.ns()); }

// Per-pCPU IRQ-off time and a lockstat-style table of every lock class (columns named as the
// lock.<class>.<column> metrics are).
void add_tables(RunResult& r, hw::Machine& machine, const std::vector<const hw::LockClass*>& classes) {
  Table irq_off{{"pcpu", "sections", "p50", "p99", "max", "interrupts"}, {}};
  for (uint32_t c = 0; c < machine.pcpus(); ++c) {
    const hw::Cpu& cpu = machine.cpu(hw::PcpuId{c});
    const auto& h = cpu.irq_off_time();
    irq_off.rows.push_back({std::to_string(c), std::to_string(h.count()), ns_number(h.p50()), ns_number(h.p99()),
                            ns_number(h.max()), std::to_string(cpu.interrupts_taken())});
  }
  r.tables.emplace_back("irq_off", std::move(irq_off));
  Table locks{{"class", "acquisitions", "contended_fraction", "acquire.p50", "acquire.p99", "wait.p50", "wait.p99",
               "wait.max", "hold.p50", "hold.p99", "hold.max", "handoff.p50", "handoff.p99"},
              {}};
  for (const hw::LockClass* c : classes) {
    locks.rows.push_back({c->key(), std::to_string(c->acquisitions()), fmt::format("{}", c->contended_fraction()),
                          ns_number(c->acquire().p50()), ns_number(c->acquire().p99()), ns_number(c->wait().p50()),
                          ns_number(c->wait().p99()), ns_number(c->wait().max()), ns_number(c->hold().p50()),
                          ns_number(c->hold().p99()), ns_number(c->hold().max()), ns_number(c->handoff().p50()),
                          ns_number(c->handoff().p99())});
  }
  r.tables.emplace_back("locks", std::move(locks));
}

// MSER-5 on the per-millisecond mean wakeup latency from time zero (reported as warmup.mser5). MSER
// can place spurious cuts late in short, heavy-tailed series (Wang and Glynn 2016), so a warning is
// given only when the cut lies after the configured warm-up AND the measured data before the cut
// differ from the data after it by more than 3 standard errors (batch means of 5 bins): a real
// initial transient left in the measurement.
void check_warmup(RunResult& r, kernel::Kvm& kvm, const Config& config) {
  const auto series = kvm.latency_series();
  std::vector<double> values;
  values.reserve(series.size());
  for (const auto& [at, v] : series) values.push_back(v);
  const size_t cut = stats::mser5(values);
  const Time truncation = cut < series.size() ? series[cut].first : Time::zero();
  r.add_time("warmup.mser5", truncation);
  if (truncation <= config.run.warmup) return;
  std::vector<double> before, after_batches;
  for (size_t i = 0; i < cut; ++i)
    if (series[i].first >= config.run.warmup) before.push_back(values[i]);
  for (size_t i = cut; i + 5 <= values.size(); i += 5) {
    double sum = 0;
    for (size_t j = i; j < i + 5; ++j) sum += values[j];
    after_batches.push_back(sum / 5);
  }
  if (before.empty() || after_batches.size() < 2) return;
  const stats::ConfidenceInterval kept = stats::mean_ci(after_batches);
  double before_mean = 0;
  for (double v : before) before_mean += v;
  before_mean /= static_cast<double>(before.size());
  // Standard error of a mean over before.size() bins, from the batch-of-5 spread after the cut.
  double var = 0;
  for (double b : after_batches) var += (b - kept.mean) * (b - kept.mean);
  var /= static_cast<double>(after_batches.size() - 1);
  const double se = std::sqrt(var * 5.0 / static_cast<double>(before.size()));
  if (std::abs(before_mean - kept.mean) <= 3 * se) return;
  r.warnings.push_back(fmt::format(
      "the wakeup latency measured between the warm-up ({}) and {} (MSER-5's end of the "
      "initial transient) averages {:.3g}us against {:.3g}us after: consider a longer "
      "run.warmup",
      engine::to_string(config.run.warmup), engine::to_string(truncation), before_mean / 1e3, kept.mean / 1e3));
}

// ---- the run's results, in the order they are reported ------------------------------------------------

// Latency: every wakeup of a halted vCPU whatever its path, then per path (with each wake path's share),
// per source (device, IPI, timer: from the physical origin to the guest), and the wakeup-vector path's
// decomposition.
void add_latency_metrics(RunResult& r, const kernel::KvmMetrics& m, const kernel::WakeDecomposition& decomposition) {
  r.add_latency_summary("wakeup", m.wakeup_latency);
  const double wakeup_requests = static_cast<double>(m.wakeup_latency.count());
  for (int p = 0; p < kernel::kWakePaths; ++p) {
    const auto path = static_cast<kernel::WakePath>(p);
    const std::string name = std::string("path.") + kernel::to_string(path);
    const auto& h = m.latency[static_cast<size_t>(p)];
    r.add(name + ".count", "count", static_cast<double>(h.count()));
    r.add(name + ".mean", "ns", h.mean() / 1e3);
    r.add_time(name + ".p99", h.p99());
    if (path != kernel::WakePath::kRunning)
      r.add(name + ".share", "fraction", wakeup_requests > 0 ? static_cast<double>(h.count()) / wakeup_requests : 0.0);
  }
  for (int src = 0; src < kernel::kRequestSources; ++src) {
    const std::string name = std::string("source.") + kernel::to_string(static_cast<kernel::RequestSource>(src));
    const auto& h = m.source_latency[static_cast<size_t>(src)];
    r.add(name + ".count", "count", static_cast<double>(h.count()));
    r.add(name + ".mean", "ns", h.mean() / 1e3);
    r.add_time(name + ".p99", h.p99());
  }
  for (int c = 0; c < kernel::kWakeComponents; ++c) {
    const auto& h = decomposition.components[static_cast<size_t>(c)];
    const std::string name = std::string("decomposition.") + kernel::to_string(static_cast<kernel::WakeComponent>(c));
    r.add(name + ".mean", "ns", h.mean() / 1e3);
    r.add_time(name + ".p99", h.p99());
  }
}

// Rates per simulated second and per-handler counts over the measured span.
void add_rate_metrics(RunResult& r, const kernel::Kvm& kvm, const kernel::WakeTracer& tracer, uint64_t requests,
                      const Config& config) {
  const kernel::KvmMetrics& m = kvm.metrics();
  const Time span = config.run.duration;
  uint64_t postings = 0;
  for (uint64_t n : m.postings) postings += n;
  r.add("interrupts", "/s", span.per_second(static_cast<double>(postings)));
  // A halt ends in a wakeup (kvm_vcpu_wake_up woke the task) or in a halt-poll hit.
  r.add("wakeups", "/s", span.per_second(static_cast<double>(m.wakes + m.halt_poll_hits)));
  r.add("requests", "/s", span.per_second(static_cast<double>(requests)));
  r.add("requests_pending", "count", static_cast<double>(kvm.requests_pending()));
  r.add("wakeup_irqs", "/s", span.per_second(static_cast<double>(m.wakeup_irqs)));
  r.add("redundant_wakes", "/s", span.per_second(static_cast<double>(m.redundant_wakes)));
  r.add("nodes_per_walk", "count",
        m.wakeup_irqs ? static_cast<double>(tracer.nodes_walked()) / static_cast<double>(m.wakeup_irqs) : 0.0);
  r.add_time("handler.p99", m.handler_time.p99());
  r.add("halt_poll_hits", "/s", span.per_second(static_cast<double>(m.halt_poll_hits)));
  r.add("self_ipis", "/s", span.per_second(static_cast<double>(m.self_ipis)));
}

// The design's lock classes, then the scheduler's.
std::vector<const hw::LockClass*> lock_classes(const kernel::Kvm& kvm, kernel::Scheduler& scheduler) {
  std::vector<const hw::LockClass*> classes;
  for (const auto& c : kvm.lock_classes()) classes.push_back(c.get());
  classes.push_back(&scheduler.rq_lock_class());
  classes.push_back(&scheduler.pi_lock_class());
  return classes;
}

// Locks, lockstat-style, then the design-neutral list waits (whatever the design's list locks are
// called: it declares them), and the share of the wakeup-vector path's latency spent waiting in
// sched_in for the old pCPU's list lock.
void add_lock_metrics(RunResult& r, const std::vector<const hw::LockClass*>& classes, const kernel::KvmMetrics& m,
                      const kernel::WakeDecomposition& decomposition) {
  for (const hw::LockClass* c : classes) add_lock_metrics(r, *c);
  r.add_latency_summary("sched_in.list_wait", m.sched_in_list_wait);
  r.add_latency_summary("handler.list_wait", m.handler_list_wait);
  double total = 0;
  for (const auto& h : decomposition.components) total += h.mean();
  const auto& sched_in = decomposition.components[static_cast<size_t>(kernel::WakeComponent::kSchedInLock)];
  r.add("sched_in.share", "fraction", total > 0 ? sched_in.mean() / total : 0.0);
}

stats::LatencyHistogram irq_off_time(hw::Machine& machine) {
  stats::LatencyHistogram irq_off;
  for (uint32_t c = 0; c < machine.pcpus(); ++c) irq_off += machine.cpu(hw::PcpuId{c}).irq_off_time();
  return irq_off;
}

// The idle governor's choices, context switches and runqueue delay.
void add_scheduler_metrics(RunResult& r, const kernel::Scheduler& scheduler, const Config& config) {
  const Time span = config.run.duration;
  uint64_t idle_entries = 0;
  for (uint64_t n : scheduler.idle_entries()) idle_entries += n;
  r.add("idle.entries", "/s", span.per_second(static_cast<double>(idle_entries)));
  for (int i = 0; i < hw::kIdleStates; ++i) {
    const uint64_t n = scheduler.idle_entries()[static_cast<size_t>(i)];
    r.add(std::string("idle.state.") + hw::to_string(static_cast<hw::IdleState>(i)), "fraction",
          idle_entries ? static_cast<double>(n) / static_cast<double>(idle_entries) : 0.0);
  }
  r.add("context_switches", "/s", span.per_second(static_cast<double>(scheduler.context_switches())));
  r.add("runqueue_delay.p99", "ns", scheduler.runqueue_delay().p99().ns());
}

// Cache-line traffic per wakeup: transfers by distance and from DRAM, and hits in the pCPU's own caches.
void add_line_metrics(RunResult& r, hw::Machine& machine, uint64_t wakes) {
  const hw::TransferCounters& t = machine.coherence().counters();
  const double per_wake = wakes ? 1.0 / static_cast<double>(wakes) : 0.0;
  r.add("line_transfers_per_wakeup", "count", static_cast<double>(t.total_transfers()) * per_wake);
  for (hw::Distance d :
       {hw::Distance::kSmtSibling, hw::Distance::kSameLlc, hw::Distance::kSameSocket, hw::Distance::kRemoteSocket})
    r.add(std::string("line_transfers_per_wakeup.") + hw::to_string(d), "count",
          static_cast<double>(t.by_distance[static_cast<size_t>(d)]) * per_wake);
  r.add("line_transfers_per_wakeup.dram", "count", static_cast<double>(t.dram) * per_wake);
  r.add("line_hits_per_wakeup.l1", "count", static_cast<double>(t.hits - t.l2_hits) * per_wake);
  r.add("line_hits_per_wakeup.l2", "count", static_cast<double>(t.l2_hits) * per_wake);
  r.add("line_hits_per_wakeup.llc", "count", static_cast<double>(t.llc_hits) * per_wake);
}

// Where the pCPUs' time went, as fractions of all pCPUs' measured time.
void add_time_metrics(RunResult& r, hw::Machine& machine, const Config& config) {
  const double seconds = config.run.duration.seconds();
  for (int a = 0; a < hw::kActivities; ++a) {
    Time total;
    for (uint32_t c = 0; c < machine.pcpus(); ++c)
      total += machine.cpu(hw::PcpuId{c}).time_in(static_cast<hw::Activity>(a));
    r.add(std::string("time.") + hw::to_string(static_cast<hw::Activity>(a)), "fraction",
          total.seconds() / (seconds * machine.pcpus()));
  }
}

void add_invariant_metrics(RunResult& r, const kernel::InvariantChecker& invariants, const kernel::WakeTracer& tracer) {
  r.add("lost_wakeups", "count", static_cast<double>(invariants.lost_wakeups()));
  r.add("rcu_hazards", "count", static_cast<double>(invariants.rcu_hazards()));
  r.add("rcu_restarts", "count", static_cast<double>(tracer.walk_restarts()));
  r.add("violations", "count", static_cast<double>(invariants.violations()));
}

void add_histograms(RunResult& r, const kernel::KvmMetrics& m, const stats::LatencyHistogram& irq_off,
                    const std::vector<const hw::LockClass*>& classes) {
  r.histograms.emplace_back("wakeup", m.wakeup_latency);
  for (int p = 0; p < kernel::kWakePaths; ++p)
    r.histograms.emplace_back(std::string("path.") + kernel::to_string(static_cast<kernel::WakePath>(p)),
                              m.latency[static_cast<size_t>(p)]);
  r.histograms.emplace_back("irq_off", irq_off);
  r.histograms.emplace_back("sched_in.list_wait", m.sched_in_list_wait);
  r.histograms.emplace_back("handler.list_wait", m.handler_list_wait);
  for (const hw::LockClass* c : classes) {
    r.histograms.emplace_back("lock." + c->key() + ".wait", c->wait());
    r.histograms.emplace_back("lock." + c->key() + ".hold", c->hold());
  }
}

class KvmScenario final : public Scenario {
 public:
  std::vector<std::string> designs(const Config&) const override {
    std::vector<std::string> out;
    for (const kernel::DesignEntry* d : kernel::all_designs())
      if (d->use == kernel::DesignUse::kShipped) out.push_back(d->name);
    return out;
  }
  std::vector<std::string> known_designs(const Config&) const override {
    std::vector<std::string> out;
    for (const kernel::DesignEntry* d : kernel::all_designs()) out.push_back(d->name);
    return out;
  }

  const MetricDeclarations& metrics() const override { return kvm_metrics(); }

  std::vector<std::string> headline_metrics() const override {
    return {"wakeup.p50",
            "wakeup.p99",
            "wakeup.p999",
            "wakeup.mean",
            "wakeups",
            "interrupts",
            "requests",
            "sched_in.list_wait.p99",
            "handler.list_wait.p99",
            "sched_in.share",
            "irq_off.p99",
            "handler.p99",
            "time.guest",
            "time.spin",
            "time.idle",
            "time.idle_exit",
            "lost_wakeups",
            "rcu_hazards"};
  }

  RunResult run(const Config& config, const std::string& design, uint64_t seed,
                engine::Watcher* watcher) const override {
    engine::Simulation sim(seed);
    sim.watch(watcher);
    hw::Machine machine(sim, config.host);
    kernel::Scheduler scheduler(machine, config.kernel);
    kernel::Kvm kvm(machine, scheduler, config.kernel, config.design, design);
    kvm.reserve_series(config.run.warmup + config.run.duration);
    workload::VmWorkload vms(kvm, config.vms, config.noise);
    scheduler.start();
    vms.start();

    sim.run_until(config.run.warmup);
    machine.reset_statistics();
    scheduler.reset_statistics();
    kvm.reset_statistics();
    const uint64_t requests_before = vms.requests_completed();
    sim.run_until(config.run.warmup + config.run.duration);
    kvm.check_invariants();

    const kernel::KvmMetrics& m = kvm.metrics();
    const kernel::WakeDecomposition& decomposition = kvm.tracer().decomposition();
    const std::vector<const hw::LockClass*> classes = lock_classes(kvm, scheduler);
    const stats::LatencyHistogram irq_off = irq_off_time(machine);
    RunResult r;
    add_latency_metrics(r, m, decomposition);
    add_rate_metrics(r, kvm, kvm.tracer(), vms.requests_completed() - requests_before, config);
    add_lock_metrics(r, classes, m, decomposition);
    r.add_time("irq_off.p99", irq_off.p99());
    r.add_time("irq_off.max", irq_off.max());
    add_scheduler_metrics(r, scheduler, config);
    add_line_metrics(r, machine, m.wakes);
    add_time_metrics(r, machine, config);
    add_tables(r, machine, classes);
    check_warmup(r, kvm, config);
    add_invariant_metrics(r, kvm.invariants(), kvm.tracer());
    add_histograms(r, m, irq_off, classes);
    r.events = sim.events_executed();
    if (const hw::LockdepRecorder* lockdep = machine.lockdep())
      r.lockdep = std::make_shared<const hw::LockdepRecord>(lockdep->snapshot(sim.now()));
    return r;
  }
};

const RegisterScenario<KvmScenario> kRegistered{
    "kvm", "VMs on a host: the posted-interrupt wakeup path under a chosen design (the main scenario)"};

}  // namespace
}  // namespace wakesim::experiment
