#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/engine/errors.h"
#include "sim/experiment/preflight.h"

namespace wakesim::app {

std::optional<uint64_t> parse_max_memory(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (auto bytes = experiment::parse_bytes(text)) return bytes;
  throw engine::UserError(
      fmt::format("--max-memory {}: error: expected a size such as 16G, 512M or 2GiB (a number with K, M, G or T)", text));
}

}  // namespace wakesim::app
