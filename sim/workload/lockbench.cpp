#include "sim/workload/lockbench.h"

#include <fmt/format.h>

#include "sim/engine/errors.h"

namespace wakesim::workload {

const config::Section<LockbenchParams>& LockbenchParams::schema() {
  static const auto s =
      config::Section<LockbenchParams>("lockbench", "lock micro-benchmark (no KVM)")
          .field(&LockbenchParams::cpus, "cpus", "pCPUs contending for the lock", {.min = 1, .max = 65536})
          .choice(&LockbenchParams::placement, "placement",
                  "which pCPUs: compact (socket 0 first) or spread (alternate sockets)",
                  {{"compact", Placement::kCompact}, {"spread", Placement::kSpread}})
          .field(&LockbenchParams::think, "think", "non-critical work between two acquisitions")
          .field(&LockbenchParams::critical, "critical", "compute time inside the critical section")
          .field(&LockbenchParams::shared_lines, "shared_lines", "shared cache lines written in each critical section",
                 {.min = 0, .max = 4096})
          .field(&LockbenchParams::irqs_off, "irqs_off", "disable IRQs around the lock (spin_lock_irqsave)");
  return s;
}

std::vector<hw::PcpuId> place(const hw::Topology& topology, int count, Placement placement) {
  if (static_cast<uint32_t>(count) > topology.pcpus())
    throw engine::UserError(
        fmt::format("error: lockbench.cpus: {} pCPUs asked for, the host has {}", count, topology.pcpus()));
  std::vector<hw::PcpuId> out;
  if (placement == Placement::kCompact) {
    for (int i = 0; i < count; ++i) out.push_back(hw::PcpuId{static_cast<uint32_t>(i)});
    return out;
  }
  // Round-robin over sockets, in Linux order within each socket.
  std::vector<std::vector<hw::PcpuId>> by_socket(static_cast<size_t>(topology.sockets()));
  for (uint32_t p = 0; p < topology.pcpus(); ++p)
    by_socket[static_cast<size_t>(topology.socket_of(hw::PcpuId{p}))].push_back(hw::PcpuId{p});
  for (size_t i = 0; static_cast<int>(out.size()) < count; ++i)
    for (auto& socket : by_socket)
      if (i < socket.size() && static_cast<int>(out.size()) < count) out.push_back(socket[i]);
  return out;
}

Lockbench::Lockbench(hw::Machine& machine, const LockbenchParams& params, hw::LockKind kind)
    : machine_(machine),
      params_(params),
      pcpus_(place(machine.topology(), params.cpus, params.placement)),
      lock_(hw::make_spinlock(kind, class_, 0)) {
  for (int i = 0; i < params.shared_lines; ++i) shared_.push_back(std::make_unique<hw::CacheLine>(0));
  for (size_t i = 0; i < pcpus_.size(); ++i) {
    // Streams are keyed by the worker's index, so every lock kind sees the same think and critical times.
    think_rng_.push_back(machine.sim().stream(i, "lockbench-think"));
    critical_rng_.push_back(machine.sim().stream(i, "lockbench-critical"));
  }
}

void Lockbench::start() {
  for (size_t i = 0; i < pcpus_.size(); ++i) {
    hw::Cpu& cpu = machine_.cpu(pcpus_[i]);
    cpu.start_thread(worker(cpu, i));
  }
}

void Lockbench::reset_statistics() {
  class_.reset_statistics();
  iterations_ = 0;
  machine_.reset_statistics();
}

hw::Path Lockbench::worker(hw::Cpu& cpu, size_t index) {
  // The progress guard: iterations that take no simulated time at all (every think, critical and
  // memory cost 0) would loop forever inside one event.
  constexpr uint64_t kMaxZeroTimeIterations = 1'000;  // each resumes the next on the stack in unoptimised builds
  uint64_t zero_time_iterations = 0;
  for (;;) {
    const engine::Time started = cpu.now();
    co_await cpu.compute(params_.think.sample_time(think_rng_[index]));
    if (params_.irqs_off) cpu.irq_disable();
    co_await lock_->acquire(cpu);
    for (auto& line : shared_) co_await cpu.store(*line);
    co_await cpu.compute(params_.critical.sample_time(critical_rng_[index]));
    co_await lock_->release(cpu);
    if (params_.irqs_off) co_await cpu.irq_enable();
    ++iterations_;
    zero_time_iterations = cpu.now() == started ? zero_time_iterations + 1 : 0;
    if (zero_time_iterations > kMaxZeroTimeIterations) [[unlikely]]
      throw engine::UserError(fmt::format(
          "lockbench: pCPU {} did {} lock acquisitions in a row that took no simulated time (at {}): "
          "lockbench.think and lockbench.critical sample 0 and the lock's memory costs (host.cache.*) are 0, so "
          "time cannot advance; give think or critical a non-zero duration",
          cpu.id(), kMaxZeroTimeIterations, cpu.now()));
  }
}

}  // namespace wakesim::workload
