// The pCPU execution model: timed operations, sub-paths, interrupts preempting interruptible waits
// only, deferral while IRQs are off, spinning without per-iteration events, signals, IRQ-off time.
#include "sim/hw/cpu.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hw_test_support.h"

namespace wakesim::hw {
namespace {

using namespace testing;
using engine::Time;

struct CpuTest : ::testing::Test {
  engine::Simulation sim{1};
  Machine machine{sim, small_host()};
  Cpu& cpu0 = machine.cpu(PcpuId{0});
  Cpu& cpu1 = machine.cpu(PcpuId{1});
  std::vector<std::string> log;
  void note(Cpu& cpu, const std::string& what) { log.push_back(fmt::format("{}@{}", what, cpu.now())); }
};

Path child(Cpu& cpu, std::vector<std::string>& log) {
  co_await cpu.compute(10_ns);
  log.push_back(fmt::format("child@{}", cpu.now()));
}

TEST_F(CpuTest, ComputeAndSubPathsRunInOrder) {
  auto main_path = [&](Cpu& cpu) -> Path {
    co_await cpu.compute(5_ns);
    note(cpu, "a");
    co_await child(cpu, log);
    co_await cpu.compute(1_ns);
    note(cpu, "b");
  };
  cpu0.start_thread(main_path(cpu0));
  sim.run_until(1_us);
  EXPECT_EQ(log, (std::vector<std::string>{"a@5ns", "child@15ns", "b@16ns"}));
  EXPECT_FALSE(cpu0.busy());
  EXPECT_EQ(cpu0.frame_pool().frames_in_use(), 0u);
}

TEST_F(CpuTest, EveryPcpuTakesFramesFromItsMachinesPool) {
  EXPECT_EQ(&cpu0.frame_pool(), &machine.frame_pool());
  EXPECT_EQ(&cpu1.frame_pool(), &machine.frame_pool());
  // A path that first runs on pCPU 1 takes the frame pCPU 0's path gave back: nothing new is taken.
  cpu0.start_thread(child(cpu0, log));
  sim.run_until(1_us);
  const size_t chunks = machine.frame_pool().chunks();
  cpu1.start_thread(child(cpu1, log));
  sim.run_until(2_us);
  EXPECT_EQ(log, (std::vector<std::string>{"child@10ns", "child@1.01us"}));
  EXPECT_EQ(machine.frame_pool().chunks(), chunks);
  EXPECT_EQ(machine.frame_pool().frames_in_use(), 0u);
}

TEST_F(CpuTest, InterruptPausesComputeWhichResumesWithItsRemainingTime) {
  cpu0.set_handler(Vector{40}, [&](Cpu& cpu, Vector) -> Path {
    note(cpu, "handler");
    co_await cpu.compute(300_ns);
  });
  auto work = [&](Cpu& cpu) -> Path {
    co_await cpu.compute(1_us);
    note(cpu, "done");
  };
  cpu0.start_thread(work(cpu0));
  machine.interrupts().deliver_after(PcpuId{0}, Vector{40}, 400_ns);
  sim.run_until(10_us);
  // entry 200 ns, handler 300 ns, exit 100 ns: the 1 us of work ends 600 ns late.
  EXPECT_EQ(log, (std::vector<std::string>{"handler@600ns", "done@1.6us"}));
  EXPECT_EQ(cpu0.interrupts_taken(), 1u);
  ASSERT_EQ(cpu0.irq_off_time().count(), 1u);
  EXPECT_EQ(cpu0.irq_off_time().max(), 600_ns);
}

TEST_F(CpuTest, InterruptWaitsWhileIrqsAreOff) {
  cpu0.set_handler(Vector{40}, [&](Cpu& cpu, Vector) -> Path {
    note(cpu, "handler");
    co_return;
  });
  auto work = [&](Cpu& cpu) -> Path {
    cpu.irq_disable();
    co_await cpu.compute(1_us);
    note(cpu, "enable");
    co_await cpu.irq_enable();
    note(cpu, "after");
  };
  cpu0.start_thread(work(cpu0));
  machine.interrupts().deliver_after(PcpuId{0}, Vector{40}, 100_ns);
  sim.run_until(10_us);
  EXPECT_EQ(log, (std::vector<std::string>{"enable@1us", "handler@1.2us", "after@1.3us"}));
  ASSERT_EQ(cpu0.irq_off_time().count(), 2u);  // the irq_disable section, then the handler
  EXPECT_EQ(cpu0.irq_off_time().max(), 1_us);
}

TEST_F(CpuTest, LineOperationsAreNotInterrupted) {
  cpu0.set_handler(Vector{40}, [&](Cpu& cpu, Vector) -> Path {
    note(cpu, "handler");
    co_return;
  });
  CacheLine remote(1);
  auto work = [&](Cpu& cpu) -> Path {
    co_await cpu.load(remote);  // 140 ns from remote DRAM
    note(cpu, "loaded");
  };
  cpu0.start_thread(work(cpu0));
  machine.interrupts().deliver_after(PcpuId{0}, Vector{40}, 50_ns);
  sim.run_until(10_us);
  // The interrupt is taken at the end of the load, before the path continues.
  EXPECT_EQ(log, (std::vector<std::string>{"handler@340ns", "loaded@440ns"}));
}

TEST_F(CpuTest, RunInterruptibleReturnsEarlyWithTimeLeft) {
  Time left = Time::max();
  auto guest = [&](Cpu& cpu) -> Path {
    const Time preempt_cost = 1_us;
    left = co_await cpu.run_interruptible(10_us, preempt_cost);
    note(cpu, "exited");
  };
  cpu0.start_thread(guest(cpu0));
  machine.interrupts().deliver_after(PcpuId{0}, Vector{41}, 2_us);
  sim.run_until(1_ms);
  EXPECT_EQ(left, 8_us);
  // preemption cost 1 us + entry 200 ns + no handler + exit 100 ns.
  EXPECT_EQ(log, (std::vector<std::string>{"exited@3.3us"}));
}

// Memory-level parallelism: a load issued early (prefetch) overlaps the loads after it; a dependent
// chain pays each miss. Two cold lines from local DRAM (80 ns each).
TEST_F(CpuTest, IndependentLoadsOverlapAndDependentOnesDoNot) {
  CacheLine a(0), b(0), c(0), d(0);
  auto overlapped = [&](Cpu& cpu) -> Path {
    cpu.prefetch(a);       // the address of a is known: its load goes out now
    co_await cpu.load(b);  // 80 ns, meanwhile a arrives too
    co_await cpu.load(a);  // already there
    note(cpu, "overlapped");
  };
  auto chained = [&](Cpu& cpu) -> Path {
    co_await cpu.load(c);
    co_await cpu.load(d);  // its address came from c
    note(cpu, "chained");
  };
  cpu0.start_thread(overlapped(cpu0));
  cpu1.start_thread(chained(cpu1));
  sim.run_until(1_us);
  EXPECT_EQ(log, (std::vector<std::string>{"overlapped@80ns", "chained@160ns"}));
}

// A line written by another pCPU between the early load and its use is loaded again (the early
// value is stale: an x86 core replays the load).
TEST_F(CpuTest, AnEarlyLoadOfALineWrittenSinceIsReplayed) {
  CacheLine a(0);
  auto reader = [&](Cpu& cpu) -> Path {
    cpu.prefetch(a);  // DRAM: arrives at 80 ns
    co_await cpu.compute(200_ns);
    co_await cpu.load(a);  // cpu1 wrote it at 100 ns: a transfer from cpu1 (50 ns)
    note(cpu, "loaded");
  };
  auto writer = [&](Cpu& cpu) -> Path {
    co_await cpu.compute(100_ns);
    co_await cpu.store(a);
  };
  cpu0.start_thread(reader(cpu0));
  cpu1.start_thread(writer(cpu1));
  sim.run_until(1_us);
  EXPECT_EQ(log, (std::vector<std::string>{"loaded@250ns"}));
}

// smp_mb waits for the store buffer to drain: after a store to a remote-owned line, a fence costs the
// rest of that store's transfer plus the barrier.
TEST_F(CpuTest, AFenceWaitsForTheStoreBufferToDrain) {
  CacheLine remote_line(0);
  auto owner = [&](Cpu& cpu) -> Path { co_await cpu.store(remote_line); };
  machine.cpu(PcpuId{2}).start_thread(owner(machine.cpu(PcpuId{2})));
  sim.run_until(1_us);
  auto path = [&](Cpu& cpu) -> Path {
    co_await cpu.store(remote_line);  // retires after 1 ns; visible after the 100 ns remote transfer
    note(cpu, "stored");
    co_await cpu.fence(6_ns);
    note(cpu, "fenced");
  };
  cpu0.start_thread(path(cpu0));
  sim.run_until(2_us);
  EXPECT_EQ(log, (std::vector<std::string>{"stored@1.001us", "fenced@1.106us"}));
}

TEST_F(CpuTest, RunInterruptibleInFullReturnsZero) {
  Time left = Time::max();
  auto guest = [&](Cpu& cpu) -> Path { left = co_await cpu.run_interruptible(10_us); };
  cpu0.start_thread(guest(cpu0));
  sim.run_until(1_ms);
  EXPECT_EQ(left, Time::zero());
}

TEST_F(CpuTest, SpinnerWakesOnWriteWithoutEventsWhileWaiting) {
  CacheLine flag(0);
  bool set = false;
  auto spinner = [&](Cpu& cpu) -> Path {
    co_await cpu.spin_until(flag, [&] { return set; });
    note(cpu, "saw");
  };
  auto setter = [&](Cpu& cpu) -> Path {
    co_await cpu.compute(1_ms);
    set = true;
    co_await cpu.store(flag);
  };
  cpu0.start_thread(spinner(cpu0));
  cpu1.start_thread(setter(cpu1));
  sim.run_until(2_ms);
  ASSERT_EQ(log.size(), 1u);
  // The store (p1 takes the line from sharer p0: 50 ns), then p0 re-reads it (50 ns).
  EXPECT_EQ(log[0], "saw@1.0001ms");
  EXPECT_LT(sim.events_executed(), 10u);
}

TEST_F(CpuTest, SignalWaitAndNotify) {
  Signal s;
  auto waiter = [&](Cpu& cpu) -> Path {
    co_await cpu.wait(s);
    note(cpu, "woken");
  };
  auto notifier = [&](Cpu& cpu) -> Path {
    co_await cpu.compute(3_us);
    s.notify();
  };
  cpu0.start_thread(waiter(cpu0));
  cpu1.start_thread(notifier(cpu1));
  sim.run_until(1_ms);
  EXPECT_EQ(log, (std::vector<std::string>{"woken@3us"}));
}

TEST_F(CpuTest, InterruptDuringSignalWaitPaysPreemptCostAndKeepsWaiting) {
  Signal s;
  cpu0.set_handler(Vector{40}, [&](Cpu& cpu, Vector) -> Path {
    note(cpu, "handler");
    co_return;
  });
  auto idle = [&](Cpu& cpu) -> Path {
    const Time preempt_cost = 2_us;  // e.g. an idle state's exit latency
    co_await cpu.wait(s, preempt_cost);
    note(cpu, "woken");
  };
  cpu0.start_thread(idle(cpu0));
  machine.interrupts().deliver_after(PcpuId{0}, Vector{40}, 1_us);
  engine::EventFn notify([&] { s.notify(); }, "notify");
  sim.schedule_at(notify, 10_us);
  sim.run_until(1_ms);
  EXPECT_EQ(log, (std::vector<std::string>{"handler@3.2us", "woken@10us"}));
}

TEST_F(CpuTest, HighestPendingVectorFirstAndDuplicatesCoalesce) {
  for (uint8_t v : {40, 50}) {
    cpu0.set_handler(Vector{v}, [&, v](Cpu& cpu, Vector) -> Path {
      note(cpu, fmt::format("v{}", v));
      co_return;
    });
  }
  auto work = [&](Cpu& cpu) -> Path {
    cpu.irq_disable();
    co_await cpu.compute(1_us);
    co_await cpu.irq_enable();
  };
  cpu0.start_thread(work(cpu0));
  for (uint8_t v : {40, 50, 40}) machine.interrupts().deliver_after(PcpuId{0}, Vector{v}, 100_ns);
  sim.run_until(1_ms);
  EXPECT_EQ(log, (std::vector<std::string>{"v50@1.2us", "v40@1.5us"}));
  EXPECT_EQ(cpu0.interrupts_coalesced(), 1u);
}

TEST_F(CpuTest, IdlePcpuTakesInterruptsAtOnce) {
  cpu0.set_handler(Vector{40}, [&](Cpu& cpu, Vector) -> Path {
    note(cpu, "handler");
    co_return;
  });
  machine.interrupts().send_ipi(PcpuId{2}, PcpuId{0}, Vector{40});  // remote socket: 700 ns
  sim.run_until(1_ms);
  EXPECT_EQ(log, (std::vector<std::string>{"handler@900ns"}));
  EXPECT_FALSE(cpu0.busy());
}

}  // namespace
}  // namespace wakesim::hw

namespace wakesim::hw {
namespace {

TEST_F(CpuTest, SignalWaitWithDeadline) {
  Signal never, later;
  std::vector<bool> results;
  auto waiter = [&](Cpu& cpu) -> Path {
    results.push_back(co_await cpu.wait(never, engine::Time::zero(), cpu.now() + 5_us));
    note(cpu, "timeout");
    results.push_back(co_await cpu.wait(later, engine::Time::zero(), cpu.now() + 5_us));
    note(cpu, "notified");
  };
  cpu0.start_thread(waiter(cpu0));
  engine::EventFn notify([&] { later.notify(); }, "notify");
  sim.schedule_at(notify, 7_us);
  sim.run_until(1_ms);
  EXPECT_EQ(results, (std::vector<bool>{false, true}));
  EXPECT_EQ(log, (std::vector<std::string>{"timeout@5us", "notified@7us"}));
}

}  // namespace
}  // namespace wakesim::hw
