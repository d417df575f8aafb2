#include "sim/app/interrupt.h"

#include <atomic>
#include <csignal>

namespace wakesim::app {
namespace {

std::atomic<int> g_signal{0};  // lock-free, so safe to write in a handler and read from any thread
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_signal(int signal) { g_signal.store(signal); }

}  // namespace

void install_interrupt_handlers() {
  g_signal.store(0);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // the next signal takes the default action: a second Ctrl-C stops now
  for (int signal : {SIGINT, SIGTERM}) sigaction(signal, &action, nullptr);
}

bool interrupted() { return g_signal.load() != 0; }

int exit_status() { return g_signal.load() == 0 ? 0 : 128 + g_signal.load(); }

}  // namespace wakesim::app
