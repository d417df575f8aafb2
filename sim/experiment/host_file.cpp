#include "sim/experiment/host_file.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "sim/config/input_file.h"
#include "sim/config/loader.h"
#include "sim/config/problems.h"
#include "sim/config/units.h"
#include "sim/engine/errors.h"
#include "sim/experiment/provenance.h"
#include "sim/experiment/version.h"

namespace wakesim::experiment {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\', out += ch;
    else if (static_cast<unsigned char>(ch) < 0x20) out += fmt::format("\\u{:04x}", static_cast<unsigned>(ch));
    else out += ch;
  }
  return out + "\"";
}

std::string ns_text(engine::Time t) { return quoted(config::format_duration(t)); }
std::string bytes_text(engine::Bytes b) { return quoted(config::format_bytes(b)); }

std::string host_tables(const MeasuredHost& m) {
  const hw::HostParams& h = m.host;
  const hw::CacheParams& c = h.cache;
  std::string s;
  s += "[host]\n";
  s += fmt::format("preset = {}  # the base: every key not written here keeps this preset's value\n",
                   quoted(m.base_preset));
  s += fmt::format("sockets = {}\ncores_per_socket = {}\nthreads_per_core = {}\nllc_per_socket = {}\n", h.sockets,
                   h.cores_per_socket, h.threads_per_core, h.llc_per_socket);
  s += "\n[host.cache]\n";
  s += "# Plateaus of the pointer chase, and effective capacities (where the latency is half-way between\n"
       "# two plateaus, in log space); ways as the system reports them.\n";
  s += fmt::format("l1_size = {}\nl1_ways = {}\nl1_latency = {}\n", bytes_text(c.l1_size), c.l1_ways,
                   ns_text(c.l1_latency));
  s += fmt::format("l2_size = {}\nl2_ways = {}\nl2_latency = {}\n", bytes_text(c.l2_size), c.l2_ways,
                   ns_text(c.l2_latency));
  s += fmt::format("llc_size = {}\nllc_ways = {}\nllc_latency = {}\n", bytes_text(c.llc_size), c.llc_ways,
                   ns_text(c.llc_latency));
  s += fmt::format("dram_local = {}\ndram_remote = {}\n", ns_text(c.dram_local), ns_text(c.dram_remote));
  s += "# Fitted to the walk after pollution at F >= 4 x l2_size (sim/experiment/calibration.h).\n";
  s += fmt::format("llc_pollution_weight = {}\n", c.llc_pollution_weight);
  s += "# One-way line transfers: median CAS ping-pong round trip / 2 per distance class.\n";
  s += fmt::format("smt_sibling = {}\nsame_llc = {}\nsame_socket = {}\nremote_socket = {}\n", ns_text(c.smt_sibling),
                   ns_text(c.same_llc), ns_text(c.same_socket), ns_text(c.remote_socket));
  return s;
}

// With more than one repeat, each row also has the measurement's spread over the repeats.
std::string curve(const std::vector<CurvePoint>& points, int repeats) {
  std::string s = "[\n";
  const bool repeated = repeats > 1;
  for (const CurvePoint& p : points) {
    s += fmt::format("  [{}, {:.3f}, {:.3f}{}],  # {}: x{:.2f}{}\n", p.bytes, p.measured_ns, p.simulated_ns,
                     repeated ? fmt::format(", {:.3f}", p.spread) : "", engine::Bytes{p.bytes}, p.ratio(),
                     repeated ? fmt::format(", repeats within x{:.2f}", p.spread) : "");
  }
  return s + "]";
}

// What a curve's rows hold, for its comment.
std::string row_layout(const char* x, const char* y, int repeats) {
  if (repeats == 1) return fmt::format("[{}, measured {}, simulated {}]", x, y, y);
  return fmt::format(
      "[{}, measured {} (median of {} repeats), simulated {}, spread: the largest of the repeats / "
      "the smallest]",
      x, y, repeats, y);
}

}  // namespace

