#include "sim/experiment/sweep_spec.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "sim/config/input_file.h"
#include "sim/config/loader.h"
#include "sim/config/problems.h"
#include "sim/config/suggest.h"
#include "sim/config/units.h"
#include "sim/engine/errors.h"
#include "sim/experiment/config.h"
#include "sim/experiment/metric_registry.h"
#include "sim/experiment/scenario.h"

namespace wakesim::experiment {
namespace {

using engine::UserError;

constexpr size_t kMaxAxisValues = 100'000;
constexpr size_t kMaxPoints = 1'000'000;

// Every problem of a spec, "FILE:LINE:COL: error: what", reported together in file order after the
// command line's ("--set KEY=VALUE: error: what"), which have no position in the file.
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}
  void add(const toml::source_region& at, const std::string& what) { problems_.add(file_, at, what); }
  void add(const toml::node& node, const std::string& what) { add(node.source(), what); }
  void add_command_line(const std::string& option, const std::string& what) {
    command_line_.push_back(fmt::format("{}: error: {}", option, what));
  }
  bool any() const { return problems_.any() || !command_line_.empty(); }
  void throw_if_any() {
    if (!any()) return;
    std::string text;
    for (const std::string& line : command_line_) text += (text.empty() ? "" : "\n") + line;
    try {
      problems_.throw_if_any();
    } catch (const UserError& e) {
      text += (text.empty() ? "" : "\n") + std::string(e.what());
    }
    throw UserError(text);
  }

 private:
  std::string file_;
  config::Problems problems_;
  std::vector<std::string> command_line_;
};

// Where an axis and its values are written, for messages at the value itself.
struct AxisSource {
  toml::source_region axis;                              // the [[axis]] table
  std::vector<toml::source_region> steps;                // per step: the value, the tuple, or the range
  std::vector<std::vector<toml::source_region>> values;  // per step and key: the value (a range: the range)
};

// A plain number inside a value, for plotting: 8 -> 8, "2k/s" -> 2000, "poisson(2k/s)" -> 2000,
// "exp(10us)" -> 10000 (durations in ns).
std::optional<double> numeric_of(std::string_view text) {
  auto quantity = [](std::string_view t) -> std::optional<double> {
    std::string error;
    if (auto d = config::parse_duration(t, error)) return d->ns();
    if (auto r = config::parse_rate(t, error)) return r->per_second;
    return std::nullopt;
  };
  if (auto q = quantity(text)) return q;
  const size_t open = text.find('(');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inner = text.substr(open + 1);
  inner = inner.substr(0, std::min(inner.find(','), inner.find(')')));
  while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
  while (!inner.empty() && inner.back() == ' ') inner.remove_suffix(1);
  return quantity(inner);
}

std::string toml_string_literal(const std::string& s) {
  std::ostringstream out;
  out << toml::value<std::string>(s);
  return out.str();
}

