// One finished run of a sweep, stored as a file so that an interrupted sweep resumes without redoing
// it and shards merge without rerunning anything: points/pNNNN/runs/DESIGN/rR.json holds everything
// deterministic about the run (metrics, exact histograms, tables, warnings, event count, or the error);
// rR.timing beside it holds the wall-clock figures, which differ between identical runs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "sim/experiment/runner.h"

namespace wakesim::experiment {

std::string run_record_json(const RunRecord& record);
// Throws engine::UserError naming `where` for a file that is not a run record.
RunRecord parse_run_record(std::string_view text, const std::string& where);

std::filesystem::path run_record_path(const std::filesystem::path& point_dir, const std::string& design, int replicate);
std::filesystem::path run_timing_path(const std::filesystem::path& point_dir, const std::string& design, int replicate);

// Writes the timing file, then the record (the record's existence marks the run as done). Atomic.
void store_run(const std::filesystem::path& point_dir, const RunRecord& record);
// The stored record, or nullopt when the run has not finished. Wall-clock figures are read back too.
std::optional<RunRecord> load_run(const std::filesystem::path& point_dir, const std::string& design, int replicate);

}  // namespace wakesim::experiment
