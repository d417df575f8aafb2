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

using engine::Distribution;
using MaybeDistribution = std::optional<Distribution>;

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

// A bare value: const(v).
MaybeDistribution parse_bare_value(const std::string& s, DistributionUnit unit, std::string& error) {
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

// Whether a parameter is a value in the distribution's unit or a plain number (alpha, cv).
enum class ParameterKind : uint8_t { kValue, kNumber };

// The parameters between the parentheses of `name(...)`, taken one by one by the family's parser; it
// reports a missing, malformed, unknown or extra one.
class Parameters {
 public:
  Parameters(std::string text, std::string name, std::string_view inside, DistributionUnit unit, std::string& error)
      : text_(std::move(text)), name_(std::move(name)), unit_(unit), error_(error) {
    while (!engine::trim(inside).empty()) {
      const size_t comma = inside.find(',');
      const std::string item = engine::trimmed(inside.substr(0, comma));
      inside = comma == std::string_view::npos ? std::string_view() : inside.substr(comma + 1);
      const size_t eq = item.find('=');
      if (eq == std::string::npos) positional_.push_back(item);
      else
        named_[engine::trimmed(std::string_view(item).substr(0, eq))] =
            engine::trimmed(std::string_view(item).substr(eq + 1));
    }
  }

  // Parameter `key`, which may also be given as positional argument `position` (-1: only by name).
  std::optional<double> take(const char* key, int position, ParameterKind kind) {
    std::string raw;
    if (auto it = named_.find(key); it != named_.end()) {
      raw = it->second;
      named_.erase(it);
    } else if (position >= 0 && static_cast<size_t>(position) < positional_.size()) {
      raw = positional_[static_cast<size_t>(position)];
    } else {
      error_ = fmt::format("{}(...): missing parameter '{}'", name_, key);
      return std::nullopt;
    }
    std::string value_error;
    auto v = kind == ParameterKind::kValue ? parse_value(raw, unit_, value_error) : parse_plain_number(raw);
    if (!v)
      error_ = fmt::format("{}(...): parameter '{}': {}", name_, key,
                           kind == ParameterKind::kValue ? value_error : fmt::format("'{}' is not a number", raw));
    return v;
  }
  // `d`, if every parameter was used (`positional_used` positional ones).
  MaybeDistribution finish(size_t positional_used, MaybeDistribution d) {
    if (!d) return std::nullopt;
    if (!named_.empty()) {
      error_ = fmt::format("{}(...): unknown parameter '{}'", name_, named_.begin()->first);
      return std::nullopt;
    }
    if (positional_.size() > positional_used) {
      error_ = fmt::format("{}(...): too many parameters", name_);
      return std::nullopt;
    }
    return d;
  }
  MaybeDistribution invalid(const std::string& why) {
    error_ = fmt::format("{}: {}", text_, why);
    return std::nullopt;
  }
  const std::vector<std::string>& positional() const { return positional_; }
  bool has_named() const { return !named_.empty(); }
  DistributionUnit unit() const { return unit_; }

 private:
  std::string text_;
  std::string name_;
  DistributionUnit unit_;
  std::string& error_;
  std::vector<std::string> positional_;
  std::map<std::string, std::string> named_;
};

MaybeDistribution parse_constant(Parameters& p) {
  auto v = p.take("value", 0, ParameterKind::kValue);
  if (!v) return std::nullopt;
  if (*v < 0) return p.invalid("must not be negative");
  return p.finish(1, Distribution::constant(*v));
}

MaybeDistribution parse_exponential(Parameters& p) {
  auto mean = p.take("mean", 0, ParameterKind::kValue);
  if (!mean) return std::nullopt;
  if (*mean <= 0) return p.invalid("the mean must be positive");
  return p.finish(1, Distribution::exponential(*mean));
}

MaybeDistribution parse_uniform(Parameters& p) {
  auto lo = p.take("min", 0, ParameterKind::kValue);
  if (!lo) return std::nullopt;
  auto hi = p.take("max", 1, ParameterKind::kValue);
  if (!hi) return std::nullopt;
  if (*lo < 0 || *hi < *lo) return p.invalid("needs 0 <= min <= max");
  return p.finish(2, Distribution::uniform(*lo, *hi));
}

MaybeDistribution parse_lognormal(Parameters& p) {
  auto mean = p.take("mean", -1, ParameterKind::kValue);
  if (!mean) return std::nullopt;
  auto cv = p.take("cv", -1, ParameterKind::kNumber);
  if (!cv) return std::nullopt;
  if (*mean <= 0 || *cv <= 0) return p.invalid("mean and cv must be positive");
  // Its sigma is sqrt(log(1 + cv^2)): a cv whose square overflows would make every sample NaN.
  if (!std::isfinite(*cv * *cv)) return p.invalid("cv is too large (cv^2 must be a finite number, cv < 1e154)");
  return p.finish(0, Distribution::lognormal_mean_cv(*mean, *cv));
}

MaybeDistribution parse_pareto(Parameters& p) {
  auto alpha = p.take("alpha", -1, ParameterKind::kNumber);
  if (!alpha) return std::nullopt;
  auto lo = p.take("min", -1, ParameterKind::kValue);
  if (!lo) return std::nullopt;
  auto hi = p.take("max", -1, ParameterKind::kValue);
  if (!hi) return std::nullopt;
  if (*alpha <= 0 || *lo <= 0 || *hi <= *lo) return p.invalid("needs alpha > 0 and 0 < min < max");
  return p.finish(0, Distribution::bounded_pareto(*alpha, *lo, *hi));
}

MaybeDistribution parse_empirical(Parameters& p) {
  if (p.has_named()) return p.invalid("points are written value@probability, e.g. 5us@0.5");
  std::vector<std::pair<double, double>> points;
  for (const std::string& item : p.positional()) {
    const size_t at = item.find('@');
    if (at == std::string::npos) return p.invalid(fmt::format("'{}' is not value@probability", item));
    std::string value_error;
    auto v = parse_value(std::string_view(item).substr(0, at), p.unit(), value_error);
    if (!v) return p.invalid(value_error);
    auto prob = parse_plain_number(std::string_view(item).substr(at + 1));
    if (!prob || *prob < 0 || *prob > 1) return p.invalid(fmt::format("'{}': the probability must be in [0, 1]", item));
    if (!points.empty() && (*v < points.back().first || *prob < points.back().second))
      return p.invalid("values and probabilities must be non-decreasing");
    points.emplace_back(*v, *prob);
  }
  if (points.size() < 2 || points.front().second != 0 || points.back().second != 1)
    return p.invalid("needs at least two points, the first at probability 0 and the last at 1");
  return Distribution::empirical(std::move(points));
}

// The families by name (with their long names).
struct Family {
  const char* name;
  MaybeDistribution (*parse)(Parameters&);
};
constexpr Family kFamilies[] = {
    {"const", parse_constant},          {"constant", parse_constant},   {"exp", parse_exponential},
    {"exponential", parse_exponential}, {"uniform", parse_uniform},     {"lognormal", parse_lognormal},
    {"pareto", parse_pareto},           {"empirical", parse_empirical},
};

}  // namespace

std::optional<engine::Distribution> parse_distribution(std::string_view text, DistributionUnit unit,
                                                       std::string& error) {
  const std::string s = engine::trimmed(text);
  const size_t open = s.find('(');
  if (open == std::string::npos) return parse_bare_value(s, unit, error);
  if (s.back() != ')') {
    error = fmt::format("'{}': missing ')'", s);
    return std::nullopt;
  }
  const std::string name = engine::trimmed(std::string_view(s).substr(0, open));
  for (const Family& family : kFamilies) {
    if (name != family.name) continue;
    Parameters parameters(s, name, std::string_view(s).substr(open + 1, s.size() - open - 2), unit, error);
    return family.parse(parameters);
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
