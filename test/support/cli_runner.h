// Runs the `wakesim` command line in process for tests (sim/app/cli.h), and small file helpers: one
// copy shared by every suite that drives the CLI end to end.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "sim/app/cli.h"

namespace wakesim::testing {

struct CliOutcome {
  int status;
  std::string out;
  std::string err;
};

inline CliOutcome cli(std::vector<std::string> args) {
  args.insert(args.begin(), "wakesim");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int status = app::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {status, out.str(), err.str()};
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to `file` (creating its folder) and returns the path: a test's config or spec file.
inline std::filesystem::path write_text(const std::filesystem::path& file, const std::string& text) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

// The temporary directories a test program made: removed when the program exits, so that running the
// suites again and again leaves nothing behind in the temporary folder. WAKESIM_KEEP_TEST_DIRS=1 keeps
// them (to look at a failed test's output).
class TempDirs {
 public:
  static TempDirs& instance() {
    static TempDirs dirs;
    return dirs;
  }
  void add(const std::filesystem::path& dir) { dirs_.push_back(dir); }
  TempDirs(const TempDirs&) = delete;
  TempDirs& operator=(const TempDirs&) = delete;
  ~TempDirs() {
    const char* keep = std::getenv("WAKESIM_KEEP_TEST_DIRS");
    if (keep != nullptr && std::string(keep) == "1") return;
    std::error_code ignored;  // a directory a test already removed, or never made, is fine
    for (const auto& dir : dirs_) std::filesystem::remove_all(dir, ignored);
  }

 private:
  TempDirs() = default;
  std::vector<std::filesystem::path> dirs_;
};

// A fresh temporary directory name, unique per process so that concurrent test runs never share one;
// the directory (if the test makes it) is removed when the test program exits.
inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("wakesim-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  TempDirs::instance().add(dir);
  return dir;
}

}  // namespace wakesim::testing
