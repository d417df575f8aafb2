// The sweeps measure() plans: ranges, densities and the progress fractions built from them.
#include <gtest/gtest.h>

#include "sim/calibrate/core_to_core.h"
#include "sim/calibrate/list_walk.h"
#include "sim/calibrate/pointer_chase.h"
#include "sim/calibrate/progress_tracker.h"
#include "sim/calibrate/sizes.h"

namespace wakesim::calibrate {
namespace {

Topology with_llc(uint64_t bytes, int shared_by) {
  Topology t;
  t.cpus = 16;
  t.sockets = 1;
  t.caches = {{1, "data", 32 * kKiB, 8, 1, "sysfs"}, {3, "unified", bytes, 16, shared_by, "sysfs"}};
  return t;
}

TEST(PlanChase, ReachesFourTimesAPlausibleLlc) {
  const ChasePlan plan = plan_chase(Thoroughness::kDefault, with_llc(32 * kMiB, 16));
  EXPECT_EQ(plan.working_sets.front(), 8 * kKiB);
  EXPECT_EQ(plan.working_sets.back(), 128 * kMiB);
  EXPECT_EQ(plan.working_sets.size(), 14u * 4 + 1);
  EXPECT_EQ(plan.repetitions, 7);
}

TEST(PlanChase, AnImplausibleOrUnknownLlcSweepsToTheCap) {
  // 508 MiB for 16 CPUs: 32 MiB per CPU. The cap is 1 GiB unless free memory is short.
  const uint64_t absurd = plan_chase(Thoroughness::kDefault, with_llc(508 * kMiB, 16)).working_sets.back();
  const uint64_t unknown = plan_chase(Thoroughness::kDefault, Topology{}).working_sets.back();
  EXPECT_EQ(absurd, unknown);
  EXPECT_LE(absurd, kGiB);
  EXPECT_GE(absurd, 64 * kMiB);
}

TEST(PlanChase, QuickIsSmall) {
  const ChasePlan plan = plan_chase(Thoroughness::kQuick, Topology{});
  EXPECT_EQ(plan.working_sets.back(), 64 * kMiB);
  EXPECT_LE(plan.working_sets.size(), 30u);
  EXPECT_LT(estimated_seconds(plan), 1.0);
}

TEST(PlanWalk, StartsAtZeroAndReachesFourTimesTheEffectiveLlc) {
  const WalkPlan plan = plan_walk(Thoroughness::kDefault, 9 * kMiB, 16);
  EXPECT_EQ(plan.pollution_sizes[0], 0u);
  EXPECT_EQ(plan.pollution_sizes[1], 16 * kKiB);
  EXPECT_EQ(plan.pollution_sizes.back(), 64 * kMiB);  // 36 MiB rounded up to a power of two
  EXPECT_EQ(plan.pollution_sizes.size(), 1u + 12 * 3 + 1);
  EXPECT_EQ(plan.walk_nodes, 16);
  EXPECT_LE(plan_walk(Thoroughness::kDefault, 0, 16).pollution_sizes.back(), kGiB);
  const WalkPlan quick = plan_walk(Thoroughness::kQuick, 32 * kMiB, 16);
  EXPECT_EQ(quick.pollution_sizes.back(), 64 * kMiB);
  EXPECT_EQ(quick.pollution_sizes.size(), 8u);
  EXPECT_LT(estimated_seconds(quick), 1.0);
}

TEST(PlanTransfers, FollowsThoroughness) {
  Topology t;
  t.places = {{0, 0, 0, 0}, {1, 0, 1, 0}, {2, 0, 2, 0}};
  EXPECT_EQ(plan_transfers(Thoroughness::kQuick, t, {0, 1, 2}).pairs.size(), 1u);
  EXPECT_EQ(plan_transfers(Thoroughness::kDefault, t, {0, 1, 2}).pairs.size(), 3u);
  EXPECT_TRUE(plan_transfers(Thoroughness::kDefault, t, {2}).pairs.empty());
}

struct ProgressLog final : Progress {
  void step(double fraction, std::string_view what) override { steps.emplace_back(fraction, what); }
  std::vector<std::pair<double, std::string>> steps;
};

TEST(ProgressTracker, SplitsByPlannedCostAndNeverGoesBack) {
  ProgressLog recorder;
  ProgressTracker progress(&recorder, {1, 3});
  progress.begin_phase(0, 2);
  progress.step("a");
  progress.step("b");
  progress.step("c");  // more steps than planned: stays within the phase's share
  progress.begin_phase(1, 3);
  progress.step("d");
  progress.step("e");
  progress.finish();
  const std::vector<std::pair<double, std::string>> expected = {{0, "a"},    {0.125, "b"}, {0.25, "c"},
                                                                {0.25, "d"}, {0.5, "e"},   {1, "done"}};
  EXPECT_EQ(recorder.steps, expected);
  ProgressTracker silent(nullptr, {1});
  silent.begin_phase(0, 1);
  silent.step("nobody listens");
  EXPECT_THROW(silent.begin_phase(1, 1), std::logic_error);
}

}  // namespace
}  // namespace wakesim::calibrate
