// The interrupt vectors the kernel model uses (arch/x86/include/asm/irq_vectors.h). When several are
// pending, the pCPU takes the highest first, as the local APIC does.
#pragma once

#include "sim/hw/ids.h"

namespace wakesim::kernel {

inline constexpr hw::Vector kLocalTimerVector{0xec};
inline constexpr hw::Vector kPostedIntrWakeupVector{0xf1};    // POSTED_INTR_WAKEUP_VECTOR
inline constexpr hw::Vector kPostedIntrVector{0xf2};          // POSTED_INTR_VECTOR
inline constexpr hw::Vector kCallFunctionSingleVector{0xfb};  // remote wakelist (sched_ttwu_pending)
inline constexpr hw::Vector kRescheduleVector{0xfd};

}  // namespace wakesim::kernel
