// Capacity what-if studies (`wakesim capacity`): per design, the largest value of one configuration key
// (vCPUs per host, interrupt rate, ...) for which every service-level objective holds with 95%
// confidence, e.g. "wakeup.p99<=50us".
//
// An SLO holds at a value when the 95% confidence interval of the metric's mean over replicates lies
// entirely on the right side of the threshold; it fails when the interval lies entirely on the wrong
// side; otherwise it is uncertain, and the probe gets more replicates (doubling, up to a maximum) so
// runs are spent where the answer is in doubt. A probe still uncertain at the maximum counts as not
// holding: the answer is one we are 95% confident in, never an optimistic one.
//
// The search assumes the SLOs hold on one side of a boundary (monotone in the key). It probes both
// ends: when the low end holds and the high end fails it bisects for the largest holding value;
// when the low end fails and the high end holds (e.g. the key is a number of servers or an
// inter-arrival time) it bisects for the smallest holding value and says so. Integer keys stop at
// adjacent integers; real keys at `tolerance`. Every probe is kept as evidence.
//
// The answer comes with the evidence on both sides of it: the last passing and the first failing probe,
// each SLO's estimate and 95% interval there (boundary(); the terminal table and capacity.json).
// Progress counts the runs planned (the bisection's probes at the initial replicates) plus the
// adaptive replicates as they are decided, less the planned runs a search turned out not to need.
//
// Verdicts (verdict.h): at every value that both a design and the reference design probed, each SLO
// metric is compared by a paired t-test over the replicates they share (replicate r has the same seed
// for every design), Holm-corrected over all those comparisons; capacity.json carries them.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/experiment/config.h"
#include "sim/stats/confidence.h"

namespace wakesim::experiment {

struct Slo {
  std::string text;    // as given: "wakeup.p99<=50us"
  std::string metric;  // the metric's declared name (metric_registry.h): "wakeup.p99"
  std::string op;      // "<=", "<", ">=", ">"
  std::string threshold_text;
  double threshold = 0;  // in the metric's unit (ns for durations, per second for rates)
  std::string unit;      // the metric's declared unit, filled by run_capacity
};

// Parses "METRIC OP VALUE" (VALUE may carry a unit: 50us, 200k/s, 0.5, 12%). run_capacity checks the
// metric against the scenario's declarations and the value against its unit. Throws engine::UserError.
Slo parse_slo(const std::string& text);

struct CapacityOptions {
  std::string key;            // the configuration key varied
  double low = 0, high = 0;   // the range searched
  bool integer = true;        // integral key values (LO and HI written as integers)
  std::string format = "{}";  // how a number becomes the key's value, e.g. "poisson({}/s)"
  double tolerance = 0;       // real keys: stop when the bracket is this narrow (0: 1% of the range)
  std::vector<Slo> slos;
  int initial_replicates = 3;
  int max_replicates = 12;
  int jobs = 0;
  std::ostream* progress = nullptr;
  bool progress_terminal = false;
  std::string reference;  // the design others are compared with (empty: single-lock, else the first)
  // Polled between the events of every run (run_watch.h): true abandons the search, throwing Interrupted.
  std::function<bool()> interrupted;
};

struct SloVerdict {
  std::string verdict;  // "pass", "fail", "uncertain", or "error"
  stats::ConfidenceInterval ci;
};

struct Probe {
  double value = 0;
  std::string assignment;  // KEY=VALUE as applied
  int replicates = 0;
  std::vector<SloVerdict> slos;              // parallel to CapacityOptions::slos
  std::vector<std::vector<double>> samples;  // parallel to slos: the metric per replicate
  std::string error;                         // the configuration or a run failed at this value
  bool holds = false;
};

struct DesignCapacity {
  std::string design;
  std::optional<double> answer;  // nullopt: no value in the range holds
  std::string status;            // "found", "none" (nothing holds), "all" (the whole range holds)
  std::string direction;         // "max" (largest holding value) or "min" (smallest holding value)
  std::vector<Probe> probes;     // in the order they were made
  int runs = 0;
};

struct CapacityResult {
  std::string scenario;
  std::vector<Slo> slos;  // with units and thresholds resolved from the declarations
  std::vector<DesignCapacity> designs;
};

// The probes on either side of a design's answer: the last that passed (at the answer) and the first
// that failed beyond it (the nearest failing value; "uncertain" counts as failing). Null when there is
// none: nothing passed ("none"), or nothing failed ("all").
struct Boundary {
  const Probe* last_pass = nullptr;
  const Probe* first_fail = nullptr;
};
Boundary boundary(const DesignCapacity& design);

CapacityResult run_capacity(const Config& base, const std::vector<std::string>& base_overrides,
                            const std::optional<std::filesystem::path>& config_file, const CapacityOptions& options);

// capacity.json, probes.csv, metrics.json (the SLO metrics' declarations), manifest.json into `dir`;
// the answer table as text.
void write_capacity(const std::filesystem::path& dir, const CapacityOptions& options, const CapacityResult& result,
                    const std::string& command_line, const std::string& config_source,
                    std::chrono::system_clock::time_point start);
// The answer table, then the verdict table (every design against the reference at the values both probed).
std::string format_capacity(const CapacityOptions& options, const CapacityResult& result);

}  // namespace wakesim::experiment
