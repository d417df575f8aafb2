// Memory sizes ("48KiB") and memory rates ("2GB/s") in configuration values: exact parsing, round trip
// of the written text, and the messages for bad values.
#include <gtest/gtest.h>

#include "sim/config/units.h"

namespace wakesim::config {
namespace {

engine::Bytes bytes(const char* text) {
  std::string error;
  auto b = parse_bytes(text, error);
  EXPECT_TRUE(b.has_value()) << text << ": " << error;
  return b.value_or(engine::Bytes{});
}

std::string bytes_error(const char* text) {
  std::string error;
  EXPECT_FALSE(parse_bytes(text, error).has_value()) << text;
  return error;
}

double rate(const char* text) {
  std::string error;
  auto r = parse_byte_rate(text, error);
  EXPECT_TRUE(r.has_value()) << text << ": " << error;
  return r ? r->per_second : -1;
}

std::string rate_error(const char* text) {
  std::string error;
  EXPECT_FALSE(parse_byte_rate(text, error).has_value()) << text;
  return error;
}

TEST(SizeUnits, SizesAreExactInBinaryAndDecimalUnits) {
  EXPECT_EQ(bytes("48KiB").value, 49'152u);
  EXPECT_EQ(bytes("1.25MiB").value, 1'310'720u);
  EXPECT_EQ(bytes("54MB").value, 54'000'000u);
  EXPECT_EQ(bytes("2GiB").value, uint64_t{2} << 30);
  EXPECT_EQ(bytes("64B").value, 64u);
  EXPECT_EQ(bytes(" 1_024 KiB ").value, uint64_t{1} << 20);
  EXPECT_EQ(bytes("0").value, 0u);
}

TEST(SizeUnits, WrittenSizesReadBackExactly) {
  for (uint64_t v : {uint64_t{0}, uint64_t{64}, uint64_t{49'152}, uint64_t{1'310'720}, uint64_t{54} << 20,
                     uint64_t{3} << 30, uint64_t{1'000'001}}) {
    const std::string text = format_bytes(engine::Bytes{v});
    EXPECT_EQ(bytes(text.c_str()).value, v) << text;
  }
  EXPECT_EQ(format_bytes(engine::Bytes{1'310'720}), "1280KiB");
  EXPECT_EQ(format_bytes(engine::Bytes{54}), "54B");
}

TEST(SizeUnits, BadSizesSayWhatWasExpected) {
  EXPECT_EQ(bytes_error("48"), "expected a size with a unit, like \"48KiB\", \"1.25MiB\", \"54MB\" or \"0B\"");
  EXPECT_EQ(bytes_error("48 KB/s"),
            "'KB/s' is not a size unit; expected a size with a unit, like \"48KiB\", \"1.25MiB\", \"54MB\" or \"0B\"");
  EXPECT_EQ(bytes_error("0.5B"), "'0.5B' is not a whole number of bytes");
  EXPECT_EQ(bytes_error("-1KiB"),
            "expected a plain non-negative decimal number in a size with a unit, like \"48KiB\", \"1.25MiB\", \"54MB\" "
            "or \"0B\"");
  EXPECT_EQ(bytes_error("9999999999GiB"), "'9999999999GiB' is too large a size (the limit is 4 EiB)");
}

TEST(SizeUnits, RatesTakeAnySizeUnitPerTimeUnit) {
  EXPECT_DOUBLE_EQ(rate("2GB/s"), 2e9);
  EXPECT_DOUBLE_EQ(rate("300MB/s"), 300e6);
  EXPECT_DOUBLE_EQ(rate("1.5KiB/us"), 1536e6);
  EXPECT_DOUBLE_EQ(rate("64B/ns"), 64e9);
  EXPECT_DOUBLE_EQ(rate("1MiB/ms"), 1048576e3);
  EXPECT_DOUBLE_EQ(rate("0"), 0);
  for (double v : {0.0, 50e6, 300e6, 1.5e9, 16e9, 1234.5})
    EXPECT_DOUBLE_EQ(rate(format_byte_rate(engine::ByteRate{v}).c_str()), v);
}

TEST(SizeUnits, BadRatesSayWhatWasExpected) {
  const std::string hint = "a memory rate, like \"2GB/s\", \"500MiB/s\" or \"1.5KiB/us\"";
  EXPECT_EQ(rate_error("2GB"), "expected " + hint);
  EXPECT_EQ(rate_error("2G/s"), "expected " + hint);
  EXPECT_EQ(rate_error("2GB/h"), "expected " + hint);
  EXPECT_EQ(rate_error("-2GB/s"), "'-2' is not a non-negative number; expected " + hint);
  EXPECT_EQ(rate_error("2000GB/ns"), "'2000GB/ns' is faster than any memory (the limit is 1PB/s)");
}

}  // namespace
}  // namespace wakesim::config
