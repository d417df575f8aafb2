// `wakesim calibrate [--out FILE] [--force] [--quick|--full] [--cpus LIST] [--nodes N] [--repeat N] [--jobs N]`
// Measures the machine it runs on (sim/calibrate: pointer chase, core-to-core transfers, the wakeup-list
// walk after pollution), turns the measurement into a host description (sim/experiment/calibration.h),
// simulates the same chase and walk on that description, prints both side by side, and writes the host
// file (sim/experiment/host_file.h) that `host.preset = "FILE"` loads. Under a minute on a 2-core
// machine (about 10-20 s of measuring per repeat); progress on the error stream. With --repeat N the chase
// and the walk are swept N times, each point is the median of its repeats, and the output shows how far
// each point moved between them (sim/calibrate/repeats.h).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ostream>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/calibrate/calibrate.h"
#include "sim/engine/errors.h"
#include "sim/experiment/atomic_file.h"
#include "sim/experiment/calibration.h"
#include "sim/experiment/host_file.h"
#include "sim/experiment/progress.h"

namespace wakesim::app {
namespace {

struct CalibrateOptions {
  std::string out = "host.toml";
  bool force = false;
  bool quick = false;
  bool full = false;
  std::vector<int> cpus;
  int nodes = 16;
  int repeats = 1;
  int jobs = 0;
};

// A one-line bar redrawn in place on a terminal; elsewhere a line per step.
class ProgressBar final : public calibrate::Progress {
 public:
  ProgressBar(std::ostream& err, bool terminal) : err_(err), terminal_(terminal) {}
  void step(double fraction, std::string_view what) override {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const int width = 30;
    const int filled = static_cast<int>(std::lround(fraction * width));
    const std::string line =
        fmt::format("calibrate [{}{}] {:3.0f}% {:>6}  {}", std::string(filled, '#'), std::string(width - filled, '.'),
                    fraction * 100, experiment::Progress::format_duration(seconds), what);
    if (terminal_) err_ << "\r" << line << "\x1b[K" << std::flush;
    else err_ << line << "\n";
    if (fraction >= 1 && terminal_) err_ << "\n";
  }

