#include "sim/hw/machine.h"

namespace wakesim::hw {

Machine::Machine(engine::Simulation& sim, const HostParams& params)
    : sim_(sim),
      params_(params),
      topology_(params),
      pollution_(topology_, params.cache.llc_pollution_weight),
      coherence_(sim, topology_, params.cache, pollution_),
      interrupts_(*this) {
  cpus_.reserve(topology_.pcpus());
  for (uint32_t i = 0; i < topology_.pcpus(); ++i) cpus_.push_back(std::make_unique<Cpu>(*this, PcpuId{i}));
}

Machine::~Machine() = default;

void Machine::enable_lockdep() {
  if (!lockdep_) lockdep_ = std::make_unique<LockdepRecorder>(pcpus());
}

void Machine::reset_statistics() {
  coherence_.reset_counters();
  for (auto& cpu : cpus_) cpu->reset_statistics();
}

}  // namespace wakesim::hw
