// Reads TOML configuration into structs described by a Section schema, applies `--set key=value`
// overrides, and writes the resolved configuration back as TOML. Every problem is reported as one
// line, "FILE:LINE:COL: error: dotted.key: what was wrong (did you mean ...?)", and all problems of a
// file are reported together in one UserError.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/schema.h"
#include "sim/engine/errors.h"

namespace wakesim::config {

// Which keys an apply call sets: presets first (from the file and the overrides), then everything else,
// so that explicit keys override a preset wherever they are written.
enum class Keys { kAll, kPresetsOnly, kAllButPresets };

// Where a key was set, recorded while loading for checks across keys afterwards (e.g. a derived key
// and the key it determines set in the same file: sim/experiment/derived_keys.h).
struct KeyOrigin {
  std::string key;    // dotted, e.g. "vms.count"
  std::string where;  // "FILE:LINE:COL", or "--set KEY=VALUE"
  Value value;        // as written
};
using KeyOrigins = std::vector<KeyOrigin>;
// "FILE:LINE" of a "FILE:LINE:COL" place, for messages that point at a line; anything else unchanged.
std::string line_of(const std::string& where);

// Applies a TOML file or text on top of the values already in `object`; `origins`, when given,
// receives every key the call sets.
void apply_file(const SectionInfo& root, void* object, const std::filesystem::path& file, Keys keys = Keys::kAll,
                KeyOrigins* origins = nullptr);
void apply_text(const SectionInfo& root, void* object, std::string_view toml_text, const std::string& source_name,
                Keys keys = Keys::kAll, KeyOrigins* origins = nullptr);
// Applies the table `table_key` of a TOML file (e.g. [host] of a host description written by `wakesim
// calibrate`) to an object of `section`'s type, all keys of the table as in apply_file. Other top-level
// tables are allowed only if listed in `data_tables` (data the file carries, not configuration). A
// preset inside the table must be a built-in name. Returns every problem as "FILE:LINE:COL: error: ..."
// lines rather than throwing, for a preset's assign to report.
Problem apply_file_table(const SectionInfo& section, void* object, const std::filesystem::path& file,
                         const std::string& table_key, const std::vector<std::string>& data_tables);
// Applies one override "dotted.key=value"; the value is TOML ("2", "true", "[1, 2]", "\"x\"") or, if it
// does not parse as TOML, taken as a string ("10ms", "rcu-list").
void apply_override(const SectionInfo& root, void* object, std::string_view assignment, Keys keys = Keys::kAll,
                    KeyOrigins* origins = nullptr);
// Runs the whole-section checks; `source` names what was loaded, for the message.
void validate(const SectionInfo& root, const void* object, const std::string& source);
// The resolved configuration, in schema order, loadable by apply_text.
std::string to_toml(const SectionInfo& root, const void* object);

// Typed conveniences for a struct with a static schema().
template <class T>
void apply_file(T& object, const std::filesystem::path& file, Keys keys = Keys::kAll) {
  apply_file(T::schema().info(), &object, file, keys);
}
template <class T>
void apply_override(T& object, std::string_view assignment, Keys keys = Keys::kAll) {
  apply_override(T::schema().info(), &object, assignment, keys);
}
template <class T>
void validate(const T& object, const std::string& source) {
  validate(T::schema().info(), &object, source);
}
template <class T>
std::string to_toml(const T& object) {
  return to_toml(T::schema().info(), &object);
}

}  // namespace wakesim::config
