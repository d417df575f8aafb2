// Sweep constraints (sim/experiment/sweep_constraint.h, sweep_spec.h): the expression language, which
// points a constraint keeps (renumbered) and skips, and the errors for bad constraints (file:line:col,
// did-you-mean). A whole sweep with a constraint runs in derived_keys_test.cpp.
#include "sim/experiment/sweep_constraint.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sim/engine/errors.h"
#include "sim/experiment/sweep_spec.h"
#include "test/support/cli_runner.h"

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;

bool holds(const std::string& text, const std::map<std::string, double>& values = {}) {
  std::vector<std::string> keys;
  keys.reserve(values.size());
  for (const auto& [k, v] : values) keys.push_back(k);
  SweepConstraint::ParseError error;
  const auto c = SweepConstraint::parse(text, keys, error);
  EXPECT_TRUE(c.has_value()) << text << ": " << error.message;
  return c && c->holds([&](const std::string& k) { return values.at(k); });
}

std::string parse_error(const std::string& text, const std::vector<std::string>& keys = {"vms.vcpus", "vms.count"}) {
  SweepConstraint::ParseError error;
  const auto c = SweepConstraint::parse(text, keys, error);
  EXPECT_FALSE(c.has_value()) << text;
  return fmt::format("{}@{}", error.message, error.offset);
}

TEST(SweepConstraint, ArithmeticComparisonsAndLogicFollowTheUsualPrecedence) {
  EXPECT_TRUE(holds("1 + 2 * 3 == 7"));
  EXPECT_TRUE(holds("(1 + 2) * 3 == 9"));
  EXPECT_TRUE(holds("8 / 2 / 2 == 2"));  // left to right
  EXPECT_TRUE(holds("10 - 4 - 3 == 3"));
  EXPECT_TRUE(holds("-2 * -3 >= 6 && 2 != 3"));
  EXPECT_TRUE(holds("0 || 1 && 1"));  // && binds tighter than ||
  EXPECT_FALSE(holds("1 && 0 || 0"));
  EXPECT_FALSE(holds("!(1 < 2)"));
  EXPECT_TRUE(holds("1.5e1 > 14.9"));
  EXPECT_FALSE(holds("1 / 0 < 5"));       // +inf
  EXPECT_FALSE(holds("0 / 0 == 0 / 0"));  // NaN: never holds
  EXPECT_TRUE(holds("a.b * c_d <= 256", {{"a.b", 16}, {"c_d", 16}}));
  EXPECT_FALSE(holds("a.b * c_d <= 256", {{"a.b", 16}, {"c_d", 17}}));
}

TEST(SweepConstraint, MalformedTextIsRefusedWithWhereAndWhy) {
  EXPECT_EQ(parse_error("vms.vcpu < 4"),
            "unknown key 'vms.vcpu' (did you mean 'vms.vcpus'?); a constraint names swept keys: vms.vcpus, "
            "vms.count@0");
  EXPECT_EQ(parse_error("vms.vcpus = 4"), "'=' is not an operator; compare with '=='@10");
  EXPECT_EQ(parse_error("1 < vms.vcpus < 4"), "comparisons do not chain (a < b < c); write a < b && b < c@14");
  EXPECT_EQ(parse_error("vms.vcpus & 1"), "'&' is not an operator; write '&&'@10");
  EXPECT_EQ(parse_error("(vms.vcpus < 4"), "expected ')', got 'end of text'@14");
  EXPECT_EQ(parse_error("vms.vcpus < 4)"), "unexpected ')' after a complete expression@13");
  EXPECT_EQ(parse_error("vms.vcpus <"), "expected a number, a swept key or '(', got the end of the text@11");
  EXPECT_EQ(parse_error("vms.vcpus < 10us"),
            "'us' after a number: a constraint takes plain numbers (durations in ns, rates per second)@14");
}

