// Interrupt delivery between pCPUs: inter-processor interrupts (latency by distance, hw-params §1c)
// and device / IOMMU notifications. A message in flight is an event; on arrival the vector becomes
// pending at the target pCPU, which takes it when its IRQs allow (Cpu::raise).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/engine/event.h"
#include "sim/engine/time.h"
#include "sim/hw/ids.h"

namespace wakesim::hw {

class Machine;

class Interrupts {
 public:
  explicit Interrupts(Machine& machine);
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;

  void send_ipi(PcpuId from, PcpuId to, Vector v);
  // A device (through the IOMMU) notifies pCPU `to`; arrives after host.irq.device_notification.
  void notify_from_device(PcpuId to, Vector v);
  // Delivery after an explicit latency.
  void deliver_after(PcpuId to, Vector v, engine::Time latency);

  engine::Time ipi_latency(PcpuId from, PcpuId to) const;

 private:
  void add_deliveries();
  class Delivery final : public engine::Event {
   public:
    explicit Delivery(Interrupts& owner) : owner_(owner) {}
    void fire() override;
    std::string describe() const override;
    PcpuId to;
    Vector vector;

   private:
    Interrupts& owner_;
  };

  Machine& machine_;
  std::vector<std::unique_ptr<Delivery>> deliveries_;
  std::vector<Delivery*> free_;
};

}  // namespace wakesim::hw
