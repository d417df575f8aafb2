#include "sim/calibrate/preemption.h"

#include <sys/resource.h>

namespace wakesim::calibrate {

uint64_t context_switches() {
  rusage usage{};
  // RUSAGE_THREAD (Linux 2.6.26) cannot fail with a valid pointer; a failure would read as "no switch".
  if (getrusage(RUSAGE_THREAD, &usage) != 0) return 0;
  return static_cast<uint64_t>(usage.ru_nvcsw) + static_cast<uint64_t>(usage.ru_nivcsw);
}

}  // namespace wakesim::calibrate
