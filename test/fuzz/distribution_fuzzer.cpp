// libFuzzer target: any text as a distribution ("exp(10us)", "lognormal(mean=1us, cv=2)", ...), as a
// duration and as a plain number. Parsing accepts it or explains why; an accepted distribution samples
// non-negative values that are never NaN (a duration beyond the simulated range saturates at
// Distribution::kLongestSample), and formats back to text that parses again.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/config/distribution_text.h"
#include "sim/engine/random.h"

using wakesim::config::DistributionUnit;

namespace {
void check(std::string_view text, DistributionUnit unit) {
  std::string error;
  const auto d = wakesim::config::parse_distribution(text, unit, error);
  if (!d) return;
  wakesim::engine::RandomStream rng(1, 0, "fuzz");
  for (int i = 0; i < 16; ++i) {
    const double x = d->sample(rng);
    if (!(x >= 0)) __builtin_trap();  // negative or NaN
  }
  if (unit == DistributionUnit::kDuration) {
    for (int i = 0; i < 16; ++i) {
      const int64_t ps = d->sample_time(rng).ps();
      if (ps < 0 || ps > wakesim::engine::Distribution::kLongestSample) __builtin_trap();
    }
  }
  const std::string again = wakesim::config::format_distribution(*d, unit);
  std::string again_error;
  if (!wakesim::config::parse_distribution(again, unit, again_error)) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(text, DistributionUnit::kDuration);
  check(text, DistributionUnit::kNumber);
  return 0;
}
