#include "sim/engine/random.h"

#include <algorithm>
#include <cmath>

#include "sim/engine/errors.h"
#include "sim/engine/int128.h"

namespace wakesim::engine {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): a bijective mixer used to turn keys into generator seeds.
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

pcg64 make_engine(uint64_t seed, uint64_t entity, uint64_t purpose) {
  uint64_t s = seed;
  uint64_t a = splitmix64(s);
  s ^= entity * 0xd1342543de82ef95ull;
  uint64_t b = splitmix64(s);
  s ^= purpose;
  uint64_t c = splitmix64(s);
  uint64_t d = splitmix64(s);
  const pcg_extras::pcg128_t state = (static_cast<pcg_extras::pcg128_t>(a ^ c) << 64) | (b ^ d);
  const pcg_extras::pcg128_t stream = (static_cast<pcg_extras::pcg128_t>(c) << 64) | d;
  return pcg64(state, stream);
}

}  // namespace

RandomStream::RandomStream(uint64_t seed, uint64_t entity, StreamPurpose purpose)
    : engine_(make_engine(seed, entity, purpose.hash)) {}

uint64_t RandomStream::below(uint64_t n) {
  WAKESIM_CHECK(n > 0, "below(0)");
  // Lemire, "Fast random integer generation in an interval", ACM TOMACS 2019.
  Uint128 m = static_cast<Uint128>(next_u64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<Uint128>(next_u64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double RandomStream::exponential(double mean) { return -mean * std::log(uniform_open01()); }

double RandomStream::standard_normal() {
  for (;;) {
    const double u = 2.0 * uniform01() - 1.0;
    const double v = 2.0 * uniform01() - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * std::log(s) / s);
  }
}

Distribution Distribution::lognormal_mean_cv(double mean, double cv) {
  const double sigma2 = std::log1p(cv * cv);
  return Distribution(LogNormal{mean, cv, std::log(mean) - 0.5 * sigma2, std::sqrt(sigma2)});
}

namespace {

struct Sampler {
  RandomStream& rng;
  double operator()(const Distribution::Constant& d) const { return d.value; }
  double operator()(const Distribution::Uniform& d) const { return d.lo + (d.hi - d.lo) * rng.uniform01(); }
  double operator()(const Distribution::Exponential& d) const { return rng.exponential(d.mean); }
  double operator()(const Distribution::LogNormal& d) const { return std::exp(d.mu + d.sigma * rng.standard_normal()); }
  double operator()(const Distribution::BoundedPareto& d) const {
    // Inverse CDF of the Pareto distribution truncated to [lo, hi].
    const double u = rng.uniform01();
    const double ratio = std::pow(d.lo / d.hi, d.alpha);
    return d.lo / std::pow(1.0 - u * (1.0 - ratio), 1.0 / d.alpha);
  }
  double operator()(const Distribution::Empirical& d) const {
    const double u = rng.uniform01();
    const auto& p = d.points;
    auto it = std::upper_bound(p.begin(), p.end(), u, [](double x, const auto& pt) { return x < pt.second; });
    if (it == p.begin()) return p.front().first;
    if (it == p.end()) return p.back().first;
    const auto& [v1, c1] = *it;
    const auto& [v0, c0] = *(it - 1);
    return c1 > c0 ? v0 + (v1 - v0) * (u - c0) / (c1 - c0) : v1;
  }
};

struct Moments {
  double mean, second;  // E[X], E[X^2]
  Moments operator()(const Distribution::Constant& d) const { return {d.value, d.value * d.value}; }
  Moments operator()(const Distribution::Uniform& d) const {
    return {(d.lo + d.hi) / 2, (d.lo * d.lo + d.lo * d.hi + d.hi * d.hi) / 3};
  }
  Moments operator()(const Distribution::Exponential& d) const { return {d.mean, 2 * d.mean * d.mean}; }
  Moments operator()(const Distribution::LogNormal& d) const { return {d.mean, d.mean * d.mean * (1 + d.cv * d.cv)}; }
  Moments operator()(const Distribution::BoundedPareto& d) const {
    // E[X^k] for the bounded Pareto (alpha != k): alpha L^a / (1-(L/H)^a) * (H^(k-a) - L^(k-a)) / (k-a).
    auto raw = [&](double k) {
      const double norm = d.alpha * std::pow(d.lo, d.alpha) / (1 - std::pow(d.lo / d.hi, d.alpha));
      if (std::abs(k - d.alpha) < 1e-12) return norm * (std::log(d.hi) - std::log(d.lo));
      return norm * (std::pow(d.hi, k - d.alpha) - std::pow(d.lo, k - d.alpha)) / (k - d.alpha);
    };
    return {raw(1), raw(2)};
  }
  Moments operator()(const Distribution::Empirical& d) const {
    // Piecewise-uniform segments between consecutive points.
    double m1 = 0, m2 = 0;
    for (size_t i = 1; i < d.points.size(); ++i) {
      const auto [a, ca] = d.points[i - 1];
      const auto [b, cb] = d.points[i];
      const double w = cb - ca;
      m1 += w * (a + b) / 2;
      m2 += w * (a * a + a * b + b * b) / 3;
    }
    return {m1, m2};
  }
};

}  // namespace

double Distribution::sample(RandomStream& rng) const { return std::visit(Sampler{rng}, kind_); }
double Distribution::mean() const { return std::visit(Moments{}, kind_).mean; }
double Distribution::variance() const {
  const Moments m = std::visit(Moments{}, kind_);
  return std::max(0.0, m.second - m.mean * m.mean);
}

bool Distribution::operator==(const Distribution& o) const {
  if (kind_.index() != o.kind_.index()) return false;
  return std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        const T& b = std::get<T>(o.kind_);
        if constexpr (std::is_same_v<T, Constant>) return a.value == b.value;
        else if constexpr (std::is_same_v<T, Uniform>) return a.lo == b.lo && a.hi == b.hi;
        else if constexpr (std::is_same_v<T, Exponential>) return a.mean == b.mean;
        else if constexpr (std::is_same_v<T, LogNormal>) return a.mean == b.mean && a.cv == b.cv;
        else if constexpr (std::is_same_v<T, BoundedPareto>) return a.alpha == b.alpha && a.lo == b.lo && a.hi == b.hi;
        else return a.points == b.points;
      },
      kind_);
}

}  // namespace wakesim::engine
