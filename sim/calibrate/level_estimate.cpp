// estimate_levels(): L1, L2, LLC and DRAM read off a pointer-chase curve.
//
// The curve is handled as log latency over log working set, where each level is a plateau and each
// capacity a rise. A 3-point running median first removes isolated spikes (on a shared host, one
// working set can catch another tenant's burst: this project's VM once read 8.7 ns at 430 KiB between
// two 4 ns points); it leaves every monotone stretch, steps included, exactly as measured. Three
// boundaries separate four plateaus:
//  1. A least-squares step fit places all three: the partition of the curve into four contiguous
//     segments that minimises the squared deviation of log latency from each segment's mean (dynamic
//     programming, exact).
//  2. A detected size (topology.caches: L1d, L2, the last level >= 3) replaces its fitted boundary when
//     the curve confirms it: the fitted boundary lies within a factor kPriorDistance of it, and the
//     median latency over [S*sqrt2, 4S] is >= kConfirmingRise times that over [S/4, S/sqrt2]. Anything
//     else (no detected size, no points on one side, a size the curve does not step at, such as a VM's
//     package-wide 508 MiB "L3" above a DRAM curve that keeps rising with TLB reach) leaves the fitted
//     boundary, and the boundaries between anchors are fitted again with the anchors fixed.
//  3. Each level's latency is the median over its segment's flat part: points at least 2x above the
//     lower boundary and 2x below the upper one (transitions are gradual on real parts: random-like
//     replacement, victim caches, TLB reach; this project's VM loses L2 hits from a quarter of the
//     L2's size), or the whole segment if that leaves none.
//  4. Each capacity is the effective one, the working set where the curve first crosses the log-space
//     midpoint between the two plateaus (linear interpolation in log-log), so a victim LLC shows as
//     L2 + L3, and a cache the hypervisor shares with other guests as what this guest gets.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "sim/calibrate/calibrate.h"
#include "sim/calibrate/sizes.h"
#include "sim/calibrate/statistics.h"
#include "sim/calibrate/topology_probe.h"

