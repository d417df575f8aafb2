// Spinlock algorithms: mutual exclusion and progress under contention, FIFO hand-off for the ticket
// lock, statistics, and spinning that an interrupt can preempt.
#include "sim/hw/spinlock.h"

#include <vector>

#include <gtest/gtest.h>

#include "hw_test_support.h"

namespace wakesim::hw {
namespace {

using namespace testing;

class SpinlockTest : public ::testing::TestWithParam<LockKind> {
 protected:
  engine::Simulation sim{7};
  Machine machine{sim, small_host()};
  LockClass cls{"test"};
  std::unique_ptr<Spinlock> lock = make_spinlock(GetParam(), cls, 0);
  int inside = 0;
  int max_inside = 0;
  std::vector<uint32_t> order;

  Path worker(Cpu& cpu, int rounds, engine::Time think) {
    for (int i = 0; i < rounds; ++i) {
      co_await cpu.compute(think);
      co_await lock->acquire(cpu);
      order.push_back(cpu.id().value);
      max_inside = std::max(max_inside, ++inside);
      co_await cpu.compute(30_ns);
      --inside;
      co_await lock->release(cpu);
    }
  }
};

TEST_P(SpinlockTest, MutualExclusionAndProgressUnderContention) {
  for (uint32_t p = 0; p < machine.pcpus(); ++p)
    machine.cpu(PcpuId{p}).start_thread(worker(machine.cpu(PcpuId{p}), 200, 5_ns));
  sim.run_until(1_s);
  EXPECT_EQ(max_inside, 1);
  EXPECT_EQ(cls.acquisitions(), 8u * 200u);
  EXPECT_GT(cls.contended_fraction(), 0.5);
  EXPECT_FALSE(lock->held());
  EXPECT_EQ(lock->waiters(), 0u);
  for (uint32_t p = 0; p < machine.pcpus(); ++p) EXPECT_FALSE(machine.cpu(PcpuId{p}).busy());
  EXPECT_EQ(cls.wait().count(), cls.acquisitions());
  EXPECT_EQ(cls.hold().count(), cls.acquisitions());
}

TEST_P(SpinlockTest, SpinningWithIrqsOnIsInterruptible) {
  int handled = 0;
  Cpu& waiter = machine.cpu(PcpuId{1});
  waiter.set_handler(Vector{40}, [&](Cpu& cpu, Vector) -> Path {
    ++handled;
    co_await cpu.compute(1_us);
  });
  Cpu& holder = machine.cpu(PcpuId{0});
  auto hold_long = [&](Cpu& cpu) -> Path {
    co_await lock->acquire(cpu);
    co_await cpu.compute(10_us);
    co_await lock->release(cpu);
  };
  holder.start_thread(hold_long(holder));
  waiter.start_thread(worker(waiter, 1, 100_ns));
  machine.interrupts().deliver_after(PcpuId{1}, Vector{40}, 2_us);  // while the waiter spins
  sim.run_until(1_ms);
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(cls.acquisitions(), 2u);
  EXPECT_GE(cls.wait().max(), 9_us);
}

INSTANTIATE_TEST_SUITE_P(BothKinds, SpinlockTest, ::testing::Values(LockKind::kTicket, LockKind::kQueued),
                         [](const auto& info) { return info.param == LockKind::kTicket ? "Ticket" : "Queued"; });

TEST(TicketLock, GrantsInTicketOrder) {
  engine::Simulation sim(1);
  Machine machine(sim, small_host());
  LockClass cls("fifo");
  TicketLock lock(cls, 0);
  std::vector<uint32_t> order;
  auto take = [&](Cpu& cpu, engine::Time delay) -> Path {
    co_await cpu.compute(delay);
    co_await lock.acquire(cpu);
    order.push_back(cpu.id().value);
    co_await cpu.compute(1_us);
    co_await lock.release(cpu);
  };
  // pCPU 0 takes it first; the others queue in the order of their xadd.
  const uint32_t arrivals[] = {0, 5, 2, 7, 1};
  for (size_t i = 0; i < 5; ++i)
    machine.cpu(PcpuId{arrivals[i]})
        .start_thread(take(machine.cpu(PcpuId{arrivals[i]}), engine::Time::from_ps(static_cast<int64_t>(i) * 100'000)));
  sim.run_until(1_ms);
  EXPECT_EQ(order, (std::vector<uint32_t>{0, 5, 2, 7, 1}));
}

}  // namespace
}  // namespace wakesim::hw
