// Reading Linux's CPU description files (/sys/devices/system/cpu, /proc/cpuinfo): whole small text
// files and the kernel's CPU-list format. Missing files are normal (a hypervisor or container may hide
// them), so readers return nullopt rather than throw.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wakesim::calibrate {

// The file's content without the trailing newline; nullopt if it cannot be read.
std::optional<std::string> read_text(const std::filesystem::path& path);
std::optional<int> read_int(const std::filesystem::path& path);

// The kernel's list format, "0-3,8,10-11" -> {0,1,2,3,8,10,11}, sorted; nullopt if malformed.
std::optional<std::vector<int>> parse_cpu_list(std::string_view text);

// A sysfs cache size, "48K", "32768K", "1M", "2048" (bytes) -> bytes; nullopt if malformed.
std::optional<uint64_t> parse_size(std::string_view text);

// The value of the first "key<whitespace>: value" line of /proc/cpuinfo-style text, trimmed.
std::optional<std::string> cpuinfo_field(std::string_view cpuinfo, std::string_view key);

}  // namespace wakesim::calibrate
