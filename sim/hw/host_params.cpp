#include "sim/hw/host_params.h"

namespace wakesim::hw {
namespace {

using engine::Time;
Time ns(double v) { return Time::from_ns(v); }

// Intel Xeon Platinum 8375C (Ice Lake-SP), AWS c6i.metal: 2 x 32 cores x 2 threads, one LLC per socket.
void icelake_2s(HostParams& h) {
  h = HostParams{};  // the struct defaults are this machine
}

// Intel Sapphire Rapids 2S (Xeon Platinum 8480+: 56 cores). Core-to-core within a socket "< 100 ns" and
// 120-150 ns across sockets (hw-params §1a, Chips and Cheese via a secondary summary [S]): 90 ns and
// 135 ns here. SMT and DRAM values are taken from Ice Lake [I]: no SPR figure was found.
void sapphire_rapids_2s(HostParams& h) {
  h = HostParams{};
  h.cores_per_socket = 56;
  h.cache.same_llc = h.cache.same_socket = ns(90);
  h.cache.remote_socket = ns(135);
}

// AMD EPYC 7R13 (Zen 3 Milan), AWS c6a.metal: 2 x 48 cores x 2 threads, 6 CCX of 8 cores per socket.
// SMT 9.8 ns, same CCX 22.7 ns, cross-CCX 107.6 ns, cross-socket 198.3 ns (core-to-core-latency.csv).
// DRAM 106 / 200 ns local / remote: the EPYC 9224 (Zen 4) MLC log of hw-params §1a [I for Milan].
void epyc_milan_2s(HostParams& h) {
  h = HostParams{};
  h.cores_per_socket = 48;
  h.llc_per_socket = 6;
  h.cache.smt_sibling = ns(9.8);
  h.cache.same_llc = ns(22.7);
  h.cache.same_socket = ns(107.6);
  h.cache.remote_socket = ns(198.3);
  h.cache.dram_local = ns(106);
  h.cache.dram_remote = ns(200);
}

}  // namespace

const config::Section<CacheParams>& CacheParams::schema() {
  const config::FieldOptions<Time> non_negative{.min = Time::zero()};
  const config::FieldOptions<int> ways{.min = 1, .max = 1024};
  const config::FieldOptions<engine::Bytes> size{.min = engine::Bytes{64}};
  static const auto s = config::Section<CacheParams>("cache", "the memory hierarchy: cache levels, transfers, DRAM")
      .field(&CacheParams::l1_size, "l1_size", "L1 data cache per core", size)
      .field(&CacheParams::l1_ways, "l1_ways", "L1d associativity (sets how sharply pollution evicts)", ways)
      .field(&CacheParams::l1_latency, "l1_latency", "load-to-use latency of an L1d hit", non_negative)
      .field(&CacheParams::l2_size, "l2_size", "private L2 per core", size)
      .field(&CacheParams::l2_ways, "l2_ways", "L2 associativity", ways)
      .field(&CacheParams::l2_latency, "l2_latency", "load-to-use latency of an L2 hit", non_negative)
      .field(&CacheParams::llc_size, "llc_size", "last-level cache per LLC domain (socket, or AMD CCX)", size)
      .field(&CacheParams::llc_ways, "llc_ways", "LLC associativity", ways)
      .field(&CacheParams::llc_latency, "llc_latency", "load-to-use latency of a hit in the pCPU's own LLC",
             non_negative)
      .field(&CacheParams::atomic, "atomic", "extra cost of a locked read-modify-write", non_negative)
      .field(&CacheParams::smt_sibling, "smt_sibling", "line transfer between SMT siblings", non_negative)
      .field(&CacheParams::same_llc, "same_llc", "line transfer between cores sharing a last-level cache", non_negative)
      .field(&CacheParams::same_socket, "same_socket", "line transfer between LLC domains of one socket", non_negative)
      .field(&CacheParams::remote_socket, "remote_socket", "line transfer across sockets", non_negative)
      .field(&CacheParams::dram_local, "dram_local", "fetch of an uncached line homed on the local socket", non_negative)
      .field(&CacheParams::dram_remote, "dram_remote", "fetch of an uncached line homed on another socket", non_negative)
      .field(&CacheParams::fill_buffers, "fill_buffers",
             "outstanding misses per pCPU (L1d fill buffers: early store RFOs and overlapped loads)",
             {.min = 1, .max = 256})
      .field(&CacheParams::device_writes_to_llc, "device_writes_to_llc",
             "device and IOMMU writes allocate the line in the LLC (Intel DDIO) instead of memory only")
      .field(&CacheParams::latency_matrix, "latency_matrix",
             "CSV of one-way transfer latencies in ns, one row per pCPU (overrides the classes)")
      .check([](const CacheParams& c) -> config::Problem {
        if (c.l2_size < c.l1_size) return fmt::format("l2_size ({}) must be at least l1_size ({})", c.l2_size, c.l1_size);
        return std::nullopt;
      });
  return s;
}

const config::Section<IrqParams>& IrqParams::schema() {
  const config::FieldOptions<Time> non_negative{.min = Time::zero()};
  static const auto s = config::Section<IrqParams>("irq", "interrupt delivery and handling costs")
      .field(&IrqParams::ipi_self, "ipi_self", "self-IPI delivery", non_negative)
      .field(&IrqParams::ipi_same_socket, "ipi_same_socket", "IPI delivery within a socket", non_negative)
      .field(&IrqParams::ipi_remote_socket, "ipi_remote_socket", "IPI delivery across sockets", non_negative)
      .field(&IrqParams::device_notification, "device_notification", "device / IOMMU notification to a pCPU",
             non_negative)
      .field(&IrqParams::entry, "entry", "hard-IRQ entry", non_negative)
      .field(&IrqParams::exit, "exit", "hard-IRQ exit", non_negative);
  return s;
}

const config::Section<HostParams>& HostParams::schema() {
  static const auto s = config::Section<HostParams>("host", "the simulated machine")
      .preset(&HostParams::preset, "preset", "a real machine whose values every other host key overrides",
              {{"icelake-2s", icelake_2s}, {"sapphire-rapids-2s", sapphire_rapids_2s}, {"epyc-milan-2s", epyc_milan_2s}})
      .field(&HostParams::sockets, "sockets", "CPU sockets", {.min = 1, .max = 16})
      .field(&HostParams::cores_per_socket, "cores_per_socket", "cores per socket", {.min = 1, .max = 1024})
      .field(&HostParams::threads_per_core, "threads_per_core", "SMT threads per core", {.min = 1, .max = 8})
      .field(&HostParams::llc_per_socket, "llc_per_socket", "last-level-cache domains per socket (AMD CCX count)",
             {.min = 1, .max = 64})
      .section(&HostParams::cache, "cache", CacheParams::schema())
      .section(&HostParams::irq, "irq", IrqParams::schema())
      .check([](const HostParams& h) -> config::Problem {
        if (h.cores_per_socket % h.llc_per_socket != 0)
          return fmt::format("cores_per_socket ({}) must be a multiple of llc_per_socket ({})", h.cores_per_socket,
                             h.llc_per_socket);
        if (static_cast<int64_t>(h.sockets) * h.cores_per_socket * h.threads_per_core > 65536)
          return "more than 65536 pCPUs";
        return std::nullopt;
      });
  return s;
}

}  // namespace wakesim::hw
