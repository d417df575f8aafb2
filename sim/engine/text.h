// Text helpers shared by the parsers (units, distributions, arrival processes, sysfs) and the readers of
// results files: one definition of "trim", of a string's width on screen and of "read a whole file".
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace wakesim::engine {

// `s` without leading and trailing whitespace (a view into `s`).
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The same, as a string of its own.
inline std::string trimmed(std::string_view s) { return std::string(trim(s)); }

// Characters on screen, counting a multi-byte UTF-8 sequence (such as "±") as one.
inline size_t display_width(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The whole file's bytes, or nullopt if it cannot be opened or read. For files wakesim wrote itself
// (results directories) and for the kernel's (sysfs, /proc); a file the user names goes through
// config::read_input_file, which refuses devices and bounds the size.
std::optional<std::string> read_whole_file(const std::filesystem::path& file);

}  // namespace wakesim::engine
