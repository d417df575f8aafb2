#include "sim/config/distribution_text.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "sim/config/units.h"
#include "sim/engine/text.h"

namespace wakesim::config {
namespace {

constexpr const char* kForms =
    "one of: a value, const(v), exp(mean), uniform(lo, hi), lognormal(mean=m, cv=c), "
    "pareto(alpha=a, min=lo, max=hi), empirical(v@p, ...)";

std::optional<double> parse_plain_number(std::string_view text) {
  const std::string s = engine::trimmed(text);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// A value in the distribution's unit: picoseconds for durations.
std::optional<double> parse_value(std::string_view text, DistributionUnit unit, std::string& error) {
  if (unit == DistributionUnit::kDuration) {
    auto t = parse_duration(text, error);
    if (!t) return std::nullopt;
    return static_cast<double>(t->ps());
  }
  auto v = parse_plain_number(text);
  if (!v) error = fmt::format("'{}' is not a number", engine::trimmed(text));
  return v;
}

std::string format_value(double v, DistributionUnit unit) {
  if (unit == DistributionUnit::kDuration) return format_duration(engine::Time::from_ps(std::llround(v)));
  return fmt::format("{}", v);
}

struct Arguments {
  std::vector<std::string> positional;
  std::map<std::string, std::string> named;
};

}  // namespace

std::optional<engine::Distribution> parse_distribution(std::string_view text, DistributionUnit unit,
                                                       std::string& error) {
  using engine::Distribution;
  const std::string s = engine::trimmed(text);
  const size_t open = s.find('(');
  if (open == std::string::npos) {
    std::string value_error;
    auto v = parse_value(s, unit, value_error);
    if (!v) {
      error = fmt::format("'{}' is not a distribution; expected {}", s, kForms);
      return std::nullopt;
    }
    if (*v < 0) {  // as const(v) requires
      error = fmt::format("'{}': must not be negative", s);
      return std::nullopt;
    }
    return Distribution::constant(*v);
  }
  if (s.back() != ')') {
    error = fmt::format("'{}': missing ')'", s);
    return std::nullopt;
  }
  const std::string name = engine::trimmed(std::string_view(s).substr(0, open));
  Arguments args;
  std::string_view rest = std::string_view(s).substr(open + 1, s.size() - open - 2);
  while (!engine::trim(rest).empty()) {
    const size_t comma = rest.find(',');
    const std::string item = engine::trimmed(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string::npos) args.positional.push_back(item);
    else
      args.named[engine::trimmed(std::string_view(item).substr(0, eq))] =
          engine::trimmed(std::string_view(item).substr(eq + 1));
  }

  // Reads parameter `key`, which may also be given as positional argument `position`.
  auto take = [&](const char* key, int position, bool is_value) -> std::optional<double> {
    std::string raw;
    if (auto it = args.named.find(key); it != args.named.end()) {
      raw = it->second;
      args.named.erase(it);
    } else if (position >= 0 && static_cast<size_t>(position) < args.positional.size()) {
      raw = args.positional[static_cast<size_t>(position)];
    } else {
      error = fmt::format("{}(...): missing parameter '{}'", name, key);
      return std::nullopt;
    }
    std::string value_error;
    auto v = is_value ? parse_value(raw, unit, value_error) : parse_plain_number(raw);
    if (!v)
      error = fmt::format("{}(...): parameter '{}': {}", name, key,
                          is_value ? value_error : fmt::format("'{}' is not a number", raw));
    return v;
  };
  auto finish = [&](size_t positional_used, std::optional<Distribution> d) -> std::optional<Distribution> {
    if (!d) return std::nullopt;
    if (!args.named.empty()) {
      error = fmt::format("{}(...): unknown parameter '{}'", name, args.named.begin()->first);
      return std::nullopt;
    }
    if (args.positional.size() > positional_used) {
      error = fmt::format("{}(...): too many parameters", name);
      return std::nullopt;
    }
    return d;
  };
  auto invalid = [&](const std::string& why) -> std::optional<Distribution> {
    error = fmt::format("{}: {}", s, why);
    return std::nullopt;
  };

  if (name == "const" || name == "constant") {
    auto v = take("value", 0, true);
    if (!v) return std::nullopt;
    if (*v < 0) return invalid("must not be negative");
    return finish(1, Distribution::constant(*v));
  }
  if (name == "exp" || name == "exponential") {
    auto mean = take("mean", 0, true);
    if (!mean) return std::nullopt;
    if (*mean <= 0) return invalid("the mean must be positive");
    return finish(1, Distribution::exponential(*mean));
  }
  if (name == "uniform") {
    auto lo = take("min", 0, true);
    if (!lo) return std::nullopt;
    auto hi = take("max", 1, true);
    if (!hi) return std::nullopt;
    if (*lo < 0 || *hi < *lo) return invalid("needs 0 <= min <= max");
    return finish(2, Distribution::uniform(*lo, *hi));
  }
  if (name == "lognormal") {
    auto mean = take("mean", -1, true);
    if (!mean) return std::nullopt;
    auto cv = take("cv", -1, false);
    if (!cv) return std::nullopt;
    if (*mean <= 0 || *cv <= 0) return invalid("mean and cv must be positive");
    // Its sigma is sqrt(log(1 + cv^2)): a cv whose square overflows would make every sample NaN.
    if (!std::isfinite(*cv * *cv)) return invalid("cv is too large (cv^2 must be a finite number, cv < 1e154)");
    return finish(0, Distribution::lognormal_mean_cv(*mean, *cv));
  }
  if (name == "pareto") {
    auto alpha = take("alpha", -1, false);
    if (!alpha) return std::nullopt;
    auto lo = take("min", -1, true);
    if (!lo) return std::nullopt;
    auto hi = take("max", -1, true);
    if (!hi) return std::nullopt;
    if (*alpha <= 0 || *lo <= 0 || *hi <= *lo) return invalid("needs alpha > 0 and 0 < min < max");
    return finish(0, Distribution::bounded_pareto(*alpha, *lo, *hi));
  }
  if (name == "empirical") {
    if (!args.named.empty()) return invalid("points are written value@probability, e.g. 5us@0.5");
    std::vector<std::pair<double, double>> points;
    for (const std::string& item : args.positional) {
      const size_t at = item.find('@');
      if (at == std::string::npos) return invalid(fmt::format("'{}' is not value@probability", item));
      std::string value_error;
      auto v = parse_value(std::string_view(item).substr(0, at), unit, value_error);
      if (!v) return invalid(value_error);
      auto p = parse_plain_number(std::string_view(item).substr(at + 1));
      if (!p || *p < 0 || *p > 1) return invalid(fmt::format("'{}': the probability must be in [0, 1]", item));
      if (!points.empty() && (*v < points.back().first || *p < points.back().second))
        return invalid("values and probabilities must be non-decreasing");
      points.emplace_back(*v, *p);
    }
    if (points.size() < 2 || points.front().second != 0 || points.back().second != 1)
      return invalid("needs at least two points, the first at probability 0 and the last at 1");
    return Distribution::empirical(std::move(points));
  }
  error = fmt::format("'{}' is not a distribution; expected {}", name, kForms);
  return std::nullopt;
}

std::string format_distribution(const engine::Distribution& d, DistributionUnit unit) {
  using engine::Distribution;
  auto v = [&](double x) { return format_value(x, unit); };
  return std::visit(
      [&](const auto& k) -> std::string {
        using T = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<T, Distribution::Constant>) return fmt::format("const({})", v(k.value));
        else if constexpr (std::is_same_v<T, Distribution::Exponential>) return fmt::format("exp({})", v(k.mean));
        else if constexpr (std::is_same_v<T, Distribution::Uniform>)
          return fmt::format("uniform({}, {})", v(k.lo), v(k.hi));
        else if constexpr (std::is_same_v<T, Distribution::LogNormal>)
          return fmt::format("lognormal(mean={}, cv={})", v(k.mean), k.cv);
        else if constexpr (std::is_same_v<T, Distribution::BoundedPareto>)
          return fmt::format("pareto(alpha={}, min={}, max={})", k.alpha, v(k.lo), v(k.hi));
        else {
          std::string out = "empirical(";
          for (size_t i = 0; i < k.points.size(); ++i)
            out += fmt::format("{}{}@{}", i ? ", " : "", v(k.points[i].first), k.points[i].second);
          return out + ")";
        }
      },
      d.kind());
}

}  // namespace wakesim::config
