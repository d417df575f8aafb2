// Ctrl-C (SIGINT) and SIGTERM for long commands: the first signal only sets a flag that the command
// polls between units of work (a sweep checks it before each run), so work already stored stays
// whole; the handler is then reset, so a second signal ends the process at once.
#pragma once

namespace wakesim::app {

// Installs the handlers for SIGINT and SIGTERM and forgets any signal seen before.
void install_interrupt_handlers();
// Whether one of them has arrived since the handlers were installed.
bool interrupted();
// The shell's status for the signal that arrived: 130 (SIGINT) or 143 (SIGTERM); 0 when none did.
int exit_status();

}  // namespace wakesim::app
