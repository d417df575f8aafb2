// The problems found in one TOML file (a configuration or a sweep spec), each a line
// "FILE:LINE:COL: error: what", reported together in file order as one engine::UserError: the first
// kShown of them and a count of the rest (a file of 350,000 unknown keys is one screen, not 41 MB).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "sim/engine/errors.h"

namespace wakesim::config {

inline std::string where(const std::string& source, const toml::source_region& region) {
  return fmt::format("{}:{}:{}", source, region.begin.line, region.begin.column);
}

class Problems {
 public:
  static constexpr size_t kShown = 20;

  // "SOURCE:LINE:COL: error: WHAT"
  void add(const std::string& source, const toml::source_region& region, const std::string& what) {
    lines_.push_back(Line{region.begin, fmt::format("{}: error: {}", where(source, region), what)});
  }
  // "SOURCE:LINE:COL: error: KEY: WHAT"
  void add(const std::string& source, const toml::source_region& region, const std::string& key,
           const std::string& what) {
    add(source, region, key + ": " + what);
  }
  bool any() const { return !lines_.empty(); }
  size_t size() const { return lines_.size(); }
  void throw_if_any() {
    if (lines_.empty()) return;
    std::stable_sort(lines_.begin(), lines_.end(), [](const Line& a, const Line& b) {
      return a.at.line != b.at.line ? a.at.line < b.at.line : a.at.column < b.at.column;
    });
    std::string text;
    for (size_t i = 0; i < lines_.size() && i < kShown; ++i) text += (i ? "\n" : "") + lines_[i].text;
    if (lines_.size() > kShown)
      text += fmt::format("\n... and {} more problem{} (fix these first)", lines_.size() - kShown,
                          lines_.size() - kShown == 1 ? "" : "s");
    throw engine::UserError(text);
  }

 private:
  struct Line {
    toml::source_position at;
    std::string text;
  };
  std::vector<Line> lines_;
};

}  // namespace wakesim::config