std::string float_text(double v) {
  std::string s = fmt::format("{:.12g}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

// One TOML value of an axis as an AxisValue; nullopt (with a problem added) for a table.
std::optional<AxisValue> axis_value(const toml::node& node, Problems& problems) {
  AxisValue v;
  if (const auto* i = node.as_integer()) {
    v.assignment_value = v.display = std::to_string(i->get());
    v.numeric = static_cast<double>(i->get());
  } else if (const auto* f = node.as_floating_point()) {
    v.assignment_value = v.display = float_text(f->get());
    v.numeric = f->get();
  } else if (const auto* s = node.as_string()) {
    v.display = s->get();
    v.assignment_value = toml_string_literal(s->get());
    v.numeric = numeric_of(s->get());
  } else if (const auto* b = node.as_boolean()) {
    v.assignment_value = v.display = b->get() ? "true" : "false";
    v.numeric = b->get() ? 1.0 : 0.0;
  } else if (node.is_array()) {
    std::ostringstream out;
    out << *node.as_array();
    v.assignment_value = v.display = out.str();
  } else {
    problems.add(node, "an axis value must be a number, a string, a boolean or an array");
    return std::nullopt;
  }
  return v;
}

std::optional<double> number_of(const toml::node* node) {
  if (node == nullptr) return std::nullopt;
  if (const auto* i = node->as_integer()) return static_cast<double>(i->get());
  if (const auto* f = node->as_floating_point()) return f->get();
  return std::nullopt;
}

void check_keys(const toml::table& table, const std::vector<std::string>& known, const std::string& where_text,
                Problems& problems) {
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    problems.add(key.source().begin.line ? key.source() : node.source(),
                 fmt::format("{}'{}': unknown key; expected one of: {}{}", where_text, name, list,
                             config::did_you_mean(name, known)));
  }
}

// `range = {from, to, step}` or `{from, to, points, scale}`, with an optional `format = "...{}..."`.
std::vector<AxisValue> range_values(const toml::table& range, const toml::table& axis, Problems& problems) {
  check_keys(range, {"from", "to", "step", "points", "scale"}, "range: ", problems);
  const auto from = number_of(range.get("from"));
  const auto to = number_of(range.get("to"));
  if (!from || !to) {
    problems.add(range.source(), "range: needs numbers 'from' and 'to' (e.g. range = { from = 1, to = 16, step = 1 })");
    return {};
  }
  const bool integral = range.get("from")->is_integer() && range.get("to")->is_integer() &&
                        (range.get("step") == nullptr || range.get("step")->is_integer());
  const std::string scale = range.get("scale") ? range.get("scale")->value_or<std::string>("?") : "linear";
  if (scale != "linear" && scale != "log") {
    problems.add(*range.get("scale"),
                 fmt::format("range.scale: expected \"linear\" or \"log\", got {}",
                             range.get("scale")->is_string() ? "'" + scale + "'" : "a non-string"));
    return {};
  }
  if (!std::isfinite(*from) || !std::isfinite(*to)) {
    problems.add(range.source(), "range: 'from' and 'to' must be finite numbers (not nan or inf)");
    return {};
  }
  if (*to < *from) {
    problems.add(range.source(), fmt::format("range: 'to' ({}) is below 'from' ({})", *to, *from));
    return {};
  }
  std::vector<double> numbers;
  if (const toml::node* step_node = range.get("step")) {
    const auto step = number_of(step_node);
    if (range.get("points") != nullptr || scale == "log") {
      problems.add(*step_node, "range: 'step' makes a linear range; use 'points' (not 'step') with scale = \"log\"");
      return {};
    }
    if (!step || !(*step > 0) || !std::isfinite(*step)) {
      problems.add(*step_node, "range.step: expected a positive finite number");
      return {};
    }
    const double count = std::floor((*to - *from) / *step + 1e-9) + 1;
    if (count > kMaxAxisValues) {
      problems.add(*step_node,
                   fmt::format("range: {} values is more than {}; use a larger step", count, kMaxAxisValues));
      return {};
    }
    for (int i = 0; i < static_cast<int>(count); ++i) numbers.push_back(*from + i * *step);
  } else if (const toml::node* points_node = range.get("points")) {
    const auto* points = points_node->as_integer();
    if (points == nullptr || points->get() < 2 || static_cast<size_t>(points->get()) > kMaxAxisValues) {
      problems.add(*points_node, fmt::format("range.points: expected an integer from 2 to {}", kMaxAxisValues));
      return {};
    }
    if (scale == "log" && *from <= 0) {
      problems.add(range.source(), "range: a log range needs 'from' > 0");
      return {};
    }
    const int n = static_cast<int>(points->get());
    for (int i = 0; i < n; ++i) {
      const double f = static_cast<double>(i) / (n - 1);
      numbers.push_back(scale == "log" ? *from * std::pow(*to / *from, f) : *from + (*to - *from) * f);
    }
  } else {
    problems.add(range.source(), "range: needs 'step' (linear) or 'points' (with scale = \"linear\" or \"log\")");
    return {};
  }

  std::string format = "{}";
  if (const toml::node* f = axis.get("format")) {
    const auto* s = f->as_string();
    if (s == nullptr || s->get().find("{}") == std::string::npos) {
      problems.add(*f, "format: expected a string containing {} where the number goes, e.g. \"poisson({}/s)\"");
      return {};
    }
    format = s->get();
  }
  std::vector<AxisValue> out;
  for (double x : numbers) {
    AxisValue v;
    std::string number;
    if (integral) {
      const auto rounded = static_cast<int64_t>(std::llround(x));
      if (!out.empty() && out.back().numeric == static_cast<double>(rounded)) continue;  // log ranges of integers
      number = std::to_string(rounded);
      v.numeric = static_cast<double>(rounded);
    } else {
      number = float_text(x);
      v.numeric = std::stod(number);
    }
    const size_t at = format.find("{}");
    v.display = format.substr(0, at) + number + format.substr(at + 2);
    v.assignment_value = format == "{}" ? number : toml_string_literal(v.display);
    out.push_back(std::move(v));
  }
  return out;
}

SweepAxis parse_axis(const toml::table& axis, Problems& problems, AxisSource& where) {
  SweepAxis out;
  where.axis = axis.source();
  check_keys(axis, {"key", "keys", "values", "range", "format", "scale"}, "axis: ", problems);
  if (const toml::node* scale = axis.get("scale")) {
    const auto* text = scale->as_string();
    if (text == nullptr || (text->get() != "log" && text->get() != "linear"))
      problems.add(*scale, fmt::format("axis.scale: expected \"linear\" or \"log\" (how figures draw the axis), got {}",
                                       text != nullptr ? "'" + text->get() + "'" : "a non-string"));
    else if (axis.get("range") != nullptr)
      problems.add(*scale, "axis.scale: a range sets its scale inside the range (range = { ..., scale = \"log\" })");
    else out.scale = text->get();
  }
  const toml::node* key = axis.get("key");
  const toml::node* keys = axis.get("keys");
  if ((key == nullptr) == (keys == nullptr)) {
    problems.add(axis.source(),
                 "axis: needs exactly one of 'key = \"section.name\"' or 'keys = [\"a.b\", \"c.d\"]' (a zipped group)");
    return out;
  }
  if (key != nullptr) {
    if (!key->is_string()) problems.add(*key, "axis.key: expected a string, e.g. \"vms.count\"");
    else out.keys.push_back(key->as_string()->get());
  } else {
    const auto* array = keys->as_array();
    if (array == nullptr || array->empty() || !array->is_homogeneous(toml::node_type::string)) {
      problems.add(*keys, "axis.keys: expected a non-empty array of key names");
      return out;
    }
    for (const toml::node& k : *array) out.keys.push_back(k.as_string()->get());
  }
  const toml::node* values = axis.get("values");
  const toml::node* range = axis.get("range");
  if ((values == nullptr) == (range == nullptr)) {
    problems.add(axis.source(), "axis: needs exactly one of 'values = [...]' or 'range = { from, to, step | points }'");
    return out;
  }
  if (range != nullptr) {
    if (out.keys.size() != 1) {
      problems.add(*range, "axis: a range sweeps one key; a zipped group ('keys') lists its tuples in 'values'");
      return out;
    }
    if (!range->is_table()) {
      problems.add(*range, "axis.range: expected a table, e.g. { from = 1, to = 16, step = 1 }");
      return out;
    }
    for (AxisValue& v : range_values(*range->as_table(), axis, problems)) {
      out.values.push_back({std::move(v)});
      where.steps.push_back(range->source());
      where.values.push_back({range->source()});
    }
    out.scale = range->as_table()->get("scale") ? range->as_table()->get("scale")->value_or<std::string>("") : "linear";
    return out;
  }
  if (axis.get("format") != nullptr)
    problems.add(*axis.get("format"), "axis.format: only a 'range' axis takes a format");
  const auto* list = values->as_array();
  if (list == nullptr || list->empty()) {
    problems.add(*values, "axis.values: expected a non-empty array");
    return out;
  }
  if (list->size() > kMaxAxisValues)
    problems.add(*values, fmt::format("axis.values: more than {} values", kMaxAxisValues));
  for (const toml::node& item : *list) {
    std::vector<AxisValue> tuple;
    std::vector<toml::source_region> at;
    if (out.keys.size() == 1) {
      if (auto v = axis_value(item, problems)) tuple.push_back(std::move(*v)), at.push_back(item.source());
    } else {
      const auto* t = item.as_array();
      if (t == nullptr || t->size() != out.keys.size()) {
        problems.add(item, fmt::format("axis.values: a zipped group of {} keys needs tuples of {} values, e.g. [{}]",
                                       out.keys.size(), out.keys.size(),
                                       fmt::join(std::vector<std::string>(out.keys.size(), "x"), ", ")));
        continue;
      }
      for (const toml::node& e : *t)
        if (auto v = axis_value(e, problems)) tuple.push_back(std::move(*v)), at.push_back(e.source());
    }
    if (tuple.size() == out.keys.size()) {
      out.values.push_back(std::move(tuple));
      where.steps.push_back(item.source());
      where.values.push_back(std::move(at));
    }
  }
  return out;
}

// `constraint = "..."`: parsed over the swept keys, each of which must have a plain number at every value.
std::optional<SweepConstraint> parse_constraint(const toml::node& node, const std::vector<SweepAxis>& axes,
                                                Problems& problems) {
  const auto* text = node.as_string();
  if (text == nullptr) {
    problems.add(node, "constraint: expected a string, e.g. constraint = \"vms.vcpus_per_pcpu * vms.vcpus <= 256\"");
    return std::nullopt;
  }
  std::vector<std::string> keys;
  for (const SweepAxis& a : axes) keys.insert(keys.end(), a.keys.begin(), a.keys.end());
  SweepConstraint::ParseError error;
  auto parsed = SweepConstraint::parse(text->get(), keys, error);
  if (!parsed) {
    // Point at the offending character when the string is written on one line.
    toml::source_region at = node.source();
    if (at.begin.line == at.end.line && text->get().find('\n') == std::string::npos)
      at.begin.column += static_cast<toml::source_index>(1 + error.offset);
    problems.add(at, fmt::format("constraint: {}", error.message));
    return std::nullopt;
  }
  for (const std::string& key : parsed->keys())
    for (const SweepAxis& a : axes)
      for (size_t k = 0; k < a.keys.size(); ++k)
        if (a.keys[k] == key)
          for (const auto& tuple : a.values)
            if (!tuple[k].numeric) {
              problems.add(node, fmt::format("constraint: '{}' has a value without a number ('{}'); a constraint "
                                             "compares numbers",
                                             key, tuple[k].display));
              return std::nullopt;
            }
  return parsed;
}

// `verdict_metrics = [...]`: names the base's scenario declares.
void parse_verdict_metrics(const toml::node& node, SweepSpec& spec, const std::vector<std::string>& overrides,
                           Problems& problems) {
  const auto* list = node.as_array();
  if (list == nullptr || list->empty() || !list->is_homogeneous(toml::node_type::string)) {
    problems.add(node,
                 "verdict_metrics: expected a non-empty array of metric names, e.g. [\"wakeup.p99\"] "
                 "(wakesim list metrics)");
    return;
  }
  const Config base = load_sweep_base(spec, overrides).config;
  const ScenarioEntry* scenario = find_scenario(base.scenario);
  const std::unique_ptr<Scenario> made = scenario != nullptr ? scenario->make() : nullptr;
  for (const toml::node& item : *list) {
    const std::string name = item.as_string()->get();
    if (made != nullptr && made->metrics().find_metric(name) == nullptr) {
      problems.add(item,
                   fmt::format("verdict_metrics: '{}' is not a metric of the {} scenario{} (wakesim list metrics {})",
                               name, base.scenario, metric_name_hint(made->metrics(), name), base.scenario));
      continue;
    }
    if (std::find(spec.verdict_metrics.begin(), spec.verdict_metrics.end(), name) != spec.verdict_metrics.end()) {
      problems.add(item, fmt::format("verdict_metrics: '{}' is listed twice", name));
      continue;
    }
    spec.verdict_metrics.push_back(name);
  }
}

uint64_t fnv1a(std::string_view text, uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace

std::vector<std::string> SweepSpec::swept_keys() const {
  std::vector<std::string> keys;
  for (const SweepAxis& a : axes) keys.insert(keys.end(), a.keys.begin(), a.keys.end());
  return keys;
}

size_t SweepSpec::grid_size() const {
  size_t n = 1;
  for (const SweepAxis& a : axes) {
    if (a.values.empty()) return 0;
    if (n > std::numeric_limits<size_t>::max() / a.values.size()) return std::numeric_limits<size_t>::max();
    n *= a.values.size();
  }
  return n;
}

namespace {
// Every combination of the axes, numbered by grid position, the last axis fastest.
std::vector<SweepPoint> grid_points(const std::vector<SweepAxis>& axes, size_t n) {
  std::vector<SweepPoint> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].index = static_cast<int>(i);
    // Mixed radix with the last axis fastest.
    std::vector<size_t> digit(axes.size());
    size_t rest = i;
    for (size_t a = axes.size(); a-- > 0;) {
      digit[a] = rest % axes[a].values.size();
      rest /= axes[a].values.size();
    }
    for (size_t a = 0; a < axes.size(); ++a)
      for (size_t k = 0; k < axes[a].keys.size(); ++k)
        out[i].assignments.emplace_back(axes[a].keys[k], axes[a].values[digit[a]][k]);
  }
  return out;
}

enum class Kept { kAdmitted, kSkipped };
std::vector<SweepPoint> filtered(const SweepSpec& spec, Kept which) {
  std::vector<SweepPoint> out = grid_points(spec.axes, spec.grid_size());
  if (!spec.constraint) return which == Kept::kAdmitted ? out : std::vector<SweepPoint>{};
  std::erase_if(out, [&](const SweepPoint& p) {
    const bool holds = spec.constraint->holds([&](const std::string& key) {
      for (const auto& [k, v] : p.assignments)
        if (k == key && v.numeric) return *v.numeric;
      return std::numeric_limits<double>::quiet_NaN();
    });
    return holds != (which == Kept::kAdmitted);
  });
  if (which == Kept::kAdmitted)
    for (size_t i = 0; i < out.size(); ++i) out[i].index = static_cast<int>(i);
  return out;
}
}  // namespace

