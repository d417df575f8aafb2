// Quantities with units in configuration values: durations ("1.2us", "50ns", "2s", "0"), rates
// ("200k/s", "1.5M/s", "40/ms", "10kHz"), memory sizes ("48KiB", "1.25MiB", "54MB") and memory
// touch rates ("2GB/s", "1.5KiB/us"), and counts. Durations are parsed as exact decimals into
// integer picoseconds; a duration finer than 1 ps is an error rather than a silent rounding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/engine/bytes.h"
#include "sim/engine/time.h"

namespace wakesim::config {

// Each parser returns the value, or sets `error` to what was expected (for a user-facing message).
std::optional<engine::Time> parse_duration(std::string_view text, std::string& error);
std::optional<engine::Rate> parse_rate(std::string_view text, std::string& error);

// Sizes: B, kB/KB, MB, GB (powers of 1000) and KiB, MiB, GiB (powers of 1024); a fraction must come to
// whole bytes ("1.25MiB" is 1310720 B).
std::optional<engine::Bytes> parse_bytes(std::string_view text, std::string& error);
// A size per time unit: "2GB/s", "500MiB/s", "1.5KiB/us", "64B/ns".
std::optional<engine::ByteRate> parse_byte_rate(std::string_view text, std::string& error);

std::string format_duration(engine::Time t);       // exact; parse_duration(format_duration(t)) == t
std::string format_rate(engine::Rate r);           // e.g. "200k/s"
std::string format_bytes(engine::Bytes b);         // exact, e.g. "1280KiB"
std::string format_byte_rate(engine::ByteRate r);  // e.g. "2GB/s"

}  // namespace wakesim::config