 private:
  std::ostream& err_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// A point "moved" between repeats when its spread (largest / smallest) is above this: the 25% tolerance
// of the walk criterion the calibration is checked against (test/validation/calibration_test.cpp).
constexpr double kMovedSpread = 1.25;

// With repeats, a last column gives each point's spread over them (largest / smallest).
std::string side_by_side(const char* title, const char* x_name, const std::vector<experiment::CurvePoint>& points,
                         int repeats) {
  std::string s = fmt::format("{}\n  {:>12}  {:>10}  {:>10}  {:>9}{}\n", title, x_name, "measured", "simulated",
                              "sim/meas", repeats > 1 ? "   repeats" : "");
  const experiment::CurvePoint* worst = nullptr;
  for (const experiment::CurvePoint& p : points) {
    s += fmt::format("  {:>12}  {:>10.2f}  {:>10.2f}  {:>9.2f}{}\n", fmt::format("{}", engine::Bytes{p.bytes}),
                     p.measured_ns, p.simulated_ns, p.ratio(),
                     repeats > 1 ? fmt::format("  {:>7}", fmt::format("x{:.2f}", p.spread)) : "");
    if (p.ratio() > 0 && (worst == nullptr || std::abs(std::log(p.ratio())) > std::abs(std::log(worst->ratio()))))
      worst = &p;
  }
  if (worst != nullptr)
    s += fmt::format("  farthest apart: x{:.2f} at {} ({})\n", worst->ratio(), engine::Bytes{worst->bytes},
                     worst->ratio() > 1 ? "the model is slower" : "the model is faster");
  if (repeats > 1 && !points.empty()) {
    const auto widest = std::max_element(points.begin(), points.end(),
                                         [](const auto& a, const auto& b) { return a.spread < b.spread; });
    const auto unsteady =
        std::count_if(points.begin(), points.end(), [](const auto& p) { return p.spread > kMovedSpread; });
    s += fmt::format(
        "  repeats: {} of {} points moved by more than {:.0f}% between the {} repeats (widest x{:.2f} at {})\n",
        unsteady, points.size(), (kMovedSpread - 1) * 100, repeats, widest->spread, engine::Bytes{widest->bytes});
  }
  return s;
}

int execute(const CalibrateOptions& o, Streams& io) {
  if (o.quick && o.full) throw engine::UserError("error: --quick and --full exclude each other");
  const std::filesystem::path out(o.out);
  std::error_code ec;
  if (std::filesystem::is_directory(out, ec))
    throw engine::UserError(fmt::format("error: --out {}: is a directory; name the host file to write", o.out));
  if (std::filesystem::exists(out, ec) && !o.force)
    throw engine::UserError(
        fmt::format("error: --out {}: the file exists; pass --force to replace it, or choose another name", o.out));

  calibrate::Options options;
  options.thoroughness = o.quick  ? calibrate::Thoroughness::kQuick
                         : o.full ? calibrate::Thoroughness::kFull
                                  : calibrate::Thoroughness::kDefault;
  options.cpus = o.cpus;
  options.walk_nodes = o.nodes;
  options.repeats = o.repeats;
  ProgressBar bar(io.err, ::isatty(STDERR_FILENO) != 0);
  options.progress = &bar;
  const auto when = std::chrono::system_clock::now();
  calibrate::Results results;
  try {
    results = calibrate::measure(options);
  } catch (const std::runtime_error& e) {
    throw engine::UserError(fmt::format("error: calibrate: {}", e.what()));
  }

  experiment::MeasuredHost measured = experiment::host_from_measurement(results);
  io.err << "fitting host.cache.llc_pollution_weight to the walk, then simulating the chase and the walk...\n";
  measured.host.cache.llc_pollution_weight =
      experiment::fit_llc_pollution_weight(measured.host, results.walk, results.walk_nodes, o.jobs);
  const experiment::SimulatedCurves curves =
      experiment::simulate_curves(measured.host, results.chase, results.walk, results.walk_nodes, o.jobs);

  const auto& t = results.topology;
  io.out << fmt::format("machine: {} ({}){}\n", t.cpu_model, t.cpu_signature,
                        t.virtualized ? fmt::format(", virtualized ({})", t.hypervisor) : "");
  io.out << fmt::format("measured in {:.1f} s on CPU {}, timer {}, hugepages {}\n\n", results.seconds,
                        results.measuring_cpu, results.timer.source, results.hugepages ? "yes" : "partly or no");
  io.out << side_by_side("pointer chase, ns per load", "working set", curves.chase, results.repeats) << "\n";
  io.out << side_by_side(
                fmt::format("wakeup-list walk of {} nodes after pollution, ns per node", results.walk_nodes).c_str(),
                "pollution", curves.walk, results.repeats)
         << "\n";
  const hw::CacheParams& c = measured.host.cache;
  io.out << fmt::format(
      "host: {} socket(s) x {} cores x {} threads, {} LLC domain(s) per socket (base preset {})\n"
      "  L1 {} {:.2f} ns, L2 {} {:.2f} ns, LLC {} {:.2f} ns, DRAM {:.1f} ns, LLC pollution weight {} (fitted)\n"
      "  transfers: SMT {:.1f} ns, same LLC {:.1f} ns, same socket {:.1f} ns\n",
      measured.host.sockets, measured.host.cores_per_socket, measured.host.threads_per_core,
      measured.host.llc_per_socket, measured.base_preset, c.l1_size, c.l1_latency.ns(), c.l2_size, c.l2_latency.ns(),
      c.llc_size, c.llc_latency.ns(), c.dram_local.ns(), c.llc_pollution_weight, c.smt_sibling.ns(), c.same_llc.ns(),
      c.same_socket.ns());
  for (const std::string& note : measured.notes) io.out << "  note: " << note << "\n";
  if (t.virtualized)
    io.out << fmt::format(
        "  note: measured inside a virtual machine ({}): other tenants share its caches and the host backs its\n"
        "        memory, so its curves can move by several times between invocations (sim/hw/README.md).\n{}"
        "        To simulate a KVM host, calibrate that host itself.\n",
        t.hypervisor.empty() ? "hypervisor unnamed" : t.hypervisor,
        results.repeats > 1 ? "" : "        --repeat 3 shows how far they move within one invocation.\n");

  experiment::write_file_atomically(out, experiment::host_file_toml(results, measured, curves, io.command_line, when));
  io.out << fmt::format("\nwrote {}; simulate this host with --set host.preset={} (or host.preset in a config)\n",
                        o.out, out.has_parent_path() ? o.out : "./" + o.out);
  return 0;
}

}  // namespace

Action add_calibrate_command(CLI::App& app, Streams& io) {
  auto options = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Measure this machine's caches, core-to-core transfers and wakeup-list walk; write a host file");
  cmd->footer(
      "The host file loads as a preset: --set host.preset=FILE, or host.preset = \"FILE\" in a configuration.\n"
      "Run it on an otherwise idle machine: other load disturbs the medians.");
  cmd->add_option("--out", options->out, "host file to write (default host.toml)")->type_name("FILE");
  cmd->add_flag("--force", options->force, "replace --out if it exists");
  cmd->add_flag("--quick", options->quick, "coarse curves and one transfer pair (about a second)");
  cmd->add_flag("--full", options->full, "core-to-core transfers between every pair of CPUs");
  cmd->add_option("--cpus", options->cpus, "CPUs to use, the first one measures (default: every allowed CPU)")
      ->delimiter(',')
      ->type_name("LIST");
  cmd->add_option("--nodes", options->nodes, "blocked vCPUs on the walked list (default 16)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--repeat", options->repeats,
                  "sweep the chase and the walk N times; each point is their median, shown with their spread "
                  "(default 1)")
      ->type_name("N")
      ->check(CLI::Range(1, calibrate::kMaxRepeats));
  cmd->add_option("--jobs", options->jobs, "worker threads for the simulated curves (default: all cores)")
      ->check(CLI::Range(1, kMaxJobs));
  return [options, &io] { return execute(*options, io); };
}

}  // namespace wakesim::app
