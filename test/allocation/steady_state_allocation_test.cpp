// The hot path allocates nothing in steady state (shared/DESIGN.md §2: "no allocation per event").
//
// This binary replaces the global operator new/delete with counting versions. Each case runs a whole
// scenario through Scenario::run with a watcher (engine/simulation.h: called every kWatchEvery events
// from inside run_until). The first look after the warm-up (plus a settling margin) opens the window,
// every later look closes it again: allocations between the first and the last look are made by
// events in steady state. Building the model, the warm-up and collecting the results afterwards
// allocate freely and are outside the window.
//
// In the window, the one kind of allocation allowed is a pool growing past a new high-water mark of
// the whole machine (FramePool::add_chunk: coroutine frames and pooled containers; EventQueue::
// add_chunks: pending events). Both double what they hold with each chunk, so a run makes O(log) of
// them, not one per event or per object; at most kPoolGrowthsAllowed in a window. Every other
// allocation fails the test. Each one's backtrace is kept and classified by its frames' symbols
// (ENABLE_EXPORTS names them); a failure prints them, which is how each source was found.
#include <execinfo.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/engine/simulation.h"
#include "sim/experiment/config.h"
#include "sim/experiment/scenario.h"

namespace {

// Counting is on only while a watched window is open, and only on the thread that opened it.
thread_local bool counting = false;
thread_local uint64_t allocations = 0;
constexpr int kTracesKept = 256;
constexpr int kTraceDepth = 24;
thread_local int traces_kept = 0;
thread_local void* traces[kTracesKept][kTraceDepth];
thread_local int trace_depths[kTracesKept];

void note_allocation() {
  if (!counting) return;
  ++allocations;
  if (traces_kept < kTracesKept) {
    counting = false;  // backtrace() may allocate on its first call
    trace_depths[traces_kept] = backtrace(traces[traces_kept], kTraceDepth);
    ++traces_kept;
    counting = true;
  }
}

void* counted_new(std::size_t bytes) {
  note_allocation();
  if (void* p = std::malloc(bytes == 0 ? 1 : bytes)) return p;
  throw std::bad_alloc();
}

void* counted_new_aligned(std::size_t bytes, std::align_val_t align) {
  note_allocation();
  const auto a = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(a, (bytes + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t bytes) { return counted_new(bytes); }
void* operator new[](std::size_t bytes) { return counted_new(bytes); }
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return counted_new(bytes);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return counted_new(bytes);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t bytes, std::align_val_t a) { return counted_new_aligned(bytes, a); }
void* operator new[](std::size_t bytes, std::align_val_t a) { return counted_new_aligned(bytes, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using wakesim::engine::Time;

// Opens the counting window at the first look past `open_at` and remembers the count at every later
// look; what was counted by the last look is the steady state's.
class Window final : public wakesim::engine::Watcher {
 public:
  explicit Window(Time open_at) : open_at_(open_at) {}
  void look(const wakesim::engine::Simulation& sim) override {
    if (!counting) {
      if (sim.now() < open_at_ || opened_) return;
      opened_ = true;
      allocations = 0;
      traces_kept = 0;
      counting = true;
      first_event_ = sim.events_executed();
      return;
    }
    counted_ = allocations;
    traces_at_close_ = traces_kept;
    events_ = sim.events_executed() - first_event_;
  }
  void stop() { counting = false; }
  uint64_t counted() const { return counted_; }
  uint64_t events() const { return events_; }
  int traces() const { return traces_at_close_; }

 private:
  Time open_at_;
  bool opened_ = false;
  uint64_t first_event_ = 0;
  uint64_t counted_ = 0;
  uint64_t events_ = 0;
  int traces_at_close_ = 0;
};

constexpr uint64_t kPoolGrowthsAllowed = 2;

// Whether trace `i` is a pool's geometric growth: its first frames above operator new are in
// FramePool::add_chunk or EventQueue::add_chunks (both noinline, so they are frames of their own).
bool is_pool_growth(int i) {
  char** symbols = backtrace_symbols(traces[i], trace_depths[i]);
  bool growth = false;
  for (int f = 1; f < std::min(trace_depths[i], 6) && symbols != nullptr; ++f) {
    const std::string frame = symbols[f];
    growth = growth || frame.find("FramePool9add_chunk") != std::string::npos ||
             frame.find("EventQueue10add_chunks") != std::string::npos;
  }
  std::free(static_cast<void*>(symbols));
  return growth;
}

// Functions with internal linkage (coroutine bodies) print as binary+offset: `addr2line -f -C -e
// <this binary> <offset>` names them.
std::string where(int traces_to_print) {
  std::string out;
  for (int i = 0; i < traces_to_print; ++i) {
    char** symbols = backtrace_symbols(traces[i], trace_depths[i]);
    out += "allocation " + std::to_string(i + 1) + (is_pool_growth(i) ? " (pool growth)" : "") + ":\n";
    for (int f = 1; f < trace_depths[i]; ++f) out += std::string("  ") + (symbols ? symbols[f] : "?") + "\n";
    std::free(static_cast<void*>(symbols));
  }
  return out;
}

struct Case {
  std::string name;
  std::string scenario;
  std::string workload;  // a file under workloads/
  std::vector<std::string> overrides;
};

// Every event-driven scenario on its shipped workload, shortened; every design of each is run. The
// memory scenario is not here: its one path on one pCPU completes every operation inline
// (Simulation::advance_inline), so no event reaches the watcher and there is no event loop to check.
std::vector<Case> cases() {
  return {
      {"queue", "queue", "mm1.toml", {"run.warmup=100ms", "run.duration=2s"}},
      {"lockbench", "lockbench", "lockbench.toml", {"run.warmup=1ms", "run.duration=10ms"}},
      {"kvm_default", "kvm", "default.toml", {"run.warmup=20ms", "run.duration=200ms"}},
      {"kvm_nvme", "kvm", "nvme_passthrough.toml", {"run.warmup=20ms", "run.duration=1s"}},
      {"kvm_ipiv", "kvm", "ipiv_shootdown.toml", {"run.warmup=20ms", "run.duration=200ms"}},
      {"kvm_noisy", "kvm", "noisy_neighbour.toml", {"run.warmup=20ms", "run.duration=200ms"}},
      {"kvm_idle", "kvm", "idle_consolidated.toml", {"run.warmup=20ms", "run.duration=4s"}},
  };
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class SteadyState : public ::testing::TestWithParam<Case> {};

TEST_P(SteadyState, NoHeapAllocationPerEvent) {
  const Case& c = GetParam();
  const auto file = std::filesystem::path(WAKESIM_SOURCE_DIR) / "workloads" / c.workload;
  const wakesim::experiment::Config config = wakesim::experiment::load_config(file, c.overrides).config;
  const auto scenario = wakesim::experiment::find_scenario(c.scenario)->make();
  for (const std::string& design : scenario->designs(config)) {
    SCOPED_TRACE("design " + design);
    // Settle for a quarter of the measured span after the warm-up: first-touch growth (a histogram's
    // first sample in a bucket range, a pool's first frame of a size) belongs to the warm-up's tail.
    Window window(config.run.warmup + config.run.duration / 2);
    (void)scenario->run(config, design, 1, &window);
    window.stop();
    ASSERT_GT(window.events(), 0u) << "the window never opened: the run is too short for the watcher";
    ASSERT_LE(window.counted(), static_cast<uint64_t>(kTracesKept)) << "too many to classify: " << where(16);
    uint64_t growths = 0;
    for (int i = 0; i < window.traces(); ++i) growths += is_pool_growth(i) ? 1 : 0;
    const uint64_t others = window.counted() - growths;
    EXPECT_EQ(others, 0u) << others << " heap allocations that are not pool growth in " << window.events()
                          << " steady-state events of " << c.name << " / " << design << "\n"
                          << where(window.traces());
    EXPECT_LE(growths, kPoolGrowthsAllowed) << where(window.traces());
    std::printf("%s / %s: %llu heap allocations in %llu steady-state events (%llu of them pool growth)\n",
                c.name.c_str(), design.c_str(), static_cast<unsigned long long>(window.counted()),
                static_cast<unsigned long long>(window.events()), static_cast<unsigned long long>(growths));
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, SteadyState, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