std::vector<SweepPoint> SweepSpec::points() const { return filtered(*this, Kept::kAdmitted); }
size_t SweepSpec::point_count() const { return constraint ? points().size() : grid_size(); }
std::vector<SweepPoint> SweepSpec::skipped_points() const { return filtered(*this, Kept::kSkipped); }

std::vector<std::string> point_overrides(const SweepSpec& spec, const SweepPoint& point) {
  std::vector<std::string> overrides = spec.overrides;
  for (const auto& [key, value] : point.assignments) overrides.push_back(key + "=" + value.assignment_value);
  if (spec.seed) overrides.push_back(fmt::format("run.seed={}", *spec.seed));
  if (spec.replicates) overrides.push_back(fmt::format("run.replicates={}", *spec.replicates));
  return overrides;
}

LoadedConfig load_sweep_base(const SweepSpec& spec, const std::vector<std::string>& overrides) {
  return spec.base ? load_config(spec.base, overrides, false) : load_default_config(overrides, false);
}

Config point_config(const SweepSpec& spec, const SweepPoint& point) {
  const std::vector<std::string> overrides = point_overrides(spec, point);
  LoadedConfig loaded = spec.base ? load_config(spec.base, overrides) : load_default_config(overrides);
  if (!spec.designs.empty()) loaded.config.run.designs = spec.designs;
  return loaded.config;
}

