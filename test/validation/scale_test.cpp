// Scale: a 1,024-pCPU host with 16,384 vCPUs builds and runs, in well under 4 GiB.
#include <fstream>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "sim/experiment/config.h"
#include "sim/experiment/preflight.h"
#include "sim/experiment/scenario.h"

namespace wakesim {
namespace {

// A size from /proc/self/status in GiB: VmHWM (the peak resident size since the last reset_peak_rss())
// or VmRSS (the resident size now).
std::optional<double> status_gib(const std::string& key) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with(key + ":")) return std::stod(line.substr(key.size() + 1)) * 1024 / (1u << 30);  // kB
  return std::nullopt;
}

// Resets the peak to the current size (Linux >= 4.0). With the size before the run subtracted, tests
// that ran earlier in the same process (`wakesim_validation_tests` without a filter) do not count.
bool reset_peak_rss() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
  return static_cast<bool>(clear_refs.flush());
}

TEST(Scale, ThousandPcpusAndSixteenThousandVcpusRunUnderFourGiB) {
  const experiment::Config config =
      experiment::load_config(std::nullopt,
                              {"host.preset=icelake-2s", "host.cores_per_socket=256", "host.threads_per_core=2",
                               "vms.count=4096", "vms.vcpus=4", "run.warmup=200us", "run.duration=500us"})
          .config;
  [[maybe_unused]] const bool peak_reset = reset_peak_rss();  // used by the optimised build's check
  const double before_gib = status_gib("VmRSS").value_or(0);
  const auto r = experiment::find_scenario("kvm")->make()->run(config, "single-lock", 1);
  double wakeups = 0;
  for (const auto& m : r.metrics)
    if (m.name == "wakeups") wakeups = m.value;
  EXPECT_GT(wakeups, 0);
  const std::optional<double> peak = status_gib("VmHWM");
  ASSERT_TRUE(peak.has_value()) << "no VmHWM in /proc/self/status";
  const double peak_gib = *peak;
  // What the run itself added (the estimate's 16 MiB base covers the process it runs in).
  const double run_gib = peak_gib - before_gib;
  RecordProperty("run_peak_mib", static_cast<int>(run_gib * 1024));
  RecordProperty("peak_rss_mib", static_cast<int>(peak_gib * 1024));
  EXPECT_LT(peak_gib, 4.0);
  // The memory estimate `check` and `run` refuse by (sim/experiment/preflight.h) errs high: a measured run
  // of the optimised build never needs more than it says (a sanitizer build's shadow memory is not in it).
  const double estimate_gib = static_cast<double>(experiment::estimate_run_memory(config).bytes_per_run) / (1u << 30);
  RecordProperty("estimate_mib", static_cast<int>(estimate_gib * 1024));
#ifdef NDEBUG
  if (peak_reset) {  // without the reset, earlier tests' peaks would count
    EXPECT_LE(run_gib, estimate_gib);
  }
#endif
}

}  // namespace
}  // namespace wakesim
