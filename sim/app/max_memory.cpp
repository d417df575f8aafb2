#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/config/units.h"
#include "sim/engine/errors.h"

namespace wakesim::app {

// The configuration's own size syntax (config::parse_bytes: "16GiB", "512MiB", "64GB").
std::optional<uint64_t> parse_max_memory(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::string error;
  const auto bytes = config::parse_bytes(text, error);
  if (!bytes || bytes->value == 0)
    throw engine::UserError(fmt::format("--max-memory {}: error: {}", text, bytes ? "must be more than 0B" : error));
  return bytes->value;
}

}  // namespace wakesim::app
