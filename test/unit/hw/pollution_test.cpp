// The pollution counters (sim/hw/pollution.h): bytes at the running streams' rates, footprints counted
// once per stint, stints that go on through kernel code and idle, SMT siblings sharing a core, cores
// summing into their LLC domain.
#include "sim/hw/pollution.h"

#include <gtest/gtest.h>

#include "hw_test_support.h"

namespace wakesim::hw {
namespace {

using namespace testing;
using engine::ByteRate;
using engine::Bytes;
using engine::Time;

struct PollutionTest : ::testing::Test {
  HostParams host = small_host();  // pCPUs 0,1 socket 0; 2,3 socket 1; 4..7 their SMT siblings
  Topology topology{host};
  Pollution p{topology};
  static constexpr uint32_t kCore0 = 0, kCore1 = 1, kDomain0 = 0, kDomain1 = 1;
  // 1 byte per ns.
  TouchProfile guest_a{ByteRate{1e9}, Bytes::mib(1), &guest_a};
  TouchProfile guest_b{ByteRate{1e9}, Bytes::mib(1), &guest_b};
  TouchProfile streaming{ByteRate{1e9}, Bytes{UINT64_MAX}, nullptr};
};

TEST_F(PollutionTest, BytesGrowAtTheRunningRate) {
  const PollutionMark start = p.core_mark(kCore0, Time::zero());
  p.set_profile(PcpuId{0}, &streaming, Time::zero());
  EXPECT_EQ(p.core_distance(kCore0, start, 10_us), 10'000u);
  p.set_profile(PcpuId{0}, nullptr, 10_us);  // kernel code or idle: nothing more
  EXPECT_EQ(p.core_distance(kCore0, start, 1_ms), 10'000u);
  EXPECT_EQ(p.domain_distance(kDomain0, PollutionMark{}, 1_ms), 10'000u);
  EXPECT_EQ(p.domain_distance(kDomain1, PollutionMark{}, 1_ms), 0u);
  EXPECT_EQ(p.core_distance(kCore1, PollutionMark{}, 1_ms), 0u);
}

TEST_F(PollutionTest, ADistanceIsBoundedByTheFootprintsThatRan) {
  const PollutionMark start = p.core_mark(kCore0, Time::zero());
  p.set_profile(PcpuId{0}, &guest_a, Time::zero());
  EXPECT_EQ(p.core_distance(kCore0, start, 100_us), 100'000u);
  EXPECT_EQ(p.core_distance(kCore0, start, 10_ms), uint64_t{1} << 20);  // its working set, no more
  // Kernel code in between does not end the stint: still one working set.
  p.set_profile(PcpuId{0}, nullptr, 10_ms);
  p.set_profile(PcpuId{0}, &guest_a, 11_ms);
  EXPECT_EQ(p.core_distance(kCore0, start, 20_ms), uint64_t{1} << 20);
  // Another source runs: its working set comes on top.
  p.set_profile(PcpuId{0}, &guest_b, 20_ms);
  EXPECT_EQ(p.core_distance(kCore0, start, 30_ms), uint64_t{2} << 20);
}

TEST_F(PollutionTest, ALineTouchedMidStintSeesTheWholeWorkingSetAgain) {
  p.set_profile(PcpuId{0}, &guest_a, Time::zero());
  const PollutionMark mid = p.core_mark(kCore0, 10_ms);  // the working set has been touched already
  EXPECT_EQ(p.core_distance(kCore0, mid, 10_ms + 100_us), 100'000u);
  EXPECT_EQ(p.core_distance(kCore0, mid, 20_ms), uint64_t{1} << 20);
}

TEST_F(PollutionTest, SmtSiblingsShareTheirCoresCounter) {
  const PollutionMark start = p.core_mark(kCore0, Time::zero());
  p.set_profile(PcpuId{0}, &streaming, Time::zero());
  p.set_profile(PcpuId{4}, &guest_b, Time::zero());  // pCPU 4 is pCPU 0's sibling
  EXPECT_EQ(p.core_distance(kCore0, start, 100_us), 200'000u);
  EXPECT_EQ(p.domain_distance(kDomain0, PollutionMark{}, 100_us), 200'000u);
}

TEST_F(PollutionTest, ModelledLinesCountAsDistinctBytes) {
  const PollutionMark start = p.core_mark(kCore1, Time::zero());
  for (int i = 0; i < 100; ++i) p.add_to_core(kCore1, 64);
  p.add_to_domain(kDomain0, 64);
  EXPECT_EQ(p.core_distance(kCore1, start, Time::zero()), 6'400u);
  EXPECT_EQ(p.domain_distance(kDomain0, PollutionMark{}, Time::zero()), 64u);
}

TEST_F(PollutionTest, SlowRatesAreNotLostToRounding) {
  const TouchProfile slow{ByteRate{1e6}, Bytes{UINT64_MAX}, nullptr};  // 1 byte per us
  const PollutionMark start = p.core_mark(kCore0, Time::zero());
  p.set_profile(PcpuId{0}, &slow, Time::zero());
  // Read often (as accesses do): the counter still advances by the exact amount, to within a byte.
  uint64_t last = 0;
  for (int i = 1; i <= 1000; ++i) last = p.core_distance(kCore0, start, Time::from_ps(int64_t{i} * 1'000'000));
  EXPECT_NEAR(static_cast<double>(last), 1000.0, 1.0);
}

// A counter's value at a time is rate x time exactly: reading it in between (as every access does) rounds
// nothing away, so how often it was read cannot change a distance (nor, through one, a run). (Rounding
// each read to 2^-16 byte, as the counters once did, loses about 2 bytes over these 230,000 reads.)
TEST_F(PollutionTest, ReadingACounterDoesNotChangeIt) {
  const TouchProfile odd{ByteRate{333'333'333.0}, Bytes{UINT64_MAX}, nullptr};  // 1/3 byte per ns
  Pollution read_often{topology}, read_once{topology};
  const PollutionMark start = read_often.core_mark(kCore0, Time::zero());
  read_often.set_profile(PcpuId{0}, &odd, Time::zero());
  read_once.set_profile(PcpuId{0}, &odd, Time::zero());
  for (int64_t ps = 1; ps <= 3'000'000; ps += 13) (void)read_often.core_distance(kCore0, start, Time::from_ps(ps));
  for (const Time t : {3_us, 3_us + 1_ns, 7_us + 5_ns})
    EXPECT_EQ(read_often.core_distance(kCore0, start, t), read_once.core_distance(kCore0, start, t)) << t.ps();
}

// A read computes the counter at its time from its value at the last change of rate, without writing
// it: a rate change must first keep what the old rate counted, and a modelled line's bytes added in
// between count once.
TEST_F(PollutionTest, ARateChangeKeepsWhatTheOldRateCounted) {
  const TouchProfile fast{ByteRate{2e9}, Bytes{UINT64_MAX}, nullptr};  // 2 bytes per ns
  const PollutionMark start = p.core_mark(kCore0, Time::zero());
  p.set_profile(PcpuId{0}, &streaming, Time::zero());
  EXPECT_EQ(p.core_distance(kCore0, start, 3_us), 3'000u);
  p.add_to_core(kCore0, 64);  // at 4 us
  EXPECT_EQ(p.core_distance(kCore0, start, 4_us), 4'064u);
  p.set_profile(PcpuId{0}, &fast, 5_us);
  EXPECT_EQ(p.core_distance(kCore0, start, 5_us), 5'064u);
  EXPECT_EQ(p.core_distance(kCore0, start, 8_us), 5'064u + 6'000u);
  p.set_profile(PcpuId{0}, nullptr, 8_us);
  EXPECT_EQ(p.core_distance(kCore0, start, 1_ms), 11'064u);
}

// The bytes of all cores together bound each core's growth over any interval (all_cores_floor/ceil), by
// the documented margin: a byte for the rounding of the core's view.
TEST_F(PollutionTest, AllCoresTogetherBoundEachCoresGrowth) {
  const TouchProfile odd{ByteRate{333'333'333.0}, Bytes::mib(4), &odd};
  const PollutionMark core0 = p.core_mark(kCore0, 1_ns), core1 = p.core_mark(kCore1, 1_ns);
  const uint64_t floor_then = p.all_cores_floor(1_ns);
  p.set_profile(PcpuId{0}, &odd, 1_ns);
  p.set_profile(PcpuId{4}, &streaming, 2_ns);  // core 0's SMT sibling
  p.set_profile(PcpuId{3}, &guest_a, 3_ns);    // core 1
  p.add_to_core(kCore1, 640);
  for (const Time t : {1_ns, 5_ns, 1_us + 1_ns, 40_us}) {
    const uint64_t bound = p.all_cores_ceil(t) - floor_then + 1;
    EXPECT_LE(p.core_distance(kCore0, core0, t), bound) << t.ps();
    EXPECT_LE(p.core_distance(kCore1, core1, t), bound) << t.ps();
  }
  // And it is the sum, not a loose bound: 1/3, 1 and 1 bytes per ns from 1, 2 and 3 ns on, and the 640
  // modelled bytes.
  EXPECT_NEAR(static_cast<double>(p.all_cores_ceil(40_us) - floor_then), 39'999 / 3.0 + 39'998 + 39'997 + 640, 2);
}

}  // namespace
}  // namespace wakesim::hw
