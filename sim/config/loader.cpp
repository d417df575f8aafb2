#include "sim/config/loader.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "sim/config/input_file.h"
#include "sim/config/problems.h"
#include "sim/config/suggest.h"

namespace wakesim::config {
namespace {

using engine::UserError;

// Converts a TOML value node; returns false (and sets `what`) for tables, dates and the like.
bool to_value(const toml::node& node, Value& out, std::string& what) {
  if (auto v = node.as_boolean()) return out = Value{v->get()}, true;
  if (auto v = node.as_integer()) return out = Value{v->get()}, true;
  if (auto v = node.as_floating_point()) return out = Value{v->get()}, true;
  if (auto v = node.as_string()) return out = Value{v->get()}, true;
  if (auto array = node.as_array()) {
    Value::Array elements;
    for (const toml::node& element : *array) {
      Value e;
      if (!to_value(element, e, what)) return false;
      elements.push_back(std::move(e));
    }
    out = Value{std::move(elements)};
    return true;
  }
  what = node.is_table() ? "a table" : "a date or time";
  return false;
}

// Every dotted key of the schema, for suggestions when a key is put at the wrong level.
void all_keys(const SectionInfo& section, const std::string& prefix, std::vector<std::string>& out) {
  for (const FieldInfo& f : section.fields) out.push_back(prefix + f.key);
  for (const SectionInfo::Child& c : section.children) all_keys(*c.section, prefix + c.key + ".", out);
}

std::string suggestion(const SectionInfo& root, const SectionInfo& section, const std::string& prefix,
                       const std::string& key) {
  if (auto near = closest(key, section.key_names())) return fmt::format(" (did you mean '{}{}'?)", prefix, *near);
  std::vector<std::string> everywhere;
  all_keys(root, "", everywhere);
  for (const std::string& full : everywhere) {
    const size_t dot = full.rfind('.');
    if ((dot == std::string::npos ? full : full.substr(dot + 1)) == key)
      return fmt::format(" (did you mean '{}'?)", full);
  }
  return did_you_mean(prefix + key, everywhere);
}

bool wanted(const FieldInfo& field, Keys keys) {
  return keys == Keys::kAll || (keys == Keys::kPresetsOnly) == field.applied_first;
}

// Whether a preset may name a file (not inside a file that is itself a preset: no chains, no cycles).
enum class FilePresets { kAllowed, kForbidden };

// Assigns a preset's value. A file path is taken relative to the directory of the file that names it.
Problem assign_preset(const FieldInfo& field, void* object, Value value, const std::string& source,
                      FilePresets file_presets) {
  if (value.is_string() && looks_like_path(std::get<std::string>(value.data))) {
    if (file_presets == FilePresets::kForbidden)
      return "a preset file cannot name another preset file; name a built-in preset here";
    const std::filesystem::path path(std::get<std::string>(value.data));
    const std::filesystem::path from(source);
    std::error_code ec;
    if (path.is_relative() && std::filesystem::is_regular_file(from, ec))
      value = Value{(from.parent_path() / path).lexically_normal().string()};
  }
  return field.assign(object, value);
}

void apply_table(const SectionInfo& root, const SectionInfo& section, void* object, const toml::table& table,
                 const std::string& prefix, const std::string& source, Keys keys, Problems& problems,
                 FilePresets file_presets = FilePresets::kAllowed, KeyOrigins* origins = nullptr) {
  // With Keys::kAll, presets of this table are still applied before its other keys.
  if (keys == Keys::kAll) {
    for (const auto& [raw_key, node] : table) {
      const FieldInfo* field = section.find_field(std::string(raw_key.str()));
      Value value;
      std::string what;
      if (field != nullptr && field->applied_first && to_value(node, value, what))
        if (Problem p = assign_preset(*field, object, value, source, file_presets))
          problems.add(source, node.source(), prefix + field->key, *p);
    }
  }
  for (const auto& [raw_key, node] : table) {
    const std::string key(raw_key.str());
    const std::string dotted = prefix + key;
    const toml::source_region at = raw_key.source().begin.line ? raw_key.source() : node.source();
    if (const SectionInfo::Child* child = section.find_child(key)) {
      if (const toml::table* sub = node.as_table())
        apply_table(root, *child->section, child->access(object), *sub, dotted + ".", source, keys, problems,
                    file_presets, origins);
      else if (keys != Keys::kPresetsOnly)
        problems.add(source, at, dotted, fmt::format("is a section; write it as [{}] with keys inside", dotted));
      continue;
    }
    const FieldInfo* field = section.find_field(key);
    if (field == nullptr) {
      // Suggestions only for the problems that will be shown: each compares the key with every key of
      // the schema, and a file of 350,000 unknown keys took a minute.
      if (keys != Keys::kPresetsOnly)
        problems.add(
            source, at, dotted,
            "unknown key" + (problems.size() < Problems::kShown ? suggestion(root, section, prefix, key) : ""));
      continue;
    }
    if (field->applied_first ? keys != Keys::kPresetsOnly : keys == Keys::kPresetsOnly) continue;
    Value value;
    std::string what;
    if (!to_value(node, value, what)) {
      problems.add(source, at, dotted, fmt::format("expected {}, got {}", field->type, what));
      continue;
    }
    const Problem p = field->applied_first ? assign_preset(*field, object, value, source, file_presets)
                                           : field->assign(object, value);
    if (p) problems.add(source, node.source(), dotted, *p);
    else if (origins != nullptr) origins->push_back(KeyOrigin{dotted, where(source, at), value});
  }
}

void apply_parsed(const SectionInfo& root, void* object, std::string_view text, const std::string& source, Keys keys,
                  KeyOrigins* origins) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    throw UserError(fmt::format("{}: error: {}", where(source, error.source()), error.description()));
  }
  Problems problems;
  apply_table(root, root, object, table, "", source, keys, problems, FilePresets::kAllowed, origins);
  problems.throw_if_any();
}

