// A cache line: the unit of sharing between pCPUs. Every shared object the kernel paths touch (lock
// words, list heads and nodes, posted-interrupt descriptors, task fields, runqueue state) is one or
// more CacheLines embedded in the model object, as the data would be in the kernel.
//
// State follows a MESI-like directory: an exclusive owner (Modified/Exclusive) or a set of sharers.
// The cost model lives in Coherence (coherence.h); this is only the state. `version` counts writes, so
// a spinner can wait for "the line changed" without an event per spin iteration.
#pragma once

#include <cstdint>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <boost/intrusive/list.hpp>

#include "sim/engine/time.h"
#include "sim/hw/ids.h"

namespace wakesim::hw {

class Cpu;

// A context waiting for a line to change (see Cpu::wait_for_change).
struct LineWatcher : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
  Cpu* cpu = nullptr;
  int context = 0;
};

class CacheLine {
 public:
  // `home_socket`: the NUMA node whose memory holds the line (DRAM latency when nobody caches it).
  explicit CacheLine(int home_socket = 0) : home_socket_(home_socket) {}
  CacheLine(const CacheLine&) = delete;
  CacheLine& operator=(const CacheLine&) = delete;

  uint64_t version() const { return version_; }
  int home_socket() const { return home_socket_; }
  void set_home_socket(int socket) { home_socket_ = socket; }
  bool cached() const { return has_owner_ || !sharers_.empty(); }
  bool held_by(PcpuId p) const;

 private:
  friend class Coherence;
  friend class Cpu;
  static constexpr uint32_t kNobody = UINT32_MAX;
  int home_socket_;
  bool has_owner_ = false;
  PcpuId owner_;                                         // valid when has_owner_ (exclusive holder)
  boost::container::small_vector<PcpuId, 4> sharers_;  // read-only copies (when no owner)
  engine::Time busy_until_;                              // the line serves one transfer at a time
  engine::Time last_access_;
  uint64_t version_ = 0;
  boost::intrusive::list<LineWatcher, boost::intrusive::constant_time_size<false>> watchers_;
};

}  // namespace wakesim::hw
