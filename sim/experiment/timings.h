// timings.csv, the wall-clock figures of `wakesim run` and `wakesim sweep` (one row per run). They
// differ between identical runs, so they live apart from every file that must be byte-identical.
// `peak_rss_bytes` is the process's peak resident set when the run finished (runs share the process,
// so with several jobs it is an upper bound for the run).
#pragma once

#include <string>
#include <string_view>

#include "sim/experiment/runner.h"

namespace wakesim::experiment {

inline constexpr std::string_view kTimingsHeader =
    "design,replicate,events,wall_seconds,events_per_second,peak_rss_bytes";

// One row in kTimingsHeader's columns, with its newline.
std::string timings_row(const RunRecord& r);

// The process's peak resident set so far, in bytes (getrusage's ru_maxrss).
size_t process_peak_rss_bytes();

}  // namespace wakesim::experiment
