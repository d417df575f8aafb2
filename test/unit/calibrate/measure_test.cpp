// measure() in quick mode on the machine running the tests: shapes and generous sanity bounds only (a
// shared CI host or VM gives noisy numbers; no machine-specific values are asserted).
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "sim/calibrate/calibrate.h"
#include "sim/calibrate/list_walk.h"
#include "sim/calibrate/pinning.h"

namespace wakesim::calibrate {
namespace {

struct Recorder final : Progress {
  void step(double fraction, std::string_view what) override {
    fractions.push_back(fraction);
    steps.emplace_back(what);
  }
  std::vector<double> fractions;
  std::vector<std::string> steps;
};

// Quick mode with `cpus` (empty: all allowed) and `walk_nodes`.
Options quick(std::vector<int> cpus = {}, int walk_nodes = 16, Progress* progress = nullptr) {
  return {
      .thoroughness = Thoroughness::kQuick, .cpus = std::move(cpus), .walk_nodes = walk_nodes, .progress = progress};
}

TEST(Measure, QuickRunGivesSaneCurves) {
  Recorder recorder;
  const std::vector<int> affinity_before = allowed_cpus();
  const Results r = measure(quick({}, 16, &recorder));
  EXPECT_EQ(allowed_cpus(), affinity_before) << "measure() must restore the caller's affinity";

  // Topology.
  EXPECT_GE(r.topology.cpus, 1);
  EXPECT_GE(r.topology.sockets, 1);
  EXPECT_GE(r.topology.threads_per_core, 1);
  EXPECT_GE(r.topology.llc_domains_per_socket, 1);
  EXPECT_EQ(r.topology.places.size(), static_cast<size_t>(r.topology.cpus));
  EXPECT_FALSE(r.topology.cpu_model.empty());
  EXPECT_EQ(r.measuring_cpu, affinity_before.front());

  // Chase: ascending working sets, positive latencies, monotone-ish, and a visible hierarchy. A busy
  // machine can spike one working set (another tenant's burst in a shared cache), so the shape check
  // runs on a 3-point running median, as estimate_levels does: no point far below an earlier one.
  ASSERT_GE(r.chase.size(), 8u);
  std::vector<double> smoothed;
  for (size_t i = 0; i < r.chase.size(); ++i) {
    EXPECT_TRUE(std::isfinite(r.chase[i].ns_per_load));
    EXPECT_GT(r.chase[i].ns_per_load, 0);
    if (i > 0) {
      EXPECT_GT(r.chase[i].working_set_bytes, r.chase[i - 1].working_set_bytes);
    }
    if (i == 0 || i + 1 == r.chase.size()) {
      smoothed.push_back(r.chase[i].ns_per_load);
    } else {
      std::vector<double> three = {r.chase[i - 1].ns_per_load, r.chase[i].ns_per_load, r.chase[i + 1].ns_per_load};
      std::sort(three.begin(), three.end());
      smoothed.push_back(three[1]);
    }
  }
  for (size_t i = 1; i < smoothed.size(); ++i)
    EXPECT_GT(smoothed[i], 0.3 * *std::max_element(smoothed.begin(), smoothed.begin() + static_cast<std::ptrdiff_t>(i)))
        << "at " << r.chase[i].working_set_bytes << " bytes";
  EXPECT_GE(r.preempted_repetitions, 0);
  EXPECT_GT(r.levels.l1_ns, 0.2);
  EXPECT_LT(r.levels.l1_ns, 10);
  EXPECT_GT(r.levels.dram_ns, 2 * r.levels.l1_ns);
  EXPECT_GT(r.chase.back().ns_per_load, 2 * r.chase.front().ns_per_load);
  EXPECT_FALSE(r.levels.method.empty());

  // Walk: one point per planned pollution size, starting at 0.
  const WalkPlan plan = plan_walk(Thoroughness::kQuick, r.levels.llc_bytes, r.walk_nodes);
  ASSERT_EQ(r.walk.size(), plan.pollution_sizes.size());
  for (size_t i = 0; i < r.walk.size(); ++i) {
    EXPECT_EQ(r.walk[i].pollution_bytes, plan.pollution_sizes[i]);
    EXPECT_TRUE(std::isfinite(r.walk[i].ns_per_node));
    EXPECT_GE(r.walk[i].ns_per_node, 0);
    EXPECT_LT(r.walk[i].ns_per_node, 100'000);
  }
  EXPECT_EQ(r.walk.front().pollution_bytes, 0u);
  EXPECT_EQ(r.walk_nodes, 16);
  EXPECT_EQ(r.repeats, 1);
  for (const WalkPoint& p : r.walk) EXPECT_EQ(p.spread, 1.0) << "one repeat has no spread";

  // Transfers: one pair in quick mode when two CPUs are allowed.
  if (affinity_before.size() >= 2) {
    ASSERT_EQ(r.transfers.size(), 1u);
    EXPECT_NE(r.transfers[0].cpu_a, r.transfers[0].cpu_b);
    EXPECT_GT(r.transfers[0].one_way_ns, 1);
    EXPECT_LT(r.transfers[0].one_way_ns, 100'000);
    EXPECT_LE(r.transfers[0].p10_ns, r.transfers[0].one_way_ns);
    EXPECT_GE(r.transfers[0].p90_ns, r.transfers[0].one_way_ns);
  } else {
    EXPECT_TRUE(r.transfers.empty());
  }

  // Timer, huge pages, progress.
  EXPECT_TRUE(r.timer.source == "tsc" || r.timer.source == "clock_gettime") << r.timer.source;
  EXPECT_GE(r.timer.overhead_ns, 0);
  EXPECT_LT(r.timer.overhead_ns, 10'000);
  EXPECT_FALSE(r.hugepages_detail.empty());
  EXPECT_GT(r.seconds, 0);
  EXPECT_LT(r.seconds, 60);
  ASSERT_FALSE(recorder.fractions.empty());
  EXPECT_TRUE(std::is_sorted(recorder.fractions.begin(), recorder.fractions.end()));
  EXPECT_GE(recorder.fractions.front(), 0);
  EXPECT_DOUBLE_EQ(recorder.fractions.back(), 1.0);
  EXPECT_EQ(recorder.steps.back(), "done");
  EXPECT_NE(std::find(recorder.steps.begin(), recorder.steps.end(), "pointer chase 8 KiB"), recorder.steps.end());
}

TEST(Measure, SingleAllowedCpuMeasuresWithoutTransfers) {
  const int cpu = allowed_cpus().back();
  const Results r = measure(quick({cpu}, 4));
  EXPECT_TRUE(r.transfers.empty());
  EXPECT_EQ(r.measuring_cpu, cpu);
  EXPECT_EQ(r.walk_nodes, 4);
  EXPECT_FALSE(r.chase.empty());
  EXPECT_FALSE(r.walk.empty());
}

TEST(Measure, CpuOutsideTheAffinityMaskIsAClearError) {
  try {
    measure(quick({8191}));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("CPU 8191 is not one this process may run on (allowed: "), std::string::npos)
        << e.what();
  }
}

TEST(Measure, RepeatsSweepEachCurveAgainAndKeepTheSpread) {
  Recorder recorder;
  Options options = quick({}, 16, &recorder);
  options.repeats = 3;
  const Results r = measure(options);
  EXPECT_EQ(r.repeats, 3);
  const WalkPlan plan = plan_walk(Thoroughness::kQuick, r.levels.llc_bytes, r.walk_nodes);
  ASSERT_EQ(r.walk.size(), plan.pollution_sizes.size());
  ASSERT_GE(r.chase.size(), 8u);
  for (const ChasePoint& p : r.chase) {
    EXPECT_GE(p.spread, 1.0);
    EXPECT_TRUE(std::isfinite(p.spread));
  }
  for (const WalkPoint& p : r.walk) EXPECT_GE(p.spread, 1.0);
  // Every sweep reports its steps: three times each working set, then three times each pollution size.
  EXPECT_EQ(std::count(recorder.steps.begin(), recorder.steps.end(), "pointer chase 8 KiB"), 3);
  EXPECT_EQ(std::count(recorder.steps.begin(), recorder.steps.end(), "list walk after 0 B of pollution"), 3);
  EXPECT_TRUE(std::is_sorted(recorder.fractions.begin(), recorder.fractions.end()));
  EXPECT_DOUBLE_EQ(recorder.fractions.back(), 1.0);
}

TEST(Measure, BadOptionsAreClearErrors) {
  EXPECT_THROW(measure(quick({}, 0)), std::runtime_error);
  EXPECT_THROW(measure(quick({}, kMaxWalkNodes + 1)), std::runtime_error);
  for (const int repeats : {0, kMaxRepeats + 1}) {
    Options options = quick();
    options.repeats = repeats;
    try {
      measure(options);
      FAIL() << "expected std::runtime_error for repeats " << repeats;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("repeats must be in 1..20"), std::string::npos) << e.what();
    }
  }
  const int cpu = allowed_cpus().front();
  try {
    measure(quick({cpu, cpu}));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("listed twice"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace wakesim::calibrate