std::vector<std::string> point_key(const SweepPoint& point) {
  std::vector<std::string> key;
  for (const auto& [k, value] : point.assignments) key.push_back(value.assignment_value);
  return key;
}

std::string sweep_identity(const SweepSpec& spec) {
  std::vector<std::string> overrides = spec.overrides;
  if (spec.seed) overrides.push_back(fmt::format("run.seed={}", *spec.seed));
  Config base = load_sweep_base(spec, overrides).config;
  base.run.designs.clear();  // designs and replicates may be added to a sweep
  base.run.replicates = 1;
  std::string canonical = "base\n" + config::to_toml(base) + "\nswept keys\n";
  for (const std::string& k : spec.swept_keys()) canonical += k + "\n";
  if (spec.constraint) canonical += "constraint " + spec.constraint->text() + "\n";  // it decides which points exist
  return fmt::format("{:016x}", fnv1a(canonical));
}

std::vector<std::string> SweepSpec::set_overrides() const {
  return {overrides.begin(), overrides.end() - static_cast<std::ptrdiff_t>(command_line.set.size())};
}

namespace {

// An override's error without the loader's "--set KEY=VALUE: error: " (the spec gives the position).
// A misspelt choice value already carries the schema's "did you mean".
std::string value_message(const std::string& error) {
  constexpr std::string_view kMarker = ": error: ";
  std::string message = error;
  if (const size_t at = message.find(kMarker); message.starts_with("--set ") && at != std::string::npos)
    message.erase(0, at + kMarker.size());
  return message;
}

// Loads the base with `overrides`, without the checks across keys (those need a whole point): nullopt,
// or the error.
std::optional<std::string> rejection(const SweepSpec& spec, const std::vector<std::string>& overrides) {
  try {
    load_sweep_base(spec, overrides);
    return std::nullopt;
  } catch (const UserError& e) {
    return std::string(e.what());
  }
}

// Why `name` is not a design of the base's scenario ("all" stands for all of them); nullopt when it is.
// The message lists the designs "all" means (test-only ones are accepted but not offered).
std::optional<std::string> design_problem(const std::string& name, const Config& base) {
  const ScenarioEntry* entry = find_scenario(base.scenario);
  if (name == "all" || entry == nullptr) return std::nullopt;
  const std::unique_ptr<Scenario> scenario = entry->make();
  const std::vector<std::string> known = scenario->known_designs(base);
  if (std::find(known.begin(), known.end(), name) != known.end()) return std::nullopt;
  const std::vector<std::string> offered = scenario->designs(base);
  return fmt::format("'{}' is not a design of the {} scenario; known: all, {}{}", name, base.scenario,
                     fmt::join(offered, ", "), config::did_you_mean(name, offered));
}

// At most this many rejected values are reported per axis; the rest are counted.
constexpr int kValuesShownPerAxis = 5;

}  // namespace

