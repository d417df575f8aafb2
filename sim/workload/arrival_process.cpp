#include "sim/workload/arrival_process.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "sim/config/input_file.h"
#include "sim/config/units.h"
#include "sim/engine/errors.h"
#include "sim/engine/text.h"

namespace wakesim::workload {

using engine::Time;

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(engine::trimmed(s.substr(start, i - start)));
      start = i + 1;
    }
  return out;
}

constexpr const char* kForms =
    "one of: poisson(rate), periodic(period[, jitter=t]), onoff(on=t, off=t, rate=r), mmpp(rate:stay, ...), "
    "replay(file.csv), none";

// Reads a replay file: a header naming the time column with its unit, and optionally a vcpu column.
std::optional<ArrivalSpec::Replay> read_replay(const std::string& path, std::string& error) {
  std::string read_error;
  const std::optional<std::string> text = config::read_input_file(path, read_error);
  if (!text) {
    error = fmt::format("replay file '{}' {}", path, read_error);
    return std::nullopt;
  }
  std::istringstream in(*text);
  std::string line;
  int line_number = 0;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    ++line_number;
    line = engine::trimmed(line);
    if (line.empty() || line[0] == '#') continue;
    header = split(line, ',');
    break;
  }
  static const std::map<std::string, int64_t> kUnits = {
      {"time_ns", 1'000}, {"time_us", 1'000'000}, {"time_ms", 1'000'000'000}, {"time_s", 1'000'000'000'000}};
  int time_column = -1, vcpu_column = -1;
  int64_t scale = 0;
  for (size_t i = 0; i < header.size(); ++i) {
    if (auto it = kUnits.find(header[i]); it != kUnits.end()) time_column = static_cast<int>(i), scale = it->second;
    if (header[i] == "vcpu") vcpu_column = static_cast<int>(i);
  }
  if (time_column < 0) {
    error = fmt::format(
        "replay file '{}' line {}: expected a header with a time column named time_ns, time_us, "
        "time_ms or time_s (and optionally vcpu)",
        path, line_number);
    return std::nullopt;
  }
  auto events = std::make_shared<std::vector<std::pair<Time, int64_t>>>();
  while (std::getline(in, line)) {
    ++line_number;
    line = engine::trimmed(line);
    if (line.empty() || line[0] == '#') continue;
    const auto cells = split(line, ',');
    if (cells.size() != header.size()) {
      error = fmt::format("replay file '{}' line {}: {} columns, the header has {}", path, line_number, cells.size(),
                          header.size());
      return std::nullopt;
    }
    double t = 0;
    const std::string& tc = cells[static_cast<size_t>(time_column)];
    auto [p, ec] = std::from_chars(tc.data(), tc.data() + tc.size(), t);
    if (tc.empty() || ec != std::errc() || p != tc.data() + tc.size() || !std::isfinite(t) || t < 0) {
      error = fmt::format("replay file '{}' line {}: '{}' is not a non-negative time", path, line_number, tc);
      return std::nullopt;
    }
    int64_t vcpu = -1;
    if (vcpu_column >= 0) {
      const std::string& vc = cells[static_cast<size_t>(vcpu_column)];
      auto [q, ec2] = std::from_chars(vc.data(), vc.data() + vc.size(), vcpu);
      if (vc.empty() || ec2 != std::errc() || q != vc.data() + vc.size() || vcpu < 0) {
        error = fmt::format("replay file '{}' line {}: '{}' is not a vCPU index", path, line_number, vc);
        return std::nullopt;
      }
    }
    events->emplace_back(Time::from_ps(std::llround(t * static_cast<double>(scale))), vcpu);
  }
  if (events->empty()) {
    error = fmt::format("replay file '{}' has no arrivals", path);
    return std::nullopt;
  }
  std::stable_sort(events->begin(), events->end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return ArrivalSpec::Replay{path, events};
}

}  // namespace

double ArrivalSpec::mean_rate() const {
  return std::visit(
      [](const auto& k) -> double {
        using T = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<T, None>) return 0;
        else if constexpr (std::is_same_v<T, Poisson>) return k.rate.per_second;
        else if constexpr (std::is_same_v<T, Periodic>) return 1.0 / k.period.seconds();
        else if constexpr (std::is_same_v<T, OnOff>)
          return k.rate.per_second * k.on.seconds() / (k.on + k.off).seconds();
        else if constexpr (std::is_same_v<T, Mmpp>) {
          double weighted = 0, total = 0;
          for (const auto& [rate, stay] : k.states)
            weighted += rate.per_second * stay.seconds(), total += stay.seconds();
          return total > 0 ? weighted / total : 0;
        } else {
          const double span = k.events->back().first.seconds();
          return span > 0 ? static_cast<double>(k.events->size()) / span : 0;
        }
      },
      kind);
}

