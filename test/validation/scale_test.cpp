// Scale: a 1,024-pCPU host with 16,384 vCPUs builds and runs, in well under 4 GiB.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include "sim/experiment/config.h"
#include "sim/experiment/preflight.h"
#include "sim/experiment/scenario.h"

namespace wakesim {
namespace {

TEST(Scale, ThousandPcpusAndSixteenThousandVcpusRunUnderFourGiB) {
  const experiment::Config config =
      experiment::load_config(std::nullopt, {"host.preset=icelake-2s", "host.cores_per_socket=256",
                                             "host.threads_per_core=2", "vms.count=4096", "vms.vcpus=4",
                                             "run.warmup=200us", "run.duration=500us"})
          .config;
  const auto r = experiment::find_scenario("kvm")->make()->run(config, "single-lock", 1);
  double wakeups = 0;
  for (const auto& m : r.metrics)
    if (m.name == "wakeups") wakeups = m.value;
  EXPECT_GT(wakeups, 0);
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const double peak_gib = static_cast<double>(usage.ru_maxrss) * 1024 / (1u << 30);
  RecordProperty("peak_rss_mib", static_cast<int>(peak_gib * 1024));
  EXPECT_LT(peak_gib, 4.0);
  // The memory estimate `check` and `run` refuse by (sim/experiment/preflight.h) errs high: a measured run
  // of the optimised build never needs more than it says (a sanitizer build's shadow memory is not in it).
  const double estimate_gib = static_cast<double>(experiment::estimate_run_memory(config).bytes_per_run) / (1u << 30);
  RecordProperty("estimate_mib", static_cast<int>(estimate_gib * 1024));
#ifdef NDEBUG
  EXPECT_LE(peak_gib, estimate_gib);
#endif
}

}  // namespace
}  // namespace wakesim
