// Where the workload presets live, and what CONFIG on a command line names (commands.h). The rules
// are meant to leave no room for a surprise:
//  - a path (it contains '/' or ends in .toml) is a file, which must exist;
//  - a bare name is a preset, workloads/NAME.toml; when a file of that exact name also sits in the
//    current directory the name is refused as ambiguous rather than silently taking one of them (a
//    directory of that name, such as a results directory `run mm1 --out mm1` made, is not a candidate);
//  - a directory is never a configuration.
#include <algorithm>
#include <cstdlib>
#include <ostream>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/config/suggest.h"
#include "sim/engine/errors.h"

namespace wakesim::app {
namespace {

namespace fs = std::filesystem;
using engine::UserError;

bool is_explicit_path(const std::string& argument) {
  return argument.find('/') != std::string::npos || argument.ends_with(".toml");
}

UserError directory_error(const std::string& argument) {
  std::string hint;
  std::error_code ec;
  if (fs::is_regular_file(fs::path(argument) / "config.toml", ec))
    hint = fmt::format(" (a results directory's configuration is {})", (fs::path(argument) / "config.toml").string());
  return UserError(
      fmt::format("{}: error: is a directory; a configuration is a .toml file or a preset name{}", argument, hint));
}

}  // namespace

std::filesystem::path workloads_dir() {
  if (const char* env = std::getenv("WAKESIM_WORKLOADS"); env != nullptr && *env != 0) return env;
  return std::filesystem::path(WAKESIM_SOURCE_DIR) / "workloads";
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(workloads_dir(), ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".toml" && it->is_regular_file(ec)) names.push_back(it->path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::filesystem::path resolve_config_path(const std::string& argument) {
  std::error_code ec;
  fs::path given(argument);
  if (is_explicit_path(argument)) {
    if (fs::is_directory(given, ec)) throw directory_error(argument);
    if (fs::is_regular_file(given, ec)) return given;
    if (fs::exists(given, ec))
      throw UserError(
          fmt::format("{}: error: is not a regular file; a configuration is a .toml file or a preset name", argument));
    const std::string stem = given.stem().string();
    const auto names = preset_names();
    const bool preset = given.parent_path().empty() && std::find(names.begin(), names.end(), stem) != names.end();
    const std::string hint = preset
                                 ? fmt::format(" (did you mean the preset '{}'? a preset is named without .toml)", stem)
                                 : "; a configuration is a .toml file or a preset name (wakesim list workloads)";
    throw UserError(fmt::format("{}: error: no such file{}", argument, hint));
  }
  fs::path preset = workloads_dir() / (argument + ".toml");
  const bool is_preset = fs::is_regular_file(preset, ec);
  const bool local_file = fs::is_regular_file(given, ec);
  if (is_preset && local_file)
    throw UserError(
        fmt::format("{}: error: names both the preset {} and the file ./{} in this directory; write ./{} "
                    "for the file, or rename it",
                    argument, preset.string(), argument, argument));
  if (is_preset) return preset;
  if (local_file)
    throw UserError(
        fmt::format("{}: error: not a preset; for the file in this directory write ./{} (a bare name is "
                    "always a preset: wakesim list workloads)",
                    argument, argument));
  if (fs::is_directory(given, ec)) throw directory_error(argument);
  std::string known;
  const auto names = preset_names();
  for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
  throw UserError(
      fmt::format("{}: error: no such preset{}; presets: {} (wakesim list workloads); a file is named by a "
                  "path, e.g. ./{}.toml",
                  argument, config::did_you_mean(argument, names), known, argument));
}

CommandConfig load_command_config(const std::string& argument, const std::vector<std::string>& overrides, Streams& io) {
  CommandConfig out;
  if (!argument.empty()) out.file = resolve_config_path(argument);
  out.loaded = out.file ? experiment::load_config(out.file, overrides) : experiment::load_default_config(overrides);
  for (const std::string& w : out.loaded.warnings) io.err << w << "\n";
  return out;
}

}  // namespace wakesim::app
