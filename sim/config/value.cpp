#include "sim/config/value.h"

#include <fmt/format.h>

namespace wakesim::config {

const char* kind_name(const Value& v) {
  switch (v.data.index()) {
    case 0:
      return "a boolean";
    case 1:
      return "an integer";
    case 2:
      return "a number";
    case 3:
      return "a string";
    default:
      return "an array";
  }
}

namespace {
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string to_toml_text(const Value& v) {
  if (const bool* b = std::get_if<bool>(&v.data)) return *b ? "true" : "false";
  if (const int64_t* i = std::get_if<int64_t>(&v.data)) return std::to_string(*i);
  if (const double* d = std::get_if<double>(&v.data)) {
    std::string s = fmt::format("{}", *d);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  if (const std::string* s = std::get_if<std::string>(&v.data)) return quote(*s);
  const auto& array = std::get<Value::Array>(v.data);
  std::string out = "[";
  for (size_t i = 0; i < array.size(); ++i) out += (i ? ", " : "") + to_toml_text(array[i]);
  return out + "]";
}

}  // namespace wakesim::config
