// The invariants every wakeup design must keep, and what happens when one breaks: the violation is
// counted and, with kernel.stop_on_violation (the default), the run stops with an InvariantViolation
// naming it. The checks themselves sit where the state they look at lives (the wakeup lists check
// membership and the RCU node-reuse hazard on every operation, Kvm's watchdog checks for lost wakeups,
// designs check their own state at the end); this class is where they all report.
//
// It also knows every wakeup list's head node, so that an RCU walker following a stale pointer can tell
// it has reached another pCPU's list head.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>

namespace wakesim::kernel {

enum class OnViolation : uint8_t { kStopTheRun, kCountAndGoOn };

class InvariantChecker {
 public:
  explicit InvariantChecker(OnViolation on_violation) : on_violation_(on_violation) {}

  // Each counts, then stops the run unless told to go on. `what` says what broke, for the user.
  void violation(const std::string& what);
  void rcu_hazard(const std::string& what);  // an RCU walker left its list (node reused too early)
  void lost_wakeup(const std::string& what);

  void register_list_head(const void* head) { list_heads_.insert(head); }
  void unregister_list_head(const void* head) { list_heads_.erase(head); }
  bool is_list_head(const void* node) const { return list_heads_.contains(node); }

  uint64_t violations() const { return violations_; }  // every kind, hazards and lost wakeups included
  uint64_t rcu_hazards() const { return rcu_hazards_; }
  uint64_t lost_wakeups() const { return lost_wakeups_; }
  void reset_statistics() { violations_ = rcu_hazards_ = lost_wakeups_ = 0; }

 private:
  OnViolation on_violation_;
  std::unordered_set<const void*> list_heads_;
  uint64_t violations_ = 0;
  uint64_t rcu_hazards_ = 0;
  uint64_t lost_wakeups_ = 0;
};

}  // namespace wakesim::kernel
