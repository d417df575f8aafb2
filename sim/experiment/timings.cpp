#include "sim/experiment/timings.h"

#include <sys/resource.h>

#include <fmt/format.h>

#include "sim/experiment/results_writer.h"

namespace wakesim::experiment {

std::string timings_row(const RunRecord& r) {
  const double rate = r.result.wall_seconds > 0 ? static_cast<double>(r.result.events) / r.result.wall_seconds : 0.0;
  return fmt::format("{},{},{},{:.6f},{:.0f},{}\n", csv_field(r.design), r.replicate, r.result.events,
                     r.result.wall_seconds, rate, r.result.peak_rss_bytes);
}

size_t process_peak_rss_bytes() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<size_t>(usage.ru_maxrss) * 1024;
}

}  // namespace wakesim::experiment
