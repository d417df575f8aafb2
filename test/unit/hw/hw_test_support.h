// A small machine with round numbers, for hardware-model tests: 2 sockets x 2 cores x 2 threads,
// L1d 32 KiB, L2 512 KiB, LLC 8 MiB per socket.
#pragma once

#include "sim/engine/simulation.h"
#include "sim/hw/machine.h"

namespace wakesim::hw::testing {

using namespace engine::literals;

inline HostParams small_host() {
  HostParams h;
  h.preset = "test";
  h.sockets = 2;
  h.cores_per_socket = 2;
  h.threads_per_core = 2;
  h.llc_per_socket = 1;
  h.cache.l1_latency = 1_ns;
  h.cache.l2_latency = 4_ns;
  h.cache.llc_latency = 20_ns;
  h.cache.l1_size = engine::Bytes::kib(32);
  h.cache.l2_size = engine::Bytes::kib(512);
  h.cache.llc_size = engine::Bytes::mib(8);
  h.cache.device_writes_to_llc = false;
  h.cache.atomic = 5_ns;
  h.cache.smt_sibling = 10_ns;
  h.cache.same_llc = 50_ns;
  h.cache.same_socket = 70_ns;
  h.cache.remote_socket = 100_ns;
  h.cache.dram_local = 80_ns;
  h.cache.dram_remote = 140_ns;
  h.irq.entry = 200_ns;
  h.irq.exit = 100_ns;
  h.irq.ipi_self = 50_ns;
  h.irq.ipi_same_socket = 500_ns;
  h.irq.ipi_remote_socket = 700_ns;
  h.irq.device_notification = 400_ns;
  return h;
}

}  // namespace wakesim::hw::testing
