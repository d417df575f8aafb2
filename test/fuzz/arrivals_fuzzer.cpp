// libFuzzer target: any text as an arrival process ("poisson(10k/s)", "mmpp(...)", "onoff(...)", ...).
// Parsing accepts it or explains why; an accepted process yields arrival times that never go back (or
// says its arrivals are too rare to find, a UserError), and formats back to text that parses again.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/engine/errors.h"
#include "sim/engine/random.h"
#include "sim/workload/arrival_process.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto spec = wakesim::workload::parse_arrivals(text, error);
  if (!spec) return 0;
  wakesim::workload::ArrivalProcess process(*spec, wakesim::engine::RandomStream(1, 0, "fuzz"), 0);
  wakesim::engine::Time now;
  try {
    for (int i = 0; i < 64; ++i) {
      const wakesim::engine::Time next = process.next(now);
      if (next < now) __builtin_trap();
      if (next == wakesim::engine::Time::max()) break;
      now = next;
    }
  } catch (const wakesim::engine::UserError&) {
    // A process whose arrivals are too rare to find (kMaxStateChanges): bad input, reported as such.
  }
  std::string again_error;
  if (!wakesim::workload::parse_arrivals(wakesim::workload::format_arrivals(*spec), again_error)) __builtin_trap();
  return 0;
}
