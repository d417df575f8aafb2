#include "sim/kernel/invariant_checker.h"

#include "sim/engine/errors.h"

namespace wakesim::kernel {

void InvariantChecker::violation(const std::string& what) {
  ++violations_;
  if (on_violation_ == OnViolation::kStopTheRun) throw engine::InvariantViolation("invariant violated: " + what);
}

void InvariantChecker::rcu_hazard(const std::string& what) {
  ++rcu_hazards_;
  violation("RCU hazard: " + what);
}

void InvariantChecker::lost_wakeup(const std::string& what) {
  ++lost_wakeups_;
  violation(what);
}

}  // namespace wakesim::kernel
