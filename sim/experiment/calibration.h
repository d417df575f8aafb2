// From a measurement of the real machine (`wakesim calibrate`, sim/calibrate) to the simulator's host
// description, and the simulator's own version of the measured curves on that description, side by side.
//
// What maps to what (every key not listed keeps the value of the base preset, chosen by CPU vendor:
// epyc-milan-2s for AMD, icelake-2s otherwise, so atomics, fill buffers, DDIO and IRQ costs come from
// the closest cited machine, sim/hw/README.md):
//  - host.sockets / cores_per_socket / threads_per_core / llc_per_socket: the probed topology;
//  - host.cache.l1/l2/llc _latency: the chase's plateaus (calibrate::LevelEstimate); dram_local: the
//    chase at 4-8x the effective LLC (beyond, page walks inflate the plateau; no TLB is modelled);
//    dram_remote keeps the base preset's remote/local ratio (the chase runs on local memory);
//  - host.cache.l1/l2/llc _size: the chase's *effective* capacities (where latency is half-way between
//    two plateaus), not the nominal sizes: the simulator's survival curves (sim/hw/cache_levels.h) turn
//    at the capacity they are given, and the measured curve turns where the real replacement policy,
//    prefetchers and (in a VM) neighbours make it turn. Ways come from the probe;
//  - host.cache.smt_sibling / same_llc / same_socket / remote_socket: the median one-way CAS ping-pong
//    time of the measured pairs of each distance class.
#pragma once

#include <string>
#include <vector>

#include "sim/calibrate/calibrate.h"
#include "sim/hw/host_params.h"

namespace wakesim::experiment {

struct MeasuredHost {
  hw::HostParams host;
  std::string base_preset;         // the built-in preset whose values the unmeasured keys keep
  std::vector<std::string> notes;  // which keys could not be measured, and why
};

MeasuredHost host_from_measurement(const calibrate::Results& results);

// One point of a curve: x is the chase's working set or the walk's pollution, in bytes.
struct CurvePoint {
  uint64_t bytes = 0;
  double measured_ns = 0;
  double simulated_ns = 0;
  double spread = 1;  // of the measurement over `wakesim calibrate --repeat` (repeats.h); 1: one repeat
  double ratio() const { return measured_ns > 0 ? simulated_ns / measured_ns : 0; }
};

struct SimulatedCurves {
  std::vector<CurvePoint> chase;  // working sets up to kMaxSimulatedChase only (see below)
  std::vector<CurvePoint> walk;
};

// The simulated chase holds one modelled line per 64 bytes of working set; beyond this the point is
// skipped (the DRAM plateau is reached well before on any machine this project models).
inline constexpr uint64_t kMaxSimulatedChase = uint64_t{64} << 20;

// host.cache.llc_pollution_weight (sim/hw/pollution.h) is the one value fitted to the walk rather than
// read off a plateau: the weight, from a fixed grid, whose simulated walk is closest to the measured one
// (smallest worst-case |log(simulated / measured)|) at the pollution sizes of at least 4x the L2,
// where the LLC decides (below, the measured walk keeps L2 hits the model does not: see the note in
// sim/hw/README.md). The other walk points, and every chase point, are not fitted.
inline constexpr double kLlcWeightGrid[] = {1.0, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05};
double fit_llc_pollution_weight(const hw::HostParams& host, const std::vector<calibrate::WalkPoint>& walk,
                                int walk_nodes, int jobs);

// Runs the "memory" scenario (sim/experiment/memory_scenario.cpp) on `host` at every measured point:
// the chase at each working set, the walk of `walk_nodes` nodes after each pollution size. Deterministic;
// `jobs` worker threads (0: all cores).
SimulatedCurves simulate_curves(const hw::HostParams& host, const std::vector<calibrate::ChasePoint>& chase,
                                const std::vector<calibrate::WalkPoint>& walk, int walk_nodes, int jobs);

}  // namespace wakesim::experiment
