#include "sim/calibrate/list_walk.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <new>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/calibrate/random_order.h"
#include "sim/calibrate/sizes.h"
#include "sim/calibrate/statistics.h"
#include "sim/calibrate/uninstrumented.h"

namespace wakesim::calibrate {
namespace {

constexpr uint64_t kSmallestPollution = 16 * kKiB;
constexpr uint64_t kLargestPollution = kGiB;
constexpr uint64_t kLargePollution = 16 * kMiB;
constexpr uint64_t kMinArenaBytes = 4 * kMiB;
constexpr uint64_t kSlotBytes = 128;
constexpr uint64_t kArenaSeed = 0x5107'a11c'0000'0002;
constexpr uint64_t kPiOn = 1;                                  // pi_desc.control bit 0: Outstanding Notification
constexpr uint64_t kWakeupVectorField = uint64_t{0xf1} << 16;  // NV = POSTED_INTR_WAKEUP_VECTOR (blocked vCPU)

struct ListHead {
  ListHead* next;
  ListHead* prev;
};

// The VT-d posted-interrupt descriptor (struct pi_desc): 256 PIR bits, the control word, reserved.
struct alignas(64) PiDesc {
  uint32_t pir[8];
  uint64_t control;
  uint32_t reserved[6];
};
static_assert(sizeof(PiDesc) == 64 && offsetof(PiDesc, control) == 32);

// The part of KVM's struct vcpu_vt the walk touches: the descriptor's line, then the list node's.
struct alignas(kSlotBytes) VcpuVt {
  PiDesc pi_desc;
  alignas(64) ListHead pi_wakeup_list;
};
static_assert(sizeof(VcpuVt) == kSlotBytes && offsetof(VcpuVt, pi_wakeup_list) == 64);

const VcpuVt* vcpu_of(const ListHead* node) {
  return reinterpret_cast<const VcpuVt*>(reinterpret_cast<const std::byte*>(node) - offsetof(VcpuVt, pi_wakeup_list));
}

// pi_wakeup_handler's loop. The control word is read as a volatile, like the kernel's test_bit, so the
// load happens on every node even though ON never changes.
WAKESIM_UNINSTRUMENTED int walk_wakeup_list(const ListHead* head) {
  int pending = 0;
  for (const ListHead* node = head->next; node != head; node = node->next)
    if (*static_cast<const volatile uint64_t*>(&vcpu_of(node)->pi_desc.control) & kPiOn) ++pending;
  return pending;
}

// The guest's memory traffic: read-modify-write of one word per line, in address order.
WAKESIM_UNINSTRUMENTED void pollute(std::byte* buffer, uint64_t bytes) {
  for (uint64_t offset = 0; offset < bytes; offset += kLineBytes) {
    auto* word = reinterpret_cast<volatile uint64_t*>(buffer + offset);
    *word = *word + 1;
  }
}

// The head and `nodes` vCPU objects in distinct random slots of `arena`; returns the head.
ListHead* build_list(const HugeBuffer& arena, int nodes) {
  const RandomOrder slots(arena.size() / kSlotBytes, kArenaSeed);
  const auto slot = [&](uint64_t index) { return arena.data() + slots(index) * kSlotBytes; };
  auto* head = new (slot(0)) ListHead{};
  head->next = head->prev = head;
  for (int i = 0; i < nodes; ++i) {
    auto* vcpu = new (slot(static_cast<uint64_t>(i) + 1)) VcpuVt{};
    vcpu->pi_desc.control = kWakeupVectorField;  // ON clear
    // list_add_tail: the list's order is the slot order's, unrelated to the addresses.
    ListHead* node = &vcpu->pi_wakeup_list;
    node->prev = head->prev;
    node->next = head;
    head->prev->next = node;
    head->prev = node;
  }
  return head;
}

uint64_t memory_cap() {
  const long pages = sysconf(_SC_AVPHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  const uint64_t available =
      pages > 0 && page_size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size) : kLargestPollution;
  uint64_t cap = 64 * kMiB;
  while (cap * 2 <= available / 2) cap *= 2;
  return cap;
}

int repetitions_for(const WalkPlan& plan, uint64_t pollution, double seconds_per_repetition) {
  const int floor = pollution > kLargePollution ? plan.min_repetitions_large : plan.min_repetitions;
  const double fit = plan.budget_seconds / std::max(1e-9, seconds_per_repetition);
  return std::clamp(static_cast<int>(fit), floor, plan.max_repetitions);
}

}  // namespace

WalkPlan plan_walk(Thoroughness thoroughness, uint64_t effective_llc_bytes, int walk_nodes) {
  uint64_t largest = effective_llc_bytes > 0 ? round_up_to_power_of_two(4 * effective_llc_bytes) : kLargestPollution;
  largest = std::clamp(largest, kSmallestPollution, std::min(kLargestPollution, memory_cap()));
  WalkPlan plan;
  plan.walk_nodes = walk_nodes;
  plan.pollution_sizes = {0};
  std::vector<uint64_t> sizes;
  if (thoroughness == Thoroughness::kQuick) {
    sizes = log_spaced_sizes(kSmallestPollution, std::min(largest, 64 * kMiB), 0.5, kLineBytes);
    plan.budget_seconds = 0.02;
    plan.min_repetitions = plan.min_repetitions_large = 5;
    plan.max_repetitions = 30;
  } else {
    sizes = log_spaced_sizes(kSmallestPollution, largest, 3, kLineBytes);
    plan.budget_seconds = 0.3;
    plan.min_repetitions = 50;
    plan.min_repetitions_large = 15;
    plan.max_repetitions = 200;
  }
  plan.pollution_sizes.insert(plan.pollution_sizes.end(), sizes.begin(), sizes.end());
  return plan;
}

double estimated_seconds(const WalkPlan& plan) {
  // Pollution streams at ~10 GB/s (a read and a write-back per line); a walk is a few microseconds.
  double seconds = 0;
  for (const uint64_t pollution : plan.pollution_sizes) {
    const double per_repetition = static_cast<double>(pollution) / 10e9 + 5e-6;
    seconds += repetitions_for(plan, pollution, per_repetition) * per_repetition;
  }
  return seconds;
}

WalkRun run_walk(const WalkPlan& plan, const Timer& timer, ProgressTracker& progress) {
  WalkRun run;
  const auto nodes = static_cast<uint64_t>(plan.walk_nodes);
  // At least 64 free slots per used one, so that the random placement rarely puts two objects in
  // neighbouring slots (where the adjacent-line prefetcher could fetch one with the other).
  HugeBuffer arena(std::max(kMinArenaBytes, (nodes + 1) * kSlotBytes * 64), "wakeup-list arena");
  run.buffers.push_back(report_huge_pages(arena));
  const ListHead* head = build_list(arena, plan.walk_nodes);
  const uint64_t largest = plan.pollution_sizes.empty() ? 0 : plan.pollution_sizes.back();
  std::optional<HugeBuffer> pollution;
  if (largest > 0) {
    pollution.emplace(largest, "pollution buffer");
    run.buffers.push_back(report_huge_pages(*pollution));
  }

  int checksum = 0;  // consumed below, so no walk can be dropped as dead code
  PhaseDither dither(kArenaSeed);
  for (const uint64_t bytes : plan.pollution_sizes) {
    progress.step(fmt::format("list walk after {} of pollution", format_bytes(bytes)));
    // One untimed round first: it settles the pollution buffer's lines where this F leaves them and
    // sizes the repetitions.
    const uint64_t warm_start = timer.start();
    if (bytes > 0) pollute(pollution->data(), bytes);
    checksum += walk_wakeup_list(head);
    const double warm_seconds = timer.elapsed_ns(warm_start, timer.stop()) * 1e-9;

    const int repetitions = repetitions_for(plan, bytes, warm_seconds);
    std::vector<double> walk_ns;
    walk_ns.reserve(static_cast<size_t>(repetitions));
    for (int repetition = 0; repetition < repetitions; ++repetition) {
      if (bytes > 0) pollute(pollution->data(), bytes);
      std::atomic_thread_fence(std::memory_order_seq_cst);
      dither();
      const uint64_t t0 = timer.start();
      int pending = walk_wakeup_list(head);
      asm volatile("" : "+r"(pending) : : "memory");
      const uint64_t t1 = timer.stop();
      checksum += pending;
      walk_ns.push_back(timer.elapsed_ns(t0, t1));
    }
    const double per_node = (median_of_means(walk_ns) - timer.overhead_ns()) / static_cast<double>(nodes);
    run.points.push_back({bytes, std::max(0.0, per_node)});
  }
  if (checksum != 0) throw std::logic_error("list walk: a descriptor had ON set; the walk measured wakeups too");
  return run;
}

}  // namespace wakesim::calibrate
