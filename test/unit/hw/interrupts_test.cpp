// Interrupt delivery (hw/interrupts.h): an IPI arrives after the latency of its distance (self, same
// socket, SMT sibling, remote socket), a device notification after its own, and many messages can be
// in flight at once, each arriving once at its own pCPU (the deliveries are pooled and reused).
#include "sim/hw/interrupts.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "hw_test_support.h"

namespace wakesim::hw {
namespace {

using namespace testing;
using engine::Time;

struct InterruptsTest : ::testing::Test {
  engine::Simulation sim{1};
  Machine machine{sim, small_host()};            // 2 sockets x 2 cores x 2 threads: pCPU p is core p % 4
  std::vector<std::pair<uint32_t, Time>> taken;  // (pCPU, when its handler ran)
  InterruptsTest() {
    for (uint32_t p = 0; p < machine.pcpus(); ++p)
      machine.cpu(PcpuId{p}).set_handler(Vector{40}, [this](Cpu& cpu, Vector) -> Path {
        taken.emplace_back(cpu.id().value, cpu.now());
        co_return;
      });
  }
};

// The handler runs after the delivery latency plus the interrupt entry (200 ns in the small host).
TEST_F(InterruptsTest, AnIpiArrivesAfterTheLatencyOfItsDistance) {
  Interrupts& irq = machine.interrupts();
  EXPECT_EQ(irq.ipi_latency(PcpuId{0}, PcpuId{0}), 50_ns);   // self
  EXPECT_EQ(irq.ipi_latency(PcpuId{0}, PcpuId{1}), 500_ns);  // same socket
  EXPECT_EQ(irq.ipi_latency(PcpuId{0}, PcpuId{4}), 500_ns);  // SMT sibling: same socket
  EXPECT_EQ(irq.ipi_latency(PcpuId{0}, PcpuId{2}), 700_ns);  // remote socket
  EXPECT_EQ(irq.ipi_latency(PcpuId{3}, PcpuId{1}), 700_ns);
  irq.send_ipi(PcpuId{0}, PcpuId{2}, Vector{40});
  irq.send_ipi(PcpuId{0}, PcpuId{1}, Vector{40});
  irq.send_ipi(PcpuId{5}, PcpuId{5}, Vector{40});
  sim.run_until(10_us);
  EXPECT_EQ(taken, (std::vector<std::pair<uint32_t, Time>>{{5, 250_ns}, {1, 700_ns}, {2, 900_ns}}));
}

TEST_F(InterruptsTest, ADeviceNotificationAndAnExplicitLatency) {
  machine.interrupts().notify_from_device(PcpuId{3}, Vector{40});  // 400 ns
  machine.interrupts().deliver_after(PcpuId{6}, Vector{40}, 1234_ns);
  sim.run_until(10_us);
  EXPECT_EQ(taken, (std::vector<std::pair<uint32_t, Time>>{{3, 600_ns}, {6, 1434_ns}}));
}

TEST_F(InterruptsTest, ManyMessagesInFlightEachArriveOnce) {
  // Rounds of IPIs from every pCPU to every other, the next round sent while the last is in flight.
  for (int round = 0; round < 3; ++round) {
    for (uint32_t from = 0; from < machine.pcpus(); ++from)
      for (uint32_t to = 0; to < machine.pcpus(); ++to)
        if (to != from) machine.interrupts().deliver_after(PcpuId{to}, Vector{40}, Time::from_ns(100 * (from + 1)));
    sim.run_until(sim.now() + 300_ns);
  }
  sim.run_until(1_ms);
  std::map<uint32_t, int> per_cpu;
  for (const auto& [cpu, when] : taken) ++per_cpu[cpu];
  // A message that finds its vector already pending coalesces (the vector is a bit): each message is
  // either taken or coalesced, none is left pending (one that arrives while the handler of the last
  // one exits is taken next, also on a pCPU that runs no thread).
  for (uint32_t p = 0; p < machine.pcpus(); ++p) {
    EXPECT_GE(per_cpu[p], 2) << "pCPU " << p;
    EXPECT_EQ(per_cpu[p] + static_cast<int>(machine.cpu(PcpuId{p}).interrupts_coalesced()), 3 * 7) << "pCPU " << p;
  }
}

}  // namespace
}  // namespace wakesim::hw
