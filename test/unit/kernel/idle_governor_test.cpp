// The idle governors (sim/kernel/idle_governor.h) against the rules of Linux's menu and teo: the
// deepest state whose target residency fits the prediction, learned from the idle periods seen.
#include "sim/kernel/idle_governor.h"

#include <gtest/gtest.h>

namespace wakesim::kernel {
namespace {

using engine::Time;
using hw::IdleState;

using namespace engine::literals;

// Ice Lake-SP's table (the default host): C1 1/1 us, C1E 4/4 us, C6 170/600 us.
const hw::IdleStatesParams kIcx{};

// Feeds `periods` idle periods of `idle` each (no timer armed) and returns the last choice.
IdleState steady(IdleGovernor& g, Time idle, int periods, Time until_timer = Time::max()) {
  IdleState s = IdleState::kPoll;
  for (int i = 0; i < periods; ++i) {
    s = g.select(until_timer);
    g.reflect(idle + g.exit_latency(s));
  }
  return g.select(until_timer);
}

TEST(IdleGovernor, FixedEntersTheConfiguredStateOrTheDeepestThereIsBelowIt) {
  EXPECT_EQ(make_idle_governor(IdleGovernorKind::kFixed, kIcx, IdleState::kC6)->select(1_us), IdleState::kC6);
  hw::IdleStatesParams no_c1e = kIcx;
  no_c1e.c1e = false;
  auto g = make_idle_governor(IdleGovernorKind::kFixed, no_c1e, IdleState::kC1E);
  EXPECT_EQ(g->select(Time::max()), IdleState::kC1);
  EXPECT_EQ(g->usable(), (std::vector<IdleState>{IdleState::kPoll, IdleState::kC1}));
}

TEST(IdleGovernor, NeitherGovernorGoesDeeperThanAllowed) {
  for (auto kind : {IdleGovernorKind::kMenu, IdleGovernorKind::kTeo}) {
    auto g = make_idle_governor(kind, kIcx, IdleState::kC1);
    EXPECT_EQ(steady(*g, 5'000_us, 20), IdleState::kC1);
  }
}

TEST(IdleGovernor, MenuPicksAShallowStateForShortRegularIdlePeriods) {
  auto g = make_menu_governor(kIcx, IdleState::kC6);
  // 5 us periods: C1E (4 us residency) fits, C6 (600 us) does not.
  EXPECT_EQ(steady(*g, 5_us, 16), IdleState::kC1E);
}

TEST(IdleGovernor, MenuPicksC6ForLongRegularIdlePeriods) {
  auto g = make_menu_governor(kIcx, IdleState::kC6);
  EXPECT_EQ(steady(*g, 2'000_us, 16), IdleState::kC6);
}

TEST(IdleGovernor, MenuBoundsThePredictionByTheNextTimer) {
  auto g = make_menu_governor(kIcx, IdleState::kC6);
  // No history yet (menu's intervals start at zero), a timer 50 us away: C1E, not C6.
  EXPECT_EQ(g->select(50_us), IdleState::kC1E);
  // Periods that always end at the timer, 2 ms away: C6.
  EXPECT_EQ(steady(*g, 2'000_us - 170_us, 16, 2'000_us), IdleState::kC6);
}

TEST(IdleGovernor, MenuLearnsThatTheTimerIsNotWhatEndsIdle) {
  auto g = make_menu_governor(kIcx, IdleState::kC6);
  // A timer 10 ms away, but something wakes the pCPU after 20 us every time: the correction factor
  // and the typical interval bring the prediction down to C1E.
  EXPECT_EQ(steady(*g, 20_us, 32, 10'000_us), IdleState::kC1E);
}

TEST(IdleGovernor, TeoFollowsTheTimerWhenTheTimerEndsIdle) {
  auto g = make_teo_governor(kIcx, IdleState::kC6);
  EXPECT_EQ(steady(*g, 2'000_us - 170_us, 16, 2'000_us), IdleState::kC6);
}

TEST(IdleGovernor, TeoGoesShallowerWhenEarlyWakeupsDominate) {
  auto g = make_teo_governor(kIcx, IdleState::kC6);
  EXPECT_EQ(steady(*g, 6_us, 16, 10'000_us), IdleState::kC1E);
  // With no timer at all, every period is an intercept.
  auto h = make_teo_governor(kIcx, IdleState::kC6);
  EXPECT_EQ(steady(*h, 2_us, 16), IdleState::kC1);
}

TEST(IdleGovernor, PollIsChosenWhenNothingElseFits) {
  auto g = make_menu_governor(kIcx, IdleState::kC6);
  EXPECT_EQ(steady(*g, 0.2_us, 16), IdleState::kPoll);
}

}  // namespace
}  // namespace wakesim::kernel
