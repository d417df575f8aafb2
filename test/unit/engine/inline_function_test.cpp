// InlineFunction: a move-only callable stored inline, with the captures' lifetimes of std::function.
#include "sim/engine/inline_function.h"

#include <memory>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace wakesim::engine {
namespace {

TEST(InlineFunction, CallsItsTargetWithArgumentsAndResult) {
  int base = 40;
  InlineFunction<int(int)> f = [&base](int x) { return base + x; };
  ASSERT_TRUE(static_cast<bool>(f));
  EXPECT_EQ(f(2), 42);
  EXPECT_FALSE(static_cast<bool>(InlineFunction<int(int)>()));
}

TEST(InlineFunction, MovesAndDestroysCapturesExactlyOnce) {
  auto token = std::make_shared<int>(7);
  {
    InlineFunction<int()> a = [token] { return *token; };
    EXPECT_EQ(token.use_count(), 2);
    InlineFunction<int()> b = std::move(a);
    EXPECT_FALSE(static_cast<bool>(a));  // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_EQ(token.use_count(), 2);
    std::vector<InlineFunction<int()>> v;
    v.push_back(std::move(b));
    for (int i = 0; i < 10; ++i) v.emplace_back([token] { return 0; });  // reallocations move them
    EXPECT_EQ(v.front()(), 7);
    EXPECT_EQ(token.use_count(), 12);
    v.front() = [] { return 1; };  // assignment destroys the old target
    EXPECT_EQ(token.use_count(), 11);
  }
  EXPECT_EQ(token.use_count(), 1);
}

}  // namespace
}  // namespace wakesim::engine
