// What one simulation run produces: named headline metrics (deterministic for a given config and
// seed), latency histograms, and engine counters. Wall-clock figures are kept apart because they
// differ from run to run; they never enter files that must be byte-identical.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/time.h"
#include "sim/hw/lockdep.h"
#include "sim/stats/latency_histogram.h"

namespace wakesim::experiment {

struct Metric {
  std::string name;  // dotted, e.g. "wait.p99"
  std::string unit;  // "ns", "/s", "fraction", "count", ...
  double value;
};

// A small table a run produces besides its metrics (per-pCPU IRQ-off time, lockstat rows), written to
// <name>.csv with the design and replicate added as the first columns.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

struct RunResult {
  std::vector<Metric> metrics;
  std::vector<std::pair<std::string, stats::LatencyHistogram>> histograms;
  std::vector<std::pair<std::string, Table>> tables;
  std::vector<std::string> warnings;  // e.g. a warm-up that looks too short
  uint64_t events = 0;
  double wall_seconds = 0;
  size_t peak_rss_bytes = 0;
  // The lock orders the run exercised, from time zero (only with kernel.lockdep; never written to files).
  std::shared_ptr<const hw::LockdepRecord> lockdep;

  void add(std::string name, std::string unit, double value) {
    metrics.push_back(Metric{std::move(name), std::move(unit), value});
  }
  void add_time(std::string name, engine::Time t) { add(std::move(name), "ns", t.ns()); }
  // mean, p50, p90, p99, p99.9 (p999), p99.99 (p9999) and max of a latency histogram, as "<prefix>.<stat>" in ns.
  void add_latency_summary(const std::string& prefix, const stats::LatencyHistogram& h);
};

}  // namespace wakesim::experiment
