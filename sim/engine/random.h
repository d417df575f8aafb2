// Random-number streams and samplers.
//
// Every stochastic input draws from its own stream, keyed by (run seed, entity, purpose): e.g. the
// arrivals of interrupt source 3, or the guest run time of vCPU 17. Streams are PCG64 generators
// (O'Neill 2014, libpcg-cpp) whose 128-bit state and stream selector are derived from the key with
// SplitMix64, so a stream's values do not depend on how many other streams exist or in which order
// they are used. That is what gives common random numbers across designs (reference/hw-params.md §2.1).
//
// Samplers are written here rather than taken from std::*_distribution, whose algorithms are
// implementation-defined: the same seed gives the same values with any compiler and standard library.
// They use only IEEE-exact operations plus log/exp/pow from the C library.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <pcg_random.hpp>

#include "sim/engine/time.h"

namespace wakesim::engine {

// What a stream is for, named by a string literal hashed at compile time: sim.stream(id, "arrivals").
struct StreamPurpose {
  uint64_t hash;
  consteval StreamPurpose(const char* name) : hash(fnv1a(name)) {}  // NOLINT: implicit by design
  static constexpr uint64_t fnv1a(const char* s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s != 0; ++s) h = (h ^ static_cast<unsigned char>(*s)) * 0x100000001b3ull;
    return h;
  }
};

class RandomStream {
 public:
  RandomStream(uint64_t seed, uint64_t entity, StreamPurpose purpose);

  uint64_t next_u64() { return engine_(); }
  // Uniform on [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1).
  double uniform_open01() { return (static_cast<double>(next_u64() >> 12) + 0.5) * 0x1.0p-52; }
  // Uniform integer on [0, n) without modulo bias (Lemire's method with rejection).
  uint64_t below(uint64_t n);
  double exponential(double mean);
  double standard_normal();  // Marsaglia polar method; the second value is discarded

 private:
  pcg64 engine_;
};

// A distribution of non-negative values in some unit (picoseconds for durations). A value type that
// config parses and models sample from.
class Distribution {
 public:
  struct Constant {
    double value;
  };
  struct Uniform {
    double lo, hi;
  };
  struct Exponential {
    double mean;
  };
  struct LogNormal {
    double mean, cv, mu, sigma;
  };  // mu, sigma: of the underlying normal (derived)
  struct BoundedPareto {
    double alpha, lo, hi;
  };
  struct Empirical {
    std::vector<std::pair<double, double>> points;
  };  // (value, cumulative probability)
  using Kind = std::variant<Constant, Uniform, Exponential, LogNormal, BoundedPareto, Empirical>;

  Distribution() : kind_(Constant{0}) {}
  explicit Distribution(Kind k) : kind_(std::move(k)) {}
  static Distribution constant(double v) { return Distribution(Constant{v}); }
  static Distribution exponential(double mean) { return Distribution(Exponential{mean}); }
  static Distribution uniform(double lo, double hi) { return Distribution(Uniform{lo, hi}); }
  // Log-normal with the given mean and coefficient of variation (stddev / mean).
  static Distribution lognormal_mean_cv(double mean, double cv);
  static Distribution bounded_pareto(double alpha, double lo, double hi) {
    return Distribution(BoundedPareto{alpha, lo, hi});
  }
  // Piecewise-linear inverse CDF through the points; values and probabilities must be non-decreasing,
  // the first probability 0 and the last 1 (checked by the caller that builds it from user input).
  static Distribution empirical(std::vector<std::pair<double, double>> points) {
    return Distribution(Empirical{std::move(points)});
  }

  double sample(RandomStream& rng) const;
  // A duration: the sample rounded to the nearest picosecond (this distribution's unit must be ps).
  // A sample as a duration, saturated at kLongestSample: a sample beyond every run's end (a run lasts at
  // most about 53 days, Time's max / 2) behaves the same, and now + sample never overflows.
  static constexpr int64_t kLongestSample = std::numeric_limits<int64_t>::max() / 4;
  Time sample_time(RandomStream& rng) const {
    const double ps = sample(rng) + 0.5;
    return Time::from_ps(ps < static_cast<double>(kLongestSample) ? static_cast<int64_t>(ps) : kLongestSample);
  }
  double mean() const;
  double variance() const;
  const Kind& kind() const { return kind_; }
  bool operator==(const Distribution& o) const;

 private:
  Kind kind_;
};

}  // namespace wakesim::engine
