#include "sim/hw/coherence.h"

#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "hw_test_support.h"

namespace wakesim::hw {
namespace {

using namespace testing;
using engine::ByteRate;
using engine::Bytes;
using engine::Time;

struct CoherenceTest : ::testing::Test {
  engine::Simulation sim{1};
  Machine machine{sim, small_host()};
  Coherence& c = machine.coherence();
  // small_host: pCPUs 0,1 socket 0; 2,3 socket 1; 4..7 their SMT siblings. One LLC per socket.
  PcpuId p0{0}, p1{1}, p2{2}, p4{4};

  // pCPU p streams through `bytes` of other memory (1 byte per ns), as a guest would, from now.
  void pollute(PcpuId p, uint64_t bytes, const TouchProfile& profile) {
    machine.pollution().set_profile(p, &profile, sim.now());
    sim.run_until(sim.now() + Time::from_ps(static_cast<int64_t>(bytes) * 1000));
    machine.pollution().set_profile(p, nullptr, sim.now());
  }
  static TouchProfile stream(Bytes footprint = Bytes{UINT64_MAX}) {
    return TouchProfile{ByteRate{1e9}, footprint, nullptr};
  }
};

TEST_F(CoherenceTest, ColdLineComesFromDramByHomeSocket) {
  CacheLine local(0), remote(1);
  EXPECT_EQ(c.access(local, p0, Access::kLoad), 80_ns);
  EXPECT_EQ(c.access(remote, p0, Access::kLoad), 140_ns);
  EXPECT_EQ(c.counters().dram, 2u);
}

TEST_F(CoherenceTest, HitsAndTransfersByDistance) {
  CacheLine line(0);
  c.access(line, p0, Access::kStore);  // DRAM; p0 owns it; the store is visible at 80 ns
  sim.run_until(100_ns);
  EXPECT_EQ(c.access(line, p0, Access::kLoad), 101_ns);  // L1 hit
  EXPECT_EQ(c.access(line, p1, Access::kLoad), 150_ns);  // same LLC: 50 ns
  EXPECT_EQ(c.access(line, p4, Access::kLoad), 160_ns);  // queued behind p1's; SMT sibling of p0: 10 ns
  EXPECT_TRUE(line.held_by(p0) && line.held_by(p1) && line.held_by(p4));
  // A write by a remote pCPU must reach every copy: the farthest (remote, 100 ns) sets the cost, after
  // the transfers already queued on the line.
  EXPECT_EQ(c.access(line, p2, Access::kRmw), 160_ns + 100_ns + 5_ns);
  EXPECT_TRUE(line.held_by(p2));
  EXPECT_FALSE(line.held_by(p0));
  EXPECT_EQ(c.counters().by_distance[static_cast<size_t>(Distance::kRemoteSocket)], 1u);
  EXPECT_EQ(c.counters().by_distance[static_cast<size_t>(Distance::kSameLlc)], 1u);
  EXPECT_EQ(c.counters().by_distance[static_cast<size_t>(Distance::kSmtSibling)], 1u);
}

TEST_F(CoherenceTest, OwnerWritesAreHits) {
  CacheLine line(0);
  c.access(line, p0, Access::kLoad);  // sole reader: exclusive
  sim.run_until(1_us);
  EXPECT_EQ(c.access(line, p0, Access::kStore), 1_us + 1_ns);
  EXPECT_EQ(c.access(line, p0, Access::kRmw), 1_us + 6_ns);
  EXPECT_EQ(line.version(), 2u);
}

// A line p0 touched is found in L1, L2, the LLC or memory depending on how many bytes p0's core has
// brought in since (distances chosen far from each level's capacity, where survival is certain).
TEST_F(CoherenceTest, PollutionPushesALineDownTheLevels) {
  const TouchProfile profile = stream();
  struct Case {
    uint64_t bytes;
    Level level;
    Time cost;
  };
  for (const Case& k : {Case{1024, Level::kL1, 1_ns}, Case{128 << 10, Level::kL2, 4_ns},
                        Case{1 << 20, Level::kLlc, 20_ns}, Case{64 << 20, Level::kMemory, 80_ns}}) {
    CacheLine line(0);
    c.access(line, p0, Access::kLoad);
    sim.run_until(sim.now() + 1_us);
    pollute(p0, k.bytes, profile);
    EXPECT_EQ(c.level_of(line, p0), k.level) << k.bytes << " bytes";
    EXPECT_EQ(c.access(line, p0, Access::kLoad), sim.now() + k.cost) << k.bytes << " bytes";
  }
}

// An idle pCPU (no profile) keeps its lines however long it idles; only work evicts them.
TEST_F(CoherenceTest, IdleKeepsLines) {
  CacheLine line(0);
  c.access(line, p0, Access::kLoad);
  sim.run_until(1_s);
  EXPECT_EQ(c.level_of(line, p0), Level::kL1);
}

// A working set smaller than L2 evicts from L1 but never past L2, however long it runs.
TEST_F(CoherenceTest, AFootprintBoundsTheDistance) {
  const TouchProfile small = stream(Bytes::kib(64));
  CacheLine line(0);
  c.access(line, p0, Access::kLoad);
  pollute(p0, 64 << 20, small);
  EXPECT_EQ(c.level_of(line, p0), Level::kL2);
}

// A line touched in the middle of a stint (an interrupt handler) is pushed down by the rest of the
// stint, up to the whole working set: the guest goes on re-touching all of it.
TEST_F(CoherenceTest, AStintRunningAtTheTouchCountsItsWholeFootprint) {
  const TouchProfile guest = stream(Bytes::mib(2));
  pollute(p0, 4 << 20, guest);  // the working set is touched: the stint adds nothing new on its own
  CacheLine line(0);
  c.access(line, p0, Access::kLoad);  // the "handler" touches the line
  pollute(p0, 4 << 20, guest);        // the guest resumes (same source: the same stint)
  EXPECT_EQ(c.level_of(line, p0), Level::kLlc);
}

// SMT siblings share their core's private caches: the sibling's work evicts p0's lines.
TEST_F(CoherenceTest, TheSiblingsWorkEvictsTheCoresLines) {
  const TouchProfile profile = stream();
  CacheLine line(0);
  c.access(line, p0, Access::kLoad);
  pollute(p4, 1 << 20, profile);
  EXPECT_EQ(c.level_of(line, p0), Level::kLlc);
}

// Other cores of the domain share the LLC: their work evicts p0's lines from it, but not from p0's
// private caches.
TEST_F(CoherenceTest, OtherCoresWorkEvictsFromTheSharedLlcOnly) {
  const TouchProfile profile = stream();
  CacheLine private_line(0), llc_line(0);
  c.access(llc_line, p0, Access::kLoad);
  pollute(p0, 2 << 20, profile);  // past p0's L2: llc_line now lives in the LLC only
  c.access(private_line, p0, Access::kLoad);
  EXPECT_EQ(c.level_of(llc_line, p0), Level::kLlc);
  pollute(p1, 64 << 20, profile);  // another core of the socket streams through far more than the LLC
  EXPECT_EQ(c.level_of(llc_line, p0), Level::kMemory);
  EXPECT_EQ(c.level_of(private_line, p0), Level::kL1);
}

TEST_F(CoherenceTest, DeepIdleFlushesTheCoresCaches) {
  CacheLine line(0);
  c.access(line, p0, Access::kLoad);
  machine.cpu(p0).evict_private_caches();
  EXPECT_EQ(c.level_of(line, p0), Level::kLlc);
}

TEST_F(CoherenceTest, DeviceWritesGoToMemoryOrToTheLlc) {
  CacheLine line(0);
  c.access(line, p0, Access::kLoad);
  c.device_write(line);
  sim.run_until(1_us);
  EXPECT_EQ(c.access(line, p0, Access::kLoad), 1_us + 80_ns);  // small_host: no DDIO, from DRAM

  HostParams h = small_host();
  h.cache.device_writes_to_llc = true;
  engine::Simulation s2(1);
  Machine m(s2, h);
  CacheLine ddio(0);
  m.coherence().device_write(ddio);
  EXPECT_EQ(m.coherence().access(ddio, p0, Access::kLoad), 20_ns);  // the home socket's LLC
  s2.run_until(1_us);
  m.coherence().device_write(ddio);
  EXPECT_EQ(m.coherence().access(ddio, p2, Access::kLoad), 1_us + 100_ns);  // from the other socket's LLC
}

// x86-TSO: stores become visible in program order. A store to a line p0 owns is visible only after
// p0's earlier store to a remote line has arrived.
TEST_F(CoherenceTest, StoresBecomeVisibleInProgramOrder) {
  CacheLine remote_line(0), mine(0);
  c.access(remote_line, p2, Access::kStore);
  c.access(mine, p0, Access::kStore);
  sim.run_until(1_us);
  EXPECT_EQ(c.access(remote_line, p0, Access::kStore), 1_us + 1_ns);  // retires into the store buffer
  EXPECT_EQ(c.access(mine, p0, Access::kStore), 1_us + 1_ns);         // an L1 hit, also buffered
  EXPECT_EQ(c.stores_visible(p0), 1_us + 100_ns);                     // both, once the RFO is done
  // A reader of the second line sees it only after it is visible.
  EXPECT_EQ(c.access(mine, p1, Access::kLoad), 1_us + 100_ns + 50_ns);
}

TEST_F(CoherenceTest, ALockedRmwDrainsTheStoreBuffer) {
  CacheLine remote_line(0), mine(0);
  c.access(remote_line, p2, Access::kStore);
  c.access(mine, p0, Access::kStore);
  sim.run_until(1_us);
  c.access(remote_line, p0, Access::kStore);
  EXPECT_EQ(c.access(mine, p0, Access::kRmw), 1_us + 100_ns + 5_ns);
}

// The RFOs of buffered stores are issued at once and overlap, up to the fill buffers.
TEST_F(CoherenceTest, StoreMissesOverlapUpToTheFillBuffers) {
  for (int buffers : {12, 2, 1}) {
    HostParams h = small_host();
    h.cache.fill_buffers = buffers;
    engine::Simulation s(1);
    Machine m(s, h);
    std::vector<std::unique_ptr<CacheLine>> lines;
    for (int i = 0; i < 4; ++i) {
      lines.push_back(std::make_unique<CacheLine>(0));
      m.coherence().access(*lines.back(), p2, Access::kStore);
    }
    s.run_until(1_us);
    for (auto& line : lines) m.coherence().access(*line, p0, Access::kStore);
    const int waves = (4 + buffers - 1) / buffers;
    EXPECT_EQ(m.coherence().stores_visible(p0), 1_us + waves * 100_ns) << buffers << " fill buffers";
  }
}

// A load takes the nearest copy, and skips only copies that could not beat the best found so far: with
// two LLC domains per socket (AMD CCXs) every distance class occurs, and a nearer copy listed after a
// farther one must still be found (the skip's per-class bound, Coherence::supply_bound_).
TEST(CoherenceLoads, TheNearestCopySuppliesAcrossCcxsAndSockets) {
  HostParams h = small_host();
  h.cores_per_socket = 4;
  h.threads_per_core = 1;
  h.llc_per_socket = 2;  // socket 0: CCX {0, 1}, CCX {2, 3}; socket 1: pCPUs 4..7
  engine::Simulation sim(1);
  Machine m(sim, h);
  Coherence& c = m.coherence();
  const PcpuId p0{0}, p1{1}, p2{2}, p3{3}, p4{4};
  ASSERT_EQ(m.topology().distance(p0, p1), Distance::kSameLlc);
  ASSERT_EQ(m.topology().distance(p0, p2), Distance::kSameSocket);
  ASSERT_EQ(m.topology().distance(p0, p4), Distance::kRemoteSocket);

  CacheLine line(0);
  c.access(line, p2, Access::kStore);  // from DRAM; visible at 80 ns
  sim.run_until(100_ns);
  EXPECT_EQ(c.access(line, p1, Access::kLoad), 170_ns);  // from p2, the other CCX: 70 ns
  sim.run_until(200_ns);
  // Copies: p2 (other CCX, 70 ns), then p1 (p0's CCX, 50 ns): p1's, although listed second.
  EXPECT_EQ(c.access(line, p0, Access::kLoad), 250_ns);
  EXPECT_EQ(c.counters().by_distance[static_cast<size_t>(Distance::kSameLlc)], 1u);

  CacheLine other(1);
  c.access(other, p4, Access::kStore);  // socket 1's memory
  sim.run_until(500_ns);
  EXPECT_EQ(c.access(other, p3, Access::kLoad), 600_ns);  // from p4, the other socket: 100 ns
  sim.run_until(700_ns);
  // Copies: p4 (remote, 100 ns), then p3 (the other CCX of p0's socket, 70 ns).
  EXPECT_EQ(c.access(other, p0, Access::kLoad), 770_ns);
  EXPECT_EQ(c.counters().by_distance[static_cast<size_t>(Distance::kSameSocket)], 2u);
}

// The skip's bound for a private copy is the least of its transfer and its LLC domain's latency: a copy
// pushed out of its holder's L1 and L2 but still in the requester's LLC supplies at the LLC latency, and a
// load must find it behind a fresh copy that costs a transfer.
TEST(CoherenceLoads, ACopyPushedIntoTheLlcSuppliesBehindAFreshOne) {
  HostParams h = small_host();
  h.cores_per_socket = 4;
  h.threads_per_core = 1;  // socket 0: pCPUs 0..3, one LLC
  engine::Simulation sim(1);
  Machine m(sim, h);
  Coherence& c = m.coherence();
  const PcpuId p0{0}, p1{1}, p2{2};
  CacheLine line(0);
  c.access(line, p1, Access::kStore);  // from DRAM; visible at 80 ns
  sim.run_until(100_ns);
  EXPECT_EQ(c.access(line, p2, Access::kLoad), 150_ns);  // from p1: 50 ns
  sim.run_until(200_ns);
  // p2's core brings in far more than its L2 (its copy drops to the LLC; the LLC's counter is untouched).
  m.pollution().add_to_core(static_cast<uint32_t>(m.topology().core_of(p2)), 64 * h.cache.l2_size.value);
  EXPECT_EQ(c.level_of(line, p2), Level::kLlc);
  // Copies: p1 (private, 50 ns), then p2 (in the LLC, 20 ns): the LLC supplies.
  EXPECT_EQ(c.access(line, p0, Access::kLoad), 220_ns);
  EXPECT_EQ(c.counters().llc_hits, 1u);
}

// When every copy is surely still in its holder's L2, Coherence picks the supplier from the holders alone
// (scan_copies_in_l2); once any core has brought in an L2's worth since, it locates each copy. Work on a
// core that holds no copy ends the shortcut but cannot change the answer: the same supplier, the same
// cost, the same write, either way.
TEST(CoherenceLoads, TheShortcutAndTheFullScanAgree) {
  HostParams h = small_host();
  h.cores_per_socket = 4;
  h.threads_per_core = 1;
  h.llc_per_socket = 2;  // socket 0: CCX {0, 1}, CCX {2, 3}; socket 1: pCPUs 4..7
  auto run = [&h](bool pollute_a_bystander) {
    engine::Simulation sim(1);
    Machine m(sim, h);
    Coherence& c = m.coherence();
    CacheLine line(0);
    c.access(line, PcpuId{4}, Access::kStore);  // visible at 80 ns
    std::vector<Time> done;
    Time t = 100_ns;
    // Copies, as pCPU 0 sees them: another CCX of its socket, the other socket, its CCX, the other socket.
    for (const uint32_t reader : {2u, 6u, 1u, 5u}) {
      sim.run_until(t);
      if (pollute_a_bystander && reader == 1u)  // pCPU 7's core holds no copy
        m.pollution().add_to_core(static_cast<uint32_t>(m.topology().core_of(PcpuId{7})), 64 * h.cache.l2_size.value);
      done.push_back(c.access(line, PcpuId{reader}, Access::kLoad));
      t += 500_ns;
    }
    sim.run_until(t);
    done.push_back(c.access(line, PcpuId{0}, Access::kLoad));  // nearest: pCPU 1, the same CCX
    sim.run_until(t + 500_ns);
    done.push_back(c.access(line, PcpuId{3}, Access::kRmw));  // reaches the farthest copy
    return std::tuple(done, c.counters().by_distance, c.scans());
  };
  const auto shortcut = run(false), full_scan = run(true);
  EXPECT_EQ(std::get<0>(shortcut), std::get<0>(full_scan));
  EXPECT_EQ(std::get<1>(shortcut), std::get<1>(full_scan));
  // pCPU 0's load: from pCPU 1 in its CCX (50 ns), although three copies are listed before it.
  EXPECT_EQ(std::get<0>(shortcut)[4], 2_us + 100_ns + 50_ns);
  // And each run took the path it was meant to: without the bystander every look at the copies is
  // answered from the holders alone; with it, the looks from pCPU 1's load on read the counters.
  const Coherence::ScanCounts& fast = std::get<2>(shortcut);
  const Coherence::ScanCounts& slow = std::get<2>(full_scan);
  EXPECT_EQ(fast.by_counters, 0u);
  EXPECT_EQ(fast.from_holders, slow.from_holders + slow.by_counters);
  EXPECT_EQ(slow.by_counters, 4u);  // pCPU 1's, 5's and 0's loads, pCPU 3's RMW
}

// Past 256 pCPUs Coherence keeps no per-pair cost table (it would pass 512 KiB) and the shortcut asks the
// topology instead: the same costs.
TEST(CoherenceLoads, AHostPastThePairTableFindsTheSameSupplier) {
  HostParams h = small_host();
  h.cores_per_socket = 160;
  h.threads_per_core = 1;  // 320 pCPUs: socket 0 is 0..159
  engine::Simulation sim(1);
  Machine m(sim, h);
  ASSERT_EQ(m.topology().pcpus(), 320u);
  Coherence& c = m.coherence();
  CacheLine line(0);
  c.access(line, PcpuId{0}, Access::kStore);  // visible at 80 ns
  sim.run_until(100_ns);
  EXPECT_EQ(c.access(line, PcpuId{300}, Access::kLoad), 200_ns);  // the other socket: 100 ns
  sim.run_until(300_ns);
  EXPECT_EQ(c.access(line, PcpuId{170}, Access::kLoad), 350_ns);  // pCPU 300, its socket: 50 ns
  sim.run_until(400_ns);
  EXPECT_EQ(c.access(line, PcpuId{5}, Access::kRmw), 400_ns + 100_ns + 5_ns);  // reaches the farthest
}

TEST(SurvivalCurve, IsTheSetAssociativeLruApproximation) {
  const SurvivalCurve curve(Bytes::kib(32), 8);
  EXPECT_EQ(curve.probability(0), 1.0);
  EXPECT_GT(curve.probability(4 << 10), 0.999);
  // At the capacity, P(Poisson(8) < 8) = 0.453.
  EXPECT_NEAR(curve.probability(32 << 10), 0.453, 0.01);
  EXPECT_LT(curve.probability(96 << 10), 0.001);
  EXPECT_EQ(curve.probability(1 << 20), 0.0);
  double last = 1.0;
  for (uint64_t d = 0; d < (256 << 10); d += 512) {
    EXPECT_LE(curve.probability(d), last);
    last = curve.probability(d);
  }
  // More ways: a sharper step (fully associative LRU in the limit).
  const SurvivalCurve sharp(Bytes::kib(32), 512);
  EXPECT_GT(sharp.probability(28 << 10), 0.99);
  EXPECT_LT(sharp.probability(36 << 10), 0.01);
}

}  // namespace
}  // namespace wakesim::hw