void emit(const SectionInfo& section, const void* object, const std::string& prefix, std::string& out) {
  for (const FieldInfo& f : section.fields) out += fmt::format("{} = {}\n", f.key, to_toml_text(f.read(object)));
  for (const SectionInfo::Child& c : section.children) {
    out += fmt::format("\n[{}{}]\n", prefix, c.key);
    emit(*c.section, c.access_const(object), prefix + c.key + ".", out);
  }
}

}  // namespace

void apply_file(const SectionInfo& root, void* object, const std::filesystem::path& file, Keys keys,
                KeyOrigins* origins) {
  std::string error;
  const std::optional<std::string> text = read_input_file(file, error);
  if (!text) throw UserError(fmt::format("{}: error: the configuration file {}", file.string(), error));
  apply_parsed(root, object, *text, file.string(), keys, origins);
}

Problem apply_file_table(const SectionInfo& section, void* object, const std::filesystem::path& file,
                         const std::string& table_key, const std::vector<std::string>& data_tables) {
  const std::string source = file.string();
  std::string error;
  const std::optional<std::string> text = read_input_file(file, error);
  if (!text)
    return error == "cannot be opened" ? fmt::format("cannot open '{}'", source)
                                       : fmt::format("'{}' {}", source, error);
  toml::table parsed;
  try {
    parsed = toml::parse(*text, source);
  } catch (const toml::parse_error& error) {
    return fmt::format("{}: error: {}", where(source, error.source()), error.description());
  }
  Problems problems;
  bool found = false;
  for (const auto& [raw_key, node] : parsed) {
    const std::string key(raw_key.str());
    if (key == table_key && node.is_table()) {
      found = true;
      apply_table(section, section, object, *node.as_table(), table_key + ".", source, Keys::kAll, problems,
                  FilePresets::kForbidden);
    } else if (std::find(data_tables.begin(), data_tables.end(), key) == data_tables.end()) {
      std::string expected = "[" + table_key + "]";
      for (const std::string& d : data_tables) expected += " or [" + d + "]";
      problems.add(source, raw_key.source(), key, fmt::format("unexpected here; this file holds only {}", expected));
    }
  }
  try {
    problems.throw_if_any();
  } catch (const UserError& e) {
    return std::string(e.what());
  }
  if (!found) return fmt::format("{}: error: no [{}] table", source, table_key);
  return std::nullopt;
}

