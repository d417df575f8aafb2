#include "sim/app/interrupt.h"

#include <atomic>
#include <csignal>

namespace wakesim::app {
namespace {

// The signal that arrived (0: none). A lock-free atomic is safe to store from a signal handler and to
// read from the worker threads.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

void on_signal(int signal) { g_signal.store(signal, std::memory_order_relaxed); }

}  // namespace

InterruptHandlers::InterruptHandlers() {
  g_signal.store(0, std::memory_order_relaxed);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: the handler runs once; the same signal again takes the default action (ends the process).
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptHandlers::~InterruptHandlers() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

bool interrupted() { return g_signal.load(std::memory_order_relaxed) != 0; }

int exit_status() {
  const int signal = g_signal.load(std::memory_order_relaxed);
  return signal == 0 ? 0 : 128 + signal;
}

const char* signal_name() {
  switch (g_signal.load(std::memory_order_relaxed)) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "";
  }
}

}  // namespace wakesim::app
