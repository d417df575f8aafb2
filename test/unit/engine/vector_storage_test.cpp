// release_storage_beyond: an empty vector gives back the storage beyond n; anything else is untouched.
#include "sim/engine/vector_storage.h"

#include <vector>

#include <gtest/gtest.h>

namespace wakesim::engine {
namespace {

TEST(VectorStorage, AnEmptyVectorKeepsStorageForNOnly) {
  std::vector<int> v(100);
  v.clear();
  release_storage_beyond(v, 8);
  EXPECT_EQ(v.capacity(), 8u);
  EXPECT_TRUE(v.empty());
}

TEST(VectorStorage, AVectorThatHoldsItemsOrIsSmallEnoughIsLeftAlone) {
  std::vector<int> full(100, 7);
  release_storage_beyond(full, 8);
  EXPECT_EQ(full.size(), 100u);
  EXPECT_GE(full.capacity(), 100u);
  std::vector<int> small;
  small.reserve(4);
  const int* storage = small.data();
  release_storage_beyond(small, 8);
  EXPECT_EQ(small.capacity(), 4u);
  EXPECT_EQ(small.data(), storage);
}

}  // namespace
}  // namespace wakesim::engine
