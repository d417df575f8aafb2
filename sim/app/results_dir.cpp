// Results directories on the command line: a fresh timestamped one by default, and what --out does to
// one that exists (commands.h: refused unless --force, which replaces it whole).
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "sim/app/commands.h"
#include "sim/engine/errors.h"

namespace wakesim::app {
namespace {

namespace fs = std::filesystem;
using engine::UserError;

bool is_empty_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_empty(dir, ec) && !ec;
}

// The directory `dir` names, made absolute and normal, for comparisons with the current directory.
fs::path canonical_dir(const fs::path& dir) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(fs::absolute(dir), ec);
  return ec ? fs::absolute(dir).lexically_normal() : c;
}

// A sibling of `dir` that does not exist: .NAME.WHAT-PID[-N].
fs::path sibling(const fs::path& dir, const char* what) {
  const fs::path base = canonical_dir(dir);
  const std::string stem = fmt::format(".{}.{}-{}", base.filename().string(), what, ::getpid());
  fs::path p = base.parent_path() / stem;
  std::error_code ec;
  for (int i = 2; fs::exists(p, ec); ++i) p = base.parent_path() / fmt::format("{}-{}", stem, i);
  return p;
}

}  // namespace

std::filesystem::path timestamped_results_dir(const std::string& stem) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::filesystem::path dir = std::filesystem::path("results") / fmt::format("{}-{}", stem, stamp);
  for (int i = 2; std::filesystem::exists(dir); ++i)
    dir = std::filesystem::path("results") / fmt::format("{}-{}-{}", stem, stamp, i);
  return dir;
}

void check_out_dir(const std::filesystem::path& dir, ExistingOut existing) {
  std::error_code ec;
  const std::string name = dir.string();
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec))
    throw UserError(fmt::format("{}: error: --out: exists and is not a directory; choose another --out", name));
  if (is_empty_dir(dir)) return;
  if (existing == ExistingOut::kRefuse)
    throw UserError(
        fmt::format("{}: error: --out: the directory exists and is not empty; add --force to replace it, "
                    "or choose another --out",
                    name));
  const fs::path target = canonical_dir(dir), here = canonical_dir(fs::current_path(ec));
  const auto [t, h] = std::mismatch(target.begin(), target.end(), here.begin(), here.end());
  if (t == target.end())
    throw UserError(
        fmt::format("{}: error: --force: this is the current directory or one above it; it is left "
                    "alone; choose another --out",
                    name));
  if (!fs::is_regular_file(dir / "manifest.json", ec))
    throw UserError(
        fmt::format("{}: error: --force: not a wakesim results directory (it has no manifest.json), so it "
                    "is left alone; choose another --out",
                    name));
}

void write_out_dir(const std::filesystem::path& dir, const std::function<void(const std::filesystem::path&)>& write) {
  std::error_code ec;
  // Always into a fresh sibling first, renamed into place only when complete: a kill, a full disk or an
  // error while writing leaves no partial results directory (a stale .NAME.new-PID at most).
  const fs::path fresh = sibling(dir, "new");
  try {
    write(fresh);
  } catch (...) {
    fs::remove_all(fresh, ec);
    throw;
  }
  if (!fs::exists(dir, ec) || is_empty_dir(dir)) {
    if (fs::exists(dir, ec)) fs::remove(dir, ec);  // an empty directory the user made
    if (::rename(fresh.c_str(), dir.c_str()) == 0) return;
    const std::string reason = std::strerror(errno);
    fs::remove_all(fresh, ec);
    throw UserError(fmt::format("{}: error: cannot move the new results into place: {}", dir.string(), reason));
  }
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    fs::remove_all(fresh, ec);
    return UserError(
        fmt::format("{}: error: --force: cannot {}: {}; the old results are still there", dir.string(), what, reason));
  };
  // One rename swaps them where the file system can; otherwise the old one moves aside first.
  if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(fresh, ec);
    return;
  }
  const fs::path old = sibling(dir, "old");
  if (::rename(dir.c_str(), old.c_str()) != 0) throw fail("move the old directory aside");
  if (::rename(fresh.c_str(), dir.c_str()) != 0) {
    const int saved = errno;
    ::rename(old.c_str(), dir.c_str());
    errno = saved;
    throw fail("move the new directory into place");
  }
  fs::remove_all(old, ec);
}

}  // namespace wakesim::app
