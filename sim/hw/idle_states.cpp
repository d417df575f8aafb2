#include "sim/hw/idle_states.h"

namespace wakesim::hw {

using engine::Time;

const char* to_string(IdleState s) {
  switch (s) {
    case IdleState::kPoll:
      return "poll";
    case IdleState::kC1:
      return "c1";
    case IdleState::kC1E:
      return "c1e";
    case IdleState::kC6:
      return "c6";
  }
  return "?";
}

IdleStateCosts IdleStatesParams::of(IdleState s) const {
  switch (s) {
    case IdleState::kPoll:
      return {Time::zero(), Time::zero(), true};
    case IdleState::kC1:
      return {c1_exit, c1_residency, true};
    case IdleState::kC1E:
      return {c1e_exit, c1e_residency, c1e};
    case IdleState::kC6:
      return {c6_exit, c6_residency, true};
  }
  return {};
}

const config::Section<IdleStatesParams>& IdleStatesParams::schema() {
  const config::FieldOptions<Time> non_negative{.min = Time::zero()};
  static const auto s =
      config::Section<IdleStatesParams>("idle", "idle states (C-states): exit latency and target residency")
          .field(&IdleStatesParams::c1_exit, "c1_exit", "exit latency of C1", non_negative)
          .field(&IdleStatesParams::c1_residency, "c1_residency",
                 "target residency of C1 (shortest idle worth entering it)", non_negative)
          .field(&IdleStatesParams::c1e, "c1e", "the processor offers C1E (Sapphire Rapids and AMD do not by default)")
          .field(&IdleStatesParams::c1e_exit, "c1e_exit", "exit latency of C1E", non_negative)
          .field(&IdleStatesParams::c1e_residency, "c1e_residency", "target residency of C1E", non_negative)
          .field(&IdleStatesParams::c6_exit, "c6_exit", "exit latency of core C6 (AMD: ACPI C2, CC6)", non_negative)
          .field(&IdleStatesParams::c6_residency, "c6_residency", "target residency of core C6", non_negative)
          .check([](const IdleStatesParams& p) -> config::Problem {
            if (p.c6_residency < p.c1_residency)
              return fmt::format("c6_residency ({}) is below c1_residency ({}): deeper states need longer idle periods",
                                 p.c6_residency, p.c1_residency);
            return std::nullopt;
          });
  return s;
}

}  // namespace wakesim::hw
