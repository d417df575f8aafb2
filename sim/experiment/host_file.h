// The host file `wakesim calibrate` writes: a [host] table the simulator loads as a preset
// (`host.preset = "path/to/host.toml"`, or `--set host.preset=...`), and a [calibration] table with the
// measurement it came from (topology, the chase and walk curves with the simulator's values beside
// them, core-to-core transfers, the clock), so that the file documents itself and the validation test
// (test/validation/calibration_test.cpp) can hold the model against the committed measurement.
//
//   [host]                  # only the measured keys and the base preset; every other key is the preset's
//   preset = "epyc-milan-2s"
//   sockets = 1 ...
//   [host.cache]
//   l1_latency = "1120ps" ...
//   [calibration]
//   repeats = 3             # `wakesim calibrate --repeat`; 1 when absent
//   chase = [[bytes, measured ns/load, simulated ns/load(, spread over the repeats)], ...]
//   walk = [[pollution bytes, measured ns/node, simulated ns/node(, spread)], ...]
//   transfers = [[cpu a, cpu b, one-way ns, p10 ns, p90 ns], ...]
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/calibrate/calibrate.h"
#include "sim/experiment/calibration.h"
#include "sim/hw/host_params.h"

namespace wakesim::experiment {

std::string host_file_toml(const calibrate::Results& results, const MeasuredHost& measured,
                           const SimulatedCurves& curves, const std::string& command_line,
                           std::chrono::system_clock::time_point when);

// What a host file holds: the host as the simulator loads it, and the measured curves.
struct StoredCalibration {
  hw::HostParams host;
  std::vector<calibrate::ChasePoint> chase;
  std::vector<calibrate::WalkPoint> walk;
  int walk_nodes = 0;
  int repeats = 1;      // how many sweeps each curve point is the median of; the points carry their spread
  std::string machine;  // the CPU model and signature it was measured on
};

// Throws engine::UserError naming the file, line and key of any problem.
StoredCalibration read_host_file(const std::filesystem::path& file);

}  // namespace wakesim::experiment
