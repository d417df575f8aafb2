#include "sim/hw/host_params.h"

#include "sim/config/loader.h"

namespace wakesim::hw {
namespace {

using engine::Time;
Time ns(double v) { return Time::from_ns(v); }

// Intel Xeon Platinum 8375C (Ice Lake-SP), AWS c6i.metal: 2 x 32 cores x 2 threads, one LLC per socket.
// Every value and its source: sim/hw/README.md.
void icelake_2s(HostParams& h) {
  h = HostParams{};  // the struct defaults are this machine
}

// Intel Xeon Platinum 8480+ (Sapphire Rapids, Golden Cove) 2S: 56 cores x 2 threads per socket, one
// LLC per socket (no SNC), at its 3.0 GHz all-core turbo. L1d 48 KiB 12-way, 5 cycles [P]; L2 2 MiB
// 16-way, 16 cycles [S]; LLC 105 MiB 15-way [D], ~33 ns [S]; core-to-core < 100 ns within a socket
// (90 ns here) and 120-150 ns across (135 ns) [S]; SMT sibling 6 ns [I] (client Golden Cove 4.3 ns [P]
// at a higher clock); DRAM 110 / 190 ns [I] (bounded by ICX 89/143 and Genoa 107/200 [P]); LOCK ADD
// 18 cycles [P]; 16 fill buffers [S]; DDIO on [I]. Idle states: intel_idle.c spr_cstates (v6.x): C1
// 1/1 us; C1E 2/4 us but not registered by default (C1 and C1E exclude each other on SPR, and
// intel_idle keeps C1); C6 290 us exit, 800 us target residency (the package-C6 worst case) [P].
void sapphire_rapids_2s(HostParams& h) {
  h = HostParams{};
  h.cores_per_socket = 56;
  CacheParams& c = h.cache;
  c.l1_size = engine::Bytes::kib(48);
  c.l1_ways = 12;
  c.l1_latency = ns(1.67);
  c.l2_size = engine::Bytes::mib(2);
  c.l2_ways = 16;
  c.l2_latency = ns(5.3);
  c.llc_size = engine::Bytes::mib(105);
  c.llc_ways = 15;
  c.llc_latency = ns(33);
  c.atomic = ns(6);
  c.smt_sibling = ns(6);
  c.same_llc = c.same_socket = ns(90);
  c.remote_socket = ns(135);
  c.dram_local = ns(110);
  c.dram_remote = ns(190);
  c.fill_buffers = 16;
  c.device_writes_to_llc = true;
  IdleStatesParams& idle = h.idle;
  idle.c1_exit = idle.c1_residency = ns(1'000);
  idle.c1e = false;
  idle.c1e_exit = ns(2'000);
  idle.c1e_residency = ns(4'000);
  idle.c6_exit = ns(290'000);
  idle.c6_residency = ns(800'000);
}

// AMD EPYC 7R13 (Zen 3 Milan), AWS c6a.metal: 2 x 48 cores x 2 threads, 6 CCX of 8 cores per socket,
// at 3.6 GHz. L1d 32 KiB 8-way, 4 cycles [P]; L2 512 KiB 8-way, 12 cycles [P]; L3 32 MiB 16-way per CCX
// (a victim cache), 46 cycles [P]; SMT 9.8 ns, same CCX 22.7 ns, cross-CCX 107.6 ns, cross-socket
// 198.3 ns (core-to-core-latency.csv) [D]; DRAM 115 / 195 ns [I] (bounded by Rome 113-122 ns and
// Genoa 107 / 200 ns [P]); LOCK ADD 7 cycles [P]; 24 outstanding L1 misses [M]; no DDIO (Milan has no
// L3 cache injection; SDCIAE = 0 in CPUID [D]). Idle states come from the firmware's ACPI _CST (no
// intel_idle table): C1 (MWAIT) 1 us and C2 (core CC6, I/O port) 400 us latency [S] (FreeBSD review
// D47444 reads ~400 us for C2 on an EPYC 7502P; the same firmware family), with acpi_idle's target
// residency of twice the latency (drivers/acpi/processor_idle.c, latency_factor = 2) [P]: C1 2 us,
// CC6 800 us. No C1E.
void epyc_milan_2s(HostParams& h) {
  h = HostParams{};
  h.cores_per_socket = 48;
  h.llc_per_socket = 6;
  CacheParams& c = h.cache;
  c.l1_size = engine::Bytes::kib(32);
  c.l1_ways = 8;
  c.l1_latency = ns(1.1);
  c.l2_size = engine::Bytes::kib(512);
  c.l2_ways = 8;
  c.l2_latency = ns(3.3);
  c.llc_size = engine::Bytes::mib(32);
  c.llc_ways = 16;
  c.llc_latency = ns(12.8);
  c.atomic = ns(1.9);
  c.smt_sibling = ns(9.8);
  c.same_llc = ns(22.7);
  c.same_socket = ns(107.6);
  c.remote_socket = ns(198.3);
  c.dram_local = ns(115);
  c.dram_remote = ns(195);
  c.fill_buffers = 24;
  c.device_writes_to_llc = false;
  IdleStatesParams& idle = h.idle;
  idle.c1_exit = ns(1'000);
  idle.c1_residency = ns(2'000);
  idle.c1e = false;
  idle.c6_exit = ns(400'000);
  idle.c6_residency = ns(800'000);
}

}  // namespace

const config::Section<CacheParams>& CacheParams::schema() {
  const config::FieldOptions<Time> non_negative{.min = Time::zero()};
  const config::FieldOptions<int> ways{.min = 1, .max = 1024};
  const config::FieldOptions<engine::Bytes> size{.min = engine::Bytes{64}};
  static const auto s =
      config::Section<CacheParams>("cache", "the memory hierarchy: cache levels, transfers, DRAM")
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
          .field(&CacheParams::same_llc, "same_llc", "line transfer between cores sharing a last-level cache",
                 non_negative)
          .field(&CacheParams::same_socket, "same_socket", "line transfer between LLC domains of one socket",
                 non_negative)
          .field(&CacheParams::remote_socket, "remote_socket", "line transfer across sockets", non_negative)
          .field(&CacheParams::dram_local, "dram_local", "fetch of an uncached line homed on the local socket",
                 non_negative)
          .field(&CacheParams::dram_remote, "dram_remote", "fetch of an uncached line homed on another socket",
                 non_negative)
          .field(&CacheParams::fill_buffers, "fill_buffers",
                 "outstanding misses per pCPU (L1d fill buffers: early store RFOs and overlapped loads)",
                 {.min = 1, .max = 256})
          .field(&CacheParams::device_writes_to_llc, "device_writes_to_llc",
                 "device and IOMMU writes allocate the line in the LLC (Intel DDIO) instead of memory only")
          .field(&CacheParams::llc_pollution_weight, "llc_pollution_weight",
                 "share of the LLC a streamed byte of unmodelled work displaces (1: LRU; below: scan-resistant)",
                 {.min = 0.0, .max = 1.0})
          .field(&CacheParams::latency_matrix, "latency_matrix",
                 "CSV of one-way transfer latencies in ns, one row per pCPU (overrides the classes)")
          .check([](const CacheParams& c) -> config::Problem {
            if (c.l2_size < c.l1_size)
              return fmt::format("l2_size ({}) must be at least l1_size ({})", c.l2_size, c.l1_size);
            return std::nullopt;
          });
  return s;
}

const config::Section<IrqParams>& IrqParams::schema() {
  const config::FieldOptions<Time> non_negative{.min = Time::zero()};
  static const auto s =
      config::Section<IrqParams>("irq", "interrupt delivery and handling costs")
          .field(&IrqParams::ipi_self, "ipi_self", "self-IPI delivery", non_negative)
          .field(&IrqParams::ipi_same_socket, "ipi_same_socket", "IPI delivery within a socket", non_negative)
          .field(&IrqParams::ipi_remote_socket, "ipi_remote_socket", "IPI delivery across sockets", non_negative)
          .field(&IrqParams::device_notification, "device_notification", "device / IOMMU notification to a pCPU",
                 non_negative)
          .field(&IrqParams::entry, "entry", "hard-IRQ entry", non_negative)
          .field(&IrqParams::exit, "exit", "hard-IRQ exit", non_negative);
  return s;
}

namespace {
// A host description file, as `wakesim calibrate` writes: its [host] table on top of the defaults (it
// may name a built-in preset as its base); its [calibration] table is the measurement it came from.
config::Problem load_host_file(HostParams& h, const std::string& path) {
  HostParams loaded{};
  if (config::Problem p = config::apply_file_table(HostParams::schema().info(), &loaded, path, "host", {"calibration"}))
    return fmt::format("the host file '{}' has problems:\n{}", path, *p);
  h = loaded;
  return std::nullopt;
}
}  // namespace

const config::Section<HostParams>& HostParams::schema() {
  static const auto s =
      config::Section<HostParams>("host", "the simulated machine")
          .preset(&HostParams::preset, "preset", "a real machine whose values every other host key overrides",
                  {{"icelake-2s", icelake_2s},
                   {"sapphire-rapids-2s", sapphire_rapids_2s},
                   {"epyc-milan-2s", epyc_milan_2s}},
                  load_host_file)
          .field(&HostParams::sockets, "sockets", "CPU sockets", {.min = 1, .max = 16})
          .field(&HostParams::cores_per_socket, "cores_per_socket", "cores per socket", {.min = 1, .max = 1024})
          .field(&HostParams::threads_per_core, "threads_per_core", "SMT threads per core", {.min = 1, .max = 8})
          .field(&HostParams::llc_per_socket, "llc_per_socket", "last-level-cache domains per socket (AMD CCX count)",
                 {.min = 1, .max = 64})
          .section(&HostParams::cache, "cache", CacheParams::schema())
          .section(&HostParams::irq, "irq", IrqParams::schema())
          .section(&HostParams::idle, "idle", IdleStatesParams::schema())
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
