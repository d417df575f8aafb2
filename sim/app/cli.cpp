#include "sim/app/cli.h"

#include <unistd.h>

#include <iostream>
#include <new>
#include <ostream>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/app/commands.h"
#include "sim/engine/errors.h"
#include "sim/experiment/scenario.h"
#include "sim/experiment/version.h"
#include "sim/kernel/wakeup_design.h"

namespace wakesim::app {
namespace {

// An argument as a POSIX shell reads it back: bare when it holds only safe characters, else in single
// quotes ('wakeup.p99<=50us').
std::string shell_quoted(std::string_view argument) {
  constexpr std::string_view kSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./=:,+@%";
  const bool safe = !argument.empty() && argument.find_first_not_of(kSafe) == std::string_view::npos;
  if (safe) return std::string(argument);
  std::string quoted = "'";
  for (const char c : argument) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  std::string command_line, rerun;
  for (int i = 0; i < argc; ++i) {
    command_line += (i ? " " : "") + std::string(argv[i]);
    rerun += (i ? " " : "") + shell_quoted(argv[i]);
  }
  Streams io{out, err, command_line, rerun, &err == &std::cerr && ::isatty(STDERR_FILENO) != 0};
  // Two scenarios or designs registered under one name: the build is wrong, whatever the command.
  if (!experiment::duplicate_scenarios().empty() || !kernel::duplicate_designs().empty()) {
    err << fmt::format("wakesim: internal error (please report): registered twice: {}{}{}\n",
                       fmt::join(experiment::duplicate_scenarios(), ", "),
                       experiment::duplicate_scenarios().empty() || kernel::duplicate_designs().empty() ? "" : ", ",
                       fmt::join(kernel::duplicate_designs(), ", "));
    return 1;
  }

  CLI::App app("wakesim: a discrete-event simulator of KVM posted-interrupt wakeup designs", "wakesim");
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       fmt::format("wakesim {} (git {})", experiment::version(), experiment::git_revision()));
  const Action run = add_run_command(app, io);
  const Action check = add_check_command(app, io);
  const Action list = add_list_command(app, io);
  const Action sweep = add_sweep_command(app, io);
  const Action merge = add_merge_command(app, io);
  const Action capacity = add_capacity_command(app, io);
  const Action plot = add_plot_command(app, io);
  const Action lockdep = add_lockdep_command(app, io);
  const Action calibrate = add_calibrate_command(app, io);
  const Action compare = add_compare_command(app, io);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    out << app.version() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    // A subcommand's --help is reported through the same exception types as above only at top level.
    if (e.get_exit_code() == 0) {
      out << e.what() << "\n";
      return 0;
    }
    err << "wakesim: error: " << e.what() << "\n"
        << "Run 'wakesim --help' for usage.\n";
    return 2;
  }

  try {
    for (CLI::App* sub : app.get_subcommands()) {
      if (sub->get_name() == "run") return run();
      if (sub->get_name() == "check") return check();
      if (sub->get_name() == "list") return list();
      if (sub->get_name() == "sweep") return sweep();
      if (sub->get_name() == "merge") return merge();
      if (sub->get_name() == "capacity") return capacity();
      if (sub->get_name() == "plot") return plot();
      if (sub->get_name() == "lockdep") return lockdep();
      if (sub->get_name() == "calibrate") return calibrate();
      if (sub->get_name() == "compare") return compare();
    }
    return 2;
  } catch (const engine::UserError& e) {
    err << e.what() << "\n";
    return 2;
  } catch (const engine::InternalError& e) {
    err << "wakesim: internal error (please report): " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    // Past the memory estimate (sim/experiment/preflight.h), e.g. under --max-memory or a ulimit.
    err << "wakesim: error: out of memory: the configuration needs more memory than this process may use "
           "(`wakesim check` compares its estimate with the memory available)\n";
    return 2;
  } catch (const std::exception& e) {
    err << "wakesim: internal error (please report): " << e.what() << "\n";
    return 1;
  }
}

}  // namespace wakesim::app
