// The host scheduler (kernel/scheduler.h) on a small machine (2 sockets x 2 cores x 2 threads, one LLC
// per socket: pCPUs 0, 1, 4, 5 share socket 0's LLC, 2, 3, 6, 7 socket 1's): wake placement
// (select_task_rq: the previous pCPU if idle, else an idle pCPU of its LLC within the affinity, else
// queue on the previous one), the wakelist rule (ttwu_queue_cond: an IPI to the target when it is on
// another LLC or idle, a direct enqueue otherwise), time slices, and idle balancing (newidle_balance
// pulls a waiting task to a pCPU that goes idle).
#include "sim/kernel/scheduler.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../hw/hw_test_support.h"

namespace wakesim::kernel {
namespace {

using engine::Time;
using namespace engine::literals;
using hw::PcpuId;

struct Start {
  std::string task;
  uint32_t cpu;
  Time at;
  bool operator==(const Start&) const = default;
};

// Runs its bursts in turn: each one computes for its length (preemptible at the slice end), then
// sleeps until something wakes it. Records where and when each burst starts.
class Worker final : public Task {
 public:
  Worker(Scheduler& s, std::string name, CpuSetPtr allowed, std::vector<Time> bursts, std::vector<Start>& log)
      : Task(s, std::move(name), std::move(allowed)), bursts_(std::move(bursts)), log_(log) {}

 protected:
  hw::Path body() override {
    Scheduler& sched = scheduler_;
    co_await sched.schedule_tail(*this);
    for (size_t i = 0;; ++i) {
      if (i < bursts_.size()) {
        log_.push_back(Start{name(), cpu().id().value, cpu().now()});
        Time left = bursts_[i];
        while (left > Time::zero()) {
          left = co_await cpu().run_interruptible(left, Time::zero(), nullptr, nullptr);
          if (sched.need_resched(cpu().id())) co_await sched.schedule(*this);
        }
      }
      co_await sched.set_current_state_sleeping(cpu(), *this);
      co_await sched.schedule(*this);
    }
  }

 private:
  std::vector<Time> bursts_;
  std::vector<Start>& log_;
};

struct SchedulerTest : ::testing::Test {
  engine::Simulation sim{1};
  hw::Machine machine{sim, hw::testing::small_host()};
  KernelParams params = [] {
    KernelParams p;
    p.idle_state = hw::IdleState::kPoll;  // no idle exit latency: times below are the scheduler's own
    p.idle_governor = IdleGovernorKind::kFixed;
    return p;
  }();
  Scheduler sched{machine, params};
  std::vector<Start> log;
  std::vector<std::unique_ptr<Worker>> workers;

  Worker& add(std::string name, const std::vector<uint32_t>& cpus, std::vector<Time> bursts) {
    std::vector<PcpuId> ids;
    ids.reserve(cpus.size());
    for (uint32_t c : cpus) ids.push_back(PcpuId{c});
    workers.push_back(std::make_unique<Worker>(sched, std::move(name), sched.cpu_set(ids), std::move(bursts), log));
    sched.add_task(*workers.back());
    return *workers.back();
  }
  // try_to_wake_up(w) from pCPU `from`'s timer interrupt at `when`.
  void wake_at(Worker& w, uint32_t from, Time when) {
    sched.add_timer(PcpuId{from}, when, [this, &w](hw::Cpu& c) -> hw::Path { co_await sched.try_to_wake_up(c, w); });
  }
  std::vector<Start> starts_of(const std::string& task) const {
    std::vector<Start> out;
    for (const Start& s : log)
      if (s.task == task) out.push_back(s);
    return out;
  }
};

TEST_F(SchedulerTest, AWokenTaskRunsOnItsPreviousPcpuWhenThatIsIdle) {
  Worker& a = add("a", {0, 1, 4, 5}, {1_us, 1_us});
  sched.start();
  wake_at(a, 1, 100_us);
  sim.run_until(1_ms);
  const auto starts = starts_of("a");
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[0].cpu, 0u);  // its first allowed pCPU
  EXPECT_EQ(starts[1].cpu, 0u);  // woken: its previous pCPU, idle
  EXPECT_GT(starts[1].at, 100_us);
  EXPECT_LT(starts[1].at, 110_us);
}

TEST_F(SchedulerTest, WhenThePreviousPcpuIsBusyAnIdlePcpuOfItsLlcTakesTheTask) {
  Worker& a = add("a", {0, 1, 4, 5}, {1_us, 1_us});
  Worker& b = add("b", {0}, {1_us, 500_us});  // pinned to pCPU 0, busy from 50 us on
  sched.start();
  wake_at(b, 0, 50_us);
  wake_at(a, 2, 100_us);
  sim.run_until(1_ms);
  const auto starts = starts_of("a");
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[0].cpu, 0u);
  EXPECT_NE(starts[1].cpu, 0u);  // not behind b
  EXPECT_EQ(machine.topology().llc_of(PcpuId{starts[1].cpu}), machine.topology().llc_of(PcpuId{0}));
  EXPECT_LT(starts[1].at, 110_us);
}

