// Reading a file the user names (a configuration, sweep spec, host description, replay trace or latency
// matrix) with a size limit, so that /dev/zero or a multi-gigabyte file by mistake is refused at once
// instead of read until memory runs out.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace wakesim::config {

// 64 MiB: the largest input wakesim reads. A replay trace of 2 million events is about 40 MB; every
// configuration and spec is a few kB.
inline constexpr size_t kMaxInputFileBytes = size_t{64} << 20;

// The file's bytes; nullopt with `error` set ("cannot be opened", "is a directory, not a file", "is a
// device, not a file", "is larger than 64 MiB, the limit for an input file") otherwise.
std::optional<std::string> read_input_file(const std::filesystem::path& file, std::string& error,
                                           size_t limit = kMaxInputFileBytes);

}  // namespace wakesim::config