SweepSpec load_sweep_spec(const std::filesystem::path& file, const BaseResolver& resolve_base,
                          const SweepCommandLine& command_line) {
  SweepSpec spec;
  spec.file = file;
  {
    std::string error;
    std::optional<std::string> text = config::read_input_file(file, error);
    if (!text)
      throw UserError(fmt::format("{}: error: the sweep spec {}{}", file.string(), error,
                                  error == "cannot be opened" ? " (no such file?)" : ""));
    spec.text = std::move(*text);
  }
  toml::table root;
  try {
    root = toml::parse(spec.text, file.string());
  } catch (const toml::parse_error& e) {
    throw UserError(fmt::format("{}:{}:{}: error: {}", file.string(), e.source().begin.line, e.source().begin.column,
                                e.description()));
  }
  Problems problems(file.string());
  check_keys(root, {"base", "designs", "replicates", "seed", "set", "axis", "constraint", "verdict_metrics"}, "",
             problems);

  // The structure: each part parsed, its problems collected.
  const toml::node* base = root.get("base");
  bool base_ok = true;  // values are tried on the base only when it loads
  if (base != nullptr) {
    if (!base->is_string()) {
      problems.add(*base, "base: expected a string: a workload preset name (wakesim list workloads) or a path");
      base_ok = false;
    } else {
      try {
        spec.base = resolve_base(base->as_string()->get(), file.parent_path());
      } catch (const UserError& e) {
        problems.add(*base, fmt::format("base: {}", e.what()));
        base_ok = false;
      }
    }
  }
  const toml::source_region base_at = base != nullptr ? base->source() : root.source();
  std::vector<toml::source_region> design_at;  // parallel to spec.designs
  if (const toml::node* designs = root.get("designs")) {
    const auto* list = designs->as_array();
    if (list == nullptr || list->empty() || !list->is_homogeneous(toml::node_type::string))
      problems.add(*designs,
                   "designs: expected a non-empty array of design names, e.g. [\"all\"] (wakesim list designs)");
    else
      for (const toml::node& d : *list) spec.designs.push_back(d.as_string()->get()), design_at.push_back(d.source());
  }
  if (const toml::node* r = root.get("replicates")) {
    const auto* i = r->as_integer();
    if (i == nullptr || i->get() < 1 || i->get() > 10000)
      problems.add(*r, "replicates: expected an integer from 1 to 10000");
    else spec.replicates = static_cast<int>(i->get());
  }
  if (const toml::node* s = root.get("seed")) {
    const auto* i = s->as_integer();
    if (i == nullptr || i->get() < 0) problems.add(*s, "seed: expected a non-negative integer");
    else spec.seed = static_cast<uint64_t>(i->get());
  }
  struct SetEntry {
    std::string key, value;
    toml::source_region at;
  };
  std::vector<SetEntry> set_entries;  // parallel to spec.overrides
  const toml::node* set = root.get("set");
  if (set != nullptr) {
    if (!set->is_table()) {
      problems.add(*set, "set: expected a table of fixed overrides, e.g. [set] \"run.duration\" = \"100ms\"");
    } else {
      // Flatten nested tables ([set.run] duration = ...) to dotted keys.
      std::function<void(const toml::table&, const std::string&)> flatten = [&](const toml::table& t,
                                                                                const std::string& prefix) {
        for (const auto& [k, node] : t) {
          const std::string dotted = prefix + std::string(k.str());
          if (const auto* sub = node.as_table()) {
            flatten(*sub, dotted + ".");
          } else if (auto v = axis_value(node, problems)) {
            spec.overrides.push_back(dotted + "=" + v->assignment_value);
            set_entries.push_back({dotted, v->display, node.source()});
          }
        }
      };
      flatten(*set->as_table(), "");
    }
  }
  std::vector<AxisSource> axis_at;  // parallel to spec.axes
  if (const toml::node* axes = root.get("axis")) {
    const auto* list = axes->as_array();
    if (list == nullptr || !list->is_homogeneous(toml::node_type::table)) {
      problems.add(*axes, "axis: expected [[axis]] tables");
    } else {
      size_t parsed_values = 0;
      for (const toml::node& a : *list) {
        axis_at.emplace_back();
        spec.axes.push_back(parse_axis(*a.as_table(), problems, axis_at.back()));
        parsed_values += spec.axes.back().values.size();
        if (parsed_values > kMaxAxisValues) break;  // reported below; the rest is not worth parsing
      }
    }
  }
  // Too many points or values stop the spec here, before every value is tried on the base (a config load
  // each): four axes of 65,536 values are 2^64 points, which must not wrap to 0.
  size_t values = 0;
  for (const SweepAxis& axis : spec.axes) values += axis.values.size();
  if (values > kMaxAxisValues) {
    problems.add(root.source(), fmt::format("the axes have more than {} values in all", kMaxAxisValues));
    problems.throw_if_any();
  }
  if (spec.grid_size() > kMaxPoints) {
    problems.add(root.source(),
                 spec.grid_size() == std::numeric_limits<size_t>::max()
                     ? fmt::format("the axes make 2^64 points or more; at most {} are allowed", kMaxPoints)
                     : fmt::format("the axes make {} points, more than {}", spec.grid_size(), kMaxPoints));
    problems.throw_if_any();
  }

  for (size_t a = 0; a < spec.axes.size(); ++a) {
    std::vector<std::string> keys_seen;
    for (const std::string& k : spec.axes[a].keys) {
      if (std::find(keys_seen.begin(), keys_seen.end(), k) != keys_seen.end())
        problems.add(axis_at[a].axis, fmt::format("axis: key '{}' appears twice in the group", k));
      keys_seen.push_back(k);
      for (size_t b = 0; b < a; ++b)
        for (const std::string& other : spec.axes[b].keys)
          if (other == k)
            problems.add(axis_at[a].axis, fmt::format("axis: key '{}' is already swept by axis {}", k, b + 1));
      if (k == "run.designs" || k == "run.replicates" || k == "run.seed")
        problems.add(axis_at[a].axis, fmt::format("axis: '{}' is not swept by an axis; set the spec's top-level "
                                                  "'designs', 'replicates' or 'seed'",
                                                  k));
    }
    // Points are told apart by their values (sweep.h), so a value may appear once.
    std::set<std::vector<std::string>> steps_seen;
    for (size_t i = 0; i < spec.axes[a].values.size(); ++i) {
      std::vector<std::string> step;
      for (const AxisValue& v : spec.axes[a].values[i]) step.push_back(v.assignment_value);
      if (!steps_seen.insert(step).second)
        problems.add(axis_at[a].steps[i],
                     fmt::format("axis {}: {} appears twice", a + 1,
                                 step.size() == 1 ? "the value " + spec.axes[a].values[i][0].display : "this tuple"));
    }
  }

  // The command line's additions: --set after [set], --design in place of the spec's designs.
  spec.command_line = command_line;
  const std::vector<std::string> swept = spec.swept_keys();
  std::vector<std::string>
      checked_set;  // the --set entries whose values are tried (a refused one stops the spec anyway)
  for (const std::string& assignment : command_line.set) {
    const std::string key = assignment.substr(0, assignment.find('='));
    const std::string option = "--set " + assignment;
    if (key == "run.designs" || key == "run.replicates" || key == "run.seed") {
      problems.add_command_line(option, fmt::format("{}: use {} instead", key,
                                                    key == "run.designs"      ? "--design NAME (repeatable)"
                                                    : key == "run.replicates" ? "--replicates N"
                                                                              : "the spec's top-level 'seed'"));
    } else if (std::find(swept.begin(), swept.end(), key) != swept.end()) {
      problems.add_command_line(option,
                                fmt::format("{}: is swept by the spec's axes; a fixed value would be overridden "
                                            "at every point",
                                            key));
    } else {
      checked_set.push_back(assignment);
    }
  }
  spec.overrides.insert(spec.overrides.end(), checked_set.begin(), checked_set.end());
  if (!command_line.designs.empty()) spec.designs = command_line.designs;

  // The values, each tried on the base at its own position.
  if (base_ok) {
    if (auto error = rejection(spec, {})) {
      problems.add(base_at, fmt::format("base: {}", *error));
      base_ok = false;
    }
  }
  // The fixed overrides each alone, then together; the values after are tried on those that load (a
  // rejected one stops the spec anyway, and this way every other problem is still found).
  std::vector<std::string> fixed;
  bool set_ok = base_ok;
  if (base_ok) {
    for (size_t i = 0; i < spec.overrides.size(); ++i) {
      const std::string& assignment = spec.overrides[i];
      const auto error = rejection(spec, {assignment});
      if (!error) {
        fixed.push_back(assignment);
        continue;
      }
      if (i < set_entries.size()) problems.add(set_entries[i].at, fmt::format("set: {}", value_message(*error)));
      else problems.add_command_line("--set " + assignment, value_message(*error));
    }
    if (auto error = rejection(spec, fixed)) {  // each alone is fine, together they conflict
      set_ok = false;
      if (set != nullptr) problems.add(*set, fmt::format("set: {}", value_message(*error)));
      else problems.add_command_line("--set", value_message(*error));
    }
  }
  if (set_ok) {
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      const SweepAxis& axis = spec.axes[a];
      if (axis.values.empty() || axis.keys.empty()) continue;
      bool keys_known = true;
      for (size_t k = 0; k < axis.keys.size(); ++k) {
        if (Config::schema().info().find_dotted(axis.keys[k]) != nullptr) continue;
        std::vector<std::string> overrides = fixed;
        overrides.push_back(axis.keys[k] + "=" + axis.values[0][k].assignment_value);
        problems.add(axis_at[a].axis,
                     fmt::format("axis {}: {}", a + 1,
                                 value_message(rejection(spec, overrides).value_or(axis.keys[k] + ": unknown key"))));
        keys_known = false;
      }
      if (!keys_known) continue;
      int rejected = 0;
      auto reject = [&](const toml::source_region& at, const std::string& what) {
        if (++rejected <= kValuesShownPerAxis) problems.add(at, fmt::format("axis {}: {}", a + 1, what));
      };
      for (size_t i = 0; i < axis.values.size(); ++i) {
        bool each_ok = true;
        for (size_t k = 0; k < axis.keys.size(); ++k) {
          std::vector<std::string> overrides = fixed;
          overrides.push_back(axis.keys[k] + "=" + axis.values[i][k].assignment_value);
          if (auto error = rejection(spec, overrides)) {
            reject(axis_at[a].values[i][k], value_message(*error));
            each_ok = false;
          }
        }
        if (!each_ok || axis.keys.size() == 1) continue;
        std::vector<std::string> overrides = fixed;
        for (size_t k = 0; k < axis.keys.size(); ++k)
          overrides.push_back(axis.keys[k] + "=" + axis.values[i][k].assignment_value);
        if (auto error = rejection(spec, overrides)) reject(axis_at[a].steps[i], value_message(*error));
      }
      if (rejected > kValuesShownPerAxis)
        problems.add(axis_at[a].axis,
                     fmt::format("axis {}: ... and {} more rejected values", a + 1, rejected - kValuesShownPerAxis));
    }

    // The designs, against the base's scenario (a swept scenario leaves them to each point's check).
    if (std::find(swept.begin(), swept.end(), "scenario") == swept.end()) {
      const Config config = load_sweep_base(spec, fixed).config;
      if (!command_line.designs.empty()) {
        for (const std::string& d : command_line.designs)
          if (auto problem = design_problem(d, config)) problems.add_command_line("--design " + d, *problem);
      } else if (!spec.designs.empty()) {
        for (size_t i = 0; i < spec.designs.size(); ++i)
          if (auto problem = design_problem(spec.designs[i], config))
            problems.add(design_at[i], "designs: " + *problem);
      } else {
        for (const std::string& d : config.run.designs)
          if (auto problem = design_problem(d, config)) problems.add(base_at, "base: run.designs: " + *problem);
      }
    }
  }
  if (const toml::node* c = root.get("constraint")) spec.constraint = parse_constraint(*c, spec.axes, problems);
  if (const toml::node* v = root.get("verdict_metrics"); v != nullptr && set_ok)
    parse_verdict_metrics(*v, spec, fixed, problems);
  problems.throw_if_any();
  return spec;
}

}  // namespace wakesim::experiment
