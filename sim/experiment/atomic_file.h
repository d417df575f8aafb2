// Writes a file so that readers see either the old content or the complete new content, never a
// partial file: write a temporary next to it, flush it to disk, then rename it over the target.
#pragma once

#include <filesystem>
#include <string_view>

namespace wakesim::experiment {

// Throws engine::UserError (naming the path and the system's reason) when the file cannot be written.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Removes, anywhere below `dir`, the temporaries ("NAME.tmp.PID") that a process killed between write and
// rename left behind, if that process is gone (a live one may still rename its file). Returns how many.
size_t remove_stale_temporaries(const std::filesystem::path& dir);

}  // namespace wakesim::experiment
