// Quantities with units in configuration values: durations ("1.2us", "50ns", "2s", "0"), rates
// ("200k/s", "1.5M/s", "40/ms", "10kHz") and counts. Durations are parsed as exact decimals into
// integer picoseconds; a duration finer than 1 ps is an error rather than a silent rounding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/engine/time.h"

namespace wakesim::config {

// Each parser returns the value, or sets `error` to what was expected (for a user-facing message).
std::optional<engine::Time> parse_duration(std::string_view text, std::string& error);
std::optional<engine::Rate> parse_rate(std::string_view text, std::string& error);

std::string format_duration(engine::Time t);  // exact; parse_duration(format_duration(t)) == t
std::string format_rate(engine::Rate r);      // e.g. "200k/s"

}  // namespace wakesim::config
