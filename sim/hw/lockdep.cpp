#include "sim/hw/lockdep.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/engine/errors.h"
#include "sim/hw/cpu.h"
#include "sim/hw/spinlock.h"

static_assert(wakesim::hw::Cpu::kMaxContexts == 4, "LockdepRecorder::kContexts follows Cpu::kMaxContexts");

namespace wakesim::hw {

const char* to_string(LockContext c) {
  switch (c) {
    case LockContext::kHardIrq:
      return "hard IRQ";
    case LockContext::kIrqsOff:
      return "IRQs off";
    case LockContext::kProcess:
      return "process, IRQs on";
  }
  return "?";
}

std::string LockdepRecord::node_name(Node n) const {
  const std::string& name = classes[n.lock_class].name;
  return n.subclass == 0 ? name : fmt::format("{}/{}", name, n.subclass);
}

namespace {

constexpr uint32_t kMaxInstances = 1u << 20;

uint64_t pack(LockdepRecord::Node n) { return (static_cast<uint64_t>(n.lock_class) << 3) | n.subclass; }

// A 64-bit chain key in the manner of lockdep's iterate_chain_key (order-sensitive).
uint64_t mix(uint64_t key, uint64_t node) {
  uint64_t z = key * 0x9e3779b97f4a7c15ull + node + 0x632be59bd9b4e019ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  return z ^ (z >> 27);
}

LockContext context_of(const Cpu& cpu) {
  if (cpu.in_interrupt()) return LockContext::kHardIrq;
  return cpu.irqs_enabled() ? LockContext::kProcess : LockContext::kIrqsOff;
}

void add_cpu(std::vector<PcpuId>& cpus, PcpuId c) {
  if (std::find(cpus.begin(), cpus.end(), c) == cpus.end()) cpus.push_back(c);
}

}  // namespace

LockdepRecorder::LockdepRecorder(uint32_t pcpus) : cpus_(pcpus) {}
LockdepRecorder::~LockdepRecorder() = default;

uint32_t LockdepRecorder::class_id(LockClass& c) {
  for (size_t i = 0; i < class_ptrs_.size(); ++i)
    if (class_ptrs_[i] == &c) return static_cast<uint32_t>(i);
  class_ptrs_.push_back(&c);
  record_.classes.push_back(LockdepRecord::Class{c.name()});
  return static_cast<uint32_t>(class_ptrs_.size() - 1);
}

uint32_t LockdepRecorder::instance_id(Spinlock& lock) {
  if (lock.lockdep_id_ != UINT32_MAX) return lock.lockdep_id_;
  const uint32_t id = static_cast<uint32_t>(record_.instances.size());
  WAKESIM_CHECK(id < kMaxInstances, "lockdep: more than {} lock instances", kMaxInstances);
  LockdepRecord::Instance inst;
  inst.lock_class = class_id(lock.lock_class());
  inst.owner = lock.owner();
  inst.name = lock.instance_name().empty() ? fmt::format("{}#{}", lock.lock_class().name(), id)
                                           : fmt::format("{}[{}]", lock.lock_class().name(), lock.instance_name());
  record_.instances.push_back(std::move(inst));
  lock.lockdep_id_ = id;
  return id;
}

void LockdepRecorder::note_usage(uint32_t instance, PcpuId cpu, LockContext context) {
  LockdepRecord::Instance& inst = record_.instances[instance];
  LockdepRecord::Class& cls = record_.classes[inst.lock_class];
  if (context == LockContext::kHardIrq) {
    cls.used_in_hardirq = true;
    add_cpu(inst.hardirq_cpus, cpu);
  } else if (context == LockContext::kProcess) {
    cls.used_irqs_on = true;
    add_cpu(inst.irqs_on_cpus, cpu);
  }
}

void LockdepRecorder::acquire(Cpu& cpu, Spinlock& lock, LockSubclass subclass, bool annotation) {
  WAKESIM_CHECK(subclass.value < 8, "lockdep: subclass {} out of range (0..7)", subclass.value);
  ++record_.acquisitions;
  PerCpu& pc = cpus_[cpu.id().value];
  const LockContext context = context_of(cpu);
  const int depth = cpu.context_depth();
  const uint32_t instance = instance_id(lock);
  const LockdepRecord::Node node{record_.instances[instance].lock_class, subclass.value};
  if (!annotation) note_usage(instance, cpu.id(), context);

  // The locks held in this context: the top of the stack down to the first entry of another depth.
  size_t same = pc.held.size();
  while (same > 0 && pc.held[same - 1].depth == depth) --same;
  const bool nested = same < pc.held.size();
  const uint64_t chain_key = mix(nested ? pc.held.back().chain_key : 0, pack(node));

  if (nested) {
    // Class edge from the nearest held lock (lockdep's check_prevs_add).
    const Held& prev = pc.held.back();
    const uint64_t key = (pack(prev.node) << 32) | pack(node);
    auto [it, inserted] = class_edge_index_.try_emplace(key, static_cast<uint32_t>(record_.class_edges.size()));
    if (inserted) record_.class_edges.push_back(LockdepRecord::ClassEdge{prev.node, node, {}, 0});
    LockdepRecord::ClassEdge& e = record_.class_edges[it->second];
    ++e.count[static_cast<size_t>(context)];
    if (annotation) ++e.annotation;
    // Instance edges from every real lock held in this context.
    if (!annotation) {
      for (size_t i = same; i < pc.held.size(); ++i) {
        const Held& h = pc.held[i];
        if (h.annotation || h.instance == instance) continue;
        const uint64_t ikey = (static_cast<uint64_t>(h.instance) << 44) | (static_cast<uint64_t>(instance) << 24) |
                              (static_cast<uint64_t>(cpu.id().value & 0x3fffff) << 2) | static_cast<uint64_t>(context);
        auto [jt, fresh] = instance_edge_index_.try_emplace(ikey, static_cast<uint32_t>(record_.instance_edges.size()));
        if (fresh)
          record_.instance_edges.push_back(LockdepRecord::InstanceEdge{h.instance, instance, cpu.id(), context, 0});
        ++record_.instance_edges[jt->second].count;
      }
    }
    // The chain (two or more locks of one context).
    auto [ct, new_chain] = chain_index_.try_emplace(chain_key, static_cast<uint32_t>(record_.chains.size()));
    if (new_chain) {
      LockdepRecord::Chain chain;
      for (size_t i = same; i < pc.held.size(); ++i) chain.nodes.push_back(pc.held[i].node);
      chain.nodes.push_back(node);
      chain.context = context;
      chain.first_cpu = cpu.id();
      chain.first_seen = cpu.now();
      record_.chains.push_back(std::move(chain));
    }
    LockdepRecord::Chain& chain = record_.chains[ct->second];
    ++chain.count;
    if (context != LockContext::kProcess && chain.nodes.size() > pc.deepest_length) {
      pc.deepest_length = chain.nodes.size();
      pc.deepest_chain = static_cast<int>(ct->second);
    }
  }
  pc.held.push_back(Held{&lock, instance, node, depth, context, annotation, chain_key});
  if (!annotation && depth >= 0 && depth < kContexts)
    pc.waiting[static_cast<size_t>(depth)] = Waiting{&lock, instance, context, cpu.now()};
}

void LockdepRecorder::acquired(Cpu& cpu, Spinlock& lock) {
  const int depth = cpu.context_depth();
  if (depth < 0 || depth >= kContexts) return;
  Waiting& w = cpus_[cpu.id().value].waiting[static_cast<size_t>(depth)];
  if (w.lock == &lock) w.lock = nullptr;
}

LockdepRecord LockdepRecorder::snapshot(engine::Time now) const {
  LockdepRecord r = record_;
  r.end = now;
  for (uint32_t c = 0; c < cpus_.size(); ++c) {
    const PerCpu& pc = cpus_[c];
    for (const Waiting& w : pc.waiting) {
      if (w.lock == nullptr || now - w.since < kStuckAfter) continue;
      LockdepRecord::StuckWaiter s{PcpuId{c}, w.context, w.instance, w.lock->holder(), {}, w.since};
      for (const Held& h : pc.held)
        if (!h.annotation && h.lock != w.lock) s.holds.push_back(h.instance);
      r.stuck.push_back(std::move(s));
    }
  }
  return r;
}

void LockdepRecorder::release(Cpu& cpu, Spinlock& lock, bool annotation) {
  PerCpu& pc = cpus_[cpu.id().value];
  for (size_t i = pc.held.size(); i-- > 0;) {
    if (pc.held[i].lock == &lock && pc.held[i].annotation == annotation) {
      pc.held.erase(pc.held.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
  WAKESIM_CHECK(false, "lockdep: pCPU {} releases {} which it does not hold", cpu.id(), lock.lock_class().name());
}

void LockdepRecorder::set_subclass(Cpu& cpu, Spinlock& lock, LockSubclass subclass) {
  PerCpu& pc = cpus_[cpu.id().value];
  for (size_t i = pc.held.size(); i-- > 0;) {
    Held& h = pc.held[i];
    if (h.lock != &lock || h.annotation) continue;
    h.node.subclass = subclass.value;
    // Chain keys from this entry up (entries above it in the same context extend its chain).
    for (size_t j = i; j < pc.held.size(); ++j) {
      const bool chained = j > 0 && pc.held[j - 1].depth == pc.held[j].depth;
      pc.held[j].chain_key = mix(chained ? pc.held[j - 1].chain_key : 0, pack(pc.held[j].node));
    }
    return;
  }
  WAKESIM_CHECK(false, "lockdep: pCPU {} sets the subclass of {} which it does not hold", cpu.id(),
                lock.lock_class().name());
}

void LockdepRecorder::irq_section_end(PcpuId cpu, engine::Time duration) {
  PerCpu& pc = cpus_[cpu.value];
  if (pc.deepest_chain >= 0) record_.chains[static_cast<size_t>(pc.deepest_chain)].irq_off.record(duration);
  pc.deepest_chain = -1;
  pc.deepest_length = 0;
}

}  // namespace wakesim::hw
