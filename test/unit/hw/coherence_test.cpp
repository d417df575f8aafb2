#include "sim/hw/coherence.h"

#include <gtest/gtest.h>

#include "hw_test_support.h"

namespace wakesim::hw {
namespace {

using namespace testing;

struct CoherenceTest : ::testing::Test {
  engine::Simulation sim{1};
  Machine machine{sim, small_host()};
  Coherence& c = machine.coherence();
  // small_host: pCPUs 0,1 socket 0; 2,3 socket 1; 4..7 their SMT siblings.
  PcpuId p0{0}, p1{1}, p2{2}, p4{4};
};

TEST_F(CoherenceTest, ColdLineComesFromDramByHomeSocket) {
  CacheLine local(0), remote(1);
  EXPECT_EQ(c.access(local, p0, Access::kLoad), 80_ns);
  EXPECT_EQ(c.access(remote, p0, Access::kLoad), 140_ns);
  EXPECT_EQ(c.counters().dram, 2u);
}

TEST_F(CoherenceTest, HitsAndTransfersByDistance) {
  CacheLine line(0);
  c.access(line, p0, Access::kStore);  // DRAM; p0 owns it; busy until 80 ns
  sim.run_until(100_ns);
  EXPECT_EQ(c.access(line, p0, Access::kLoad), 101_ns);       // hit
  EXPECT_EQ(c.access(line, p1, Access::kLoad), 150_ns);       // same LLC: 50 ns
  EXPECT_EQ(c.access(line, p4, Access::kLoad), 160_ns);       // queued behind p1's; SMT sibling of p0: 10 ns
  EXPECT_TRUE(line.held_by(p0) && line.held_by(p1) && line.held_by(p4));
  // A write by a remote pCPU must reach every sharer: the farthest (remote, 100 ns) sets the cost,
  // after the transfers already queued on the line.
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

TEST_F(CoherenceTest, EvictionAfterIdleTime) {
  HostParams h = small_host();
  h.cache.evict_after = 10_us;
  engine::Simulation s2(1);
  Machine m(s2, h);
  CacheLine line(0);
  m.coherence().access(line, p0, Access::kLoad);
  s2.run_until(5_us);
  EXPECT_EQ(m.coherence().access(line, p0, Access::kLoad), 5_us + 1_ns);
  s2.run_until(20_us);
  EXPECT_EQ(m.coherence().access(line, p0, Access::kLoad), 20_us + 80_ns);
}

}  // namespace
}  // namespace wakesim::hw
