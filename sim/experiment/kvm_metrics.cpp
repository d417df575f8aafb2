// What the kvm scenario reports (shared/DESIGN.md §8), declared once. The placeholder values come
// from the model's own enumerations (wake paths, decomposition components, activities, idle states,
// distances), so a value added there is declared here in the model's order.
#include "sim/experiment/kvm_metrics.h"

#include "sim/hw/cpu.h"
#include "sim/hw/idle_states.h"
#include "sim/hw/topology.h"
#include "sim/kernel/posted_interrupt.h"
#include "sim/kernel/wakeup_trace.h"

namespace wakesim::experiment {
namespace {

template <class Enum>
std::vector<std::string> names(int count) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) out.emplace_back(to_string(static_cast<Enum>(i)));
  return out;
}

std::vector<std::string> transfer_distances() {
  std::vector<std::string> out;
  for (hw::Distance d :
       {hw::Distance::kSmtSibling, hw::Distance::kSameLlc, hw::Distance::kSameSocket, hw::Distance::kRemoteSocket})
    out.emplace_back(hw::to_string(d));
  out.emplace_back("dram");
  return out;
}

constexpr auto kCount = MetricKind::kCount;
constexpr auto kRate = MetricKind::kRate;
constexpr auto kDuration = MetricKind::kDuration;
constexpr auto kFraction = MetricKind::kFraction;
constexpr auto kTime = MetricKind::kTime;

// One lock statistic: a run metric (lock.{class}.NAME) and/or a column of locks.csv.
struct LockStat {
  const char* name;
  const char* unit;
  const char* help;
  MetricKind kind;
  bool run_metric;
};

constexpr LockStat kLockStats[] = {
    {"acquisitions", "count", "acquisitions of locks of the class in the measured period", kCount, true},
    {"contended_fraction", "fraction", "share of acquisitions that found the lock taken", kFraction, true},
    {"acquire.p50", "ns", "median cost of the first attempt (an uncontended acquisition's cost)", kDuration, false},
    {"acquire.p99", "ns", "99th percentile of the first attempt's cost", kDuration, true},
    {"wait.p50", "ns", "median wait beyond the first attempt (0 when uncontended)", kDuration, false},
    {"wait.p99", "ns", "99th percentile of the wait beyond the first attempt (0 when uncontended)", kDuration, true},
    {"wait.max", "ns", "longest wait beyond the first attempt", kDuration, true},
    {"hold.p50", "ns", "median hold time, from owning the lock to its release being visible", kDuration, false},
    {"hold.p99", "ns", "99th percentile of the hold time", kDuration, true},
    {"hold.max", "ns", "longest hold time", kDuration, false},
    {"handoff.p50", "ns", "median hand-off of contended acquisitions (release visible -> next owner)", kDuration,
     false},
    {"handoff.p99", "ns", "99th percentile of the hand-off of contended acquisitions", kDuration, false},
};

