// One conformance suite over every registered design (the three shipped ones and the test-only
// fourth): under load, with stalls injected into the handler's walk, every invariant holds (no lost
// wakeup, one list per vCPU, consistent lists, no RCU hazard); no wakeup is faster than the cheapest
// possible path; and the same seed gives the same bytes.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/experiment/config.h"
#include "sim/experiment/results_writer.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/scenario.h"
#include "sim/kernel/wakeup_design.h"
#include "test/support/loaded_kvm_host.h"

namespace wakesim {
namespace {

std::vector<std::string> registered_designs() {
  std::vector<std::string> names;
  for (const kernel::DesignEntry* d : kernel::all_designs()) names.push_back(d->name);
  return names;
}

const std::vector<std::string> kLoaded =
    testing::with(testing::loaded_kvm_host(), {"run.warmup=2ms", "run.duration=20ms", "run.replicates=1"});

double metric(const experiment::RunResult& r, const std::string& name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return m.value;
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

experiment::RunResult run(const std::string& design, const std::vector<std::string>& overrides, uint64_t seed = 1) {
  const experiment::Config config = experiment::load_config(std::nullopt, overrides).config;
  return experiment::find_scenario("kvm")->make()->run(config, design, seed);
}

class DesignConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(DesignConformance, InvariantsHoldUnderLoad) {
  const auto r = run(GetParam(), kLoaded);  // any violation throws InternalError and fails the test
  EXPECT_EQ(metric(r, "violations"), 0);
  EXPECT_EQ(metric(r, "lost_wakeups"), 0);
  EXPECT_EQ(metric(r, "rcu_hazards"), 0);
  EXPECT_GT(metric(r, "path.wakeup_vector.count"), 500) << "the wakeup-vector path must be exercised";
  EXPECT_GT(metric(r, "path.software.count"), 50);
  EXPECT_GT(metric(r, "wakeups"), 0);
}

// The pre-6.17 put (kernel.sn_on_every_put = false): a preempted blocker goes on a list with SN set.
TEST_P(DesignConformance, InvariantsHoldWithThePre617Put) {
  auto o = kLoaded;
  o.push_back("kernel.sn_on_every_put=false");
  const auto r = run(GetParam(), o);
  EXPECT_EQ(metric(r, "violations"), 0);
  EXPECT_EQ(metric(r, "lost_wakeups"), 0);
  EXPECT_GT(metric(r, "path.wakeup_vector.count"), 500);
}

TEST_P(DesignConformance, InvariantsHoldWhenTheWalkStalls) {
  auto o = kLoaded;
  o.insert(o.end(), {"design.walk_stall_probability=0.1", "design.walk_stall=30us"});
  const auto r = run(GetParam(), o);
  EXPECT_EQ(metric(r, "violations"), 0);
  EXPECT_GT(metric(r, "path.wakeup_vector.count"), 200);
}

TEST_P(DesignConformance, NoWakeupIsFasterThanTheCheapestPath) {
  const experiment::Config config = experiment::load_config(std::nullopt, kLoaded).config;
  const auto& irq = config.host.irq;
  const engine::Time floor =
      std::min({irq.device_notification, irq.ipi_self, irq.ipi_same_socket}) + irq.entry + config.kernel.vm_entry;
  const auto r = run(GetParam(), kLoaded);
  for (const auto& [name, h] : r.histograms) {
    if (name == "path.wakeup_vector") {
      ASSERT_GT(h.count(), 0u);
      EXPECT_GE(h.min(), floor) << "fastest wakeup-vector wakeup " << engine::to_string(h.min());
    }
  }
}

TEST_P(DesignConformance, SameSeedSameBytes) {
  experiment::Config config = experiment::load_config(std::nullopt, kLoaded).config;
  config.run.designs = {GetParam()};
  config.run.duration = engine::Time::from_ps(5'000'000'000);
  config.run.replicates = 2;
  const std::string a = experiment::summary_json(config, experiment::run_experiment(config, 1));
  const std::string b = experiment::summary_json(config, experiment::run_experiment(config, 2));
  EXPECT_EQ(a, b);
  config.run.seed = 2;
  EXPECT_NE(a, experiment::summary_json(config, experiment::run_experiment(config, 2)));
}

// The design-neutral list waits are filled by every design, whatever it calls its locks (the test-only
// global-lock included): one sample per sched_in that left a wakeup list and per wakeup handler.
TEST_P(DesignConformance, EveryDesignFillsTheListWaits) {
  const auto r = run(GetParam(), kLoaded);
  EXPECT_GT(metric(r, "sched_in.list_wait.count"), 100);
  EXPECT_GT(metric(r, "handler.list_wait.count"), 100);
}

INSTANTIATE_TEST_SUITE_P(EveryDesign, DesignConformance, ::testing::ValuesIn(registered_designs()),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// A stalled walk holds the list lock of every design but rcu-list: sched_in waits behind it there,
// and rcu-list's handler never waits for a list lock.
TEST(ListWait, SchedInWaitsBehindAStalledWalkUnlessTheWalkIsLockless) {
  auto o = kLoaded;
  o.insert(o.end(), {"design.walk_stall_probability=0.1", "design.walk_stall=30us"});
  for (const char* locked : {"single-lock", "split-lock", "global-lock"})
    EXPECT_GT(metric(run(locked, o), "sched_in.list_wait.max"), 10'000) << locked;
  const auto rcu = run("rcu-list", o);
  EXPECT_EQ(metric(rcu, "handler.list_wait.max"), 0);
}

TEST(DesignRegistry, TheShippedDesignsAndTheTestOnlyOneAreRegistered) {
  const auto names = registered_designs();
  for (const char* d : {"single-lock", "split-lock", "rcu-list", "handler-removes", "global-lock"})
    EXPECT_NE(std::find(names.begin(), names.end(), d), names.end()) << d;
  const experiment::Config config = experiment::load_config(std::nullopt, {}).config;
  const auto all = experiment::resolve_designs(config);
  EXPECT_EQ(all, (std::vector<std::string>{"handler-removes", "rcu-list", "single-lock", "split-lock"}))
      << "test-only designs stay out of all";
}

}  // namespace
}  // namespace wakesim
