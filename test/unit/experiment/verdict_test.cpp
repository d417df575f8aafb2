// Verdicts on design comparisons: identical designs are never significant, a clear difference is, the
// Holm correction is applied over the whole table, and the text says so plainly.
#include "sim/experiment/verdict.h"

#include <cmath>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/engine/errors.h"
#include "sim/engine/random.h"
#include "sim/experiment/summary.h"

namespace wakesim::experiment {
namespace {

RunRecord record(const std::string& design, int replicate, double latency, double rate) {
  RunRecord r;
  r.design = design;
  r.replicate = replicate;
  r.result.add("latency", "ns", latency);
  r.result.add("rate", "/s", rate);
  return r;
}

// Replicates with a large shared term (CRN noise); `other` is `shift` ns slower plus its own small noise.
ExperimentResult synthetic(double shift, double own_noise, int replicates = 8) {
  ExperimentResult result;
  result.designs = {"single-lock", "other"};
  engine::RandomStream rng(7, 0, "verdict-test");
  for (int i = 0; i < replicates; ++i) {
    const double shared = 10000 + 1000 * rng.standard_normal();
    result.runs.push_back(record("single-lock", i, shared, 5e5));
    result.runs.push_back(record("other", i, shared + shift + own_noise * rng.standard_normal(), 5e5));
  }
  return result;
}

TEST(Verdict, IdenticalDesignsAreNotSignificant) {
  const VerdictTable t = run_verdicts(synthetic(0, 0), "single-lock", {});
  ASSERT_EQ(t.rows.size(), 2u);
  for (const Verdict& v : t.rows) {
    EXPECT_EQ(v.test.p, 1.0) << v.metric;
    EXPECT_FALSE(v.significant) << v.metric;
    EXPECT_EQ(verdict_cell(v), "= (n.s.)");
    EXPECT_EQ(verdict_word(v), "n.s.");
  }
}

TEST(Verdict, AClearDifferenceIsSignificantWithDirectionAndSize) {
  const VerdictTable t = run_verdicts(synthetic(-800, 20), "single-lock", {"latency"});
  ASSERT_EQ(t.rows.size(), 1u);
  const Verdict& v = t.rows[0];
  EXPECT_EQ(v.design, "other");
  EXPECT_EQ(v.metric, "latency");
  EXPECT_TRUE(v.significant);
  EXPECT_LT(v.p_adjusted, 1e-6);
  EXPECT_NEAR(v.test.difference, -800, 30);
  EXPECT_NEAR(v.relative, v.test.difference / v.reference_mean, 1e-12);
  EXPECT_LT(v.test.hi, 0);
  EXPECT_EQ(verdict_word(v), "lower");
  const std::string cell = verdict_cell(v);
  EXPECT_TRUE(cell.starts_with(fmt::format("{}ns ({:+.1f}%) [", std::lround(v.test.difference), v.relative * 100)))
      << cell;
  EXPECT_NE(cell.find("%) ["), std::string::npos) << cell;
  EXPECT_NE(cell.find("p_adj="), std::string::npos) << cell;
}

TEST(Verdict, OneReplicateGivesNoVerdict) {
  const VerdictTable t = run_verdicts(synthetic(-800, 20, 1), "single-lock", {"latency"});
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_FALSE(t.rows[0].significant);
  EXPECT_EQ(verdict_cell(t.rows[0]), "? (no verdict: n=1)");
}

TEST(Verdict, HolmCorrectsOverTheWholeTable) {
  // Twenty comparisons, one with raw p = 0.01: significant alone, not after correcting for twenty.
  VerdictTable t;
  t.reference = "single-lock";
  for (int i = 0; i < 20; ++i) {
    Verdict v;
    v.design = "d" + std::to_string(i);
    v.metric = "latency";
    v.test.p = i == 0 ? 0.01 : 0.5;
    v.test.difference = 1;
    t.rows.push_back(v);
  }
  correct(t);
  EXPECT_NEAR(t.rows[0].p_adjusted, 0.2, 1e-12);
  EXPECT_FALSE(t.rows[0].significant);
  t.rows.resize(1);
  correct(t);
  EXPECT_TRUE(t.rows[0].significant);
  EXPECT_NE(verdict_method_line(t).find("Holm-Bonferroni over 1 comparison"), std::string::npos);
}

TEST(Verdict, TableAndJsonCarryTheVerdicts) {
  const VerdictTable t = run_verdicts(synthetic(-800, 20), "single-lock", {"latency", "rate"});
  const std::string text = format_verdicts_by_metric(t);
  EXPECT_NE(text.find("other vs single-lock"), std::string::npos) << text;
  EXPECT_NE(text.find("= (n.s.)"), std::string::npos) << text;  // rate is identical
  const nlohmann::ordered_json j = verdicts_json(t);
  EXPECT_EQ(j.at("correction"), "holm");
  EXPECT_EQ(j.at("alpha"), 0.05);
  EXPECT_EQ(j.at("test"), "paired-t");
  ASSERT_EQ(j.at("rows").size(), 2u);
  EXPECT_EQ(j.at("rows")[0].at("verdict"), "lower");
  EXPECT_EQ(j.at("rows")[0].at("significant"), true);
  EXPECT_EQ(j.at("rows")[1].at("verdict"), "n.s.");
  for (const char* key : {"difference", "ci95_low", "ci95_high", "relative", "p", "p_adjusted"})
    EXPECT_TRUE(j.at("rows")[0].contains(key)) << key;
}

TEST(Verdict, ReferenceCanBeChosenAndIsChecked) {
  EXPECT_EQ(reference_design({"rcu-list", "single-lock"}, "rcu-list"), "rcu-list");
  EXPECT_EQ(reference_design({"rcu-list", "single-lock"}, ""), "single-lock");
  EXPECT_THROW(reference_design({"rcu-list", "single-lock"}, "rcu"), engine::UserError);
  const VerdictTable t = run_verdicts(synthetic(-800, 20), "other", {"latency"});
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].design, "single-lock");
  EXPECT_GT(t.rows[0].test.difference, 0);
}

}  // namespace
}  // namespace wakesim::experiment
