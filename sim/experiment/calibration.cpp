#include "sim/experiment/calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "sim/config/loader.h"
#include "sim/experiment/config.h"
#include "sim/experiment/parallel.h"
#include "sim/experiment/scenario.h"

namespace wakesim::experiment {
namespace {

using engine::Time;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Bytes as the configuration stores them: whole lines, at least one.
engine::Bytes line_multiple(uint64_t bytes) { return engine::Bytes{std::max<uint64_t>(64, bytes / 64 * 64)}; }
// An effective capacity, to the KiB (the estimate is not finer than that).
engine::Bytes capacity(uint64_t bytes) { return engine::Bytes{std::max<uint64_t>(1024, (bytes + 512) / 1024 * 1024)}; }

enum class Distance { kSmtSibling, kSameLlc, kSameSocket, kRemoteSocket };

Distance distance(const calibrate::CpuPlace& a, const calibrate::CpuPlace& b) {
  if (a.socket != b.socket) return Distance::kRemoteSocket;
  if (a.core == b.core) return Distance::kSmtSibling;
  // Unknown LLC sharing (CPUID only): a socket is taken as one LLC domain, as on Intel.
  if (a.llc_domain < 0 || b.llc_domain < 0 || a.llc_domain == b.llc_domain) return Distance::kSameLlc;
  return Distance::kSameSocket;
}

const calibrate::CpuPlace* place_of(const calibrate::Topology& t, int cpu) {
  for (const calibrate::CpuPlace& p : t.places)
    if (p.cpu == cpu) return &p;
  return nullptr;
}

void apply_transfers(const calibrate::Results& r, hw::CacheParams& c, std::vector<std::string>& notes) {
  std::map<Distance, std::vector<double>> by_class;
  for (const calibrate::TransferPoint& p : r.transfers) {
    const calibrate::CpuPlace* a = place_of(r.topology, p.cpu_a);
    const calibrate::CpuPlace* b = place_of(r.topology, p.cpu_b);
    if (a != nullptr && b != nullptr && p.one_way_ns > 0) by_class[distance(*a, *b)].push_back(p.one_way_ns);
  }
  const std::pair<Distance, Time hw::CacheParams::*> keys[] = {
      {Distance::kSmtSibling, &hw::CacheParams::smt_sibling},
      {Distance::kSameLlc, &hw::CacheParams::same_llc},
      {Distance::kSameSocket, &hw::CacheParams::same_socket},
      {Distance::kRemoteSocket, &hw::CacheParams::remote_socket}};
  const char* names[] = {"smt_sibling", "same_llc", "same_socket", "remote_socket"};
  for (size_t i = 0; i < 4; ++i) {
    auto it = by_class.find(keys[i].first);
    if (it == by_class.end()) {
      notes.push_back(
          fmt::format("host.cache.{}: no pair of that distance was measured; the base preset's value", names[i]));
      continue;
    }
    c.*keys[i].second = Time::from_ns(median(it->second));
  }
}

// DRAM latency as the kernel's lines see it: the chase's median over working sets of 4 to 8 times the
// effective LLC, rather than its plateau far beyond (up to 1 GiB), where page walks add to every load
// (the more so in a VM, under nested paging). The simulator models no TLB, and the lines it models
// sit in a few pages, as the wakeup list's do. Falls back to the estimated plateau.
double dram_near_llc(const std::vector<calibrate::ChasePoint>& chase, const calibrate::LevelEstimate& l) {
  std::vector<double> near;
  for (const calibrate::ChasePoint& p : chase)
    if (l.llc_bytes > 0 && p.working_set_bytes >= 4 * l.llc_bytes && p.working_set_bytes <= 8 * l.llc_bytes)
      near.push_back(p.ns_per_load);
  return near.empty() ? l.dram_ns : median(near);
}

}  // namespace

MeasuredHost host_from_measurement(const calibrate::Results& r) {
  MeasuredHost m;
  const bool amd = r.topology.cpu_signature.find("AuthenticAMD") != std::string::npos;
  m.base_preset = amd ? "epyc-milan-2s" : "icelake-2s";
  config::apply_override(m.host, "preset=" + m.base_preset);
  hw::HostParams& h = m.host;
  const hw::HostParams base = h;

  const calibrate::Topology& t = r.topology;
  if (t.sockets >= 1 && t.cores_per_socket >= 1 && t.threads_per_core >= 1) {
    h.sockets = t.sockets;
    h.cores_per_socket = t.cores_per_socket;
    h.threads_per_core = t.threads_per_core;
    const int llcs = std::max(1, t.llc_domains_per_socket);
    h.llc_per_socket = h.cores_per_socket % llcs == 0 ? llcs : 1;
    if (h.llc_per_socket != llcs)
      m.notes.push_back(fmt::format("host.llc_per_socket: {} LLC domains do not divide {} cores; taken as 1", llcs,
                                    h.cores_per_socket));
  } else {
    m.notes.push_back("host topology: the probe found none; the base preset's");
  }

  hw::CacheParams& c = h.cache;
  const calibrate::LevelEstimate& l = r.levels;
  auto latency = [&](double ns, Time hw::CacheParams::*key, const char* name) {
    if (ns > 0) c.*key = Time::from_ns(ns);
    else m.notes.push_back(fmt::format("host.cache.{}: not estimated from the chase; the base preset's value", name));
  };
  latency(l.l1_ns, &hw::CacheParams::l1_latency, "l1_latency");
  latency(l.l2_ns, &hw::CacheParams::l2_latency, "l2_latency");
  latency(l.llc_ns, &hw::CacheParams::llc_latency, "llc_latency");
  const double dram_ns = dram_near_llc(r.chase, l);
  latency(dram_ns, &hw::CacheParams::dram_local, "dram_local");
  if (dram_ns > 0) c.dram_remote = Time::from_ns(dram_ns * base.cache.dram_remote.ns() / base.cache.dram_local.ns());
  auto size = [&](uint64_t bytes, int ways, engine::Bytes hw::CacheParams::*key, int hw::CacheParams::*ways_key,
                  const char* name) {
    if (bytes > 0) c.*key = capacity(bytes);
    else m.notes.push_back(fmt::format("host.cache.{}: not estimated from the chase; the base preset's value", name));
    if (ways > 0) c.*ways_key = ways;
  };
  size(l.l1_bytes, l.l1_ways, &hw::CacheParams::l1_size, &hw::CacheParams::l1_ways, "l1_size");
  size(l.l2_bytes, l.l2_ways, &hw::CacheParams::l2_size, &hw::CacheParams::l2_ways, "l2_size");
  size(l.llc_bytes, l.llc_ways, &hw::CacheParams::llc_size, &hw::CacheParams::llc_ways, "llc_size");
  if (c.l2_size < c.l1_size) c.l2_size = c.l1_size;
  if (c.llc_size < c.l2_size) c.llc_size = c.l2_size;
  apply_transfers(r, c, m.notes);
  if (h.sockets == 1) c.remote_socket = base.cache.remote_socket;
  m.notes.push_back(fmt::format(
      "host.cache.atomic, fill_buffers, device_writes_to_llc and [host.irq]: not measured; {}'s", m.base_preset));
  if (h.sockets > 1)
    m.notes.push_back(
        fmt::format("host.cache.dram_remote: not measured; dram_local x {}'s remote/local ratio", m.base_preset));
  return m;
}

double fit_llc_pollution_weight(const hw::HostParams& host, const std::vector<calibrate::WalkPoint>& walk,
                                int walk_nodes, int jobs) {
  std::vector<calibrate::WalkPoint> llc_region;
  for (const calibrate::WalkPoint& p : walk)
    if (p.pollution_bytes >= 4 * host.cache.l2_size.value && p.ns_per_node > 0) llc_region.push_back(p);
  if (llc_region.empty()) return host.cache.llc_pollution_weight;
  double best_weight = host.cache.llc_pollution_weight;
  double best_error = std::numeric_limits<double>::infinity();
  for (const double weight : kLlcWeightGrid) {
    hw::HostParams trial = host;
    trial.cache.llc_pollution_weight = weight;
    const SimulatedCurves curves = simulate_curves(trial, {}, llc_region, walk_nodes, jobs);
    double worst = 0;
    for (const CurvePoint& p : curves.walk) worst = std::max(worst, std::abs(std::log(p.ratio())));
    if (worst < best_error) best_error = worst, best_weight = weight;
  }
  return best_weight;
}

SimulatedCurves simulate_curves(const hw::HostParams& host, const std::vector<calibrate::ChasePoint>& chase,
                                const std::vector<calibrate::WalkPoint>& walk, int walk_nodes, int jobs) {
  struct Job {
    bool is_walk;
    uint64_t bytes;
    double measured;
    double spread;
  };
  std::vector<Job> todo;
  for (const calibrate::ChasePoint& p : chase)
    if (p.working_set_bytes <= kMaxSimulatedChase)
      todo.push_back({false, p.working_set_bytes, p.ns_per_load, p.spread});
  for (const calibrate::WalkPoint& p : walk) todo.push_back({true, p.pollution_bytes, p.ns_per_node, p.spread});

  Config base;
  base.scenario = "memory";
  base.host = host;
  base.memory.nodes = walk_nodes;
  const ScenarioEntry* scenario = find_scenario("memory");
  std::vector<double> simulated(todo.size());
  for_each_index_in_parallel(jobs, todo.size(), [&](size_t i) {
    Config config = base;
    if (todo[i].is_walk) {
      config.memory.pollution = engine::Bytes{todo[i].bytes};
    } else {
      config.memory.working_set = line_multiple(todo[i].bytes);
      // Beyond the L2 every round visits every line once more in a new order: one round after one
      // warm-up round holds the steady state (survival is a deterministic hash, cache_levels.h).
      if (todo[i].bytes > host.cache.l2_size.value) config.memory.warmup_rounds = config.memory.rounds = 1;
    }
    config::validate(config, "calibration");
    const RunResult r = scenario->make()->run(config, todo[i].is_walk ? "walk" : "chase", 1);
    const std::string metric = todo[i].is_walk ? "node_latency.mean" : "load_latency.mean";
    for (const Metric& m : r.metrics)
      if (m.name == metric) simulated[i] = m.value;
  });

  SimulatedCurves curves;
  for (size_t i = 0; i < todo.size(); ++i)
    (todo[i].is_walk ? curves.walk : curves.chase)
        .push_back(CurvePoint{todo[i].bytes, todo[i].measured, simulated[i], todo[i].spread});
  return curves;
}

}  // namespace wakesim::experiment
