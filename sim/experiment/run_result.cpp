#include "sim/experiment/run_result.h"

namespace wakesim::experiment {

void RunResult::add_latency_summary(const std::string& prefix, const stats::LatencyHistogram& h) {
  add(prefix + ".count", "count", static_cast<double>(h.count()));
  add(prefix + ".mean", "ns", h.mean() / 1e3);
  add_time(prefix + ".p50", h.p50());
  add_time(prefix + ".p90", h.p90());
  add_time(prefix + ".p99", h.p99());
  add_time(prefix + ".p999", h.p999());
  add_time(prefix + ".p9999", h.p9999());
  add_time(prefix + ".max", h.max());
}

}  // namespace wakesim::experiment
