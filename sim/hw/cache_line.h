// A cache line: the unit of sharing between pCPUs. Every shared object the kernel paths touch (lock
// words, list heads and nodes, posted-interrupt descriptors, task fields, runqueue state) is one or
// more CacheLines embedded in the model object, as the data would be in the kernel.
//
// State follows a MESI-like directory over *copies*: each copy is held by a pCPU (in its core's private
// L1/L2) or only by an LLC domain (a line written back from a private cache, or allocated there by a
// device write). A copy remembers the pollution counters of its core and LLC domain at its last access,
// so the cost model (Coherence, CacheLevels) can tell which level it has since been pushed down to. A
// write leaves one copy (Modified); reads add shared copies. The cost model lives in
// coherence.h; this is only the state. `version` counts writes, so a spinner can wait for "the line
// changed" without an event per spin iteration.
#pragma once

#include <cstdint>

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

// The pollution counters of a core or an LLC domain when a line was last accessed there (pollution.h).
struct PollutionMark {
  uint64_t bytes = 0;
  uint64_t footprint = 0;
};

// One cached copy of a line.
struct LineCopy {
  static constexpr uint32_t kNoPcpu = UINT32_MAX;
  uint32_t pcpu = kNoPcpu;  // the holder, or kNoPcpu for a copy only in the LLC of `domain`
  uint32_t domain = 0;      // LLC domain of the copy
  PollutionMark core_mark;  // the holder core's pollution counters at its last access (pollution.h)
  PollutionMark llc_mark;   // the domain's counters at the last access from that domain
  bool in_private() const { return pcpu != kNoPcpu; }
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
  // Whether `p` has a copy recorded (it may since have been evicted by pollution: Coherence knows).
  bool held_by(PcpuId p) const;
  // Room for `n` copies (pCPUs or LLC domains holding it) without allocating during the run: for a
  // line that many pCPUs read between two writes (two fit inline).
  void reserve_copies(size_t n) { copies_.reserve(n); }

 private:
  friend class Coherence;
  friend class Cpu;
  int home_socket_;
  uint32_t id_ = 0;  // given by Coherence at the first access, in access order (deterministic)
  boost::container::small_vector<LineCopy, 2> copies_;
  // Pollution::all_cores_floor() at or before the last access of every private copy in copies_: how
  // Coherence knows, from one counter, that every copy is still surely in its holder's L2.
  uint64_t copies_marked_after_ = 0;
  engine::Time busy_until_;  // the line serves one transfer at a time
  uint64_t version_ = 0;
  boost::intrusive::list<LineWatcher, boost::intrusive::constant_time_size<false>> watchers_;
};

}  // namespace wakesim::hw
