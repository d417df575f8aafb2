// `wakesim plot DIR [--out FIGDIR] [--format png,svg,pdf] [--point P] [--metric LIST] [--x KEY] [--hue KEY]
// [--log AXES] [--reference DESIGN]`: draws the figures of a results directory (a run, a sweep or a
// capacity study) by running plots/plot_results.py with a Python 3 that has matplotlib and pandas. The
// options are passed on as given: the script checks them against the directory (a metric or key it does
// not have is its exit status 2, with the choices). The scripts are found at $WAKESIM_PLOTS, else the
// source tree's plots/; the interpreter is $WAKESIM_PYTHON when set (and then only it), else
// /usr/bin/python3, else python3 on PATH.
// The script is run directly (posix_spawn, no shell), its output copied to ours; it is told this
// binary's path, to list the metrics of a directory without metrics.json.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/engine/errors.h"

extern char** environ;

namespace wakesim::app {
namespace {

namespace fs = std::filesystem;

struct PlotOptions {
  std::string dir;
  std::string out;
  std::string format;
  std::string point;
  std::string metric;
  std::string x;
  std::string hue;
  std::string log;
  std::string reference;
};

fs::path plots_dir() {
  if (const char* env = std::getenv("WAKESIM_PLOTS"); env != nullptr && *env != 0) return env;
  return fs::path(WAKESIM_SOURCE_DIR) / "plots";
}

// Closes a file descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

struct Spawned {
  int status = -1;  // exit status, or -1 when the program could not be started or was killed
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with argv, no shell. Captures stdout and stderr unless `quiet`, which sends both
// to /dev/null. With `live`, the child's stdout is also copied there as it arrives (the figures named
// as they are drawn).
Spawned spawn(const std::vector<std::string>& args, bool quiet, std::ostream* live = nullptr) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  Spawned result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::array<Fd, 2> out_pipe, err_pipe;
  if (quiet) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  } else {
    int o[2], e[2];
    if (::pipe2(o, O_CLOEXEC) != 0) throw engine::InternalError(fmt::format("pipe: {}", std::strerror(errno)));
    out_pipe[0].fd = o[0], out_pipe[1].fd = o[1];
    if (::pipe2(e, O_CLOEXEC) != 0) throw engine::InternalError(fmt::format("pipe: {}", std::strerror(errno)));
    err_pipe[0].fd = e[0], err_pipe[1].fd = e[1];
    posix_spawn_file_actions_adddup2(&actions, o[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, e[1], STDERR_FILENO);
  }
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return result;
  out_pipe[1].reset();
  err_pipe[1].reset();

  if (!quiet) {
    std::array<pollfd, 2> fds{pollfd{out_pipe[0].fd, POLLIN, 0}, pollfd{err_pipe[0].fd, POLLIN, 0}};
    std::array<std::string*, 2> sinks{&result.out, &result.err};
    int open = 2;
    char buffer[4096];
    while (open > 0) {
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
          sinks[i]->append(buffer, static_cast<size_t>(n));
          if (live != nullptr && i == 0) live->write(buffer, n).flush();
        } else if (n == 0 || errno != EINTR) {
          fds[i].fd = -1;
          --open;
        }
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// The interpreters to try, in order.
std::vector<fs::path> python_candidates() {
  if (const char* env = std::getenv("WAKESIM_PYTHON"); env != nullptr && *env != 0) return {env};
  std::vector<fs::path> out{"/usr/bin/python3"};
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (dir.empty()) continue;
      const fs::path candidate = fs::path(dir) / "python3";
      if (::access(candidate.c_str(), X_OK) == 0) out.push_back(candidate);
    }
  }
  return out;
}

std::optional<fs::path> find_python() {
  for (const fs::path& p : python_candidates())
    if (::access(p.c_str(), X_OK) == 0 && spawn({p.string(), "-c", "import matplotlib, pandas"}, true).status == 0)
      return p;
  return std::nullopt;
}

bool is_results_dir(const fs::path& dir) {
  for (const char* name : {"manifest.json", "summary.json", "aggregates.csv", "capacity.json", "histograms"})
    if (fs::exists(dir / name)) return true;
  return false;
}

int execute(const PlotOptions& o, Streams& io) {
  const fs::path dir(o.dir);
  if (!fs::is_directory(dir)) throw engine::UserError(fmt::format("{}: error: no such directory", o.dir));
  if (!is_results_dir(dir))
    throw engine::UserError(
        fmt::format("{}: error: not a wakesim results directory (no manifest.json, summary.json, "
                    "aggregates.csv or capacity.json)",
                    o.dir));
  const fs::path script = plots_dir() / "plot_results.py";
  if (!fs::is_regular_file(script))
    throw engine::UserError(
        fmt::format("wakesim plot: error: the plot scripts are not at {} (set WAKESIM_PLOTS to the plots/ "
                    "folder of the wakesim sources)",
                    script.string()));
  const std::optional<fs::path> python = find_python();
  if (!python) {
    std::string tried;
    for (const fs::path& p : python_candidates()) tried += (tried.empty() ? "" : ", ") + p.string();
    throw engine::UserError(fmt::format(
        "wakesim plot: error: no Python 3 with matplotlib and pandas (tried {}); install them, e.g. on Debian: "
        "apt-get install python3-matplotlib python3-pandas",
        tried.empty() ? "none found" : tried));
  }
  std::vector<std::string> args{python->string(), script.string(), o.dir};
  // The script reads metric names and units from DIR's metrics.json, else from `wakesim list metrics
  // --json` of this binary.
  std::error_code error;
  if (const fs::path self = fs::read_symlink("/proc/self/exe", error); !error)
    args.insert(args.end(), {"--wakesim", self.string()});
  const std::pair<const char*, const std::string*> passed[] = {
      {"--out", &o.out}, {"--format", &o.format}, {"--point", &o.point}, {"--metric", &o.metric},
      {"--x", &o.x},     {"--hue", &o.hue},       {"--log", &o.log},     {"--reference", &o.reference}};
  for (const auto& [flag, value] : passed)
    if (!value->empty()) args.insert(args.end(), {flag, *value});
  const Spawned run = spawn(args, false, &io.out);
  io.err << run.err;
  if (run.status == 0) return 0;
  if (run.status == 2) return 2;  // the script reported the input's problem
  io.err << fmt::format(
      "wakesim: error: {} {} failed ({})\n", python->string(), script.string(),
      run.status < 0 ? "could not run, or killed by a signal" : fmt::format("exit status {}", run.status));
  return 1;
}

}  // namespace

Action add_plot_command(CLI::App& app, Streams& io) {
  auto options = std::make_shared<PlotOptions>();
  CLI::App* cmd =
      app.add_subcommand("plot", "Draw the figures (PNG, SVG or PDF) of a run, sweep or capacity results directory");
  cmd->add_option("DIR", options->dir, "results directory")->required();
  cmd->add_option("--out", options->out, "where to write the figures (default: DIR/figures)")->type_name("FIGDIR");
  cmd->add_option("--format", options->format, "comma-separated formats: png, svg, pdf (default: png,svg)")
      ->type_name("LIST");
  cmd->add_option("--point", options->point, "sweep: the point whose single-run figures to draw (default: the last)")
      ->type_name("pNNNN");
  cmd->add_option("--metric", options->metric,
                  "sweep: comma-separated metrics of the curves (metrics_vs_X) and the heatmaps and difference maps "
                  "(default: wakeup percentiles and throughput; heatmap wakeup.p99; differences wakeup.p99, "
                  "wakeup.p999, sched_in.list_wait.p99)")
      ->type_name("LIST");
  cmd->add_option("--x", options->x,
                  "sweep: x axis of the curves and maps, a swept key (a zipped group by any of its keys) or a "
                  "derived column such as vms.vcpus_per_pcpu (default: the first axis)")
      ->type_name("KEY");
  cmd->add_option("--hue", options->hue, "sweep: one curve per value of KEY and design (default: the next axis)")
      ->type_name("KEY");
  cmd->add_option("--log", options->log,
                  "sweep: scale of the curves, x, y, xy or none (default: the axis's scale in the spec, else log x "
                  "when the values span more than 50x)")
      ->type_name("AXES");
  cmd->add_option("--reference", options->reference,
                  "sweep: the design the difference maps subtract (default: the sweep's reference, else single-lock)")
      ->type_name("DESIGN");
  return [options, &io] { return execute(*options, io); };
}

}  // namespace wakesim::app