std::optional<ArrivalSpec> scale_arrivals(const ArrivalSpec& spec, double factor) {
  return std::visit(
      [&](const auto& k) -> std::optional<ArrivalSpec> {
        using T = std::decay_t<decltype(k)>;
        const auto rate = [&](engine::Rate r) { return engine::Rate{r.per_second * factor}; };
        const auto shorter = [&](Time t) {
          return Time::from_ps(static_cast<int64_t>(std::llround(static_cast<double>(t.ps()) / factor)));
        };
        if constexpr (std::is_same_v<T, ArrivalSpec::Poisson>) return ArrivalSpec{ArrivalSpec::Poisson{rate(k.rate)}};
        else if constexpr (std::is_same_v<T, ArrivalSpec::Periodic>)
          return ArrivalSpec{ArrivalSpec::Periodic{shorter(k.period), shorter(k.jitter)}};
        else if constexpr (std::is_same_v<T, ArrivalSpec::OnOff>)
          return ArrivalSpec{ArrivalSpec::OnOff{k.on, k.off, rate(k.rate)}};
        else if constexpr (std::is_same_v<T, ArrivalSpec::Mmpp>) {
          ArrivalSpec::Mmpp out = k;
          for (auto& [r, stay] : out.states) r = rate(r);
          return ArrivalSpec{std::move(out)};
        } else {
          return std::nullopt;  // none, replay
        }
      },
      spec.kind);
}

bool ArrivalSpec::operator==(const ArrivalSpec& o) const { return format_arrivals(*this) == format_arrivals(o); }

std::optional<ArrivalSpec> parse_arrivals(const std::string& raw, std::string& error) {
  const std::string text = engine::trimmed(raw);
  if (text == "none") return ArrivalSpec{ArrivalSpec::None{}};
  const size_t open = text.find('(');
  if (open == std::string::npos || text.back() != ')') {
    error = fmt::format("'{}' is not an arrival process; expected {}", text, kForms);
    return std::nullopt;
  }
  const std::string name = engine::trimmed(text.substr(0, open));
  const std::vector<std::string> args = split(text.substr(open + 1, text.size() - open - 2), ',');
  std::map<std::string, std::string> named;
  std::vector<std::string> positional;
  for (const std::string& a : args) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos) positional.push_back(a);
    else named[engine::trimmed(a.substr(0, eq))] = engine::trimmed(a.substr(eq + 1));
  }
  auto fail = [&](const std::string& why) -> std::optional<ArrivalSpec> {
    error = fmt::format("{}: {}", text, why);
    return std::nullopt;
  };
  auto rate_of = [&](const std::string& s, engine::Rate& out) {
    std::string e;
    auto r = config::parse_rate(s, e);
    if (!r) return error = fmt::format("{}: {}", text, e), false;
    out = *r;
    return true;
  };
  auto time_of = [&](const std::string& s, Time& out) {
    std::string e;
    auto t = config::parse_duration(s, e);
    if (!t) return error = fmt::format("{}: {}", text, e), false;
    out = *t;
    return true;
  };
  if (name == "poisson") {
    if (positional.size() != 1 || !named.empty()) return fail("expected poisson(rate), e.g. poisson(1k/s)");
    ArrivalSpec::Poisson p;
    if (!rate_of(positional[0], p.rate)) return std::nullopt;
    return ArrivalSpec{p};
  }
  if (name == "periodic") {
    ArrivalSpec::Periodic p;
    if (positional.size() != 1) return fail("expected periodic(period[, jitter=t]), e.g. periodic(1ms)");
    if (!time_of(positional[0], p.period)) return std::nullopt;
    if (auto it = named.find("jitter"); it != named.end()) {
      if (!time_of(it->second, p.jitter)) return std::nullopt;
      named.erase(it);
    }
    if (!named.empty()) return fail(fmt::format("unknown parameter '{}'", named.begin()->first));
    if (p.period <= Time::zero() || p.jitter * 2 > p.period) return fail("needs period > 0 and jitter <= period / 2");
    return ArrivalSpec{p};
  }
  if (name == "onoff") {
    ArrivalSpec::OnOff p;
    if (!positional.empty() || named.size() != 3 || !named.contains("on") || !named.contains("off") ||
        !named.contains("rate"))
      return fail("expected onoff(on=t, off=t, rate=r), e.g. onoff(on=1ms, off=9ms, rate=10k/s)");
    if (!time_of(named["on"], p.on) || !time_of(named["off"], p.off) || !rate_of(named["rate"], p.rate))
      return std::nullopt;
    if (p.on <= Time::zero() || p.off <= Time::zero()) return fail("on and off must be positive");
    return ArrivalSpec{p};
  }
  if (name == "mmpp") {
    ArrivalSpec::Mmpp p;
    if (!named.empty() || positional.size() < 2)
      return fail("expected at least two states rate:stay, e.g. mmpp(1k/s:9ms, 20k/s:1ms)");
    for (const std::string& state : positional) {
      const size_t colon = state.find(':');
      if (colon == std::string::npos) return fail(fmt::format("'{}' is not rate:stay", state));
      engine::Rate r;
      Time stay;
      if (!rate_of(engine::trimmed(state.substr(0, colon)), r) ||
          !time_of(engine::trimmed(state.substr(colon + 1)), stay))
        return std::nullopt;
      if (stay <= Time::zero()) return fail("a state's mean stay must be positive");
      p.states.emplace_back(r, stay);
    }
    return ArrivalSpec{p};
  }
  if (name == "replay") {
    if (positional.size() != 1 || !named.empty()) return fail("expected replay(file.csv)");
    std::string e;
    auto replay = read_replay(positional[0], e);
    if (!replay) return fail(e);
    return ArrivalSpec{*replay};
  }
  error = fmt::format("'{}' is not an arrival process; expected {}", name, kForms);
  return std::nullopt;
}

