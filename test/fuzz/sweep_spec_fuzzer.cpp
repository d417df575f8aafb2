// libFuzzer target: any bytes as a sweep spec. The loader validates the whole spec (every axis value,
// design and combination) and accepts it or throws UserError; never a crash, hang or runaway memory,
// whatever the axes multiply to. `base` names resolve to workloads/ in the source tree, as a user's
// preset names do.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "sim/engine/errors.h"
#include "sim/experiment/sweep_spec.h"

namespace fs = std::filesystem;

namespace {
fs::path resolve(const std::string& base, const fs::path& spec_dir) {
  if (base.find('/') != std::string::npos || base.ends_with(".toml")) return spec_dir / base;
  return fs::path(WAKESIM_SOURCE_DIR) / "workloads" / (base + ".toml");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One file per fuzzing process, removed when it exits.
  struct SpecFile {
    fs::path path = fs::temp_directory_path() / ("wakesim-fuzz-spec-" + std::to_string(getpid()) + ".toml");
    SpecFile() = default;
    SpecFile(const SpecFile&) = delete;
    SpecFile& operator=(const SpecFile&) = delete;
    ~SpecFile() {
      std::error_code ignored;
      fs::remove(path, ignored);
    }
  };
  static const SpecFile spec_file;
  const fs::path& file = spec_file.path;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const wakesim::experiment::SweepSpec spec = wakesim::experiment::load_sweep_spec(file, resolve);
    (void)spec.point_count();
  } catch (const wakesim::engine::UserError&) {
  }
  return 0;
}
