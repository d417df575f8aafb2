// The lost-wakeup watchdog must never re-arm itself at the current instant: on an oversubscribed host a
// vCPU can stay runnable (not blocked) with an interrupt pending for longer than the watchdog timeout,
// and the watchdog used to fire again and again at one simulated time, so the run never ended.
// Regression case: workloads/idle_consolidated.toml, single-lock, its first three replicates, 300 ms.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>

#include <gtest/gtest.h>

#include "sim/experiment/config.h"
#include "sim/experiment/runner.h"

namespace wakesim::kernel {
namespace {

TEST(LostWakeupWatchdog, AnOverdueRunnableVcpuDoesNotStopTime) {
  const auto loaded = experiment::load_config(std::string(WAKESIM_SOURCE_DIR) + "/workloads/idle_consolidated.toml",
                                              {"run.duration=300ms", "run.replicates=3"});
  for (int replicate = 0; replicate < 3; ++replicate) {
    // With the bug the run never returns: fail within a bounded time instead of hanging the suite
    // (each run takes well under a second in a release build, a few seconds under ASan).
    auto run =
        std::async(std::launch::async, [&] { return experiment::run_one(loaded.config, "single-lock", replicate); });
    if (run.wait_for(std::chrono::seconds(120)) != std::future_status::ready) {
      std::fprintf(stderr, "replicate %d did not finish in 120 s: simulated time has stopped\n", replicate);
      std::_Exit(1);  // the stuck run cannot be cancelled; end the test binary as failed
    }
    const experiment::RunRecord r = run.get();
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_LT(r.result.events, 5'000'000u);  // under 1M when time moves on
  }
}

}  // namespace
}  // namespace wakesim::kernel
