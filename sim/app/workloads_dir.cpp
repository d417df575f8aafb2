#include <cstdlib>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/engine/errors.h"

namespace wakesim::app {

std::filesystem::path workloads_dir() {
  if (const char* env = std::getenv("WAKESIM_WORKLOADS"); env != nullptr && *env != 0) return env;
  return std::filesystem::path(WAKESIM_SOURCE_DIR) / "workloads";
}

std::filesystem::path resolve_config_path(const std::string& argument) {
  const std::filesystem::path given(argument);
  if (std::filesystem::exists(given)) return given;
  const std::filesystem::path preset = workloads_dir() / (argument + ".toml");
  if (given.parent_path().empty() && given.extension().empty() && std::filesystem::exists(preset)) return preset;
  throw engine::UserError(fmt::format("{}: error: no such file, and no workload preset of that name "
                                      "(wakesim list workloads)", argument));
}

}  // namespace wakesim::app
