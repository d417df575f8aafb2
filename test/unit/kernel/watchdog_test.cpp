// The lost-wakeup watchdog must never re-arm itself at the current instant: on an oversubscribed host a
// vCPU can stay runnable (not blocked) with an interrupt pending for longer than the watchdog timeout,
// and the watchdog used to fire again and again at one simulated time, so the run never ended.
// Regression case: workloads/idle_consolidated.toml, single-lock, its first three replicates, 300 ms.
#include <gtest/gtest.h>

#include "sim/experiment/config.h"
#include "sim/experiment/runner.h"

namespace wakesim::kernel {
namespace {

TEST(LostWakeupWatchdog, AnOverdueRunnableVcpuDoesNotStopTime) {
  const auto loaded = experiment::load_config(std::string(WAKESIM_SOURCE_DIR) + "/workloads/idle_consolidated.toml",
                                              {"run.duration=300ms", "run.replicates=3"});
  for (int replicate = 0; replicate < 3; ++replicate) {
    const experiment::RunRecord r = experiment::run_one(loaded.config, "single-lock", replicate);
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_LT(r.result.events, 5'000'000u);  // under 1M when time moves on
  }
}

}  // namespace
}  // namespace wakesim::kernel