namespace wakesim::calibrate {
namespace {

constexpr int kLevels = 4;  // L1, L2, LLC, DRAM
constexpr int kBoundaries = kLevels - 1;
constexpr double kConfirmingRise = 1.3;
constexpr double kPriorDistance = 2.0;
constexpr double kPlateauAboveLower = 2.0;
constexpr double kPlateauBelowUpper = 2.0;
constexpr int kDefaultWays[kBoundaries] = {8, 16, 16};
constexpr const char* kNames[kLevels] = {"L1", "L2", "LLC", "DRAM"};

struct Point {
  double x;  // log2 bytes
  double y;  // ln ns
  uint64_t bytes;
};

struct Prior {
  const CacheInfo* cache = nullptr;
  bool anchored = false;
  size_t cut = 0;  // points [0, cut) lie at or below the detected size
  std::string verdict;
};

double median_y(const std::vector<Point>& points, size_t begin, size_t end) {
  std::vector<double> ys;
  for (size_t i = begin; i < end; ++i) ys.push_back(points[i].y);
  return median(std::move(ys));
}

// Median log latency of points with bytes in [low, high]; nullopt if none.
std::optional<double> median_between(const std::vector<Point>& points, double low, double high) {
  std::vector<double> ys;
  for (const Point& p : points)
    if (static_cast<double>(p.bytes) >= low && static_cast<double>(p.bytes) <= high) ys.push_back(p.y);
  if (ys.empty()) return std::nullopt;
  return median(std::move(ys));
}

// `fitted_edge`: the step fit's boundary for this level, in bytes.
Prior check_prior(const std::vector<Point>& points, const CacheInfo* cache, double fitted_edge) {
  Prior prior;
  prior.cache = cache;
  if (!cache || cache->size_bytes == 0) {
    prior.verdict = "none detected";
    return prior;
  }
  const auto size = static_cast<double>(cache->size_bytes);
  const std::string name = fmt::format("detected {} ({})", format_bytes(cache->size_bytes), cache->source);
  const auto below = median_between(points, size / 4, size / std::sqrt(2.0));
  const auto above = median_between(points, size * std::sqrt(2.0), size * 4);
  if (!below || !above) {
    prior.verdict = fmt::format("{} not used: outside the measured range", name);
    return prior;
  }
  const double rise = std::exp(*above - *below);
  if (rise < kConfirmingRise) {
    prior.verdict = fmt::format("{} not used: latency rises only {:.2f}x across it", name, rise);
    return prior;
  }
  if (fitted_edge > size * kPriorDistance || fitted_edge < size / kPriorDistance) {
    prior.verdict = fmt::format("{} not used: the curve's step is at {}", name,
                                format_bytes(static_cast<uint64_t>(std::llround(fitted_edge))));
    return prior;
  }
  prior.anchored = true;
  prior.cut = static_cast<size_t>(
      std::count_if(points.begin(), points.end(), [&](const Point& p) { return p.bytes <= cache->size_bytes; }));
  prior.verdict = fmt::format("anchored at {}, latency rises {:.2f}x across it", name, rise);
  return prior;
}

// The cut indices (segment starts after the first) of the least-squares partition of points[lo, hi)
// into `segments` non-empty contiguous segments. Requires hi - lo >= segments.
std::vector<size_t> step_fit(const std::vector<Point>& points, size_t lo, size_t hi, int segments) {
  const size_t n = hi - lo;
  std::vector<double> sum(n + 1, 0), sum_sq(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    sum[i + 1] = sum[i] + points[lo + i].y;
    sum_sq[i + 1] = sum_sq[i] + points[lo + i].y * points[lo + i].y;
  }
  const auto cost = [&](size_t a, size_t b) {  // squared deviation of [a, b) from its mean
    const double count = static_cast<double>(b - a);
    const double s = sum[b] - sum[a];
    return (sum_sq[b] - sum_sq[a]) - s * s / count;
  };
  const double kInf = std::numeric_limits<double>::infinity();
  const auto s_count = static_cast<size_t>(segments);
  // best[s][j]: the least cost of [0, j) in s segments; from[s][j]: where the last one starts.
  std::vector<std::vector<double>> best(s_count + 1, std::vector<double>(n + 1, kInf));
  std::vector<std::vector<size_t>> from(s_count + 1, std::vector<size_t>(n + 1, 0));
  best[0][0] = 0;
  for (size_t s = 1; s <= s_count; ++s)
    for (size_t j = s; j <= n; ++j)
      for (size_t i = s - 1; i < j; ++i) {
        const double candidate = best[s - 1][i] + cost(i, j);
        if (candidate < best[s][j]) {
          best[s][j] = candidate;
          from[s][j] = i;
        }
      }
  std::vector<size_t> cuts(s_count - 1);
  size_t end = n;
  for (size_t s = s_count; s > 1; --s) {
    end = from[s][end];
    cuts[s - 2] = lo + end;
  }
  return cuts;
}

// The working set at which the curve first rises through `y_mid` within points[begin, end); nullopt if
// it does not.
std::optional<double> crossing(const std::vector<Point>& points, size_t begin, size_t end, double y_mid) {
  for (size_t j = begin; j + 1 < end; ++j) {
    if (points[j].y < y_mid && points[j + 1].y >= y_mid) {
      const double t = (y_mid - points[j].y) / (points[j + 1].y - points[j].y);
      return std::exp2(points[j].x + t * (points[j + 1].x - points[j].x));
    }
  }
  return std::nullopt;
}

}  // namespace

LevelEstimate estimate_levels(const Topology& topology, const std::vector<ChasePoint>& chase) {
  LevelEstimate estimate;
  const CacheInfo* detected[kBoundaries] = {data_cache(topology, 1), data_cache(topology, 2), nullptr};
  if (const CacheInfo* llc = last_level_cache(topology); llc && llc->level >= 3) detected[2] = llc;
  int* ways[kBoundaries] = {&estimate.l1_ways, &estimate.l2_ways, &estimate.llc_ways};
  std::string ways_note;
  for (int k = 0; k < kBoundaries; ++k) {
    const bool reported = detected[k] && detected[k]->ways > 0;
    *ways[k] = reported ? detected[k]->ways : kDefaultWays[k];
    ways_note +=
        fmt::format("{}{} {} ({})", k ? ", " : "", kNames[k], *ways[k], reported ? detected[k]->source : "default");
  }

  std::vector<Point> points;
  for (const ChasePoint& c : chase)
    if (c.working_set_bytes > 0 && std::isfinite(c.ns_per_load) && c.ns_per_load > 0)
      points.push_back(
          {std::log2(static_cast<double>(c.working_set_bytes)), std::log(c.ns_per_load), c.working_set_bytes});
  std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.bytes < b.bytes; });
  const size_t n = points.size();
  std::vector<double> raw_y;
  raw_y.reserve(n);
  for (const Point& p : points) raw_y.push_back(p.y);
  for (size_t i = 1; i + 1 < n; ++i)
    points[i].y = std::max(std::min(raw_y[i - 1], raw_y[i]), std::min(std::max(raw_y[i - 1], raw_y[i]), raw_y[i + 1]));
  if (n < kLevels) {
    // Too few points to separate four levels: the ends only.
    if (n > 0) {
      estimate.l1_ns = std::exp(points.front().y);
      estimate.dram_ns = std::exp(points.back().y);
    }
    estimate.method = fmt::format(
        "{} usable pointer-chase points, fewer than the {} levels: only the L1 and DRAM "
        "latencies (first and last point) are estimated; ways {}",
        n, kLevels, ways_note);
    return estimate;
  }

  // Boundary k in bytes at cut index c: the geometric midpoint of the last point below and the first above.
  const auto midpoint = [&](size_t cut) { return std::exp2((points[cut - 1].x + points[cut].x) / 2); };

  // 1. The unconstrained step fit. 2. Anchors, kept only if they leave every segment at least one point.
  const std::vector<size_t> fitted = step_fit(points, 0, n, kLevels);
  Prior priors[kBoundaries];
  size_t previous_cut = 0;
  int previous_anchor = -1;
  for (int k = 0; k < kBoundaries; ++k) {
    priors[k] = check_prior(points, detected[k], midpoint(fitted[static_cast<size_t>(k)]));
    if (!priors[k].anchored) continue;
    const size_t cut = priors[k].cut;
    const bool room_below = cut >= previous_cut + static_cast<size_t>(k - previous_anchor);
    const bool room_above = n - cut >= static_cast<size_t>(kBoundaries - k);
    if (!room_below || !room_above) {
      priors[k].anchored = false;
      priors[k].verdict += ", but not used: it would leave a level without points";
      continue;
    }
    previous_cut = cut;
    previous_anchor = k;
  }

  // Cuts: anchored ones, the rest from step fits of the stretches between anchors.
  size_t cuts[kBoundaries];
  int stretch_start_k = 0;
  size_t stretch_lo = 0;
  for (int k = 0; k <= kBoundaries; ++k) {
    const bool end_of_stretch = k == kBoundaries || priors[k].anchored;
    if (!end_of_stretch) continue;
    const size_t stretch_hi = k == kBoundaries ? n : priors[k].cut;
    const int free = k - stretch_start_k;
    if (free > 0) {
      const std::vector<size_t> refitted = step_fit(points, stretch_lo, stretch_hi, free + 1);
      for (int f = 0; f < free; ++f) cuts[stretch_start_k + f] = refitted[static_cast<size_t>(f)];
    }
    if (k < kBoundaries) {
      cuts[k] = priors[k].cut;
      stretch_start_k = k + 1;
      stretch_lo = stretch_hi;
    }
  }

  // Boundary positions in bytes: the detected size where anchored, else the cut's midpoint.
  double edge[kBoundaries];
  for (int k = 0; k < kBoundaries; ++k)
    edge[k] = priors[k].anchored ? static_cast<double>(priors[k].cache->size_bytes) : midpoint(cuts[k]);

  // 3. Plateaus.
  double plateau[kLevels];
  size_t core_begin[kLevels], core_end[kLevels];
  for (int level = 0; level < kLevels; ++level) {
    const size_t begin = level == 0 ? 0 : cuts[level - 1];
    const size_t end = level == kBoundaries ? n : cuts[level];
    const double low = level == 0 ? 0 : edge[level - 1] * kPlateauAboveLower;
    const double high =
        level == kBoundaries ? std::numeric_limits<double>::infinity() : edge[level] / kPlateauBelowUpper;
    core_begin[level] = end;
    core_end[level] = begin;
    for (size_t i = begin; i < end; ++i) {
      const auto bytes = static_cast<double>(points[i].bytes);
      if (bytes >= low && bytes <= high) {
        core_begin[level] = std::min(core_begin[level], i);
        core_end[level] = i + 1;
      }
    }
    if (core_begin[level] >= core_end[level]) {
      core_begin[level] = begin;
      core_end[level] = end;
    }
    plateau[level] = median_y(points, core_begin[level], core_end[level]);
  }

  // 4. Effective capacities.
  uint64_t capacity[kBoundaries];
  std::string capacity_notes;
  for (int k = 0; k < kBoundaries; ++k) {
    std::optional<double> at;
    if (plateau[k + 1] > plateau[k])
      at = crossing(points, core_begin[k], core_end[k + 1], (plateau[k] + plateau[k + 1]) / 2);
    if (!at) {
      at = edge[k];
      capacity_notes +=
          fmt::format("; {} capacity: no rise to {} found, the boundary is used", kNames[k], kNames[k + 1]);
    }
    capacity[k] = static_cast<uint64_t>(std::llround(*at));
  }
  if (!(capacity[0] < capacity[1] && capacity[1] < capacity[2]))
    capacity_notes += "; capacities out of order: the curve is too noisy or too short for three boundaries";

  estimate.l1_ns = std::exp(plateau[0]);
  estimate.l2_ns = std::exp(plateau[1]);
  estimate.llc_ns = std::exp(plateau[2]);
  estimate.dram_ns = std::exp(plateau[3]);
  estimate.l1_bytes = capacity[0];
  estimate.l2_bytes = capacity[1];
  estimate.llc_bytes = capacity[2];

  std::string boundaries;
  for (int k = 0; k < kBoundaries; ++k)
    boundaries +=
        fmt::format("; {}->{}: {}", kNames[k], kNames[k + 1],
                    priors[k].anchored ? priors[k].verdict : fmt::format("from the step fit ({})", priors[k].verdict));
  estimate.method = fmt::format(
      "{} pointer-chase points, 4 plateaus (median of each flat part); capacity = working set at the log-space "
      "midpoint between plateaus{}{}; ways {}",
      n, boundaries, capacity_notes, ways_note);
  return estimate;
}

}  // namespace wakesim::calibrate
