// The deterministic files of a results tree, for tests that compare sweeps run in different ways
// (whole, resumed, sharded and merged, extended) byte for byte.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/cli_runner.h"

namespace wakesim::testing {

// Every file of a results tree except those documented to differ between identical sweeps
// (sim/experiment/sweep.h: manifest.json, timings.csv and the .timing files hold wall-clock figures).
inline std::map<std::string, std::string> deterministic_files(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    const std::string name = f.path().filename().string();
    if (name == "manifest.json" || name == "timings.csv" || f.path().extension() == ".timing") continue;
    files[std::filesystem::relative(f.path(), dir).string()] = slurp(f.path());
  }
  return files;
}

inline void expect_same_tree(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto fa = deterministic_files(a), fb = deterministic_files(b);
  ASSERT_FALSE(fa.empty());
  std::vector<std::string> na, nb;
  for (const auto& [k, v] : fa) na.push_back(k);
  for (const auto& [k, v] : fb) nb.push_back(k);
  ASSERT_EQ(na, nb);
  for (const auto& [name, text] : fa) EXPECT_TRUE(text == fb.at(name)) << name << " differs";
}

}  // namespace wakesim::testing
