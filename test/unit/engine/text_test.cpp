// The shared text helpers: trim and whole-file reads.
#include "sim/engine/text.h"

#include <fstream>

#include <gtest/gtest.h>

namespace wakesim::engine {
namespace {

TEST(Text, TrimRemovesSurroundingWhitespaceOnly) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trimmed("\vx\f"), "x");
}

TEST(Text, ReadWholeFileReturnsEveryByteOrNothing) {
  const auto path = std::filesystem::temp_directory_path() / "wakesim_text_test.bin";
  const std::string bytes("a\0b\r\nc", 6);
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_EQ(read_whole_file(path), bytes);
  std::filesystem::remove(path);
  EXPECT_EQ(read_whole_file(path), std::nullopt);
}

}  // namespace
}  // namespace wakesim::engine