fs::path write_spec(const std::string& name, const std::string& text) {
  const fs::path dir = testing::fresh_temp_dir("constraint-" + name);
  fs::create_directories(dir);
  std::ofstream(dir / "s.toml") << text;
  return dir / "s.toml";
}

fs::path resolve(const std::string& base, const fs::path&) {
  return fs::path(WAKESIM_SOURCE_DIR) / "workloads" / (base + ".toml");
}

const std::string kAxes = R"X(
[[axis]]
key = "vms.vcpus"
values = [2, 4, 8]
[[axis]]
key = "vms.vcpus_per_pcpu"
values = [1, 2, 4]
)X";

TEST(SweepConstraint, SkipsThePointsWhereItFailsAndNumbersTheRest) {
  const SweepSpec spec =
      load_sweep_spec(write_spec("keep", "constraint = \"vms.vcpus_per_pcpu * vms.vcpus <= 8\"\n" + kAxes), resolve);
  EXPECT_EQ(spec.grid_size(), 9u);
  const auto points = spec.points();
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(spec.point_count(), 6u);
  std::vector<std::string> kept, skipped;
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].index, static_cast<int>(i));
    kept.push_back(points[i].assignments[0].second.display + "x" + points[i].assignments[1].second.display);
  }
  EXPECT_EQ(kept, (std::vector<std::string>{"2x1", "2x2", "2x4", "4x1", "4x2", "8x1"}));
  for (const SweepPoint& p : spec.skipped_points())
    skipped.push_back(std::to_string(p.index) + ":" + p.assignments[0].second.display + "x" +
                      p.assignments[1].second.display);
  EXPECT_EQ(skipped, (std::vector<std::string>{"5:4x4", "7:8x2", "8:8x4"}));  // grid positions

  // Without a constraint every point is kept; the constraint is part of the sweep's identity.
  const SweepSpec all = load_sweep_spec(write_spec("all", kAxes), resolve);
  EXPECT_EQ(all.point_count(), 9u);
  EXPECT_TRUE(all.skipped_points().empty());
  EXPECT_NE(sweep_identity(all), sweep_identity(spec));
}

std::string load_error(const std::string& name, const std::string& text) {
  try {
    load_sweep_spec(write_spec(name, text), resolve);
  } catch (const engine::UserError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepConstraint, BadConstraintsStopTheSpecWithFileLineAndASuggestion) {
  std::string e = load_error("unknown", "constraint = \"vms.vcpu_per_pcpu <= 8\"\n" + kAxes);
  EXPECT_NE(e.find("s.toml:1:15: error: constraint: unknown key 'vms.vcpu_per_pcpu' (did you mean "
                   "'vms.vcpus_per_pcpu'?)"),
            std::string::npos)
      << e;
  e = load_error("syntax", "constraint = \"vms.vcpus <= \"\n" + kAxes);
  EXPECT_NE(e.find("s.toml:1:28: error: constraint: expected a number"), std::string::npos) << e;
  e = load_error("type", "constraint = 3\n" + kAxes);
  EXPECT_NE(e.find("s.toml:1:14: error: constraint: expected a string"), std::string::npos) << e;
  e = load_error("not-swept", "constraint = \"vms.count < 3\"\n" + kAxes);
  EXPECT_NE(e.find("unknown key 'vms.count'"), std::string::npos) << e;
  EXPECT_NE(e.find("names swept keys: vms.vcpus, vms.vcpus_per_pcpu"), std::string::npos) << e;
  e = load_error("text-values",
                 "constraint = \"vms.affinity > 1\"\n[[axis]]\nkey = \"vms.affinity\"\nvalues = [\"pinned\"]\n");
  EXPECT_NE(e.find("constraint: 'vms.affinity' has a value without a number ('pinned')"), std::string::npos) << e;
  e = load_error("typo", "constrain = \"1\"\n" + kAxes);
  EXPECT_NE(e.find("did you mean 'constraint'"), std::string::npos) << e;
}

}  // namespace
}  // namespace wakesim::experiment
