// The subcommands of `wakesim`, each in its own file. Each adds itself to the CLI11 app and returns the
// action to run when it was chosen.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace wakesim::app {

using Action = std::function<int()>;

struct Streams {
  std::ostream& out;
  std::ostream& err;
  std::string command_line;
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
// A new results directory results/<stem>-<local time>[-N]/ (not created).
std::filesystem::path timestamped_results_dir(const std::string& stem);
// CONFIG as given on the command line: an existing file, or the name of a preset in workloads_dir().
std::filesystem::path resolve_config_path(const std::string& argument);

}  // namespace wakesim::app