std::string format_arrivals(const ArrivalSpec& spec) {
  auto t = [](Time x) { return config::format_duration(x); };
  auto r = [](engine::Rate x) { return config::format_rate(x); };
  return std::visit(
      [&](const auto& k) -> std::string {
        using T = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<T, ArrivalSpec::None>) return "none";
        else if constexpr (std::is_same_v<T, ArrivalSpec::Poisson>) return fmt::format("poisson({})", r(k.rate));
        else if constexpr (std::is_same_v<T, ArrivalSpec::Periodic>)
          return k.jitter > Time::zero() ? fmt::format("periodic({}, jitter={})", t(k.period), t(k.jitter))
                                         : fmt::format("periodic({})", t(k.period));
        else if constexpr (std::is_same_v<T, ArrivalSpec::OnOff>)
          return fmt::format("onoff(on={}, off={}, rate={})", t(k.on), t(k.off), r(k.rate));
        else if constexpr (std::is_same_v<T, ArrivalSpec::Mmpp>) {
          std::string out = "mmpp(";
          for (size_t i = 0; i < k.states.size(); ++i)
            out += fmt::format("{}{}:{}", i ? ", " : "", r(k.states[i].first), t(k.states[i].second));
          return out + ")";
        } else {
          return fmt::format("replay({})", k.path);
        }
      },
      spec.kind);
}

ArrivalProcess::ArrivalProcess(const ArrivalSpec& spec, engine::RandomStream rng, int64_t vcpu)
    : spec_(spec), rng_(rng), vcpu_(vcpu) {}

namespace {
// State changes one next() may go through to find an arrival: well under a second. An on/off or MMPP
// process whose busy states are so short for their rate that an arrival needs more is bad input, not a
// hang (the fuzzer's mmpp(2k/s:2ps, 0/s:190us) needs about 250 million).
constexpr uint64_t kMaxStateChanges = 1'000'000;

engine::UserError too_rare(const ArrivalSpec& spec) {
  return engine::UserError(fmt::format(
      "error: arrival process {}: no arrival in {} state changes; its states with a rate are too short for that "
      "rate to produce arrivals (make them longer, or their rate 0)",
      format_arrivals(spec), kMaxStateChanges));
}
}  // namespace

