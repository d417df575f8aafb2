// NameRegistry (the scenario and design registries): lookup, listing in name order, and a second entry
// under a taken name refused and reported instead of silently dropped.
#include "sim/engine/name_registry.h"

#include <gtest/gtest.h>

#include "sim/experiment/scenario.h"
#include "sim/kernel/wakeup_design.h"

namespace wakesim::engine {
namespace {

struct Entry {
  std::string name;
  int value = 0;
};

TEST(NameRegistry, FindsListsInNameOrderAndRefusesATakenName) {
  NameRegistry<Entry> r;
  EXPECT_TRUE(r.add({"b", 1}));
  EXPECT_TRUE(r.add({"a", 2}));
  EXPECT_FALSE(r.add({"b", 3}));  // refused: the first stays
  ASSERT_NE(r.find("b"), nullptr);
  EXPECT_EQ(r.find("b")->value, 1);
  EXPECT_EQ(r.find("c"), nullptr);
  const auto all = r.all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->name, "a");
  EXPECT_EQ(all[1]->name, "b");
  EXPECT_EQ(r.duplicates(), std::vector<std::string>{"b"});
}

// The registries of this build: every scenario and design name is registered once.
TEST(NameRegistry, TheBuildRegistersEveryScenarioAndDesignOnce) {
  EXPECT_TRUE(experiment::duplicate_scenarios().empty());
  EXPECT_TRUE(kernel::duplicate_designs().empty());
  EXPECT_NE(experiment::find_scenario("kvm"), nullptr);
  EXPECT_NE(kernel::find_design("single-lock"), nullptr);
}

}  // namespace
}  // namespace wakesim::engine
