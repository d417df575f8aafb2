// The memory hierarchy against its own parameters: a simulated pointer chase (the "memory" scenario,
// sim/workload/membench.h) over a working set that fits in one level, and past all of them, costs that
// level's latency, for every host preset. Working sets are chosen where the survival model is certain
// (cache_levels.h): at least 4x the level below and at most 1/4 of the level itself. The DRAM point uses
// the preset with its LLC shrunk to 4 MiB, so that a 16 MiB ring is past it (the DRAM latency does not
// depend on the LLC size; a ring past a real 105 MiB LLC would cost gigabytes of test memory).
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/experiment/config.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/summary.h"
#include "sim/hw/host_params.h"

namespace wakesim {
namespace {

double chase_ns(const std::vector<std::string>& overrides) {
  std::vector<std::string> all = {"scenario=memory", "run.designs=[\"chase\"]", "memory.warmup_rounds=2",
                                  "memory.rounds=1"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  const experiment::Config config = experiment::load_config(std::nullopt, all).config;
  const experiment::ExperimentResult result = experiment::run_experiment(config, 0);
  EXPECT_EQ(result.failures(), 0u);
  for (const auto& s : experiment::summarize(result))
    if (s.metric == "load_latency.mean") return s.ci.mean;
  ADD_FAILURE() << "no load_latency.mean";
  return 0;
}

std::string size(uint64_t bytes) { return std::to_string(bytes / 64 * 64) + "B"; }

class LevelLatency : public ::testing::TestWithParam<std::string> {};

TEST_P(LevelLatency, AChaseCostsTheLatencyOfTheLevelItsWorkingSetFitsIn) {
  const std::string preset = GetParam();
  const experiment::Config base = experiment::load_config(std::nullopt, {"host.preset=" + preset}).config;
  const hw::CacheParams& c = base.host.cache;
  const uint64_t l1 = c.l1_size.value, l2 = c.l2_size.value, llc = c.llc_size.value;
  struct Point {
    const char* level;
    uint64_t working_set;
    double expected_ns;
    std::vector<std::string> extra;
  };
  const std::vector<Point> points = {
      {"L1", l1 / 8, c.l1_latency.ns(), {}},
      {"L2",
       static_cast<uint64_t>(std::sqrt(static_cast<double>(l1) * static_cast<double>(l2))),
       c.l2_latency.ns(),
       {}},
      {"LLC",
       static_cast<uint64_t>(std::sqrt(static_cast<double>(l2) * static_cast<double>(llc))),
       c.llc_latency.ns(),
       {}},
      {"DRAM", 16ull << 20, c.dram_local.ns(), {"host.cache.llc_size=4MiB"}},
  };
  for (const Point& p : points) {
    std::vector<std::string> o = {"host.preset=" + preset, "memory.working_set=" + size(p.working_set)};
    o.insert(o.end(), p.extra.begin(), p.extra.end());
    EXPECT_NEAR(chase_ns(o), p.expected_ns, 0.03 * p.expected_ns)
        << preset << ": " << p.level << ", working set " << p.working_set << " B";
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, LevelLatency, ::testing::Values("icelake-2s", "sapphire-rapids-2s", "epyc-milan-2s"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace wakesim
