// The `wakesim` command line (CLI11). Exit status: 0 success, 2 bad input (configuration, arguments),
// 1 internal error (a failed always-on check: a simulator bug), 130 or 143 when SIGINT or SIGTERM
// interrupted a run or capacity search (sim/app/interrupt.h); `lockdep` adds 3 (a possible deadlock).
#pragma once

#include <iosfwd>

namespace wakesim::app {

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace wakesim::app
