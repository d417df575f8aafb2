// Declares configuration keys next to the structs they fill (after ns-3's AddAttribute): one line per
// key gives its name, help text, unit (through the field's type) and checks. The default is the struct
// member's initializer, written once, next to the comment that says where the number comes from.
//
//   const config::Section<HostParams>& HostParams::schema() {
//     static const auto s = config::Section<HostParams>("host", "the machine being simulated")
//         .field(&HostParams::sockets, "sockets", "CPU sockets", {.min = 1, .max = 16})
//         .field(&HostParams::ipi_latency, "ipi_latency", "IPI delivery, same socket", {.min = 0_ns});
//     return s;
//   }
//
// Value types and their text: bool, integers, double, std::string, engine::Time ("1.2us"),
// engine::Rate ("200k/s"), engine::Bytes ("48KiB"), engine::ByteRate ("2GB/s"), engine::Distribution ("exp(10us)"),
// std::vector of those (TOML arrays), and enums through choice(). This header does not depend on the TOML library;
// loader.h reads files.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/config/distribution_text.h"
#include "sim/config/suggest.h"
#include "sim/config/units.h"
#include "sim/config/value.h"
#include "sim/engine/random.h"
#include "sim/engine/time.h"

namespace wakesim::config {

// Returns an error text, or nothing when the value is acceptable.
using Problem = std::optional<std::string>;

// A preset value that names a file rather than a built-in preset: it contains '/' or ends in ".toml".
inline bool looks_like_path(const std::string& text) {
  return text.find('/') != std::string::npos || (text.size() > 5 && text.ends_with(".toml"));
}

struct FieldInfo {
  std::string key;
  std::string help;
  std::string type;        // e.g. "duration", "integer", "one of: ticket, qspinlock"
  std::string constraint;  // e.g. ">= 1", empty when any value of the type is accepted
  std::function<Problem(void* object, const Value& value)> assign;
  std::function<Value(const void* object)> read;
  bool applied_first = false;  // a preset: set before all other keys, which then override it
};

struct SectionInfo {
  struct Child {
    std::string key;
    const SectionInfo* section;
    std::function<void*(void*)> access;
    std::function<const void*(const void*)> access_const;
  };
  std::string name;
  std::string help;
  std::vector<FieldInfo> fields;
  std::vector<Child> children;
  std::vector<std::function<Problem(const void*)>> checks;  // whole-section checks, after all keys are set
  std::shared_ptr<const void> defaults;                     // a default-constructed object

