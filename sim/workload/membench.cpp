#include "sim/workload/membench.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/engine/errors.h"

namespace wakesim::workload {

using engine::Time;

const config::Section<MemoryParams>& MemoryParams::schema() {
  static const auto s =
      config::Section<MemoryParams>("memory", "memory micro-benchmarks (scenario 'memory'): pointer chase, list walk")
          .field(&MemoryParams::pcpu, "pcpu", "the pCPU that runs the benchmark", {.min = 0})
          .field(&MemoryParams::working_set, "working_set", "chase: bytes of lines in the ring",
                 {.min = engine::Bytes{64}, .max = engine::Bytes::gib(4)})
          .field(&MemoryParams::warmup_rounds, "warmup_rounds", "rounds run before measuring", {.min = 0, .max = 1000})
          .field(&MemoryParams::rounds, "rounds", "measured rounds", {.min = 1, .max = 1'000'000})
          .field(&MemoryParams::nodes, "nodes", "walk: list nodes (two lines each: descriptor and list node)",
                 {.min = 1, .max = 1 << 20})
          .field(&MemoryParams::pollution, "pollution", "walk: bytes of other memory streamed before each walk")
          .field(&MemoryParams::stream_rate, "stream_rate", "walk: how fast the pollution is streamed",
                 {.min = engine::ByteRate{1e6}});
  return s;
}

MemoryBench::MemoryBench(hw::Machine& machine, const MemoryParams& params, MemoryTest test)
    : machine_(machine),
      params_(params),
      test_(test),
      stream_{params.stream_rate, params.pollution.value == 0 ? engine::Bytes{64} : params.pollution, this} {
  if (static_cast<uint32_t>(params.pcpu) >= machine.pcpus())
    throw engine::UserError(
        fmt::format("error: memory.pcpu: pCPU {} asked for, the host has {}", params.pcpu, machine.pcpus()));
  const int socket = machine.topology().socket_of(hw::PcpuId{static_cast<uint32_t>(params.pcpu)});
  head_.set_home_socket(socket);
  engine::RandomStream order = machine.sim().stream(0, "membench-order");
  if (test == MemoryTest::kChase) {
    const uint64_t lines = std::max<uint64_t>(1, params.working_set.value / 64);
    ring_.reserve(lines);
    for (uint64_t i = 0; i < lines; ++i) ring_.push_back(std::make_unique<hw::CacheLine>(socket));
    // A random cyclic order: no two neighbours in the ring are neighbours in memory (for the model,
    // only the order of first touches matters; it is kept random to match the real kernel).
    for (uint64_t i = lines; i > 1; --i) std::swap(ring_[i - 1], ring_[order.below(i)]);
  } else {
    for (int i = 0; i < params.nodes; ++i) list_.push_back(std::make_unique<Node>(socket));
  }
}

MemoryBench::~MemoryBench() = default;

void MemoryBench::start() {
  hw::Cpu& cpu = machine_.cpu(hw::PcpuId{static_cast<uint32_t>(params_.pcpu)});
  cpu.start_thread(test_ == MemoryTest::kChase ? chase(cpu) : walk(cpu));
}

void MemoryBench::begin_measuring() { machine_.coherence().reset_counters(); }

hw::Path MemoryBench::chase(hw::Cpu& cpu) {
  for (int round = 0; round < params_.warmup_rounds + params_.rounds; ++round) {
    if (round == params_.warmup_rounds) begin_measuring();
    const Time start = cpu.now();
    for (const auto& line : ring_) co_await cpu.load(*line);  // each load's address comes from the last
    if (round >= params_.warmup_rounds) {
      per_access_ns_.add((cpu.now() - start).ns() / static_cast<double>(ring_.size()));
      measured_accesses_ += ring_.size();
    }
  }
  measured_ = machine_.coherence().counters();
  finished_at_ = cpu.now();
  done_ = true;
}

// list_for_each_entry(x, &head, node) if (pi_test_on(&x->pid)) ...: the same line operations as the
// wakeup handler's walk (WakeupList::first / visit / next, and Kvm::test_on).
hw::Path MemoryBench::walk_once(hw::Cpu& cpu) {
  co_await cpu.load(head_);  // head->next
  for (const auto& n : list_) {
    cpu.prefetch(n->node);       // x->node.next, issued when x's address is known
    co_await cpu.load(n->pid);   // pi_test_on(&x->pid)
    co_await cpu.load(n->node);  // the step to the next node waits for x->node.next
  }
}

hw::Path MemoryBench::walk(hw::Cpu& cpu) {
  const Time stream_time =
      Time::from_seconds(static_cast<double>(params_.pollution.value) / params_.stream_rate.per_second);
  for (int round = 0; round < params_.warmup_rounds + params_.rounds; ++round) {
    if (round == params_.warmup_rounds) begin_measuring();
    if (stream_time > Time::zero()) co_await cpu.run_interruptible(stream_time, Time::zero(), nullptr, &stream_);
    const Time start = cpu.now();
    co_await walk_once(cpu);
    if (round >= params_.warmup_rounds) {
      per_access_ns_.add((cpu.now() - start).ns() / static_cast<double>(list_.size()));
      measured_accesses_ += 2 * list_.size() + 1;
    }
  }
  measured_ = machine_.coherence().counters();
  finished_at_ = cpu.now();
  done_ = true;
}

}  // namespace wakesim::workload
