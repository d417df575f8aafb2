// Sets of pCPUs: a task's affinity (cpus_ptr), the idle pCPUs, the overloaded runqueues. A bitmap for
// O(1) membership and word-wise intersections, and the members in order for iteration. Affinity sets
// are immutable and shared by every task with the same affinity (Scheduler::cpu_set interns them), so
// 16,384 floating vCPUs on 1,024 pCPUs share one set.
#pragma once

#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sim/hw/ids.h"

namespace wakesim::kernel {

class CpuMask {
 public:
  explicit CpuMask(uint32_t pcpus = 0) : words_((pcpus + 63) / 64, 0) {}
  void set(hw::PcpuId p) { words_[p.value / 64] |= uint64_t{1} << (p.value % 64); }
  void reset(hw::PcpuId p) { words_[p.value / 64] &= ~(uint64_t{1} << (p.value % 64)); }
  bool test(hw::PcpuId p) const { return (words_[p.value / 64] >> (p.value % 64)) & 1; }
  bool any() const {
    for (uint64_t w : words_)
      if (w != 0) return true;
    return false;
  }
  const std::vector<uint64_t>& words() const { return words_; }
  // The first pCPU set in this mask and all `others`, or none.
  template <class... Masks>
  std::optional<hw::PcpuId> first_common(const Masks&... others) const {
    for (size_t i = 0; i < words_.size(); ++i) {
      const uint64_t w = (words_[i] & ... & others.words_[i]);
      if (w != 0) return hw::PcpuId{static_cast<uint32_t>(i * 64 + static_cast<size_t>(std::countr_zero(w)))};
    }
    return std::nullopt;
  }
  // Calls f(pcpu) for every pCPU set, in order.
  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < words_.size(); ++i)
      for (uint64_t w = words_[i]; w != 0; w &= w - 1)
        f(hw::PcpuId{static_cast<uint32_t>(i * 64 + static_cast<size_t>(std::countr_zero(w)))});
  }

 private:
  std::vector<uint64_t> words_;
};

class CpuSet {
 public:
  CpuSet(std::vector<hw::PcpuId> cpus, uint32_t pcpus) : list_(std::move(cpus)), mask_(pcpus) {
    for (hw::PcpuId p : list_) mask_.set(p);
  }
  const std::vector<hw::PcpuId>& list() const { return list_; }
  const CpuMask& mask() const { return mask_; }
  bool contains(hw::PcpuId p) const { return mask_.test(p); }
  size_t size() const { return list_.size(); }
  bool empty() const { return list_.empty(); }
  hw::PcpuId front() const { return list_.front(); }

 private:
  std::vector<hw::PcpuId> list_;
  CpuMask mask_;
};

using CpuSetPtr = std::shared_ptr<const CpuSet>;

}  // namespace wakesim::kernel