Time ArrivalProcess::next(Time now) {
  // Saturated like Distribution::sample_time: a gap past every run's end never overflows the clock.
  auto saturate = [](double ps) {
    constexpr int64_t kLongest = engine::Distribution::kLongestSample;
    // Half up, as every earlier run did (ps >= 0; std::llround would differ only at ties' last ulp).
    // NOLINTNEXTLINE(bugprone-incorrect-roundings)
    return Time::from_ps(ps + 0.5 < static_cast<double>(kLongest) ? static_cast<int64_t>(ps + 0.5) : kLongest);
  };
  // Sums saturate at Time::max() ("never"): an arrival process asked far past every run's end (a state
  // of 500,000 s, say, cycled many times) must not overflow the clock.
  auto plus = [](Time a, Time b) {
    return a.ps() > std::numeric_limits<int64_t>::max() - b.ps() ? Time::max() : a + b;
  };
  auto exp_gap = [&](double per_second) { return saturate(rng_.exponential(1e12 / per_second)); };
  auto exp_time = [&](Time mean) { return saturate(rng_.exponential(static_cast<double>(mean.ps()))); };
  return std::visit(
      [&](const auto& k) -> Time {
        using T = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<T, ArrivalSpec::None>) {
          return Time::max();
        } else if constexpr (std::is_same_v<T, ArrivalSpec::Poisson>) {
          return k.rate.per_second > 0 ? plus(now, exp_gap(k.rate.per_second)) : Time::max();
        } else if constexpr (std::is_same_v<T, ArrivalSpec::Periodic>) {
          // Phase drawn once, then one arrival per period, each shifted by up to +-jitter.
          if (!started_) {
            started_ = true;
            periodic_next_ =
                plus(now, Time::from_ps(static_cast<int64_t>(rng_.below(static_cast<uint64_t>(k.period.ps())))));
          } else {
            periodic_next_ = plus(periodic_next_, k.period);
          }
          if (periodic_next_ == Time::max()) return Time::max();
          Time at = periodic_next_;
          if (k.jitter > Time::zero())
            at = plus(at,
                      Time::from_ps(static_cast<int64_t>(rng_.below(static_cast<uint64_t>(2 * k.jitter.ps() + 1))))) -
                 k.jitter;
          return std::max(at, now);
        } else if constexpr (std::is_same_v<T, ArrivalSpec::OnOff>) {
          if (!started_) {
            started_ = true;
            state_ = rng_.uniform01() < k.on / (k.on + k.off) ? 0 : 1;  // start in steady state
            state_end_ = plus(now, exp_time(state_ == 0 ? k.on : k.off));
          }
          if (k.rate.per_second <= 0) return Time::max();  // never on: no arrivals (and no endless loop)
          Time t = now;
          for (uint64_t changes = 0;; ++changes) {
            if (changes == kMaxStateChanges) throw too_rare(spec_);
            if (state_ == 0) {
              const Time candidate = plus(t, exp_gap(k.rate.per_second));
              if (candidate < state_end_) return candidate;
            }
            if (state_end_ == Time::max()) return Time::max();
            t = state_end_;  // memoryless: restart the gap at the state change
            state_ = 1 - state_;
            state_end_ = plus(t, exp_time(state_ == 0 ? k.on : k.off));
          }
        } else if constexpr (std::is_same_v<T, ArrivalSpec::Mmpp>) {
          if (!started_) {
            started_ = true;
            state_ = static_cast<size_t>(rng_.below(k.states.size()));
            state_end_ = plus(now, exp_time(k.states[state_].second));
          }
          if (std::none_of(k.states.begin(), k.states.end(), [](const auto& st) { return st.first.per_second > 0; }))
            return Time::max();  // every state silent: no arrivals (and no endless loop)
          Time t = now;
          for (uint64_t changes = 0;; ++changes) {
            if (changes == kMaxStateChanges) throw too_rare(spec_);
            const double rate = k.states[state_].first.per_second;
            if (rate > 0) {
              const Time candidate = plus(t, exp_gap(rate));
              if (candidate < state_end_) return candidate;
            }
            if (state_end_ == Time::max()) return Time::max();
            t = state_end_;
            size_t next = static_cast<size_t>(rng_.below(k.states.size() - 1));
            if (next >= state_) ++next;
            state_ = next;
            state_end_ = plus(t, exp_time(k.states[state_].second));
          }
        } else {
          const auto& events = *k.events;
          while (replay_index_ < events.size()) {
            const auto& [at, vcpu] = events[replay_index_++];
            if (at < now) continue;
            if (vcpu < 0 || vcpu == vcpu_) return at;
          }
          return Time::max();
        }
      },
      spec_.kind);
}

}  // namespace wakesim::workload
