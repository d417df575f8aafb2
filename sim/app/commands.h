// The subcommands of `wakesim`, each in its own file. Each adds itself to the CLI11 app and returns the
// action to run when it was chosen.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/experiment/config.h"

namespace wakesim::app {

using Action = std::function<int()>;

// The largest --jobs any command takes (explicit 0 or negative values are refused too): far above any
// machine this runs on, and below TBB's own limits (a --jobs above 65536 crashed in TBB's teardown).
inline constexpr int kMaxJobs = 1024;

struct Streams {
  std::ostream& out;
  std::ostream& err;
  std::string command_line;      // the arguments joined by spaces, as manifests record them
  std::string rerun;             // the same, quoted for a shell: what to type to run the command again
  bool err_is_terminal = false;  // `err` is the process's stderr and that is a terminal: live progress
};

Action add_run_command(CLI::App& app, Streams& io);
Action add_check_command(CLI::App& app, Streams& io);
Action add_list_command(CLI::App& app, Streams& io);
Action add_sweep_command(CLI::App& app, Streams& io);
Action add_merge_command(CLI::App& app, Streams& io);
Action add_capacity_command(CLI::App& app, Streams& io);
Action add_plot_command(CLI::App& app, Streams& io);
Action add_lockdep_command(CLI::App& app, Streams& io);
Action add_calibrate_command(CLI::App& app, Streams& io);
Action add_compare_command(CLI::App& app, Streams& io);

// Where the shipped workload presets live: $WAKESIM_WORKLOADS, else the source tree's workloads/.
std::filesystem::path workloads_dir();
// The names of the presets in workloads_dir() (the stems of its .toml files), sorted.
std::vector<std::string> preset_names();
// CONFIG as given on the command line (workloads_dir.cpp has the rules): a path ('/' or .toml) is a
// file that must exist; a bare name is a preset, refused when a file of that name is in the current
// directory too; a directory never. Throws engine::UserError saying which and how to choose.
std::filesystem::path resolve_config_path(const std::string& argument);
// CONFIG (empty: the built-in default workload) and the --set list, loaded; the loader's warnings
// (a preset whose topology the file overrides, ...) are printed to io.err.
struct CommandConfig {
  std::optional<std::filesystem::path> file;
  experiment::LoadedConfig loaded;
};
CommandConfig load_command_config(const std::string& argument, const std::vector<std::string>& overrides, Streams& io);

// --max-memory SIZE ("16GiB", "512MiB", "64GB"): the memory the runs may use instead of what the
// machine has available (sim/experiment/preflight.h). Empty: nullopt. Throws engine::UserError.
std::optional<uint64_t> parse_max_memory(const std::string& text);
inline constexpr const char* kMaxMemoryHelp =
    "memory the runs may use, e.g. 16GiB (default: what the machine has available); a configuration estimated to "
    "need more is refused before it starts";

// A new results directory results/<stem>-<local time>[-N]/ (not created).
std::filesystem::path timestamped_results_dir(const std::string& stem);
// What --out may do to an existing directory that is not empty: refuse (the default) or, with
// --force, replace it whole.
enum class ExistingOut { kRefuse, kReplace };
// Checks --out before any run: throws engine::UserError when it is a file, or a non-empty directory
// and `existing` is kRefuse (or, with kReplace, not a results directory: one without manifest.json is
// never deleted).
void check_out_dir(const std::filesystem::path& dir, ExistingOut existing);
// Writes a results directory by calling `write` with the directory to fill. A missing or empty `dir`
// is filled in place; a non-empty one (check_out_dir allowed it) is replaced: `write` fills a sibling
// temporary directory, which then takes the old one's place (swapped in one rename where the system
// can), and the old one is deleted, so no old file (a figure, a stale CSV) survives.
void write_out_dir(const std::filesystem::path& dir, const std::function<void(const std::filesystem::path&)>& write);

}  // namespace wakesim::app
