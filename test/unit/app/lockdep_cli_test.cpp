// `wakesim lockdep` end to end (in process): the report, the exit statuses and bad input.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/support/cli_runner.h"

namespace wakesim::app {
namespace {

using testing::cli;
using Outcome = testing::CliOutcome;

TEST(LockdepCli, ReportsEveryDesign) {
  const Outcome o = cli({"lockdep", "--max-time", "10ms", "--jobs", "1"});
  EXPECT_EQ(o.status, 0) << o.err;
  for (const char* d : {"=== rcu-list ===", "=== single-lock ===", "=== split-lock ==="})
    EXPECT_NE(o.out.find(d), std::string::npos) << d << "\n" << o.out;
  EXPECT_NE(o.out.find("silenced by the subclass annotations"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("longest lock chain"), std::string::npos);
}

TEST(LockdepCli, SubclassesOffShowsTheWarningAndExitsZero) {
  const Outcome o = cli({"lockdep", "--design", "single-lock", "--set", "design.lockdep_subclasses=false", "--max-time",
                         "10ms", "--json"});
  EXPECT_EQ(o.status, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  ASSERT_EQ(j["designs"].size(), 1u);
  const auto& d = j["designs"][0];
  EXPECT_EQ(d["design"], "single-lock");
  ASSERT_EQ(d["lockdep_cycles"].size(), 1u);
  EXPECT_EQ(d["lockdep_cycles"][0]["chain"].size(), 3u);
  EXPECT_EQ(d["lockdep_cycles"][0]["instance_check"]["possible_deadlock"], false);
  EXPECT_EQ(d["possible_deadlock"], false);
}

TEST(LockdepCli, UnknownDesignIsBadInputWithASuggestion) {
  const Outcome o = cli({"lockdep", "--design", "single-lok"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("'single-lok' is not a design"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("did you mean 'single-lock'"), std::string::npos) << o.err;
}

TEST(LockdepCli, BadMaxTimeAndOtherScenariosAreBadInput) {
  EXPECT_EQ(cli({"lockdep", "--max-time", "soon"}).status, 2);
  const Outcome o = cli({"lockdep", "--set", "scenario=queue"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("lockdep analyses the 'kvm' scenario"), std::string::npos) << o.err;
}

TEST(LockdepCli, KeysAreListed) {
  const Outcome o = cli({"list", "keys"});
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("kernel.lockdep"), std::string::npos);
  EXPECT_NE(o.out.find("design.lockdep_subclasses"), std::string::npos);
}

}  // namespace
}  // namespace wakesim::app