void apply_text(const SectionInfo& root, void* object, std::string_view toml_text, const std::string& source_name,
                Keys keys, KeyOrigins* origins) {
  apply_parsed(root, object, toml_text, source_name, keys, origins);
}

void apply_override(const SectionInfo& root, void* object, std::string_view assignment, Keys keys,
                    KeyOrigins* origins) {
  const std::string source = fmt::format("--set {}", assignment);
  const size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw UserError(fmt::format("{}: error: expected KEY=VALUE, e.g. --set host.sockets=2", source));
  std::string key(assignment.substr(0, eq));
  while (!key.empty() && key.back() == ' ') key.pop_back();
  const std::string value_text(assignment.substr(eq + 1));

  // Walk the dotted key down the sections.
  const SectionInfo* section = &root;
  void* target = object;
  std::string prefix;
  size_t start = 0;
  for (size_t dot; (dot = key.find('.', start)) != std::string::npos; start = dot + 1) {
    const std::string part = key.substr(start, dot - start);
    const SectionInfo::Child* child = section->find_child(part);
    if (child == nullptr)
      throw UserError(fmt::format("{}: error: {}: unknown section '{}'{}", source, key, prefix + part,
                                  suggestion(root, *section, prefix, part)));
    target = child->access(target);
    section = child->section;
    prefix += part + ".";
  }
  const std::string leaf = key.substr(start);
  const FieldInfo* field = section->find_field(leaf);
  if (field == nullptr) {
    if (section->find_child(leaf) != nullptr)
      throw UserError(fmt::format("{}: error: {}: is a section, not a key", source, key));
    throw UserError(fmt::format("{}: error: {}: unknown key{}", source, key, suggestion(root, *section, prefix, leaf)));
  }
  if (!wanted(*field, keys)) return;
  Value value{value_text};
  try {
    const toml::table parsed = toml::parse("v = " + value_text);
    std::string what;
    if (const toml::node* node = parsed.get("v"); node != nullptr && !to_value(*node, value, what))
      value = Value{value_text};
  } catch (const toml::parse_error&) {
    // Not TOML: the text itself is the value (a string such as 10ms or rcu-list).
  }
  if (Problem p = field->assign(target, value)) throw UserError(fmt::format("{}: error: {}: {}", source, key, *p));
  if (origins != nullptr) origins->push_back(KeyOrigin{key, source, value});
}

std::string line_of(const std::string& where) {
  const auto all_digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  const size_t col = where.rfind(':');
  if (col == std::string::npos || col == 0 || !all_digits(std::string_view(where).substr(col + 1))) return where;
  const size_t line = where.rfind(':', col - 1);
  if (line == std::string::npos || !all_digits(std::string_view(where).substr(line + 1, col - line - 1))) return where;
  return where.substr(0, col);
}

void validate(const SectionInfo& root, const void* object, const std::string& source) {
  if (auto problem = check_sections(root, object)) {
    const auto& [section, what] = *problem;
    throw UserError(section.empty() ? fmt::format("{}: error: {}", source, what)
                                    : fmt::format("{}: error: [{}]: {}", source, section, what));
  }
}

std::string to_toml(const SectionInfo& root, const void* object) {
  std::string out;
  emit(root, object, "", out);
  return out;
}

}  // namespace wakesim::config
