#include <ctime>

#include <fmt/format.h>

#include "sim/app/commands.h"

namespace wakesim::app {

std::filesystem::path timestamped_results_dir(const std::string& stem) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::filesystem::path dir = std::filesystem::path("results") / fmt::format("{}-{}", stem, stamp);
  for (int i = 2; std::filesystem::exists(dir); ++i)
    dir = std::filesystem::path("results") / fmt::format("{}-{}-{}", stem, stamp, i);
  return dir;
}

}  // namespace wakesim::app
