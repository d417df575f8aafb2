// A configuration value as written by the user (TOML file or --set), before it is converted to the
// C++ type of the field it sets. Keeps toml++ out of the schema's headers: only the loader's .cpp files
// and problems.h (included by the .cpp files that parse TOML) see it.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace wakesim::config {

struct Value {
  using Array = std::vector<Value>;
  std::variant<bool, int64_t, double, std::string, Array> data;

  bool is_bool() const { return std::holds_alternative<bool>(data); }
  bool is_int() const { return std::holds_alternative<int64_t>(data); }
  bool is_float() const { return std::holds_alternative<double>(data); }
  bool is_string() const { return std::holds_alternative<std::string>(data); }
  bool is_array() const { return std::holds_alternative<Array>(data); }
  bool operator==(const Value&) const = default;
};

// "a boolean", "an integer", ... for error messages.
const char* kind_name(const Value& v);
// TOML text of the value (strings quoted), for messages and `wakesim list keys`.
std::string to_toml_text(const Value& v);

}  // namespace wakesim::config
