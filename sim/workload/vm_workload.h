// Synthetic VMs on the host: how many, their vCPUs and affinity, and the interrupts that wake them.
// Every vCPU (or the first `device_vcpus` of each VM: interrupt affinity of a multi-queue NVMe or NIC)
// receives
//  - VT-d posted interrupts from an assigned device (an arrival process per vCPU), each a guest request;
//  - guest IPIs: after each device request, with some probability, an IPI to random sibling vCPUs of the
//    same VM, one or several at once (posted by IPIv, or through a VM exit and KVM's software path
//    without). Handling an IPI or a timer triggers no further IPIs, so traffic stays bounded;
//  - guest timer expiries (an arrival process per vCPU), which take KVM's software wake path.
// Host noise tasks (a noisy neighbour) can share the pCPUs: each alternates a CPU burst and a sleep.
// Each stream draws from its own random stream keyed by the vCPU, so every design sees the same
// arrivals and request sizes (common random numbers).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/config/schema.h"
#include "sim/engine/event.h"
#include "sim/engine/random.h"
#include "sim/kernel/kvm.h"
#include "sim/workload/arrival_process.h"

namespace wakesim::workload {

enum class Affinity : uint8_t {
  kPinned,    // vCPU i runs only on pCPU i mod N (1:1 when there are enough pCPUs, else N:1)
  kFloating,  // any of the pCPUs the VMs use
  kSocket,    // VM i floats over one socket (VMs spread round-robin over sockets)
};

struct VmParams {
  int count = 12;
  int vcpus = 4;
  int pcpus = 0;  // the VMs use pCPUs 0..pcpus-1 (Linux order); 0: all of the host's
  // A derived key (sim/experiment/derived_keys.h): vCPUs per pCPU the VMs use, count * vcpus / pcpus.
  // Setting it sets `count` when the configuration is loaded, then it is reset to 0 (not set), so the
  // model reads only `count`; results report the achieved ratio.
  double vcpus_per_pcpu = 0;
  Affinity affinity = Affinity::kFloating;
  ArrivalSpec device_arrivals = ArrivalSpec::poisson(2000);  // VT-d interrupts, per vCPU that takes them
  // A derived key (derived_keys.h): VT-d interrupts per second per pCPU the VMs use. Setting it scales
  // device_arrivals (keeping its shape) to that load, whatever the vCPUs per pCPU, then it is reset to 0.
  engine::Rate device_rate_per_pcpu{0};
  int device_vcpus = 0;  // vCPUs per VM that take device interrupts (the first N); 0: all
  engine::Distribution request = engine::Distribution::exponential(20e6);  // guest work per device interrupt
  double ipi_probability = 0.3;                                            // after a device request, IPI sibling vCPUs
  int ipi_targets = 1;  // siblings per IPI (all of them: a TLB-shootdown-like broadcast)
  engine::Distribution ipi_work = engine::Distribution::exponential(5e6);
  ArrivalSpec timer_arrivals = ArrivalSpec::poisson(250);  // guest timer expiries per vCPU
  engine::Distribution timer_work = engine::Distribution::exponential(2e6);
  // How guest execution pollutes the host's caches (pollution.h): new memory brought into the core per
  // second of guest execution, within the vCPU's working set. 300 MB/s in 8 MiB [I]: a server-like
  // guest, between demand L2 fills (134 B/us) and DRAM traffic (667 B/us) of a Clang build measured on
  // Golden Cove (sim/hw/README.md, "Guest cache pollution").
  engine::ByteRate guest_touch_rate{300e6};
  engine::Bytes guest_footprint = engine::Bytes::mib(8);

  static const config::Section<VmParams>& schema();
};

// Host tasks that compete with the vCPUs for pCPUs: a noisy neighbour.
struct NoiseParams {
  int tasks = 0;  // noise tasks; task i may run on pCPU i mod (pCPUs the VMs use), or anywhere
  bool pinned = true;
  engine::Distribution burst = engine::Distribution::exponential(500e6);  // CPU time per burst
  engine::Distribution sleep = engine::Distribution::exponential(2e9);    // sleep between bursts
  // How a noise task pollutes the caches while it runs: a batch job streaming through data far larger
  // than the LLC, at a streaming thread's DRAM traffic (1.5 GB/s, CloverLeaf, sim/hw/README.md) [I].
  engine::ByteRate touch_rate{1.5e9};
  engine::Bytes footprint = engine::Bytes::mib(256);

  static const config::Section<NoiseParams>& schema();
};

class VmWorkload final : public kernel::GuestModel {
 public:
  VmWorkload(kernel::Kvm& kvm, const VmParams& params, const NoiseParams& noise = {});
  ~VmWorkload() override;
  // Schedules the first arrivals; call after the scheduler has started.
  void start();
  hw::Path after_request(hw::Cpu& cpu, kernel::Vcpu& v, kernel::RequestSource source) override;
  uint64_t requests_completed() const;

 private:
  class Arrivals final : public engine::Event {
   public:
    enum class Kind : uint8_t { kDevice, kTimer };
    Arrivals(VmWorkload& w, kernel::Vcpu& v, Kind kind);
    void fire() override;
    std::string describe() const override;
    void schedule_next();

   private:
    VmWorkload& w_;
    kernel::Vcpu& v_;
    Kind kind_;
    ArrivalProcess process_;
    engine::RandomStream work_;
  };
  class NoiseTask;

  kernel::Kvm& kvm_;
  VmParams params_;
  std::vector<std::vector<kernel::Vcpu*>> vms_;
  std::vector<std::unique_ptr<Arrivals>> arrivals_;
  std::vector<engine::RandomStream> ipi_rng_;                // per vCPU
  std::vector<std::vector<kernel::Vcpu*>> spare_ipi_lists_;  // after_request's target lists, for reuse
  std::vector<std::unique_ptr<NoiseTask>> noise_;
};

}  // namespace wakesim::workload
