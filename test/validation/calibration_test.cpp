// The wakeup-list walk after pollution, against theory and against the machine `wakesim calibrate`
// measured (the committed host file results/calibration/zen5-vm.toml, regenerated with
// `wakesim calibrate --out results/calibration/zen5-vm.toml --force` on that machine).
//
//  1. Theory: on the measured host, the simulated walk of a long list costs what the survival curves
//     (sim/hw/cache_levels.h) predict: each node costs the slower of its two overlapped loads (PID[x]
//     and N[x]), each load is in L1 with probability s1(d), else L2 with s2(d), else LLC with s3(w d),
//     else DRAM, with d the bytes streamed since the last walk plus the list's own lines, and w
//     host.cache.llc_pollution_weight. Within 5% at every pollution size.
//  2. Measurement: the simulated chase and walk on that host against the measured ones: within 25% on
//     the L1 and L2 plateaus, and within a factor of 3 at every point of the walk. The goal,
//     25% at every point, is not met: the measured curve turns more gradually than the model's LRU
//     survival curves, and on this VM (whose caches other tenants share, on host cores that change
//     between invocations) the measurement itself repeats, from one `wakesim calibrate` to the next,
//     only within about 1.6x on the L2 plateau and 1.7-3x beyond the LLC, and by 6-9x within an hour;
//     within one `--repeat 3` invocation, 2 to 13 of 35-38 walk points moved by more than 25%
//     (sim/hw/README.md).
#include "sim/experiment/calibration.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/experiment/config.h"
#include "sim/experiment/host_file.h"
#include "sim/experiment/scenario.h"
#include "sim/hw/cache_levels.h"

namespace wakesim {
namespace {

const std::string kHostFile = std::string(WAKESIM_SOURCE_DIR) + "/results/calibration/zen5-vm.toml";

double expected_node_ns(const hw::CacheParams& c, uint64_t core_distance, uint64_t llc_distance) {
  const hw::CacheLevels levels(c);
  const double s1 = levels.curve(hw::Level::kL1).probability(core_distance);
  const double s2 = levels.curve(hw::Level::kL2).probability(core_distance);
  const double s3 = levels.curve(hw::Level::kLlc).probability(llc_distance);
  const std::pair<double, double> where[] = {{c.l1_latency.ns(), s1},
                                             {c.l2_latency.ns(), (1 - s1) * s2},
                                             {c.llc_latency.ns(), (1 - s1) * (1 - s2) * s3},
                                             {c.dram_local.ns(), (1 - s1) * (1 - s2) * (1 - s3)}};
  // E[max of two independent loads] = sum over levels of latency x (P(<= level)^2 - P(< level)^2).
  double below = 0, expected = 0;
  for (const auto& [latency, p] : where) {
    const double upto = below + p;
    expected += latency * (upto * upto - below * below);
    below = upto;
  }
  return expected;
}

double simulated_walk_ns(const hw::HostParams& host, uint64_t pollution, int nodes, int rounds) {
  experiment::Config config;
  config.scenario = "memory";
  config.host = host;
  config.memory.nodes = nodes;
  config.memory.rounds = rounds;
  config.memory.pollution = engine::Bytes{pollution};
  const experiment::RunResult r = experiment::find_scenario("memory")->make()->run(config, "walk", 1);
  for (const experiment::Metric& m : r.metrics)
    if (m.name == "node_latency.mean") return m.value;
  ADD_FAILURE() << "no node_latency.mean";
  return 0;
}

TEST(WalkAfterPollution, TheSimulatedWalkCostsWhatTheSurvivalCurvesPredict) {
  const experiment::StoredCalibration stored = experiment::read_host_file(kHostFile);
  const hw::CacheParams& c = stored.host.cache;
  const int nodes = 256;
  const uint64_t own_lines = uint64_t{2} * nodes * 64;  // every walk line misses L1 at these sizes
  const double w = c.llc_pollution_weight;
  // From 4x the L1 (no L1 hits: the list's own lines then add exactly 64 bytes each to the core's
  // counter) to far beyond the LLC.
  for (uint64_t f = 4 * c.l1_size.value;
       static_cast<double>(f) <= 8 * static_cast<double>(c.llc_size.value) / std::max(w, 0.05); f = f * 3 / 2) {
    const double expected =
        expected_node_ns(c, f + own_lines, static_cast<uint64_t>(std::llround(w * static_cast<double>(f))));
    const double simulated = simulated_walk_ns(stored.host, f, nodes, 16) * nodes / (nodes + 1.0);
    EXPECT_NEAR(simulated / expected, 1.0, 0.05)
        << "pollution " << f << " B: simulated " << simulated << " ns, expected " << expected << " ns";
  }
}

TEST(WalkAfterPollution, TheModelFollowsTheMeasuredMachine) {
  const experiment::StoredCalibration stored = experiment::read_host_file(kHostFile);
  const hw::CacheParams& c = stored.host.cache;
  const uint64_t l1 = c.l1_size.value, l2 = c.l2_size.value;
  const experiment::SimulatedCurves sim =
      experiment::simulate_curves(stored.host, stored.chase, stored.walk, stored.walk_nodes, 0);
  ASSERT_GE(sim.walk.size(), 10u);
  ASSERT_GE(sim.chase.size(), 10u);
  auto on_plateau = [&](uint64_t bytes) {
    return (bytes > 0 && bytes <= l1 / 2) || (bytes >= 3 * l1 / 2 && bytes <= l2 / 4);
  };
  std::string table;
  double worst = 0;
  for (const experiment::CurvePoint& p : sim.walk) {
    table += "  walk F=" + std::to_string(p.bytes) + ": measured " + std::to_string(p.measured_ns) + " simulated " +
             std::to_string(p.simulated_ns) + "\n";
    if (p.bytes == 0) continue;  // no pollution loop at all: the measured walk pays a timer artefact
    if (on_plateau(p.bytes)) {
      EXPECT_NEAR(p.ratio(), 1.0, 0.25) << "walk after " << p.bytes << " B";
    }
    worst = std::max(worst, std::abs(std::log(p.ratio())));
  }
  EXPECT_LT(std::exp(worst), 3.0) << table;
  for (const experiment::CurvePoint& p : sim.chase)
    if (on_plateau(p.bytes)) {
      EXPECT_NEAR(p.ratio(), 1.0, 0.25) << "chase over " << p.bytes << " B";
    }
  std::cout << "measured on " << stored.machine << ", worst walk ratio x" << std::exp(worst) << "\n" << table;
}

}  // namespace
}  // namespace wakesim
