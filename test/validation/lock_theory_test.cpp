// The spinlock model against theory and against its own cost model:
//  (a) with every coherence cost zero and exponential times, N pCPUs contending for one lock are the
//      finite-source single-server queue ("machine repairman", Kleinrock, Queueing Systems Vol. 1,
//      1975, §3.10): p0 = 1 / sum_{k=0..N} N!/(N-k)! rho^k with rho = lambda / mu; throughput
//      X = mu (1 - p0); mean wait Wq = N / X - 1 / lambda - 1 / mu. Checked within the 95% confidence
//      interval of the run's own replicates, for several N and both algorithms;
//  (b) an uncontended acquire + release costs exactly the sum of its line operations;
//  (c) on a 2-socket host with a short critical section the ticket lock's throughput rises, peaks and
//      collapses as N grows, while the queued lock stays near its peak (Boyd-Wickizer et al. 2012);
//  (d) x86-TSO: the release is visible only after the critical section's stores, so each shared line
//      written inside it lengthens the hold by one line transfer when store misses cannot overlap
//      (one fill buffer), and by about one transfer in all when they can (early RFOs, coherence.h);
//      throughput falls accordingly.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/engine/simulation.h"
#include "sim/experiment/config.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/summary.h"
#include "sim/hw/machine.h"
#include "sim/hw/spinlock.h"

