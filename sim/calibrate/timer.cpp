// TSC calibration: the TSC frequency a VM reports (CPUID 0x15/0x40000010, /proc/cpuinfo) is often
// absent or rounded, so it is measured: TSC ticks over a CLOCK_MONOTONIC window, each end taken as the
// tightest of a few (monotonic, tsc, monotonic) brackets so that a preemption between the two reads
// cannot skew it.
#include "sim/calibrate/timer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <fmt/format.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "sim/calibrate/statistics.h"

namespace wakesim::calibrate {
namespace {

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

#if defined(__x86_64__)
uint64_t fenced_tsc() {
  uint32_t low = 0, high = 0;
  asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(low), "=d"(high) : : "memory");
  return (uint64_t{high} << 32) | low;
}

// CPUID 0x80000007 EDX[8]: the TSC ticks at a constant rate in every P-state and C-state.
bool tsc_invariant() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (static_cast<unsigned>(__get_cpuid_max(0x80000000, nullptr)) < 0x80000007u) return false;
  __cpuid(0x80000007, eax, ebx, ecx, edx);
  return (edx >> 8) & 1;
}

struct Sample {
  double monotonic_ns;  // midpoint of the bracket
  uint64_t tsc;
};

Sample bracketed_sample() {
  Sample best{};
  uint64_t best_width = UINT64_MAX;
  for (int i = 0; i < 7; ++i) {
    const uint64_t before = monotonic_ns();
    const uint64_t tsc = fenced_tsc();
    const uint64_t after = monotonic_ns();
    if (after - before < best_width) {
      best_width = after - before;
      best = {static_cast<double>(before) + static_cast<double>(after - before) / 2, tsc};
    }
  }
  return best;
}

double tsc_ticks_per_ns(std::chrono::nanoseconds window) {
  const Sample begin = bracketed_sample();
  while (monotonic_ns() < static_cast<uint64_t>(begin.monotonic_ns) + static_cast<uint64_t>(window.count())) {
  }
  const Sample end = bracketed_sample();
  return static_cast<double>(end.tsc - begin.tsc) / (end.monotonic_ns - begin.monotonic_ns);
}
#endif

}  // namespace

Timer Timer::calibrate(std::chrono::nanoseconds window) {
  Timer timer(ClockSource::kClockGettime, 1.0);
#if defined(__x86_64__)
  if (!tsc_invariant()) {
    timer.fallback_reason_ = "the TSC is not invariant (CPUID 0x80000007 EDX[8] clear)";
  } else {
    const double first = tsc_ticks_per_ns(window);
    const double second = tsc_ticks_per_ns(window);
    if (!(first > 0.1 && first < 20.0)) {
      timer.fallback_reason_ = fmt::format("the TSC runs at an implausible {:.4f} GHz", first);
    } else if (std::abs(second - first) > 0.005 * first) {
      timer.fallback_reason_ = fmt::format("two TSC calibrations disagree ({:.4f} and {:.4f} GHz)", first, second);
    } else {
      timer = Timer(ClockSource::kTsc, (first + second) / 2);
    }
  }
#else
  (void)window;
  timer.fallback_reason_ = "not an x86-64 CPU";
#endif
  // The overhead of an empty timed region, taken as the walk's intervals are: dithered, start() then
  // stop(). The resolution: the greatest common divisor of the observed differences. (Not the smallest:
  // two fenced reads take longer than one 10 ns step on AMD Zen, so no difference is ever one step; they
  // are two or three steps, 42 or 63 ticks at 2.096 GHz, and the divisor is 21.)
  std::vector<double> empty(2001);
  uint64_t step = 0;
  PhaseDither dither(0x7e57'0000'0003);
  for (double& sample : empty) {
    dither();
    const uint64_t t0 = timer.start();
    const uint64_t t1 = timer.stop();
    sample = timer.elapsed_ns(t0, t1);
    step = std::gcd(step, t1 - t0);
  }
  timer.overhead_ns_ = median_of_means(empty);
  timer.resolution_ns_ = timer.to_ns(step);
  return timer;
}

}  // namespace wakesim::calibrate
