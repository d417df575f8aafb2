// `wakesim capacity [CONFIG] --vary KEY --range LO:HI --slo 'METRIC<=VALUE'... [--design NAME|all]
//                   [--format TEXT] [--tolerance X] [--replicates R] [--max-replicates M] [--set K=V]...
//                   [--reference DESIGN] [--jobs N] [--out DIR [--force]] [--quiet]`
// (sim/experiment/capacity.h). Ctrl-C (SIGINT) or SIGTERM abandons the search, writes nothing, says
// how to start it again and exits with 130 or 143 (sim/app/interrupt.h).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ostream>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/app/interrupt.h"
#include "sim/config/loader.h"
#include "sim/engine/errors.h"
#include "sim/experiment/capacity.h"
#include "sim/experiment/run_watch.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/summary.h"

namespace wakesim::app {
namespace {

struct CapacityCommandOptions {
  std::string config;
  std::string key;
  std::string range;
  std::vector<std::string> slos;
  std::vector<std::string> designs;
  std::vector<std::string> overrides;
  std::string format = "{}";
  double tolerance = 0;
  int replicates = 3;
  int max_replicates = 12;
  int jobs = 0;
  std::string out;
  std::string reference;
  bool force = false;
  bool quiet = false;
};

// "LO:HI": integers when both are written as integers (or when the key takes integers: see below).
// Both finite; an integer range within +-2^53, where every integer is exact.
void parse_range(const std::string& text, experiment::CapacityOptions& options) {
  const size_t colon = text.find(':');
  auto bad = [&] {
    return engine::UserError(fmt::format("--range {}: error: expected LO:HI, two numbers, e.g. --range 4:64", text));
  };
  if (colon == std::string::npos) throw bad();
  const std::string lo = text.substr(0, colon), hi = text.substr(colon + 1);
  try {
    size_t a = 0, b = 0;
    options.low = std::stod(lo, &a);
    options.high = std::stod(hi, &b);
    if (a != lo.size() || b != hi.size()) throw bad();
  } catch (const std::invalid_argument&) {
    throw bad();
  } catch (const std::out_of_range&) {
    throw bad();
  }
  if (!std::isfinite(options.low) || !std::isfinite(options.high))
    throw engine::UserError(fmt::format("--range {}: error: LO and HI must be finite numbers", text));
  options.integer = lo.find_first_of(".eEnN") == std::string::npos && hi.find_first_of(".eEnN") == std::string::npos;
  if (options.low > options.high) throw engine::UserError(fmt::format("--range {}: error: LO is above HI", text));
}

// Integers exactly representable as doubles: the search's midpoints stay whole numbers.
constexpr double kLargestExactInteger = 9007199254740992.0;  // 2^53

// A key that takes integers searches integers, however the range is written (1:1e6 is 1 to 1,000,000),
// and both ends must be values the key accepts, so a range past the key's maximum is refused at once.
void fit_range_to_key(const std::string& range_text, experiment::CapacityOptions& options,
                      const experiment::Config& config) {
  const config::FieldInfo* field = experiment::Config::schema().info().find_dotted(options.key);
  if (field != nullptr && field->type == "integer" && options.format == "{}") {
    if (options.low != std::floor(options.low) || options.high != std::floor(options.high))
      throw engine::UserError(fmt::format("--range {}: error: {} takes integers", range_text, options.key));
    options.integer = true;
  }
  for (const double end : {options.low, options.high}) {
    const bool whole = options.integer && std::abs(end) < 9.2e18;  // within int64_t
    const std::string number = whole ? fmt::format("{}", static_cast<int64_t>(end)) : fmt::format("{}", end);
    const std::string value =
        options.format == "{}" ? number : "\"" + fmt::format(fmt::runtime(options.format), number) + "\"";
    experiment::Config scratch = config;
    try {
      config::apply_override(scratch, options.key + "=" + value);
    } catch (const engine::UserError& e) {
      std::string why = e.what();  // "--set KEY=VALUE: error: KEY: why"
      if (const size_t at = why.find(": error: "); at != std::string::npos) why.erase(0, at + 9);
      throw engine::UserError(fmt::format("--range {}: error: {} (at {})", range_text, why, number));
    }
  }
  if (options.integer &&
      (std::abs(options.low) > kLargestExactInteger || std::abs(options.high) > kLargestExactInteger))
    throw engine::UserError(fmt::format("--range {}: error: an integer range must stay within +-2^53 ({:.0f})",
                                        range_text, kLargestExactInteger));
}

}  // namespace

Action add_capacity_command(CLI::App& app, Streams& io) {
  auto o = std::make_shared<CapacityCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("capacity", "Find, per design, the largest value of a key for which every SLO holds");
  cmd->add_option("CONFIG", o->config, "TOML configuration or workload preset (default: the built-in default)");
  cmd->add_option("--vary", o->key, "the configuration key to vary, e.g. vms.count")->required()->type_name("KEY");
  cmd->add_option("--range", o->range, "the values searched; integers if both are written as integers")
      ->required()
      ->type_name("LO:HI");
  cmd->add_option("--slo", o->slos, "an objective METRIC OP VALUE, e.g. 'wakeup.p99<=50us' (repeatable)")
      ->required()
      ->type_name("SLO");
  cmd->add_option("--design", o->designs, "design to study (repeatable), or 'all'")->type_name("NAME");
  cmd->add_option("--format", o->format, "how the number becomes the key's value, e.g. 'poisson({}/s)'")
      ->type_name("TEXT");
  cmd->add_option("--tolerance", o->tolerance,
                  "real keys: stop when the answer is bracketed this closely (default 1% of the range)");
  cmd->add_option("--replicates", o->replicates, "replicates of a probe at first (default 3)");
  cmd->add_option("--max-replicates", o->max_replicates,
                  "replicates of a probe whose answer stays uncertain (default 12)");
  cmd->add_option("--set", o->overrides, "override a configuration key (repeatable)")->type_name("KEY=VALUE");
  cmd->add_option("--jobs", o->jobs, "worker threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, kMaxJobs));
  cmd->add_option("--out", o->out, "results directory (default: results/capacity-<time>/); must not exist or be empty")
      ->type_name("DIR");
  cmd->add_flag("--force", o->force, "replace an existing --out results directory whole (no old file survives)");
  cmd->add_option("--reference", o->reference,
                  "the design the others are compared with (default: single-lock when it runs, else the first)")
      ->type_name("DESIGN");
  cmd->add_flag("--quiet", o->quiet, "no progress output");
  return [o, &io] {
    using namespace experiment;
    const auto start = std::chrono::system_clock::now();
    CapacityOptions options;
    options.key = o->key;
    parse_range(o->range, options);
    if (o->format.find("{}") == std::string::npos || std::count(o->format.begin(), o->format.end(), '{') != 1 ||
        std::count(o->format.begin(), o->format.end(), '}') != 1)
      throw engine::UserError(
          fmt::format("--format '{}': error: must contain {{}} once, where the number goes, and no "
                      "other braces (e.g. 'poisson({{}}/s)')",
                      o->format));
    if (o->format.find('"') != std::string::npos || o->format.find('\\') != std::string::npos)
      throw engine::UserError(fmt::format("--format '{}': error: must not contain quotes or backslashes", o->format));
    options.format = o->format;
    options.tolerance = o->tolerance;
    for (const std::string& s : o->slos) options.slos.push_back(parse_slo(s));
    options.initial_replicates = o->replicates;
    options.max_replicates = o->max_replicates;
    options.jobs = o->jobs;
    options.progress = o->quiet ? nullptr : &io.err;
    options.progress_terminal = io.err_is_terminal;

    CommandConfig command = load_command_config(o->config, o->overrides, io);
    const std::optional<std::filesystem::path>& file = command.file;
    LoadedConfig& loaded = command.loaded;
    // The key must exist and take the formatted values at both ends; an error here names it before any run.
    fit_range_to_key(o->range, options, loaded.config);
    std::vector<std::string> overrides = o->overrides;
    if (!o->designs.empty()) {
      std::string list;
      for (const std::string& d : o->designs) list += (list.empty() ? "" : ", ") + fmt::format("\"{}\"", d);
      overrides.push_back("run.designs=[" + list + "]");
      loaded.config.run.designs = o->designs;
    }
    options.reference = o->reference;
    if (!o->reference.empty()) reference_design(resolve_designs(loaded.config), o->reference);  // before any run
    const std::filesystem::path out =
        o->out.empty() ? timestamped_results_dir("capacity") : std::filesystem::path(o->out);
    check_out_dir(out, o->force ? ExistingOut::kReplace : ExistingOut::kRefuse);

    const InterruptHandlers handlers;
    options.interrupted = interrupted;
    CapacityResult result;
    try {
      result = run_capacity(loaded.config, overrides, file, options);
    } catch (const Interrupted&) {
      const bool kept = o->force && std::filesystem::exists(out);
      io.err << fmt::format(
          "{}wakesim capacity: interrupted by {}: the search was abandoned and nothing was "
          "written{}. A search cannot be resumed; to start it again:\n  {}\n",
          options.progress != nullptr && options.progress_terminal ? "\n" : "", signal_name(),
          kept ? fmt::format(" ({} is as it was)", out.string()) : "", io.rerun);
      return exit_status();
    }
    write_out_dir(out, [&](const std::filesystem::path& dir) {
      write_capacity(dir, options, result, io.command_line, loaded.source, start);
    });
    if (interrupted()) {
      io.err << fmt::format(
          "wakesim capacity: interrupted by {} after the search had finished; the results are "
          "complete: {}\n",
          signal_name(), out.string());
      return exit_status();
    }
    io.out << format_capacity(options, result);
    io.out << fmt::format("\nevidence (every probe, its estimate and 95% interval): {}\n",
                          (out / "probes.csv").string());
    for (const DesignCapacity& d : result.designs)
      for (const Probe& p : d.probes)
        if (!p.error.empty()) io.err << fmt::format("note: {} at {}: {}\n", d.design, p.assignment, p.error);
    return 0;
  };
}

}  // namespace wakesim::app