  const FieldInfo* find_field(const std::string& key) const;
  const Child* find_child(const std::string& key) const;
  // A field by its dotted key below this section ("cache.l2_size"), or nullptr.
  const FieldInfo* find_dotted(const std::string& dotted) const;
  std::vector<std::string> key_names() const;  // fields and child sections, for suggestions
};

// How a C++ type is read from and written to a configuration value.
template <class V, class Enable = void>
struct Codec;

template <>
struct Codec<bool> {
  static constexpr const char* kType = "boolean";
  static Problem read(const Value& v, bool& out) {
    if (!v.is_bool()) return fmt::format("expected true or false, got {}", kind_name(v));
    out = std::get<bool>(v.data);
    return std::nullopt;
  }
  static Value write(bool b) { return Value{b}; }
};

template <std::integral V>
requires(!std::same_as<V, bool>) struct Codec<V> {
  static constexpr const char* kType = "integer";
  static Problem read(const Value& v, V& out) {
    if (!v.is_int()) return fmt::format("expected an integer, got {}", kind_name(v));
    const int64_t i = std::get<int64_t>(v.data);
    if (std::cmp_less(i, std::numeric_limits<V>::min()) || std::cmp_greater(i, std::numeric_limits<V>::max()))
      return fmt::format("{} is out of range for this key", i);
    out = static_cast<V>(i);
    return std::nullopt;
  }
  static Value write(V i) { return Value{static_cast<int64_t>(i)}; }
};

template <>
struct Codec<double> {
  static constexpr const char* kType = "number";
  static Problem read(const Value& v, double& out) {
    if (v.is_int()) out = static_cast<double>(std::get<int64_t>(v.data));
    else if (v.is_float()) out = std::get<double>(v.data);
    else return fmt::format("expected a number, got {}", kind_name(v));
    if (!std::isfinite(out)) return fmt::format("expected a finite number, got {}", out);
    return std::nullopt;
  }
  static Value write(double d) { return Value{d}; }
};

template <>
struct Codec<std::string> {
  static constexpr const char* kType = "string";
  static Problem read(const Value& v, std::string& out) {
    if (!v.is_string()) return fmt::format("expected a string, got {}", kind_name(v));
    out = std::get<std::string>(v.data);
    return std::nullopt;
  }
  static Value write(const std::string& s) { return Value{s}; }
};

template <>
struct Codec<engine::Time> {
  static constexpr const char* kType = "duration";
  static Problem read(const Value& v, engine::Time& out) {
    std::string error;
    if (v.is_int() && std::get<int64_t>(v.data) == 0) return out = engine::Time::zero(), std::nullopt;
    if (!v.is_string())
      return fmt::format("expected a duration string with a unit, like \"50ns\", got {}", kind_name(v));
    auto t = parse_duration(std::get<std::string>(v.data), error);
    if (!t) return error;
    out = *t;
    return std::nullopt;
  }
  static Value write(engine::Time t) { return Value{format_duration(t)}; }
};

template <>
struct Codec<engine::Rate> {
  static constexpr const char* kType = "rate";
  static Problem read(const Value& v, engine::Rate& out) {
    std::string error;
    if (v.is_int() && std::get<int64_t>(v.data) == 0) return out = engine::Rate{0}, std::nullopt;
    if (!v.is_string()) return fmt::format("expected a rate string with a unit, like \"200k/s\", got {}", kind_name(v));
    auto r = parse_rate(std::get<std::string>(v.data), error);
    if (!r) return error;
    out = *r;
    return std::nullopt;
  }
  static Value write(engine::Rate r) { return Value{format_rate(r)}; }
};

template <>
struct Codec<engine::Bytes> {
  static constexpr const char* kType = "size";
  static Problem read(const Value& v, engine::Bytes& out) {
    std::string error;
    if (v.is_int() && std::get<int64_t>(v.data) == 0) return out = engine::Bytes{0}, std::nullopt;
    if (!v.is_string()) return fmt::format("expected a size string with a unit, like \"48KiB\", got {}", kind_name(v));
    auto b = parse_bytes(std::get<std::string>(v.data), error);
    if (!b) return error;
    out = *b;
    return std::nullopt;
  }
  static Value write(engine::Bytes b) { return Value{format_bytes(b)}; }
};

template <>
struct Codec<engine::ByteRate> {
  static constexpr const char* kType = "memory rate";
  static Problem read(const Value& v, engine::ByteRate& out) {
    std::string error;
    if (v.is_int() && std::get<int64_t>(v.data) == 0) return out = engine::ByteRate{0}, std::nullopt;
    if (!v.is_string())
      return fmt::format("expected a memory rate string with a unit, like \"2GB/s\", got {}", kind_name(v));
    auto r = parse_byte_rate(std::get<std::string>(v.data), error);
    if (!r) return error;
    out = *r;
    return std::nullopt;
  }
  static Value write(engine::ByteRate r) { return Value{format_byte_rate(r)}; }
};

template <class V>
struct Codec<std::vector<V>> {
  static constexpr const char* kType = "array";
  static Problem read(const Value& v, std::vector<V>& out) {
    if (!v.is_array()) return fmt::format("expected an array, got {}", kind_name(v));
    std::vector<V> result;
    const auto& array = std::get<Value::Array>(v.data);
    for (size_t i = 0; i < array.size(); ++i) {
      V element{};
      if (Problem p = Codec<V>::read(array[i], element)) return fmt::format("element {}: {}", i, *p);
      result.push_back(std::move(element));
    }
    out = std::move(result);
    return std::nullopt;
  }
  static Value write(const std::vector<V>& values) {
    Value::Array array;
    for (const V& v : values) array.push_back(Codec<V>::write(v));
    return Value{std::move(array)};
  }
};

template <class V>
struct FieldOptions {
  std::optional<V> min = std::nullopt;
  std::optional<V> max = std::nullopt;
  // Further check on the value, with a short text for `wakesim list keys` (e.g. "a registered design").
  std::function<Problem(const V&)> check = nullptr;
  std::string check_text = {};
  // For engine::Distribution fields: whether the values are durations or plain numbers.
  DistributionUnit distribution_unit = DistributionUnit::kDuration;
};

namespace detail {
template <class V>
std::string text_of(const V& v) {
  if constexpr (std::same_as<V, std::string>) return v;
  else {
    Value w = Codec<V>::write(v);
    if (w.is_string()) return std::get<std::string>(w.data);
    return to_toml_text(w);
  }
}
}  // namespace detail

template <class T>
class Section {
 public:
  Section(std::string name, std::string help) {
    info_.name = std::move(name);
    info_.help = std::move(help);
    info_.defaults = std::make_shared<const T>();
  }

