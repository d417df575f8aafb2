// The two kinds of failure (after gem5's fatal/panic): a UserError is the user's input being wrong
// (reported as one line, exit status 2); an InternalError is a simulator bug caught by an always-on
// check (reported with its source location and simulated context, exit status 1).
#pragma once

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace wakesim::engine {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// A model invariant that a run broke (a lost wakeup, a corrupted list...): the design under test is
// wrong, or the simulator is. Reported like an InternalError, but named as what it is.
class InvariantViolation : public InternalError {
 public:
  using InternalError::InternalError;
};

[[noreturn]] void check_failed(const char* condition, const char* file, int line, const std::string& message);

}  // namespace wakesim::engine

// Always-on invariant check: throws InternalError naming the condition and source location;
// Simulation::run_until adds the simulated time and the event being run.
#define WAKESIM_CHECK(cond, ...)                                                              \
  do {                                                                                        \
    if (!(cond)) [[unlikely]]                                                                 \
      ::wakesim::engine::check_failed(#cond, __FILE__, __LINE__, ::fmt::format(__VA_ARGS__)); \
  } while (0)
