// Parameters of the simulated machine: its shape, the cost of moving cache lines between pCPUs, and
// interrupt delivery. Each default names its source in reference/hw-params.md (the shared reference);
// [I] marks an assumption where no published number exists, stated so that users can override it.
//
// Presets (host.preset) set every value for a real machine; keys written in a configuration override
// single values of the preset.
#pragma once

#include <string>

#include "sim/config/schema.h"
#include "sim/engine/time.h"

namespace wakesim::hw {

struct CacheParams {
  // Defaults: Ice Lake-SP 2S (Xeon Platinum 8375C), one-way CAS latencies from
  // reference/core-to-core-latency.csv (nviennot/core-to-core-latency, medians).
  engine::Time hit = engine::Time::from_ps(1'000);            // L1 hit, 4 cycles (hw-params §1a, AnandTech)
  engine::Time atomic = engine::Time::from_ps(6'000);         // extra for a locked RMW on an owned line [I]:
                                                              // ~18 cycles (Agner Fog's tables, LOCK CMPXCHG)
  engine::Time smt_sibling = engine::Time::from_ps(8'000);    // 8.0 ns, Xeon 8375C SMT pair
  engine::Time same_llc = engine::Time::from_ps(51'300);      // 51.3 ns, same socket (mesh: one LLC per socket)
  engine::Time same_socket = engine::Time::from_ps(51'300);   // other LLC domain of the socket (AMD cross-CCX)
  engine::Time remote_socket = engine::Time::from_ps(107'800);  // 107.8 ns, cross-socket
  engine::Time dram_local = engine::Time::from_ps(89'000);    // 89 ns, ICX 8360Y MLC idle latency (hw-params §1a)
  engine::Time dram_remote = engine::Time::from_ps(143'000);  // 143 ns, ICX 8360Y MLC, remote socket
  // A line untouched this long is no longer cached anywhere and comes from DRAM; 0 keeps lines cached
  // forever. [I]: how long host data survives guest execution depends on the guest's footprint.
  engine::Time evict_after = engine::Time::zero();
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

  static const config::Section<HostParams>& schema();
};

}  // namespace wakesim::hw
