#include "sim/config/input_file.h"

#include <cstdint>
#include <fstream>
#include <system_error>
#include <vector>

#include <fmt/format.h>

namespace wakesim::config {

std::optional<std::string> read_input_file(const std::filesystem::path& file, std::string& error, size_t limit) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (fs::is_directory(status)) {
    error = "is a directory, not a file";
    return std::nullopt;
  }
  // A device (/dev/zero, /dev/urandom) never ends; a regular file's size is known before reading it. A
  // pipe (a shell's <(...)) is read up to the limit.
  if (fs::is_character_file(status) || fs::is_block_file(status)) {
    error = "is a device, not a file";
    return std::nullopt;
  }
  auto too_large = [&] {
    error = limit >= (size_t{1} << 20) ? fmt::format("is larger than {} MiB, the limit for an input file", limit >> 20)
                                       : fmt::format("is larger than {} bytes, the limit for an input file", limit);
  };
  std::error_code size_unknown;  // not a regular file, or its size could not be read: read up to the limit
  const uintmax_t size = fs::is_regular_file(status) ? fs::file_size(file, size_unknown) : 0;
  if (!size_unknown && size > limit) {
    too_large();
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = "cannot be opened";
    return std::nullopt;
  }
  // In chunks up to one byte past the limit: a device or pipe has no size to ask for in advance. 64 KiB
  // chunks: a configuration is a few kB, and zero-filling a 1 MiB buffer for it cost every command about
  // 6 ms of its start on a 2-core VM (51 -> 45 ms for a zero-length lockbench run, farm-bench medians).
  std::string text;
  if (!size_unknown) text.reserve(static_cast<size_t>(size));
  std::vector<char> chunk(size_t{64} << 10);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    text.append(chunk.data(), static_cast<size_t>(in.gcount()));
    if (text.size() > limit) {
      too_large();
      return std::nullopt;
    }
  }
  if (in.bad()) {
    error = "cannot be read";
    return std::nullopt;
  }
  return text;
}

}  // namespace wakesim::config
