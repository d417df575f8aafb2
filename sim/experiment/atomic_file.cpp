#include "sim/experiment/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "sim/engine/errors.h"

namespace wakesim::experiment {

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  auto fail = [&](const char* what) {
    throw engine::UserError(fmt::format("{}: error: cannot {}: {}", path.string(), what, std::strerror(errno)));
  };
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) throw engine::UserError(fmt::format("{}: error: cannot create the directory: {}", path.parent_path().string(), ec.message()));
  }
  const std::filesystem::path temporary = path.string() + fmt::format(".tmp.{}", ::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("create a temporary file");
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(temporary.c_str());
      fail("write");
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temporary.c_str());
    fail("flush");
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    fail("rename the temporary file into place");
  }
}

}  // namespace wakesim::experiment
