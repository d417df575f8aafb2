// Parameters of the simulated machine: its shape, the cost of moving cache lines between pCPUs, and
// interrupt delivery. Each default names its source in reference/hw-params.md (the shared reference);
// [I] marks an assumption where no published number exists, stated so that users can override it.
//
// Presets (host.preset) set every value for a real machine; keys written in a configuration override
// single values of the preset. host.preset may also name a host file (a path: it contains '/' or ends
// in .toml, relative to the configuration that names it), such as `wakesim calibrate` writes for the
// machine it ran on: its [host] table is applied as the preset.
#pragma once

#include <string>

#include "sim/config/schema.h"
#include "sim/engine/bytes.h"
#include "sim/engine/time.h"
#include "sim/hw/idle_states.h"

namespace wakesim::hw {

// The memory hierarchy (shared/DESIGN.md §4): per core a private L1d and L2 (shared by its SMT threads),
// per LLC domain (a socket on Intel's mesh, a CCX on AMD) a shared last-level cache, then DRAM. A
// modelled line costs what its location costs: a hit in the level it sits in (sizes, ways and
// pollution decide, see cache_levels.h and pollution.h), a transfer from another core by distance, or
// DRAM. Defaults are the Ice Lake-SP 2S preset; each value's source is in sim/hw/README.md (the
// project's sourced table) and reference/hw-params.md §1a.
struct CacheParams {
  // Ice Lake-SP (Sunny Cove, Xeon Platinum 8375C at its 3.5 GHz all-core turbo). Tags as in
  // reference/hw-params.md: [P] primary, [D] derived, [S] secondary, [I] assumption (sim/hw/README.md).
  engine::Bytes l1_size = engine::Bytes::kib(48);  // 48 KiB, 12-way [D] CPUID leaf 4
  int l1_ways = 12;
  engine::Time l1_latency = engine::Time::from_ps(1'430);  // 5 cycles [P] InstLatx64 ICX
  engine::Bytes l2_size = engine::Bytes::kib(1280);        // 1.25 MiB, 20-way [D] CPUID leaf 4
  int l2_ways = 20;
  engine::Time l2_latency = engine::Time::from_ps(4'000);  // 14 cycles [D] Willow Cove, same L2
  engine::Bytes llc_size = engine::Bytes::mib(54);         // per socket, 1.5 MiB/core, 12-way [D]
  int llc_ways = 12;
  engine::Time llc_latency = engine::Time::from_ps(22'000);  // [I]: no readable ICX figure
  engine::Time atomic = engine::Time::from_ps(5'700);        // LOCK ADD on an L1 line, 20 cycles [P]
  // One-way transfer of a line held in another core's private caches (the CAS ping-pong numbers,
  // reference/core-to-core-latency.csv, medians), by distance.
  engine::Time smt_sibling = engine::Time::from_ps(8'000);
  engine::Time same_llc = engine::Time::from_ps(51'300);
  engine::Time same_socket = engine::Time::from_ps(51'300);  // another LLC domain of the socket (AMD cross-CCX)
  engine::Time remote_socket = engine::Time::from_ps(107'800);
  engine::Time dram_local = engine::Time::from_ps(89'000);  // MLC idle latency, ICX 8360Y [P]
  engine::Time dram_remote = engine::Time::from_ps(143'000);
  // Outstanding misses per pCPU (L1d fill buffers): RFOs of buffered stores and loads issued early.
  // Sunny Cove 12 [S]; Skylake sustains 10-13 store misses in flight (T. Downs 2019) [P/D].
  int fill_buffers = 12;
  // Device (IOMMU, DMA) writes allocate the line in the LLC of its home socket (Intel DDIO, on by
  // default, [P] on Skylake-SP, [I] here) rather than leaving it only in DRAM.
  bool device_writes_to_llc = true;
  // Scan resistance of the LLC: the share of the LLC a streamed byte of unmodelled work (guest, host
  // tasks) displaces, relative to a modelled line that is used again (pollution.h). 1 is plain LRU.
  // 0.4 [I]: Intel's LLCs insert adaptively since Ivy Bridge (H. Wong 2013,
  // stuffedcow.net/2013/01/ivb-cache-replacement); on this project's Zen 5 VM `wakesim calibrate`
  // fitted 0.2-1.0 over four runs (results/calibration/, sim/hw/README.md). Calibrate fits it per machine.
  double llc_pollution_weight = 0.4;
  // Optional CSV of one-way line-transfer latencies in ns, one row per pCPU (overrides the classes).
  std::string latency_matrix;

  static const config::Section<CacheParams>& schema();
};

struct IrqParams {
  // No authoritative bare-metal IPI latency was found (hw-params §1c, "gap"); guest-measured one-way
  // IPIs take 1.32-1.45 us including virtualization, which bounds these from above. [I]
  engine::Time ipi_self = engine::Time::from_ps(100'000);
  engine::Time ipi_same_socket = engine::Time::from_ps(500'000);
  engine::Time ipi_remote_socket = engine::Time::from_ps(700'000);
  // IOMMU / posted-interrupt notification to a pCPU. [I] (no measurement found, kvm-wakeup-paths §5)
  engine::Time device_notification = engine::Time::from_ps(500'000);
  // Hard-IRQ entry (vector dispatch, register save) and exit (EOI, iret). [I], a few hundred cycles.
  engine::Time entry = engine::Time::from_ps(150'000);
  engine::Time exit = engine::Time::from_ps(100'000);

  static const config::Section<IrqParams>& schema();
};

struct HostParams {
  std::string preset = "icelake-2s";
  int sockets = 2;
  int cores_per_socket = 32;
  int threads_per_core = 2;
  int llc_per_socket = 1;  // last-level-cache domains per socket (AMD CCX); 1 on Intel
  CacheParams cache;
  IrqParams irq;
  IdleStatesParams idle;

  static const config::Section<HostParams>& schema();
};

}  // namespace wakesim::hw
