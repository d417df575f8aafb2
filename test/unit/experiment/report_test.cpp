// The run table's number formatting: units scaled for reading, and a mean shown only to the precision its
// confidence interval supports.
#include "sim/experiment/report.h"

#include <gtest/gtest.h>

namespace wakesim::experiment {
namespace {

TEST(FormatMetricValue, ScalesTheUnitForReading) {
  EXPECT_EQ(format_metric_value(96.3123, "ns"), "96.3ns");
  EXPECT_EQ(format_metric_value(1234.5, "ns"), "1.23us");
  EXPECT_EQ(format_metric_value(2.5e7, "ns"), "25ms");
  EXPECT_EQ(format_metric_value(250000, "/s"), "250k/s");
  EXPECT_EQ(format_metric_value(0.125, "fraction"), "12.5%");
  EXPECT_EQ(format_metric_value(12345.6, "count"), "12346");
  EXPECT_EQ(format_metric_value(3.14159, "nodes"), "3.142");
  EXPECT_EQ(format_metric_value(std::nan(""), "ns"), "-");
}

TEST(FormatWithCi, TheHalfWidthSetsTheDigitsOfBoth) {
  // The example: a tight interval shows the mean's digits that it pins down, no more.
  EXPECT_EQ(format_with_ci(96.312345, 0.00143, "ns"), "96.3123ns ±0.0014ns");
  EXPECT_EQ(format_with_ci(3787.903, 120, "ns"), "3.79us ±0.12us");
  EXPECT_EQ(format_with_ci(3787.903, 1200, "ns"), "3.8us ±1.2us");
  EXPECT_EQ(format_with_ci(3787.903, 12000, "ns"), "4us ±12us");
  EXPECT_EQ(format_with_ci(493520.00000000006, 1523.4, "/s"), "493.5k/s ±1.5k/s");
  EXPECT_EQ(format_with_ci(0.2512, 0.0031, "fraction"), "25.12% ±0.31%");
  // Never more than 6 significant digits of the mean, however narrow the interval.
  EXPECT_EQ(format_with_ci(96.312345678, 1e-9, "ns"), "96.3123ns ±0.0000ns");
  // Identical replicates: the mean's usual digits and a zero interval.
  EXPECT_EQ(format_with_ci(96.312345, 0, "ns"), "96.3ns ±0ns");
  // Without a finite interval the value alone.
  EXPECT_EQ(format_with_ci(96.312345, std::nan(""), "ns"), "96.3ns");
}

TEST(FormatTable, CellsUseTheIntervalsPrecision) {
  MetricSummary one;
  one.metric = "wakeup.p99";
  one.design = "single-lock";
  one.unit = "ns";
  one.ci.mean = 96.312345;
  one.ci.half_width = 0.00143;
  one.ci.n = 5;
  const std::string table = format_table({one}, {"single-lock"});
  EXPECT_NE(table.find("96.3123ns ±0.0014ns"), std::string::npos) << table;
  one.ci.n = 1;
  EXPECT_NE(format_table({one}, {"single-lock"}).find("96.3ns"), std::string::npos);
  EXPECT_EQ(format_table({one}, {"single-lock"}).find("±"), std::string::npos);
}

TEST(RenderTable, PadsToTheWidestCellAndAlignsAsAsked) {
  // "±" is two bytes but one column; ragged rows are fine; no line ends in spaces.
  const std::vector<std::vector<std::string>> rows = {{"metric", "a", "b"}, {"p99", "1.5us ±0.1us", "7"}, {"x"}};
  EXPECT_EQ(render_table(rows, ColumnAlignment::kFirstLeftRestRight),
            "metric             a  b\n"
            "-----------------------\n"
            "p99     1.5us ±0.1us  7\n"
            "x\n");
  EXPECT_EQ(render_table(rows, ColumnAlignment::kLeft),
            "metric  a             b\n"
            "-----------------------\n"
            "p99     1.5us ±0.1us  7\n"
            "x\n");
}

}  // namespace
}  // namespace wakesim::experiment
