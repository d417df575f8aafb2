// libFuzzer target: any bytes as a configuration file. The loader must accept them or throw UserError
// with its message; never crash, hang or run out of memory. An accepted configuration must survive the
// round trip a run relies on (written as config.toml, loaded again, written again: the same text).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sim/config/loader.h"
#include "sim/engine/errors.h"
#include "sim/experiment/config.h"

using wakesim::experiment::Config;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Config config;
  try {
    wakesim::config::apply_text(Config::schema().info(), &config, text, "fuzz.toml");
    wakesim::config::validate(config, "fuzz.toml");
  } catch (const wakesim::engine::UserError&) {
    return 0;
  }
  const std::string written = wakesim::config::to_toml(config);
  Config again;
  try {
    wakesim::config::apply_text(Config::schema().info(), &again, written, "config.toml");
  } catch (const wakesim::engine::UserError& e) {
    __builtin_trap();  // a configuration the loader accepted wrote a file it cannot read back
  }
  if (wakesim::config::to_toml(again) != written) __builtin_trap();
  return 0;
}
