// The loaded KVM host the design tests stress: 8 pCPUs of an Ice Lake-SP (one thread per core), 8 VMs
// of 4 floating vCPUs, device interrupts, guest IPIs and timers, so that the wakeup-vector, software
// and sched_in paths all run often and race. Shared by the conformance suite (every registered design)
// and the mutation tests (which must fail a broken design on the same load); each adds its own run.*
// and design.* settings.
#pragma once

#include <string>
#include <vector>

namespace wakesim::testing {

inline std::vector<std::string> loaded_kvm_host() {
  return {"scenario=kvm",
          "host.preset=icelake-2s",
          "host.cores_per_socket=4",
          "host.threads_per_core=1",
          "vms.count=8",
          "vms.vcpus=4",
          "vms.affinity=floating",
          "vms.device_arrivals=poisson(5k/s)",
          "vms.request=exp(10us)",
          "vms.ipi_probability=0.5",
          "vms.timer_arrivals=poisson(1k/s)"};
}

// `base` with `more` appended.
inline std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

}  // namespace wakesim::testing