MetricDeclarations declare_kvm_metrics() {
  MetricDeclarations d;
  d.placeholder("path",
                "how the interrupt reached the vCPU: wakeup_vector (blocked on a wakeup list, woken by the "
                "POSTED_INTR_WAKEUP_VECTOR handler), software (woken directly by KVM: timers, IPIs without "
                "IPIv), halt_poll (noticed while halt-polling), running (running, runnable or preempted)",
                names<kernel::WakePath>(kernel::kWakePaths));
  d.placeholder("source", "where the guest request came from: a device (VT-d posting), an IPI, a guest timer",
                names<kernel::RequestSource>(kernel::kRequestSources));
  d.placeholder("component",
                "a consecutive part of a wakeup_vector-path wakeup, in path order; the components add up to the "
                "wakeup's latency",
                names<kernel::WakeComponent>(kernel::kWakeComponents));
  d.placeholder("class",
                "a lock class key (hw::LockClass::key): rq and pi_lock (the scheduler's), and the design's own "
                "classes (e.g. wakeup_vcpus_on_cpu_lock, wakeup_vcpus_on_cpu_lock_in, ..._out); any identifier");
  d.placeholder("state", "an idle state the governor can choose", names<hw::IdleState>(hw::kIdleStates));
  d.placeholder("distance",
                "where a line came from: another thread of the core, a core sharing the LLC, "
                "another LLC of the socket, the other socket, or DRAM",
                transfer_distances());
  d.placeholder("level", "a level of the pCPU's own cache hierarchy", {"l1", "l2", "llc"});
  d.placeholder("activity",
                "what a pCPU spent time on: guest mode, other host tasks, host kernel code, hard IRQs, spinning, "
                "halt-polling, idle, leaving an idle state",
                names<hw::Activity>(hw::kActivities));

  // Latency, from the interrupt's physical origin (IOMMU write, ICR write, timer expiry) to VM entry.
  d.latency_summary("wakeup",
                    "the wakeup latency of a halted vCPU, over every path (wakeup vector, software, halt-poll)");
  d.metric("path.{path}.count", "count", kCount, "postings that took the path");
  d.metric("path.{path}.mean", "ns", kDuration, "mean latency of the path, from the physical origin to VM entry");
  d.metric("path.{path}.p99", "ns", kDuration, "99th percentile latency of the path");
  d.metric("path.{path}.share", "fraction", kFraction,
           "share of the wakeups of halted vCPUs that took the path (not reported for running)");
  d.metric("source.{source}.count", "count", kCount, "requests from the source, every path");
  d.metric("source.{source}.mean", "ns", kDuration, "mean latency of the source's requests, every path");
  d.metric("source.{source}.p99", "ns", kDuration, "99th percentile latency of the source's requests, every path");
  d.metric("decomposition.{component}.mean", "ns", kDuration,
           "mean time a wakeup_vector-path wakeup spends in the component");
  d.metric("decomposition.{component}.p99", "ns", kDuration,
           "99th percentile of the time a wakeup_vector-path wakeup spends in the component");

  // Throughput.
  d.metric("interrupts", "/s", kRate, "postings to vCPUs (device, IPI and timer requests), every path");
  d.metric("wakeups", "/s", kRate, "halts ended by a wakeup or a halt-poll hit");
  d.metric("requests", "/s", kRate, "guest requests completed");
  d.metric("requests_pending", "count", kCount, "requests posted but not yet handled at the end of the run");
  d.metric("wakeup_irqs", "/s", kRate, "POSTED_INTR_WAKEUP_VECTOR handler runs");
  d.metric("redundant_wakes", "/s", kRate, "kvm_vcpu_wake_up calls that found the vCPU already awake");
  d.metric("nodes_per_walk", "count", kCount, "wakeup-list nodes visited per handler run");
  d.metric("handler.p99", "ns", kDuration, "99th percentile of the wakeup handler's run time");
  d.metric("halt_poll_hits", "/s", kRate, "halts ended while halt-polling");
  d.metric("self_ipis", "/s", kRate, "self-IPIs sent when sched_out found the notification already on");

  // Locks, lockstat-style, and the design-neutral list waits.
  for (const LockStat& s : kLockStats) {
    const std::string name = std::string("lock.{class}.") + s.name;
    if (s.run_metric) d.metric(name, s.unit, s.kind, s.help);
    else d.table_metric(name, s.unit, s.kind, s.help);
  }
  d.latency_summary("sched_in.list_wait",
                    "the time sched_in waits to remove the vCPU from the previous pCPU's wakeup list (its list "
                    "lock, whatever the design calls it)");
  d.latency_summary("handler.list_wait", "the time the wakeup handler waits before it can walk its list");
  d.metric("sched_in.share", "fraction", kFraction,
           "share of the wakeup_vector path's mean latency spent in sched_in waiting for the old list (sched_in_lock)");
  d.metric("irq_off.p99", "ns", kDuration, "99th percentile of IRQs-off sections, all pCPUs (idle exit excluded)");
  d.metric("irq_off.max", "ns", kDuration, "longest IRQs-off section (idle exit excluded)");

  // The idle governor and the scheduler.
  d.metric("idle.entries", "/s", kRate, "idle-state entries, all pCPUs");
  d.metric("idle.state.{state}", "fraction", kFraction, "share of idle entries for which the governor chose the state");
  d.metric("context_switches", "/s", kRate, "context switches, all pCPUs");
  d.metric("runqueue_delay.p99", "ns", kDuration, "99th percentile of the time a woken task waits to run");

  // Cache lines.
  d.metric("line_transfers_per_wakeup", "count", kCount,
           "cache-line transfers between pCPUs and from DRAM, per wakeup");
  d.metric("line_transfers_per_wakeup.{distance}", "count", kCount,
           "cache-line transfers from the distance, per wakeup");
  d.metric("line_hits_per_wakeup.{level}", "count", kCount,
           "accesses served by the pCPU's own cache level, per wakeup");
  d.metric("time.{activity}", "fraction", kFraction, "share of all pCPUs' time spent on the activity");

  // Checks.
  d.metric("warmup.mser5", "ns", kTime,
           "MSER-5's end of the initial transient of the per-millisecond mean wakeup latency, from time zero");
  d.metric("lost_wakeups", "count", kCount, "postings to a blocked vCPU that never led to its wake (must be 0)");
  d.metric("rcu_hazards", "count", kCount,
           "RCU walkers that followed a node re-added to another list (the node-reuse hazard)");
  d.metric("rcu_restarts", "count", kCount, "RCU walks restarted from the head after finding their node unlinked");
  d.metric("violations", "count", kCount, "invariant violations found at run time (lists, lost wakeups, RCU hazards)");

  d.histogram("wakeup", "ns", "wakeup latency of halted vCPUs, every path");
  d.histogram("path.{path}", "ns", "latency of the path");
  d.histogram("irq_off", "ns", "IRQs-off sections, all pCPUs (idle exit excluded)");
  d.histogram("sched_in.list_wait", "ns", "sched_in's wait for the previous pCPU's wakeup list");
  d.histogram("handler.list_wait", "ns", "the wakeup handler's wait before walking its list");
  d.histogram("lock.{class}.wait", "ns", "lock waits beyond the first attempt");
  d.histogram("lock.{class}.hold", "ns", "lock hold times");

  d.table(TableDeclaration{
      "irq_off",
      "IRQs-off time per pCPU (idle exit excluded)",
      {key_column("pcpu", "the pCPU"), value_column("sections", "count", kCount, "IRQs-off sections on the pCPU"),
       value_column("p50", "ns", kDuration, "median IRQs-off section"),
       value_column("p99", "ns", kDuration, "99th percentile IRQs-off section"),
       value_column("max", "ns", kDuration, "longest IRQs-off section"),
       value_column("interrupts", "count", kCount, "interrupts the pCPU took")}});
  TableDeclaration locks{
      "locks", "lockstat-style statistics of every lock class: column C is the metric lock.{class}.C", {}};
  locks.columns.push_back(key_column("class", "the lock class key"));
  for (const LockStat& s : kLockStats)
    locks.columns.push_back(value_column(s.name, s.unit, s.kind, s.help, std::string("lock.{class}.") + s.name));
  d.table(std::move(locks));
  return d;
}

}  // namespace

const MetricDeclarations& kvm_metrics() {
  static const MetricDeclarations declarations = declare_kvm_metrics();
  return declarations;
}

}  // namespace wakesim::experiment