namespace wakesim {
namespace {

using namespace engine::literals;

std::map<std::pair<std::string, std::string>, stats::ConfidenceInterval> run_lockbench(
    const std::vector<std::string>& overrides) {
  std::vector<std::string> all = {"scenario=lockbench"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  const experiment::Config config = experiment::load_config(std::nullopt, all).config;
  const experiment::ExperimentResult result = experiment::run_experiment(config, 0);
  EXPECT_EQ(result.failures(), 0u);
  std::map<std::pair<std::string, std::string>, stats::ConfidenceInterval> out;
  for (const auto& s : experiment::summarize(result)) out[{s.design, s.metric}] = s.ci;
  return out;
}

const std::vector<std::string> kZeroCosts = {
    "host.cache.l1_latency=0",  "host.cache.l2_latency=0", "host.cache.llc_latency=0", "host.cache.atomic=0",
    "host.cache.smt_sibling=0", "host.cache.same_llc=0",   "host.cache.same_socket=0", "host.cache.remote_socket=0",
    "host.cache.dram_local=0",  "host.cache.dram_remote=0"};

class FiniteSourceQueue : public ::testing::TestWithParam<int> {};

TEST_P(FiniteSourceQueue, ThroughputAndMeanWaitMatchTheClosedForm) {
  const int n = GetParam();
  const double think_us = 2.0, critical_us = 0.5;  // lambda = 0.5/us per pCPU, mu = 2/us
  const double lambda = 1 / think_us, mu = 1 / critical_us, rho = lambda / mu;
  double sum = 0, term = 1;
  for (int k = 0; k <= n; ++k) {
    if (k > 0) term *= (n - k + 1) * rho;
    sum += term;
  }
  const double p0 = 1 / sum;
  const double throughput_per_us = mu * (1 - p0);
  const double wait_us = n / throughput_per_us - 1 / lambda - 1 / mu;

  std::vector<std::string> o = kZeroCosts;
  o.insert(o.end(), {"lockbench.cpus=" + std::to_string(n), "lockbench.think=exp(2us)", "lockbench.critical=exp(500ns)",
                     "lockbench.shared_lines=0", "run.warmup=200us", "run.duration=20ms", "run.replicates=10"});
  auto m = run_lockbench(o);
  for (const char* design : {"ticket", "qspinlock"}) {
    const auto& x = m[{design, "throughput"}];
    const auto& w = m[{design, "wait.mean"}];
    EXPECT_GE(throughput_per_us * 1e6, x.lo) << design << " N=" << n;
    EXPECT_LE(throughput_per_us * 1e6, x.hi) << design << " N=" << n;
    EXPECT_GE(wait_us * 1e3, w.lo) << design << " N=" << n << " mean wait (ns)";
    EXPECT_LE(wait_us * 1e3, w.hi) << design << " N=" << n << " mean wait (ns)";
    EXPECT_LT(x.half_width, 0.02 * x.mean) << "interval too wide to be a meaningful check";
  }
}

INSTANTIATE_TEST_SUITE_P(SeveralN, FiniteSourceQueue, ::testing::Values(2, 4, 8));

struct Timed {
  engine::Time acquire, release;
};

// Runs acquire then release on `cpu` and returns how long each took.
Timed time_one(engine::Simulation& sim, hw::Machine& machine, hw::Spinlock& lock, hw::PcpuId p) {
  Timed t{};
  auto path = [&](hw::Cpu& cpu) -> hw::Path {
    const engine::Time start = cpu.now();
    co_await lock.acquire(cpu);
    t.acquire = cpu.now() - start;
    const engine::Time mid = cpu.now();
    co_await lock.release(cpu);
    t.release = cpu.now() - mid;
  };
  hw::Cpu& cpu = machine.cpu(p);
  cpu.start_thread(path(cpu));
  sim.run_until(sim.now() + 1_ms);
  return t;
}

TEST(UncontendedLock, CostsExactlyTheSumOfItsLineOperations) {
  for (hw::LockKind kind : {hw::LockKind::kTicket, hw::LockKind::kQueued}) {
    engine::Simulation sim(1);
    hw::HostParams host;  // icelake-2s defaults
    hw::Machine machine(sim, host);
    const hw::CacheParams& c = host.cache;
    hw::LockClass cls("test");
    auto lock = hw::make_spinlock(kind, cls, /*home_socket=*/0);
    // Cold line: an RMW from DRAM; the release is a store to the owned line (a hit).
    Timed first = time_one(sim, machine, *lock, hw::PcpuId{0});
    EXPECT_EQ(first.acquire, c.dram_local + c.atomic);
    EXPECT_EQ(first.release, c.l1_latency);
    // Again on the same pCPU: the line is owned, so hit + atomic.
    Timed again = time_one(sim, machine, *lock, hw::PcpuId{0});
    EXPECT_EQ(again.acquire, c.l1_latency + c.atomic);
    // From the other socket: one cross-socket transfer, then the release is a hit again.
    Timed remote = time_one(sim, machine, *lock, hw::PcpuId{32});
    EXPECT_EQ(remote.acquire, c.remote_socket + c.atomic);
    EXPECT_EQ(remote.release, c.l1_latency);
    EXPECT_EQ(cls.acquisitions(), 3u);
    EXPECT_EQ(cls.contended(), 0u);
  }
}

TEST(LockScaling, TicketLockCollapsesWhileQueuedLockHoldsItsPeak) {
  const std::vector<int> ns = {1, 2, 4, 8, 16, 32, 64};
  std::map<std::string, std::vector<double>> throughput;
  for (int n : ns) {
    auto m = run_lockbench({"host.preset=icelake-2s", "lockbench.placement=spread", "lockbench.critical=const(100ns)",
                            "lockbench.think=exp(2us)", "lockbench.cpus=" + std::to_string(n), "run.warmup=500us",
                            "run.duration=2ms", "run.replicates=1"});
    for (const char* design : {"ticket", "qspinlock"}) throughput[design].push_back(m[{design, "throughput"}].mean);
  }
  const auto& ticket = throughput["ticket"];
  const auto& queued = throughput["qspinlock"];
  const size_t peak = static_cast<size_t>(std::max_element(ticket.begin(), ticket.end()) - ticket.begin());
  EXPECT_GT(peak, 0u) << "ticket throughput should rise first";
  EXPECT_LT(peak, ns.size() - 1) << "ticket throughput should peak before the largest N";
  for (size_t i = 1; i <= peak; ++i) EXPECT_GT(ticket[i], ticket[i - 1]) << "rising at N=" << ns[i];
  for (size_t i = peak + 1; i < ns.size(); ++i) EXPECT_LT(ticket[i], ticket[i - 1]) << "falling at N=" << ns[i];
  EXPECT_LT(ticket.back(), 0.5 * ticket[peak]) << "collapse";
  const double queued_peak = *std::max_element(queued.begin(), queued.end());
  EXPECT_GT(queued.back(), 0.9 * queued_peak) << "the queued lock stays near its peak";
  EXPECT_GT(queued.back(), 3 * ticket.back());
}

// (d): 32 pCPUs of one socket (every transfer is a same-LLC one, 51.3 ns), no compute in the critical
// section, which writes L lines last written by the previous holder.
TEST(LockUnderTso, EachSharedLineWrittenInTheCriticalSectionDelaysTheRelease) {
  const double transfer_ns = hw::CacheParams{}.same_llc.ns();
  std::map<int, std::map<int, std::pair<double, double>>> hold_and_throughput;  // [fill buffers][lines]
  for (int buffers : {1, 12}) {
    for (int lines : {0, 2, 8}) {
      auto m = run_lockbench({"host.preset=icelake-2s", "lockbench.placement=compact", "lockbench.cpus=32",
                              "lockbench.critical=const(0)", "lockbench.think=exp(2us)",
                              "lockbench.shared_lines=" + std::to_string(lines),
                              "host.cache.fill_buffers=" + std::to_string(buffers), "run.warmup=200us",
                              "run.duration=2ms", "run.replicates=1"});
      hold_and_throughput[buffers][lines] = {m[{"qspinlock", "hold.mean"}].mean, m[{"qspinlock", "throughput"}].mean};
    }
  }
  // No store-miss overlap: the stores drain one transfer after another before the release.
  const auto& serial = hold_and_throughput[1];
  for (int lines : {2, 8}) {
    const double added = serial.at(lines).first - serial.at(0).first;
    EXPECT_NEAR(added, lines * transfer_ns, 0.1 * lines * transfer_ns) << lines << " lines, one fill buffer";
  }
  EXPECT_GT(serial.at(0).second, 1.2 * serial.at(2).second);
  EXPECT_GT(serial.at(2).second, 1.5 * serial.at(8).second);
  // Early RFOs: the stores' transfers overlap, so 8 lines cost about what 2 do: the added hold is the
  // stores' issue time (an L1 latency each), far below one more transfer.
  const auto& overlapped = hold_and_throughput[12];
  const double added = overlapped.at(8).first - overlapped.at(0).first;
  EXPECT_GT(added, 0.0);
  EXPECT_LT(added, 0.5 * transfer_ns);
  EXPECT_GT(overlapped.at(0).second, overlapped.at(8).second);
}

}  // namespace
}  // namespace wakesim
