// Runs the `wakesim` binary as a child process for the tests that need a real process: a signal sent
// to it (SIGINT, SIGTERM) or a terminal as its stderr (live progress only draws on a terminal).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace wakesim::testing {

struct ProcessOptions {
  // stderr is a pseudo-terminal rather than a pipe (stdout stays a pipe).
  enum class Stderr { kPipe, kTerminal } err = Stderr::kPipe;
  int signal = 0;                             // sent once, `signal_when` is true (0: none)
  std::string signal_when_err_contains{};     // ... once stderr holds this (empty: at once)
  std::chrono::milliseconds signal_after{0};  // ... and at least this long after the start
  std::chrono::seconds timeout{120};          // then SIGKILL
};

struct ProcessOutcome {
  int exit_code = -1;  // -1 when it ended by a signal
  int killed_by = 0;   // the signal that ended it, 0 when it exited
  std::string out, err;
};

inline ProcessOutcome run_process(const std::string& binary, const std::vector<std::string>& args,
                                  const ProcessOptions& options = {}) {
  int out_pipe[2], err_fds[2];
  if (::pipe(out_pipe) != 0) return {};
  if (options.err == ProcessOptions::Stderr::kTerminal) {
    if (::openpty(&err_fds[0], &err_fds[1], nullptr, nullptr, nullptr) != 0) return {};
  } else if (::pipe(err_fds) != 0) {
    return {};
  }
  std::vector<std::string> all = {binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(all.size() + 1);
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_fds[1], STDERR_FILENO);
    ::close(out_pipe[0]);
    ::close(err_fds[0]);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_fds[1]);
  ProcessOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  bool signalled = options.signal == 0, out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_fds[0], POLLIN, 0}};
    ::poll(fds, 2, 20);
    char buffer[4096];
    for (int i = 0; i < 2; ++i) {
      if ((i == 0 ? !out_open : !err_open) || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) (i == 0 ? out_open : err_open) = false;  // EOF (a pty reports EIO once the child is gone)
      else (i == 0 ? outcome.out : outcome.err).append(buffer, static_cast<size_t>(n));
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (!signalled && elapsed >= options.signal_after &&
        outcome.err.find(options.signal_when_err_contains) != std::string::npos) {
      ::kill(pid, options.signal);
      signalled = true;
    }
    if (elapsed > options.timeout) ::kill(pid, SIGKILL);
  }
  ::close(out_pipe[0]);
  ::close(err_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.killed_by = WTERMSIG(status);
  return outcome;
}

}  // namespace wakesim::testing
