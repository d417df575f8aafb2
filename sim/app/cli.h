// The `wakesim` command line (CLI11). Exit status: 0 success, 2 bad input (configuration, arguments),
// 1 internal error (a failed always-on check: a simulator bug).
#pragma once

#include <iosfwd>

namespace wakesim::app {

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace wakesim::app
