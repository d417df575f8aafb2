#include "sim/calibrate/core_to_core.h"

#include <atomic>
#include <exception>
#include <thread>

#include <fmt/format.h>

#include "sim/calibrate/pinning.h"
#include "sim/calibrate/statistics.h"
#include "sim/calibrate/transfer_pairs.h"
#include "sim/calibrate/uninstrumented.h"

namespace wakesim::calibrate {
namespace {

constexpr uint64_t kPing = 0;
constexpr uint64_t kPong = 1;

// The contended line, alone in its 64 bytes so that nothing else moves with it.
struct alignas(64) SharedLine {
  std::atomic<uint64_t> flag{kPing};
};
static_assert(sizeof(SharedLine) == 64);

// Both threads arrive here after pinning; neither spins on the shared line unless both pinned.
struct alignas(64) StartGate {
  std::atomic<int> arrived{0};
  std::atomic<bool> failed{false};

  bool pass() {
    arrived.fetch_add(1);
    while (arrived.load() < 2) {
    }
    return !failed.load();
  }
};

// Waits for `from`, writes `to`, `rounds` times: the relaxed strong CAS compiles to `lock cmpxchg`,
// retried while the other side has not answered yet (nviennot's loop, no pause).
WAKESIM_UNINSTRUMENTED void exchange(std::atomic<uint64_t>& flag, uint64_t from, uint64_t to, uint64_t rounds) {
  for (uint64_t i = 0; i < rounds; ++i) {
    uint64_t expected = from;
    while (!flag.compare_exchange_strong(expected, to, std::memory_order_relaxed, std::memory_order_relaxed))
      expected = from;
  }
}

}  // namespace

TransferPlan plan_transfers(Thoroughness thoroughness, const Topology& topology, const std::vector<int>& cpus) {
  TransferPlan plan;
  plan.pairs = select_pairs(topology.places, cpus, thoroughness);
  plan.samples = thoroughness == Thoroughness::kQuick ? 20 : thoroughness == Thoroughness::kFull ? 100 : 200;
  return plan;
}

double estimated_seconds(const TransferPlan& plan) {
  // ~150 ns one way on a VM (2 transfers per round trip) plus ~1 ms to start and pin two threads.
  return static_cast<double>(plan.pairs.size()) * (1e-3 + plan.samples * kRoundTrips * 2 * 150e-9);
}

TransferPoint measure_transfer(int cpu_a, int cpu_b, int samples, const Timer& timer) {
  SharedLine line;
  StartGate gate;
  std::exception_ptr error_a, error_b;
  std::vector<double> one_way_ns;
  one_way_ns.reserve(static_cast<size_t>(samples));

  std::thread pong([&] {
    try {
      pin_current_thread(cpu_b);
    } catch (...) {
      error_b = std::current_exception();
      gate.failed = true;
    }
    if (gate.pass()) exchange(line.flag, kPing, kPong, static_cast<uint64_t>(samples) * kRoundTrips);
  });
  std::thread ping([&] {
    try {
      pin_current_thread(cpu_a);
    } catch (...) {
      error_a = std::current_exception();
      gate.failed = true;
    }
    if (!gate.pass()) return;
    for (int sample = 0; sample < samples; ++sample) {
      const uint64_t t0 = timer.start();
      exchange(line.flag, kPong, kPing, kRoundTrips);
      const uint64_t t1 = timer.stop();
      one_way_ns.push_back(timer.elapsed_ns(t0, t1) / kRoundTrips / 2);
    }
  });
  ping.join();
  pong.join();
  if (error_a) std::rethrow_exception(error_a);
  if (error_b) std::rethrow_exception(error_b);
  return {cpu_a, cpu_b, median(one_way_ns), percentile(one_way_ns, 0.1), percentile(one_way_ns, 0.9)};
}

std::vector<TransferPoint> run_transfers(const TransferPlan& plan, const Timer& timer, ProgressTracker& progress) {
  std::vector<TransferPoint> points;
  for (const auto& [a, b] : plan.pairs) {
    progress.step(fmt::format("core-to-core {}<->{}", a, b));
    points.push_back(measure_transfer(a, b, plan.samples, timer));
  }
  return points;
}

}  // namespace wakesim::calibrate
