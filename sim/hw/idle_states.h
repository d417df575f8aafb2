// The processor's idle states (C-states) as the kernel's cpuidle driver sees them: for each state its
// exit latency (how long an interrupt waits for the core to run again) and its target residency (the
// shortest idle period for which entering it pays off, which the idle governor compares with its
// prediction). A host preset gives its table; each value's source is cited where the preset sets it
// (host_params.cpp) and in sim/hw/README.md.
//
// Four names cover the presets: poll (the cpuidle polling state, no exit cost), c1, c1e and c6 (a
// core power-down that writes back and invalidates the core's L1 and L2). AMD's ACPI C2 (core CC6) is
// "c6" here. A state a processor lacks is marked unavailable and never chosen.
#pragma once

#include <array>
#include <cstdint>

#include "sim/config/schema.h"
#include "sim/engine/time.h"

namespace wakesim::hw {

enum class IdleState : uint8_t { kPoll, kC1, kC1E, kC6 };
inline constexpr int kIdleStates = 4;
const char* to_string(IdleState s);

struct IdleStateCosts {
  engine::Time exit_latency;
  engine::Time target_residency;
  bool available = true;
};

struct IdleStatesParams {
  // Ice Lake-SP: drivers/idle/intel_idle.c icx_cstates (v5.13+, C6 re-measured by A. Bityutskiy:
  // 170 us exit, 600 us target residency; C1 1/1 us, C1E 4/4 us) [P].
  engine::Time c1_exit = engine::Time::from_ps(1'000'000);
  engine::Time c1_residency = engine::Time::from_ps(1'000'000);
  bool c1e = true;
  engine::Time c1e_exit = engine::Time::from_ps(4'000'000);
  engine::Time c1e_residency = engine::Time::from_ps(4'000'000);
  engine::Time c6_exit = engine::Time::from_ps(170'000'000);
  engine::Time c6_residency = engine::Time::from_ps(600'000'000);

  IdleStateCosts of(IdleState s) const;
  static const config::Section<IdleStatesParams>& schema();
};

}  // namespace wakesim::hw