  template <class V>
  Section&& field(V T::*member, std::string key, std::string help, FieldOptions<V> options = {}) && {
    FieldInfo f;
    f.key = std::move(key);
    f.help = std::move(help);
    if constexpr (std::same_as<V, engine::Distribution>) {
      const DistributionUnit unit = options.distribution_unit;
      f.type = unit == DistributionUnit::kDuration ? "distribution of durations" : "distribution";
      f.read = [member, unit](const void* o) {
        return Value{format_distribution(static_cast<const T*>(o)->*member, unit)};
      };
      f.assign = [member, unit, check = options.check](void* o, const Value& v) -> Problem {
        if (!v.is_string())
          return fmt::format("expected a distribution string like \"exp(10us)\", got {}", kind_name(v));
        std::string error;
        auto d = parse_distribution(std::get<std::string>(v.data), unit, error);
        if (!d) return error;
        if (check)
          if (Problem p = check(*d)) return p;
        static_cast<T*>(o)->*member = std::move(*d);
        return std::nullopt;
      };
    } else {
      f.type = Codec<V>::kType;
      f.read = [member](const void* o) { return Codec<V>::write(static_cast<const T*>(o)->*member); };
      f.assign = [member, options](void* o, const Value& v) -> Problem {
        V value{};
        if (Problem p = Codec<V>::read(v, value)) return p;
        if constexpr (std::totally_ordered<V>) {
          if (options.min && value < *options.min)
            return fmt::format("must be >= {}, got {}", detail::text_of(*options.min), detail::text_of(value));
          if (options.max && value > *options.max)
            return fmt::format("must be <= {}, got {}", detail::text_of(*options.max), detail::text_of(value));
        }
        if (options.check)
          if (Problem p = options.check(value)) return p;
        static_cast<T*>(o)->*member = std::move(value);
        return std::nullopt;
      };
    }
    std::vector<std::string> constraints;
    if constexpr (std::totally_ordered<V> && !std::same_as<V, engine::Distribution>) {
      if (options.min) constraints.push_back(">= " + detail::text_of(*options.min));
      if (options.max) constraints.push_back("<= " + detail::text_of(*options.max));
    }
    if (!options.check_text.empty()) constraints.push_back(options.check_text);
    for (size_t i = 0; i < constraints.size(); ++i) f.constraint += (i ? ", " : "") + constraints[i];
    info_.fields.push_back(std::move(f));
    return std::move(*this);
  }

  // An enum (or any type) set from a fixed list of names.
  template <class E>
  Section&& choice(E T::*member, std::string key, std::string help, std::vector<std::pair<std::string, E>> names) && {
    FieldInfo f;
    f.key = std::move(key);
    f.help = std::move(help);
    f.type = "one of:";
    for (size_t i = 0; i < names.size(); ++i) f.type += (i ? ", " : " ") + names[i].first;
    f.read = [member, names](const void* o) {
      for (const auto& [name, value] : names)
        if (value == static_cast<const T*>(o)->*member) return Value{name};
      return Value{std::string("?")};
    };
    f.assign = [member, names](void* o, const Value& v) -> Problem {
      std::string known;
      std::vector<std::string> candidates;
      for (const auto& [name, value] : names) {
        if (v.is_string() && std::get<std::string>(v.data) == name) {
          static_cast<T*>(o)->*member = value;
          return std::nullopt;
        }
        known += (known.empty() ? "" : ", ") + name;
        candidates.push_back(name);
      }
      return fmt::format("{} is not one of: {}{}", to_toml_text(v), known,
                         v.is_string() ? did_you_mean(std::get<std::string>(v.data), candidates) : "");
    };
    info_.fields.push_back(std::move(f));
    return std::move(*this);
  }

