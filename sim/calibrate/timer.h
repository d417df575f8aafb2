// The clock of every measurement: the TSC, read with `lfence; rdtsc; lfence` so that the read waits
// for every earlier instruction (the timed loads included) to complete and no later one starts before
// it, converted to ns by a frequency measured against CLOCK_MONOTONIC; or CLOCK_MONOTONIC itself where
// the TSC is not usable (not invariant, or a calibration that does not repeat). `rdtscp` is not used:
// hypervisors may hide it (this project's Zen 5 VM does), and lfence is dispatch-serialising on every
// AMD and Intel core that Linux runs on (Linux sets the AMD MSR bit where it is not the default).
//
// Resolution: AMD Zen cores advance the TSC once per 10 ns (a 100 MHz reference clock) by 10 ns worth
// of ticks (21 at this project's 2.096 GHz), so intervals of a few tens of ns, such as a 16-node list
// walk in L1, are only a few ticks long. PhaseDither randomises where such an interval starts relative
// to the tick, so that quantisation errors average out over repetitions (statistics.h).
//
// A Timer is a value: copy it to another thread; both reads of one interval must run on the same CPU
// (TSCs of different vCPUs may be offset).
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace wakesim::calibrate {

enum class ClockSource { kTsc, kClockGettime };

class Timer {
 public:
  // Measures the TSC frequency over two windows of `window` each (they must agree to 0.5%), the clock's
  // resolution and the overhead of an empty timed region. Run it on the pinned measuring thread.
  static Timer calibrate(std::chrono::nanoseconds window);

  // Raw ticks; only differences of reads on one CPU mean anything. Both are full compiler barriers.
  uint64_t start() const noexcept { return read(); }
  uint64_t stop() const noexcept { return read(); }

  double to_ns(uint64_t ticks) const { return static_cast<double>(ticks) / ticks_per_ns_; }
  double elapsed_ns(uint64_t start_ticks, uint64_t stop_ticks) const { return to_ns(stop_ticks - start_ticks); }

  ClockSource source() const { return source_; }
  std::string source_name() const { return source_ == ClockSource::kTsc ? "tsc" : "clock_gettime"; }
  double tsc_ghz() const { return source_ == ClockSource::kTsc ? ticks_per_ns_ : 0.0; }
  // Median of means of start() immediately followed by stop() (statistics.h: the walk is summarised
  // the same way, so subtracting this removes the reads' own cost).
  double overhead_ns() const { return overhead_ns_; }
  // The clock's step (greatest common divisor of observed intervals): 10 ns on AMD Zen, one TSC tick
  // (under 1 ns) on Intel, 1 ns for clock_gettime.
  double resolution_ns() const { return resolution_ns_; }
  // Why the TSC was not used (empty when it was).
  const std::string& fallback_reason() const { return fallback_reason_; }

 private:
  Timer(ClockSource source, double ticks_per_ns) : source_(source), ticks_per_ns_(ticks_per_ns) {}

  uint64_t read() const noexcept {
#if defined(__x86_64__)
    if (source_ == ClockSource::kTsc) {
      uint32_t low = 0, high = 0;
      asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(low), "=d"(high) : : "memory");
      return (uint64_t{high} << 32) | low;
    }
    asm volatile("lfence" : : : "memory");
#endif
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const uint64_t ns = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
#if defined(__x86_64__)
    asm volatile("lfence" : : : "memory");
#endif
    return ns;
  }

  ClockSource source_;
  double ticks_per_ns_;
  double overhead_ns_ = 0;
  double resolution_ns_ = 0;
  std::string fallback_reason_;
};

// Spins for a pseudo-random 0..255 iterations of a register-only loop (about 0-60 ns) before a short
// timed interval, so that its start falls at a uniformly random phase of the clock's tick. Touches no
// memory, so it disturbs nothing the interval measures.
class PhaseDither {
 public:
  explicit PhaseDither(uint64_t seed) : state_(seed | 1) {}

  void operator()() {
    state_ ^= state_ << 13;  // xorshift64 (Marsaglia 2003): quality is irrelevant, speed is not
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    const auto spins = static_cast<uint32_t>(state_ & 0xff);
    for (uint32_t i = 0; i < spins; ++i) asm volatile("" : "+r"(i));
  }

 private:
  uint64_t state_;
};

}  // namespace wakesim::calibrate
