#include "sim/calibrate/huge_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "sim/calibrate/sizes.h"

namespace wakesim::calibrate {
namespace {

uint64_t round_up(uint64_t value, uint64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

HugeBuffer::HugeBuffer(uint64_t bytes, std::string_view purpose) : purpose_(purpose) {
  if (bytes == 0) throw std::logic_error(fmt::format("HugeBuffer for {}: zero bytes", purpose));
  size_ = round_up(bytes, kHugePageBytes);
  // Over-map by one huge page and trim, so that the buffer starts on a 2 MiB boundary: only an aligned
  // 2 MiB range of a mapping can be backed by a huge page.
  const uint64_t reserved = size_ + kHugePageBytes;
  void* raw = mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED)
    throw std::runtime_error(fmt::format("cannot map {} for the {}: {}", format_bytes(size_), purpose,
                                         std::error_code(errno, std::generic_category()).message()));
  // Pointer arithmetic on the mapping (not integer casts back to pointers, which lose provenance).
  std::byte* const start = static_cast<std::byte*>(raw);
  const auto base = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = round_up(base, kHugePageBytes);
  if (aligned > base) munmap(raw, aligned - base);
  std::byte* const tail = start + (aligned - base) + size_;
  if (start + reserved > tail) munmap(tail, static_cast<size_t>(start + reserved - tail));
  data_ = start + (aligned - base);
  advised_ = madvise(data_, size_, MADV_HUGEPAGE) == 0;
  // Fault everything in now, outside any timed region. One write per 4 KiB page: with THP the first
  // write of each 2 MiB range allocates the whole huge page and the others hit it.
  for (uint64_t offset = 0; offset < size_; offset += 4096) *reinterpret_cast<volatile std::byte*>(data_ + offset) = {};
}

HugeBuffer::HugeBuffer(HugeBuffer&& other) noexcept
    : data_(other.data_), size_(other.size_), purpose_(std::move(other.purpose_)), advised_(other.advised_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

HugeBuffer::~HugeBuffer() {
  if (data_) munmap(data_, size_);
}

std::optional<uint64_t> HugeBuffer::huge_page_bytes() const {
  std::ifstream smaps("/proc/self/smaps");
  if (!smaps) return std::nullopt;
  const auto begin = reinterpret_cast<uintptr_t>(data_);
  const uintptr_t end = begin + size_;
  // Each mapping starts with "lo-hi perms offset dev inode [path]" and is followed by "Key: value kB"
  // lines. A mapping the kernel merged with a neighbour can report the neighbour's huge pages too,
  // hence the clamp to size_.
  bool inside = false;
  bool seen = false;
  uint64_t huge_kib = 0;
  std::string line;
  while (std::getline(smaps, line)) {
    unsigned long lo = 0, hi = 0;
    int consumed = 0;  // a "Key: value" line never parses as "hex-hex "
    if (std::sscanf(line.c_str(), "%lx-%lx %n", &lo, &hi, &consumed) == 2 && consumed > 0) {
      inside = lo < end && hi > begin;
      seen = seen || inside;
      continue;
    }
    unsigned long kib = 0;
    if (inside && std::sscanf(line.c_str(), "AnonHugePages: %lu kB", &kib) == 1) huge_kib += kib;
  }
  if (!seen) return std::nullopt;
  return std::min<uint64_t>(huge_kib * 1024, size_);
}

std::string HugePageReport::describe() const {
  if (!huge_bytes)
    return fmt::format("{} {}: huge pages requested{}, /proc/self/smaps unreadable", purpose, format_bytes(bytes),
                       advised ? "" : " but madvise failed");
  return fmt::format("{} {}: {} in huge pages{}", purpose, format_bytes(bytes), format_bytes(*huge_bytes),
                     advised ? "" : " (madvise(MADV_HUGEPAGE) failed)");
}

HugePageReport report_huge_pages(const HugeBuffer& buffer) {
  return {buffer.purpose(), buffer.size(), buffer.huge_page_bytes(), buffer.advised()};
}

}  // namespace wakesim::calibrate
