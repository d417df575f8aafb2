#include "sim/hw/interrupts.h"

#include <fmt/format.h>

#include "sim/hw/machine.h"

namespace wakesim::hw {

Interrupts::Interrupts(Machine& machine) : machine_(machine) {}

engine::Time Interrupts::ipi_latency(PcpuId from, PcpuId to) const {
  const IrqParams& p = machine_.params().irq;
  if (from == to) return p.ipi_self;
  return machine_.topology().distance(from, to) == Distance::kRemoteSocket ? p.ipi_remote_socket : p.ipi_same_socket;
}

void Interrupts::send_ipi(PcpuId from, PcpuId to, Vector v) { deliver_after(to, v, ipi_latency(from, to)); }

void Interrupts::notify_from_device(PcpuId to, Vector v) {
  deliver_after(to, v, machine_.params().irq.device_notification);
}

void Interrupts::deliver_after(PcpuId to, Vector v, engine::Time latency) {
  if (free_.empty()) [[unlikely]]
    add_deliveries();
  Delivery* d = free_.back();
  free_.pop_back();
  d->to = to;
  d->vector = v;
  machine_.sim().schedule_in(*d, latency);
}

// Interrupts in flight need one Delivery each: the pool doubles when it runs dry (a burst of messages
// grows it once; the steady state after the warm-up finds enough).
void Interrupts::add_deliveries() {
  const size_t more = std::max<size_t>(size_t{2} * machine_.pcpus(), deliveries_.size());
  deliveries_.reserve(deliveries_.size() + more);
  free_.reserve(deliveries_.size() + more);
  for (size_t i = 0; i < more; ++i) {
    deliveries_.push_back(std::make_unique<Delivery>(*this));
    free_.push_back(deliveries_.back().get());
  }
}

void Interrupts::Delivery::fire() {
  owner_.free_.push_back(this);
  owner_.machine_.cpu(to).raise(vector);
}

std::string Interrupts::Delivery::describe() const {
  return fmt::format("interrupt vector {} arrives at pCPU {}", vector.value, to);
}

}  // namespace wakesim::hw
