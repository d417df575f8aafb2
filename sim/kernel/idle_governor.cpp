#include "sim/kernel/idle_governor.h"

namespace wakesim::kernel {

using engine::Time;

IdleGovernor::IdleGovernor(const hw::IdleStatesParams& states, hw::IdleState deepest) : states_(states) {
  for (int i = 0; i < hw::kIdleStates; ++i) {
    const auto s = static_cast<hw::IdleState>(i);
    if (s > deepest) break;
    if (states_.of(s).available) usable_.push_back(s);
  }
}

size_t IdleGovernor::deepest_fitting(Time predicted) const {
  size_t chosen = 0;
  for (size_t i = 1; i < usable_.size(); ++i)
    if (states_.of(usable_[i]).target_residency <= predicted) chosen = i;
  return chosen;
}

namespace {

// `fixed`: the configured state, or the deepest the processor has below it.
class FixedGovernor final : public IdleGovernor {
 public:
  using IdleGovernor::IdleGovernor;
  hw::IdleState select(Time) override { return usable_.back(); }
  void reflect(Time) override {}
};

}  // namespace

std::unique_ptr<IdleGovernor> make_idle_governor(IdleGovernorKind kind, const hw::IdleStatesParams& states,
                                                 hw::IdleState deepest) {
  switch (kind) {
    case IdleGovernorKind::kMenu:
      return make_menu_governor(states, deepest);
    case IdleGovernorKind::kTeo:
      return make_teo_governor(states, deepest);
    case IdleGovernorKind::kFixed:
      break;
  }
  return std::make_unique<FixedGovernor>(states, deepest);
}

}  // namespace wakesim::kernel