  // A preset: choosing a name applies that preset's values to the whole section first; other keys in
  // the file or on the command line then override single values, wherever they appear. With `from_file`,
  // a value that names a file (looks_like_path) is a preset too: from_file loads it into the section
  // (a relative path is taken relative to the configuration file that names it, see loader.cpp).
  Section&& preset(std::string T::*member, std::string key, std::string help,
                   std::vector<std::pair<std::string, std::function<void(T&)>>> presets,
                   std::function<Problem(T&, const std::string& path)> from_file = nullptr) && {
    FieldInfo f;
    f.key = std::move(key);
    f.help = std::move(help);
    f.applied_first = true;
    f.type = "one of:";
    for (size_t i = 0; i < presets.size(); ++i) f.type += (i ? ", " : " ") + presets[i].first;
    if (from_file) f.type += ", or a file path (containing '/' or ending in .toml)";
    f.read = [member](const void* o) { return Value{static_cast<const T*>(o)->*member}; };
    f.assign = [member, presets, from_file](void* o, const Value& v) -> Problem {
      std::string known;
      std::vector<std::string> candidates;
      for (const auto& [name, apply] : presets) {
        if (v.is_string() && std::get<std::string>(v.data) == name) {
          T& object = *static_cast<T*>(o);
          apply(object);
          object.*member = name;
          return std::nullopt;
        }
        known += (known.empty() ? "" : ", ") + name;
        candidates.push_back(name);
      }
      if (from_file && v.is_string() && looks_like_path(std::get<std::string>(v.data))) {
        T& object = *static_cast<T*>(o);
        const std::string& path = std::get<std::string>(v.data);
        if (Problem p = from_file(object, path)) return p;
        // Absolute, so that the resolved configuration a run writes loads the same file from anywhere.
        object.*member = std::filesystem::absolute(path).lexically_normal().string();
        return std::nullopt;
      }
      return fmt::format("{} is not a preset; known: {}{}{}", to_toml_text(v), known,
                         from_file ? ", or a file path (containing '/' or ending in .toml)" : "",
                         v.is_string() ? did_you_mean(std::get<std::string>(v.data), candidates) : "");
    };
    info_.fields.push_back(std::move(f));
    return std::move(*this);
  }

  // A nested table, e.g. [host.cache].
  template <class S>
  Section&& section(S T::*member, std::string key, const Section<S>& sub) && {
    info_.children.push_back(SectionInfo::Child{
        std::move(key), &sub.info(), [member](void* o) -> void* { return &(static_cast<T*>(o)->*member); },
        [member](const void* o) -> const void* { return &(static_cast<const T*>(o)->*member); }});
    return std::move(*this);
  }

  // A check across several keys of this section, run after all of them are set.
  Section&& check(std::function<Problem(const T&)> fn) && {
    info_.checks.push_back([fn = std::move(fn)](const void* o) { return fn(*static_cast<const T*>(o)); });
    return std::move(*this);
  }

  const SectionInfo& info() const { return info_; }

 private:
  SectionInfo info_;
};

// One line of `wakesim list keys`.
struct KeyDoc {
  std::string key;  // dotted, e.g. "host.sockets"
  std::string type;
  std::string default_text;
  std::string constraint;
  std::string help;
};
std::vector<KeyDoc> document_keys(const SectionInfo& root);

// One key of a loaded object (`wakesim list keys --config`): its value, and the dotted key of the
// preset that sets it unless something else does (the preset field of its section or of a section
// above it, e.g. host.preset for host.cache.l2_size; empty when none).
struct KeyValue {
  std::string key;
  Value value;
  std::string preset;
};
// Every key of `object`, an object of the type `root` describes, in schema order.
std::vector<KeyValue> read_keys(const SectionInfo& root, const void* object);

// Runs every whole-section check (depth first); returns the first problem with its dotted section name.
std::optional<std::pair<std::string, std::string>> check_sections(const SectionInfo& root, const void* object);

}  // namespace wakesim::config
