// The VM workload's knobs do what they say: interrupt affinity sends device interrupts only to the
// first vCPUs of each VM, noise tasks take their share of CPU time, and arrival processes set the
// interrupt rate.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/experiment/config.h"
#include "sim/experiment/scenario.h"

namespace wakesim {
namespace {

double metric(const experiment::RunResult& r, const std::string& name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return m.value;
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

experiment::RunResult run(std::vector<std::string> overrides) {
  std::vector<std::string> base = {
      "host.preset=icelake-2s", "host.cores_per_socket=4", "host.threads_per_core=1", "vms.count=4", "vms.vcpus=4",
      "vms.ipi_probability=0",  "run.warmup=5ms",          "run.duration=200ms"};
  base.insert(base.end(), overrides.begin(), overrides.end());
  const experiment::Config config = experiment::load_config(std::nullopt, base).config;
  return experiment::find_scenario("kvm")->make()->run(config, "single-lock", 1);
}

TEST(VmWorkload, InterruptAffinitySendsDeviceInterruptsToTheFirstVcpusOnly) {
  const auto all = run({"vms.device_arrivals=poisson(2k/s)", "vms.timer_arrivals=poisson(250/s)"});
  const auto one =
      run({"vms.device_arrivals=poisson(2k/s)", "vms.device_vcpus=1", "vms.timer_arrivals=poisson(250/s)"});
  // 16 vCPUs x (2k + 250) = 36k/s against 4 x 2k + 16 x 250 = 12k/s.
  EXPECT_NEAR(metric(all, "interrupts"), 36e3, 0.05 * 36e3);
  EXPECT_NEAR(metric(one, "interrupts"), 12e3, 0.05 * 12e3);
}

TEST(VmWorkload, NoiseTasksTakeTheirShareOfCpuTime) {
  // 8 pinned noise tasks on 8 pCPUs, each busy 1 ms then asleep 3 ms: a quarter of the host.
  const auto r =
      run({"vms.device_arrivals=poisson(100/s)", "noise.tasks=8", "noise.burst=exp(1ms)", "noise.sleep=exp(3ms)"});
  EXPECT_NEAR(metric(r, "time.host_task"), 0.25, 0.03);
  const auto quiet = run({"vms.device_arrivals=poisson(100/s)"});
  EXPECT_EQ(metric(quiet, "time.host_task"), 0.0);
}

TEST(VmWorkload, BurstyArrivalsKeepTheirMeanRate) {
  const auto r = run({"vms.device_arrivals=onoff(on=1ms, off=3ms, rate=8k/s)", "vms.timer_arrivals=none"});
  EXPECT_NEAR(metric(r, "interrupts"), 16 * 2e3, 0.1 * 16 * 2e3);
}

}  // namespace
}  // namespace wakesim