std::string host_file_toml(const calibrate::Results& r, const MeasuredHost& m, const SimulatedCurves& curves,
                           const std::string& command_line, std::chrono::system_clock::time_point when) {
  const calibrate::Topology& t = r.topology;
  std::string s;
  s += fmt::format("# wakesim host description of {} ({}), measured by `wakesim calibrate`.\n", t.cpu_model,
                   t.cpu_signature);
  s += "# Load it as a preset: host.preset = \"path/to/this.toml\" in a configuration (relative to that file),\n"
       "# or --set host.preset=path/to/this.toml. Keys written in the configuration still override it.\n";
  for (const std::string& note : m.notes) s += "# " + note + "\n";
  s += "\n" + host_tables(m);

  s += "\n# The measurement this host came from. Not configuration: the simulator reads only [host].\n";
  s += "[calibration]\n";
  s += fmt::format("command = {}\n", quoted(command_line));
  s += fmt::format("wakesim_version = {}\ngit_revision = {}\n", quoted(version()), quoted(git_revision()));
  s += fmt::format("measured_at = {}\n", quoted(iso_time(when)));
  s += fmt::format("cpu_model = {}\ncpu_signature = {}\n", quoted(t.cpu_model), quoted(t.cpu_signature));
  s += fmt::format("virtualized = {}\nhypervisor = {}\ncpus = {}\n", t.virtualized, quoted(t.hypervisor), t.cpus);
  s += fmt::format("measuring_cpu = {}\nseconds = {:.1f}\nrepeats = {}\n", r.measuring_cpu, r.seconds, r.repeats);
  s += fmt::format("timer = {}\ntsc_ghz = {:.4f}\ntimer_overhead_ns = {:.2f}\ntimer_resolution_ns = {:.2f}\n",
                   quoted(r.timer.source), r.timer.tsc_ghz, r.timer.overhead_ns, r.timer.resolution_ns);
  s += fmt::format("hugepages = {}\nhugepages_detail = {}\n", r.hugepages, quoted(r.hugepages_detail));
  s += fmt::format("preempted_repetitions = {}\n", r.preempted_repetitions);
  s += fmt::format("level_method = {}\n", quoted(r.levels.method));
  std::string topo_notes;
  for (const std::string& n : t.notes) topo_notes += (topo_notes.empty() ? "" : ", ") + quoted(n);
  s += fmt::format("topology_notes = [{}]\n", topo_notes);
  std::string caches;
  for (const calibrate::CacheInfo& c : t.caches)
    caches += fmt::format("  {{ level = {}, type = {}, size = {}, ways = {}, shared_by_cpus = {}, source = {} }},\n",
                          c.level, quoted(c.type), c.size_bytes, c.ways, c.shared_by_cpus, quoted(c.source));
  s += "caches = [\n" + caches + "]\n";
  s += fmt::format(
      "# Pointer chase: {} (simulated up to 64 MiB; measured-only points beyond that are listed with "
      "simulated 0).\n",
      row_layout("working set bytes", "ns per load", r.repeats));
  std::vector<CurvePoint> chase = curves.chase;
  for (const calibrate::ChasePoint& p : r.chase)
    if (p.working_set_bytes > kMaxSimulatedChase)
      chase.push_back(CurvePoint{p.working_set_bytes, p.ns_per_load, 0, p.spread});
  s += "chase = " + curve(chase, r.repeats) + "\n";
  s += fmt::format("# Wakeup-list walk of {} nodes after F bytes of pollution: {}.\nwalk_nodes = {}\n", r.walk_nodes,
                   row_layout("F", "ns per node", r.repeats), r.walk_nodes);
  s += "walk = " + curve(curves.walk, r.repeats) + "\n";
  s += "# Core-to-core CAS ping-pong: [cpu a, cpu b, one-way ns (median), p10, p90].\ntransfers = [\n";
  for (const calibrate::TransferPoint& p : r.transfers)
    s += fmt::format("  [{}, {}, {:.2f}, {:.2f}, {:.2f}],\n", p.cpu_a, p.cpu_b, p.one_way_ns, p.p10_ns, p.p90_ns);
  s += "]\n";
  return s;
}

StoredCalibration read_host_file(const std::filesystem::path& file) {
  StoredCalibration stored;
  config::apply_override(stored.host, "preset=" + file.string());
  const std::string source = file.string();
  std::string error;
  const std::optional<std::string> text = config::read_input_file(file, error);
  if (!text) throw engine::UserError(fmt::format("{}: error: the host file {}", source, error));
  toml::table parsed;
  try {
    parsed = toml::parse(*text, source);
  } catch (const toml::parse_error& error) {
    throw engine::UserError(fmt::format("{}: error: {}", config::where(source, error.source()), error.description()));
  }
  const toml::table* cal = parsed["calibration"].as_table();
  if (cal == nullptr) throw engine::UserError(fmt::format("{}: error: no [calibration] table", source));
  auto points = [&](const char* key, auto add) {
    const toml::array* rows = cal->get_as<toml::array>(key);
    if (rows == nullptr) throw engine::UserError(fmt::format("{}: error: calibration.{}: missing", source, key));
    for (const toml::node& row : *rows) {
      const toml::array* a = row.as_array();
      if (a == nullptr || a->size() < 2 || !a->get(0)->is_number() || !a->get(1)->is_number() ||
          (a->size() >= 4 && !a->get(3)->is_number()))
        throw engine::UserError(fmt::format("{}: error: calibration.{}: expected [bytes, ns, ...] rows",
                                            config::where(source, row.source()), key));
      // The fourth value, when the measurement was repeated: its spread over the repeats.
      const double spread = a->size() >= 4 ? a->get(3)->value<double>().value_or(1) : 1;
      if (!(spread >= 1))
        throw engine::UserError(
            fmt::format("{}: error: calibration.{}: a row's spread (its fourth value) is the "
                        "largest repeat over the smallest, at least 1; got {}",
                        config::where(source, row.source()), key, spread));
      add(static_cast<uint64_t>(a->get(0)->value<int64_t>().value_or(0)), a->get(1)->value<double>().value_or(0),
          spread);
    }
  };
  points("chase", [&](uint64_t b, double ns, double spread) { stored.chase.push_back({b, ns, spread}); });
  points("walk", [&](uint64_t b, double ns, double spread) { stored.walk.push_back({b, ns, spread}); });
  if (const auto* repeats = cal->get_as<int64_t>("repeats")) {
    if (repeats->get() < 1 || repeats->get() > calibrate::kMaxRepeats)
      throw engine::UserError(fmt::format("{}: error: calibration.repeats: expected 1..{}, got {}",
                                          config::where(source, repeats->source()), calibrate::kMaxRepeats,
                                          repeats->get()));
    stored.repeats = static_cast<int>(repeats->get());
  }
  stored.walk_nodes =
      static_cast<int>(cal->get_as<int64_t>("walk_nodes") ? cal->get_as<int64_t>("walk_nodes")->get() : 0);
  if (stored.walk_nodes < 1)
    throw engine::UserError(fmt::format("{}: error: calibration.walk_nodes: missing or < 1", source));
  const auto* model = cal->get_as<std::string>("cpu_model");
  const auto* signature = cal->get_as<std::string>("cpu_signature");
  stored.machine = fmt::format("{} ({})", model ? model->get() : "?", signature ? signature->get() : "?");
  return stored;
}

}  // namespace wakesim::experiment
