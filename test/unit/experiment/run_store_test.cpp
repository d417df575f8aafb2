// The stored run record (points/pNNNN/runs/DESIGN/rR.json and .timing): everything deterministic about
// a run survives the round trip exactly (metric doubles bit for bit, histograms bucket for bucket,
// tables, warnings, the error), the wall-clock figures come back from the timing file, and a file that
// is not a record is a user error naming it.
#include "sim/experiment/run_store.h"

#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>

#include <gtest/gtest.h>

#include "sim/engine/errors.h"

namespace wakesim::experiment {
namespace {

RunRecord sample_record() {
  RunRecord r;
  r.design = "split-lock";
  r.replicate = 3;
  r.seed = 0xfedcba9876543210ULL;
  r.result.add("wakeup.p99", "ns", 54012.345678901234);
  r.result.add("throughput", "/s", 1.0 / 3.0);
  r.result.add("tiny", "fraction", std::numeric_limits<double>::denorm_min());
  r.result.add("zero", "count", 0.0);
  r.result.add("undefined", "ns", std::numeric_limits<double>::quiet_NaN());  // JSON has no NaN or inf
  r.result.add("unbounded", "ns", -std::numeric_limits<double>::infinity());
  stats::LatencyHistogram h;
  for (int64_t ps :
       {int64_t{0}, int64_t{1}, int64_t{255}, int64_t{256}, int64_t{1000}, int64_t{123456789}, int64_t{987654321012}})
    h.record_ps(ps);
  h.record_n(engine::Time::from_ps(4242), 5);
  r.result.histograms.emplace_back("wakeup", h);
  r.result.histograms.emplace_back("empty", stats::LatencyHistogram{});
  r.result.tables.emplace_back("lockstat", Table{{"class", "con-bounces"}, {{"wakeup_lock", "12"}, {"rq, \"x\"", ""}}});
  r.result.warnings.push_back("warm-up looks short: \"quoted\"\nsecond line");
  r.result.events = 76600000;
  r.result.wall_seconds = 1.25;
  r.result.peak_rss_bytes = 123456789;
  return r;
}

void expect_same_deterministic_part(const RunRecord& a, const RunRecord& b) {
  EXPECT_EQ(a.design, b.design);
  EXPECT_EQ(a.replicate, b.replicate);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.failure, b.failure);
  ASSERT_EQ(a.result.metrics.size(), b.result.metrics.size());
  for (size_t i = 0; i < a.result.metrics.size(); ++i) {
    EXPECT_EQ(a.result.metrics[i].name, b.result.metrics[i].name);
    EXPECT_EQ(a.result.metrics[i].unit, b.result.metrics[i].unit);
    EXPECT_EQ(std::bit_cast<uint64_t>(a.result.metrics[i].value), std::bit_cast<uint64_t>(b.result.metrics[i].value))
        << a.result.metrics[i].name;
  }
  ASSERT_EQ(a.result.histograms.size(), b.result.histograms.size());
  for (size_t i = 0; i < a.result.histograms.size(); ++i) {
    EXPECT_EQ(a.result.histograms[i].first, b.result.histograms[i].first);
    EXPECT_TRUE(a.result.histograms[i].second == b.result.histograms[i].second) << a.result.histograms[i].first;
  }
  ASSERT_EQ(a.result.tables.size(), b.result.tables.size());
  for (size_t i = 0; i < a.result.tables.size(); ++i) {
    EXPECT_EQ(a.result.tables[i].first, b.result.tables[i].first);
    EXPECT_EQ(a.result.tables[i].second.columns, b.result.tables[i].second.columns);
    EXPECT_EQ(a.result.tables[i].second.rows, b.result.tables[i].second.rows);
  }
  EXPECT_EQ(a.result.warnings, b.result.warnings);
  EXPECT_EQ(a.result.events, b.result.events);
}

TEST(RunStore, ARecordSurvivesTheJsonRoundTripExactly) {
  const RunRecord r = sample_record();
  const std::string json = run_record_json(r);
  const RunRecord back = parse_run_record(json, "r3.json");
  expect_same_deterministic_part(r, back);
  EXPECT_EQ(run_record_json(back), json);  // and writes the same bytes again
}

TEST(RunStore, AFailedRunKeepsItsError) {
  RunRecord r;
  r.design = "rcu-list";
  r.replicate = 0;
  r.seed = 7;
  r.error = "vCPU 3 on two lists";
  for (RunFailure kind : {RunFailure::kUserError, RunFailure::kOutOfMemory, RunFailure::kInvariantViolation,
                          RunFailure::kInternalError}) {
    r.failure = kind;
    const RunRecord back = parse_run_record(run_record_json(r), "r0.json");
    expect_same_deterministic_part(r, back);
    EXPECT_EQ(is_internal(back.failure), kind == RunFailure::kInvariantViolation || kind == RunFailure::kInternalError);
  }
}

TEST(RunStore, ARecordWithoutTheFailureKindIsReadAsBeforeKindsWereStored) {
  const std::string old =
      R"({"design":"x","error":"internal error: boom","events":0,"histograms":[],"metrics":[],"replicate":0,)"
      R"("seed":1,"tables":[],"warnings":[]})";
  EXPECT_EQ(parse_run_record(old, "r0.json").failure, RunFailure::kInternalError);
  std::string user = old;
  user.replace(user.find("internal error: boom"), 20, "error: run.designs: x");
  EXPECT_EQ(parse_run_record(user, "r0.json").failure, RunFailure::kUserError);
}

TEST(RunStore, StoredRunsLoadBackWithTheirWallClockFigures) {
  const auto dir = std::filesystem::temp_directory_path() / "wakesim_run_store_test";
  std::filesystem::remove_all(dir);
  const RunRecord r = sample_record();
  EXPECT_EQ(load_run(dir, r.design, r.replicate), std::nullopt);  // not finished yet
  store_run(dir, r);
  const std::optional<RunRecord> back = load_run(dir, r.design, r.replicate);
  ASSERT_TRUE(back.has_value());
  expect_same_deterministic_part(r, *back);
  EXPECT_DOUBLE_EQ(back->result.wall_seconds, r.result.wall_seconds);
  EXPECT_EQ(back->result.peak_rss_bytes, r.result.peak_rss_bytes);
  EXPECT_EQ(load_run(dir, r.design, r.replicate + 1), std::nullopt);
  std::filesystem::remove_all(dir);
}

TEST(RunStore, AFileThatIsNotARecordIsAUserErrorNamingIt) {
  const std::string fields = R"("design":"x","events":0,"histograms":[],"metrics":[],"replicate":0,"seed":1,)"
                             R"("tables":[],"warnings":[])";
  const std::string bad_kind = "{" + fields + R"(,"error":"boom","failure":"meltdown"})";
  const std::string kind_without_error = "{" + fields + R"(,"error":"","failure":"internal-error"})";
  const std::string error_of_no_kind = "{" + fields + R"(,"error":"boom","failure":"none"})";
  for (const std::string& text : {std::string(""), std::string("{"), std::string("[]"), std::string("{\"design\": 3}"),
                                  std::string("{\"design\": \"x\"}"), bad_kind, kind_without_error, error_of_no_kind}) {
    try {
      parse_run_record(text, "points/p0001/runs/x/r0.json");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const engine::UserError& e) {
      EXPECT_NE(std::string(e.what()).find("points/p0001/runs/x/r0.json"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace wakesim::experiment
