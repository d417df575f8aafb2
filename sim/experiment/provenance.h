// Provenance shared by every manifest.json (runs, sweeps, capacity studies): the wakesim version and git
// revision, the host (name, system, hardware threads, the --jobs used, the process's peak memory) and
// UTC start and end times. These are the fields that differ between identical runs.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace wakesim::experiment {

std::string iso_time(std::chrono::system_clock::time_point t);  // "2026-11-25T21:39:10Z"

// Adds wakesim_version, git_revision, host, start_time and end_time to `manifest`.
void add_provenance(nlohmann::ordered_json& manifest, int jobs, std::chrono::system_clock::time_point start,
                    std::chrono::system_clock::time_point end);

}  // namespace wakesim::experiment