TEST_F(SchedulerTest, WithNoIdlePcpuAllowedTheTaskQueuesOnItsPreviousOneForATimeSlice) {
  Worker& a = add("a", {0}, {1_us, 1_us});
  Worker& b = add("b", {0}, {1_us, 50_ms});
  sched.start();
  wake_at(b, 0, 50_us);
  wake_at(a, 1, 100_us);
  sim.run_until(60_ms);
  const auto starts = starts_of("a");
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[1].cpu, 0u);
  // a does not preempt b when it is woken: it runs when the runqueue's time slice ends (armed when a
  // task first waited behind the running one), within one time slice.
  EXPECT_GT(starts[1].at, 1_ms);
  EXPECT_LT(starts[1].at, 110_us + params.timeslice);
}

// ttwu_queue_cond: a waker on another LLC queues the task on the target's wakelist and sends it an IPI
// (CALL_FUNCTION_SINGLE); a waker sharing the target's LLC enqueues directly when the target is busy.
TEST_F(SchedulerTest, AWakerOnAnotherLlcUsesTheWakelistIpiAndALocalOneEnqueuesDirectly) {
  for (const uint32_t waker : {1u, 2u}) {
    engine::Simulation s{1};
    hw::Machine m{s, hw::testing::small_host()};
    Scheduler sc{m, params};
    std::vector<Start> l;
    Worker a(sc, "a", sc.cpu_set({PcpuId{0}}), {1_us, 1_us}, l);
    Worker b(sc, "b", sc.cpu_set({PcpuId{0}}), {1_us, 50_ms}, l);
    sc.add_task(a);
    sc.add_task(b);
    sc.start();
    sc.add_timer(PcpuId{0}, 50_us, [&](hw::Cpu& c) -> hw::Path { co_await sc.try_to_wake_up(c, b); });
    sc.add_timer(PcpuId{waker}, 100_us, [&](hw::Cpu& c) -> hw::Path { co_await sc.try_to_wake_up(c, a); });
    s.run_until(99_us);
    const uint64_t before = m.cpu(PcpuId{0}).interrupts_taken();
    s.run_until(150_us);
    const uint64_t taken = m.cpu(PcpuId{0}).interrupts_taken() - before;
    if (waker == 1) EXPECT_EQ(taken, 0u) << "same LLC, busy target: a direct enqueue, no IPI";
    else EXPECT_EQ(taken, 1u) << "another LLC: the wakelist IPI";
    EXPECT_EQ(sc.current(PcpuId{0}), &b);  // a waits behind b either way
  }
}

TEST_F(SchedulerTest, APcpuGoingIdlePullsAWaitingTask) {
  // a and b may run on pCPUs 0 and 1; c is pinned to 1 and keeps it busy until about 200 us. b is woken
  // at 100 us while a runs on 0 and c on 1: it queues on 0 behind a. When c sleeps, pCPU 1 goes idle
  // and newidle_balance pulls b over, long before a's time slice would have let it run on 0.
  Worker& a = add("a", {0, 1}, {1_us, 50_ms});
  Worker& b = add("b", {0, 1}, {1_us, 1_us});
  Worker& c = add("c", {1}, {1_us, 150_us});
  sched.start();
  wake_at(a, 0, 20_us);
  wake_at(c, 1, 50_us);
  wake_at(b, 1, 100_us);  // not from pCPU 0: a tick there with a task waiting would preempt a at once
  sim.run_until(20_ms);
  const auto starts = starts_of("b");
  ASSERT_EQ(starts.size(), 2u);
  const auto c_starts = starts_of("c");
  ASSERT_EQ(c_starts.size(), 2u);
  ASSERT_EQ(c_starts[1].cpu, 1u);
  EXPECT_EQ(starts[1].cpu, 1u);
  EXPECT_GT(starts[1].at, c_starts[1].at + 150_us);
  EXPECT_LT(starts[1].at, c_starts[1].at + 160_us);
}

}  // namespace
}  // namespace wakesim::kernel
