// SIGINT (Ctrl-C) and SIGTERM while a long command runs. The first one only sets a flag, which the
// command polls (every run in progress looks at it between two events; sim/experiment/run_watch.h) so
// that it can finish the file it is writing, say how to resume or rerun, and exit with 128 + the
// signal's number (130 for SIGINT, 143 for SIGTERM), as a shell reports a process the signal ended.
// A second one of the same signal takes the default action at once: the process ends.
#pragma once

namespace wakesim::app {

// Installs the handlers for its lifetime and forgets any earlier interruption; the destructor puts the
// previous handlers back (commands run in process in the tests, one after another).
class InterruptHandlers {
 public:
  InterruptHandlers();
  ~InterruptHandlers();
  InterruptHandlers(const InterruptHandlers&) = delete;
  InterruptHandlers& operator=(const InterruptHandlers&) = delete;
};

// Whether SIGINT or SIGTERM arrived since the handlers were installed. Safe from any thread.
bool interrupted();
// 128 + the number of the signal that arrived (130, 143); 0 when none did.
int exit_status();
// "SIGINT" or "SIGTERM", for messages; empty when none arrived.
const char* signal_name();

}  // namespace wakesim::app
