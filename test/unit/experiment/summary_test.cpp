// Aggregation across replicates: Student-t intervals per design, and paired differences under common
// random numbers (which must be much tighter than the independent intervals when the noise is shared).
#include "sim/experiment/summary.h"

#include <cmath>

#include <gtest/gtest.h>

#include "sim/engine/random.h"

namespace wakesim::experiment {
namespace {

RunRecord record(const std::string& design, int replicate, double value) {
  RunRecord r;
  r.design = design;
  r.replicate = replicate;
  r.result.add("latency", "ns", value);
  return r;
}

TEST(Summary, PairedDifferencesCancelSharedNoise) {
  // Each replicate shares a large common term (the CRN noise); design B is 2 ns slower than A.
  ExperimentResult result;
  result.designs = {"single-lock", "other"};
  engine::RandomStream rng(1, 0, "summary-test");
  for (int i = 0; i < 10; ++i) {
    const double shared = 1000 + 100 * rng.standard_normal();
    const double own = 0.5 * rng.standard_normal();
    result.runs.push_back(record("single-lock", i, shared));
    result.runs.push_back(record("other", i, shared + 2 + own));
  }
  const auto independent = summarize(result);
  ASSERT_EQ(independent.size(), 2u);
  EXPECT_GT(independent[1].ci.half_width, 40);  // the shared noise dominates each design's interval
  const auto paired = paired_differences(result, reference_design(result.designs));
  ASSERT_EQ(paired.size(), 1u);
  EXPECT_EQ(paired[0].design, "other");
  EXPECT_EQ(paired[0].metric, "latency");
  EXPECT_NEAR(paired[0].ci.mean, 2.0, 0.6);
  EXPECT_LT(paired[0].ci.half_width, 1.0);
  EXPECT_GT(paired[0].ci.lo, 0.0) << "the 2 ns difference is resolved only by pairing";
}

TEST(Summary, FailedRunsAreLeftOutOfBothSummaries) {
  ExperimentResult result;
  result.designs = {"single-lock", "other"};
  for (int i = 0; i < 3; ++i) {
    result.runs.push_back(record("single-lock", i, 10));
    result.runs.push_back(record("other", i, 12));
  }
  result.runs[3].error = "invariant violated: test";
  const auto s = summarize(result);
  EXPECT_EQ(s[1].ci.n, 2u);
  const auto p = paired_differences(result, "single-lock");
  EXPECT_EQ(p[0].ci.n, 2u);
  EXPECT_DOUBLE_EQ(p[0].ci.mean, 2.0);
}

TEST(Summary, ReferenceIsSingleLockWhenItRan) {
  EXPECT_EQ(reference_design({"rcu-list", "single-lock", "split-lock"}), "single-lock");
  EXPECT_EQ(reference_design({"ticket", "qspinlock"}), "ticket");
}

}  // namespace
}  // namespace wakesim::experiment
