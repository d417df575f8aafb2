// The curve the simulator's pollution model must reproduce: KVM's posted-interrupt wakeup handler
// (pi_wakeup_handler, arch/x86/kvm/vmx/posted_intr.c) walking a pCPU's list of blocked vCPUs after the
// guest has touched F bytes of memory.
//
// Layout as in KVM (struct vcpu_vt): per vCPU a 128-byte-aligned object whose line 0 is the posted-
// interrupt descriptor (PIR bits, then the control word with ON in bit 0) and whose line 1 starts with
// the list node (next, prev). The `walk_nodes` objects and the list head sit in distinct, randomly
// chosen 128-byte slots of a 4 MiB hugepage arena (more for long lists), linked in an order unrelated
// to their addresses, so neither the adjacent-line nor the stride prefetcher helps from one node to the
// next. ON is clear on every node, so the walk does nothing but its loads.
//
// One measurement: (a) pollution, one read-modify-write per 64-byte line over the first F bytes of a
// separate hugepage buffer, sequentially, as a guest touching its working set (the prefetchers help
// here, as they would the guest); a full fence (the store buffer drains, as the interrupt's delivery
// would make it);
// (b) after a random delay of 0-60 ns (timer.h, PhaseDither), the timed walk:
//     for (n = head->next; n != head; n = n->next) if (pid_of(n)->control & ON) count++;
// in which a node's descriptor load and next-pointer load are independent and the next node depends on
// the next pointer: a chain of `walk_nodes` + 1 dependent misses with one overlapped miss per node.
// ns per node = (walk time - timer overhead) / walk_nodes, median of means over repetitions (a walk
// lasts a few clock ticks: statistics.h).
//
// Sweep: F = 0, then 16 KiB to 4x the effective LLC from the chase rounded up to a power of two (1 GiB
// when unknown, never more than 1 GiB), 3 per octave (kQuick: F = 0, then every 2 octaves up to 64 MiB).
// Repetitions per F: as many as fit in ~0.3 s (kQuick 20 ms), at least 50 (15 above 16 MiB; kQuick 5),
// at most 200 (kQuick 30).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/calibrate/calibrate.h"
#include "sim/calibrate/huge_buffer.h"
#include "sim/calibrate/progress_tracker.h"
#include "sim/calibrate/timer.h"

namespace wakesim::calibrate {

inline constexpr int kMaxWalkNodes = 4096;

struct WalkPlan {
  std::vector<uint64_t> pollution_sizes;  // ascending, starting at 0
  int walk_nodes = 16;
  double budget_seconds = 0;  // per pollution size
  int min_repetitions = 0;
  int min_repetitions_large = 0;  // for F above 16 MiB, whose pollution alone takes milliseconds
  int max_repetitions = 0;
};

// `effective_llc_bytes`: LevelEstimate::llc_bytes, 0 if unknown.
WalkPlan plan_walk(Thoroughness thoroughness, uint64_t effective_llc_bytes, int walk_nodes);
double estimated_seconds(const WalkPlan& plan);

struct WalkRun {
  std::vector<WalkPoint> points;
  std::vector<HugePageReport> buffers;
};

// Runs on the calling (pinned) thread; one progress step per pollution size.
WalkRun run_walk(const WalkPlan& plan, const Timer& timer, ProgressTracker& progress);

}  // namespace wakesim::calibrate
