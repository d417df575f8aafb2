// Pointer-chase repetitions during which the measuring thread was descheduled are thrown away and run
// again: on a busy machine (this project's 2-vCPU VM runs compiles on both vCPUs) a 0.5 ms repetition
// is often interrupted by another task's time slice, which also refills the caches with its own data;
// the median tolerates a few such samples, not a majority. Detection: the thread's context-switch
// count (getrusage(RUSAGE_THREAD): ru_nvcsw + ru_nivcsw) changed across the repetition. A hypervisor
// descheduling the whole vCPU is invisible here; the medians have to absorb that.
//
// Not used for the list walk: the check is a system call, and with page-table isolation on a CPU
// without PCID (this project's VM) every system call flushes the TLB, which would change what a walk
// after little or no pollution measures.
#pragma once

#include <cstdint>

namespace wakesim::calibrate {

// Voluntary plus involuntary context switches of the calling thread so far.
uint64_t context_switches();

// Repeats `sample()` (which returns one measurement) until it runs without a context switch or
// `retries` (shared across calls, decremented) is used up; counts discarded samples in `discarded`.
template <typename Sample>
double undisturbed(Sample&& sample, int& retries, int& discarded) {
  for (;;) {
    const uint64_t before = context_switches();
    const double value = sample();
    if (context_switches() == before || retries <= 0) return value;
    --retries;
    ++discarded;
  }
}

}  // namespace wakesim::calibrate
