#include "sim/engine/errors.h"

namespace wakesim::engine {

void check_failed(const char* condition, const char* file, int line, const std::string& message) {
  throw InternalError(fmt::format("{}:{}: check failed: {}: {}", file, line, condition, message));
}

}  // namespace wakesim::engine
