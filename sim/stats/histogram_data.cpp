// Decimal text for the exact 128-bit sum carried by HistogramData.
#include "sim/stats/histogram_data.h"

#include <algorithm>

#include "sim/engine/errors.h"

namespace wakesim::stats {

std::string to_decimal(Uint128 v) {
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  std::reverse(digits.begin(), digits.end());
  return digits;
}

Uint128 parse_decimal_u128(std::string_view text, std::string_view what) {
  if (text.empty()) throw engine::UserError(fmt::format("{}: expected a decimal integer, got an empty string", what));
  constexpr Uint128 kMax = ~Uint128{0};
  Uint128 v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      throw engine::UserError(fmt::format("{}: expected a decimal integer, got '{}'", what, text));
    }
    const auto digit = static_cast<unsigned>(c - '0');
    if (v > (kMax - digit) / 10) throw engine::UserError(fmt::format("{}: '{}' does not fit in 128 bits", what, text));
    v = v * 10 + digit;
  }
  return v;
}

}  // namespace wakesim::stats
