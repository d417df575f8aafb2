// The shape of the machine: sockets x cores x SMT threads, with optional last-level-cache domains
// inside a socket (AMD CCX), and the distance class between any two pCPUs.
//
// pCPU numbering follows Linux on Intel servers: first thread 0 of every core, socket by socket, then
// thread 1 of every core, and so on. So pCPUs 0..(cores per socket - 1) share socket 0, and the SMT
// sibling of pCPU p is p + sockets * cores_per_socket.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/time.h"
#include "sim/hw/host_params.h"
#include "sim/hw/ids.h"

namespace wakesim::hw {

enum class Distance : uint8_t {
  kSameThread,    // the same pCPU
  kSmtSibling,    // another thread of the same core (shared L1/L2)
  kSameLlc,       // another core sharing the last-level cache
  kSameSocket,    // another LLC domain of the same socket
  kRemoteSocket,  // another socket
};
inline constexpr int kDistanceClasses = 5;
const char* to_string(Distance d);

class Topology {
 public:
  // Throws engine::UserError if the latency matrix file is unreadable or has the wrong shape.
  explicit Topology(const HostParams& params);

  uint32_t pcpus() const { return pcpus_; }
  int sockets() const { return sockets_; }
  int socket_of(PcpuId p) const { return static_cast<int>(place_[p.value].socket); }
  int core_of(PcpuId p) const { return static_cast<int>(place_[p.value].core); }  // global core number
  int thread_of(PcpuId p) const { return static_cast<int>(p.value / cores_total()); }
  int llc_of(PcpuId p) const { return static_cast<int>(place_[p.value].llc); }  // global LLC domain number
  uint32_t cores() const { return cores_total(); }
  uint32_t llc_domains() const { return static_cast<uint32_t>(sockets_ * llc_per_socket_); }
  int socket_of_llc(uint32_t domain) const { return static_cast<int>(llc_socket_[domain]); }
  // On the hot path of every cache-line transfer: table lookups and compares only.
  Distance distance(PcpuId a, PcpuId b) const {
    if (a == b) return Distance::kSameThread;
    const Place& x = place_[a.value];
    const Place& y = place_[b.value];
    if (x.core == y.core) return Distance::kSmtSibling;
    if (x.socket != y.socket) return Distance::kRemoteSocket;
    return x.llc == y.llc ? Distance::kSameLlc : Distance::kSameSocket;
  }
  // A one-way line-transfer latency from the user's matrix, if one was given.
  std::optional<engine::Time> matrix_latency(PcpuId a, PcpuId b) const {
    if (matrix_.empty()) return std::nullopt;
    return matrix_[static_cast<size_t>(a.value) * pcpus_ + b.value];
  }
  bool has_matrix() const { return !matrix_.empty(); }

 private:
  uint32_t cores_total() const { return static_cast<uint32_t>(sockets_ * cores_per_socket_); }
  uint32_t core_index(PcpuId p) const { return p.value % cores_total(); }

  int sockets_;
  int cores_per_socket_;
  int threads_per_core_;
  int llc_per_socket_;
  int cores_per_llc_;
  uint32_t pcpus_;
  struct Place {
    uint32_t socket, core, llc;
  };
  std::vector<Place> place_;          // per pCPU
  std::vector<uint32_t> llc_socket_;  // per LLC domain: its socket (a table: no division on the hot path)
  std::vector<engine::Time> matrix_;  // pCPU x pCPU, row-major; empty unless host.cache.latency_matrix is set
};

}  // namespace wakesim::hw
