// The progress counter (sim/experiment/progress.h): a total that turns out too low or too high is
// corrected as the work is decided, and the display never shows more runs done than the total.
#include "sim/experiment/progress.h"

#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace wakesim::experiment {
namespace {

constexpr bool kTerminal = true, kPlain = false;

// Before: a terminal bar past its total built a string of negative length and the command died with
// "internal error: basic_string::_M_create".
TEST(Progress, MoreRunsThanPlannedRaiseTheTotal) {
  std::ostringstream out;
  Progress p(&out, kTerminal, 2);
  for (int i = 0; i < 3; ++i) p.finished(false);
  p.done();
  EXPECT_NE(out.str().find("[##############################] 3/3 runs"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("3/2"), std::string::npos) << out.str();
}

TEST(Progress, PlannedRunsAddAndComeOffTheTotal) {
  std::ostringstream out;
  Progress p(&out, kPlain, 10);
  p.add_planned(5);  // adaptive replicates decided
  for (int i = 0; i < 8; ++i) p.finished(false);
  p.add_planned(-7);  // runs planned and not needed: the total drops to 8, never below the runs done
  EXPECT_NE(p.bar().find("] 8/8 runs "), std::string::npos) << p.bar();
  p.done();
  const std::string text = out.str();
  EXPECT_TRUE(text.ends_with("\n") &&
              text.substr(text.rfind('\n', text.size() - 2) + 1).starts_with("progress: 8/8 runs (100%)"))
      << text;  // the log ends on the final count
}

TEST(Progress, BarTextForACallerThatDrawsItself) {
  Progress p(nullptr, kTerminal, 4);
  p.finished(false);
  p.finished(true);
  const std::string bar = p.bar();
  EXPECT_TRUE(bar.starts_with("[###############...............] 2/4 runs ")) << bar;
  EXPECT_TRUE(bar.ends_with(", 1 failed")) << bar;
}

}  // namespace
}  // namespace wakesim::experiment
