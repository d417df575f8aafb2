// Measurement memory: an anonymous mapping, 2 MiB aligned, advised MADV_HUGEPAGE and faulted in, so that
// with transparent huge pages (THP "madvise" or "always") a 1 GiB working set needs 512 TLB entries
// instead of 262144 and the chase measures the caches rather than page walks. Whether the kernel
// actually gave huge pages is read back from /proc/self/smaps (AnonHugePages); with THP "never" or
// fragmented memory the buffer still works, on 4 KiB pages, and the report says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wakesim::calibrate {

inline constexpr uint64_t kHugePageBytes = uint64_t{2} << 20;

class HugeBuffer {
 public:
  // Maps `bytes` rounded up to 2 MiB and touches every 4 KiB page. Throws std::runtime_error naming
  // `purpose` and the errno text if the memory cannot be mapped.
  HugeBuffer(uint64_t bytes, std::string_view purpose);
  ~HugeBuffer();
  HugeBuffer(HugeBuffer&& other) noexcept;
  HugeBuffer& operator=(HugeBuffer&&) = delete;
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;

  std::byte* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::string& purpose() const { return purpose_; }
  bool advised() const { return advised_; }  // madvise(MADV_HUGEPAGE) succeeded

  // Bytes of this buffer backed by transparent huge pages (AnonHugePages of the mappings it lies in,
  // at most size()); nullopt when /proc/self/smaps cannot be read.
  std::optional<uint64_t> huge_page_bytes() const;

 private:
  std::byte* data_ = nullptr;
  uint64_t size_ = 0;
  std::string purpose_;
  bool advised_ = false;
};

// One buffer's huge-page outcome, for Results::hugepages and hugepages_detail.
struct HugePageReport {
  std::string purpose;
  uint64_t bytes = 0;
  std::optional<uint64_t> huge_bytes;
  bool advised = false;

  bool backed() const { return huge_bytes && *huge_bytes * 10 >= bytes * 9; }  // >= 90%
  std::string describe() const;
};

HugePageReport report_huge_pages(const HugeBuffer& buffer);

}  // namespace wakesim::calibrate
