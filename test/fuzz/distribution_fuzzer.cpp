// libFuzzer target: any text as a distribution ("exp(10us)", "lognormal(mean=1us, cv=2)", ...), as a
// duration and as a plain number. Parsing accepts it or explains why; an accepted distribution samples
// finite, non-negative values and formats back to text that parses to the same distribution.
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
    if (!(x >= 0) || !std::isfinite(x)) __builtin_trap();
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
