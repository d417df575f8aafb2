#include "sim/kernel/wake_tracer.h"

#include "sim/kernel/vcpu.h"

namespace wakesim::kernel {

void WakeTracer::add_vcpu(uint32_t index) {
  if (traces_.size() <= index) traces_.resize(index + 1);
}

WakeTrace& WakeTracer::trace(const Vcpu& v) { return traces_[v.index()]; }

void WakeTracer::posted(const Vcpu& v, engine::Time now) {
  WakeTrace& t = trace(v);
  if (!t.posted) t.posted = now;
}

void WakeTracer::handler_started(const hw::Cpu& cpu, engine::Time idle_exit) {
  HandlerRecord& h = handlers_[cpu.id().value];
  h.start = cpu.now();
  h.idle_exit = idle_exit;
  h.walk_start.reset();
}

void WakeTracer::walk_started(const hw::Cpu& cpu) {
  if (!cpu.in_interrupt()) return;
  HandlerRecord& h = handlers_[cpu.id().value];
  if (!h.walk_start) h.walk_start = cpu.now();
}

void WakeTracer::reached(const hw::Cpu& cpu, const Vcpu& v) {
  ++nodes_walked_;
  WakeTrace& t = trace(v);
  if (!cpu.in_interrupt() || !t.posted || t.reached) return;
  const HandlerRecord& h = handlers_[cpu.id().value];
  t.handler_start = h.start;
  t.idle_exit = h.idle_exit;
  t.walk_start = h.walk_start ? *h.walk_start : h.start;
  t.reached = cpu.now();
}

void WakeTracer::woken(const Vcpu& v, engine::Time now) {
  WakeTrace& t = trace(v);
  if (t.reached && !t.woken) t.woken = now;
}

void WakeTracer::picked(const Vcpu& v, engine::Time now) {
  WakeTrace& t = trace(v);
  if (t.woken && !t.picked) t.picked = now;
}

void WakeTracer::removed(const Vcpu& v, engine::Time now) {
  WakeTrace& t = trace(v);
  if (t.picked && !t.removed) t.removed = now;
}

void WakeTracer::entered_guest(const Vcpu& v, engine::Time now) {
  WakeTrace& t = trace(v);
  decomposition_.record(t, now);
  t.reset();
}

void WakeTracer::reset_statistics() {
  decomposition_.clear();
  nodes_walked_ = 0;
  walk_restarts_ = 0;
}

}  // namespace wakesim::kernel
