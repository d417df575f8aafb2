#include "sim/hw/topology.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sim/config/loader.h"
#include "sim/engine/errors.h"

namespace wakesim::hw {
namespace {

using namespace engine::literals;

HostParams preset(const char* name) {
  HostParams h;
  config::apply_override(h, std::string("preset=") + name);
  return h;
}

TEST(Topology, IceLakeNumberingFollowsLinux) {
  const Topology t(preset("icelake-2s"));
  EXPECT_EQ(t.pcpus(), 128u);
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{0}), Distance::kSameThread);
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{1}), Distance::kSameLlc);
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{31}), Distance::kSameLlc);
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{32}), Distance::kRemoteSocket);
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{64}), Distance::kSmtSibling);  // thread 1 of core 0
  EXPECT_EQ(t.socket_of(PcpuId{96}), 1);
  EXPECT_EQ(t.thread_of(PcpuId{96}), 1);
}

TEST(Topology, MilanHasSixLlcDomainsPerSocket) {
  const Topology t(preset("epyc-milan-2s"));
  EXPECT_EQ(t.pcpus(), 192u);
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{7}), Distance::kSameLlc);
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{8}), Distance::kSameSocket);  // the next CCX
  EXPECT_EQ(t.llc_of(PcpuId{47}), 5);
  EXPECT_EQ(t.llc_of(PcpuId{48}), 6);
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{48}), Distance::kRemoteSocket);
}

// distance() counts shared levels without branches; every pair of a host with SMT, several LLC domains
// per socket and two sockets must get the class the levels' own definitions give.
TEST(Topology, EveryPairGetsTheClassOfTheLevelsItShares) {
  HostParams h = preset("epyc-milan-2s");
  h.cores_per_socket = 12;
  h.llc_per_socket = 3;
  const Topology t(h);
  ASSERT_EQ(t.pcpus(), 48u);
  int seen[kDistanceClasses] = {};
  for (uint32_t a = 0; a < t.pcpus(); ++a) {
    for (uint32_t b = 0; b < t.pcpus(); ++b) {
      const PcpuId x{a}, y{b};
      Distance expected = Distance::kRemoteSocket;
      if (a == b) expected = Distance::kSameThread;
      else if (t.core_of(x) == t.core_of(y)) expected = Distance::kSmtSibling;
      else if (t.llc_of(x) == t.llc_of(y)) expected = Distance::kSameLlc;
      else if (t.socket_of(x) == t.socket_of(y)) expected = Distance::kSameSocket;
      ASSERT_EQ(t.distance(x, y), expected) << "pCPUs " << a << " and " << b;
      ++seen[static_cast<int>(expected)];
    }
  }
  for (int d = 0; d < kDistanceClasses; ++d) EXPECT_GT(seen[d], 0) << to_string(static_cast<Distance>(d));
}

TEST(Topology, PresetValuesCanBeOverriddenKeyByKey) {
  HostParams h = preset("epyc-milan-2s");
  config::apply_override(h, "cache.remote_socket=250ns");
  EXPECT_EQ(h.cache.remote_socket, 250_ns);
  EXPECT_EQ(h.cache.same_llc, engine::Time::from_ps(22'700));
  EXPECT_EQ(h.llc_per_socket, 6);
}

TEST(Topology, LatencyMatrixFromCsv) {
  const auto path = std::filesystem::temp_directory_path() / "wakesim-matrix.csv";
  HostParams h;
  h.sockets = 1;
  h.cores_per_socket = 2;
  h.threads_per_core = 1;
  std::ofstream(path) << "# one-way ns\n0, 12.5\n12.5, 0\n";
  h.cache.latency_matrix = path.string();
  const Topology t(h);
  EXPECT_EQ(t.matrix_latency(PcpuId{0}, PcpuId{1}), engine::Time::from_ps(12'500));

  std::ofstream(path) << "0, 12.5\n12.5\n";
  try {
    Topology bad(h);
    FAIL();
  } catch (const engine::UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              path.string() + ":2: error: host.cache.latency_matrix: 1 columns, expected 2 (one per pCPU)");
  }
  std::ofstream(path) << "0, fast\n1, 0\n";
  try {
    Topology bad(h);
    FAIL();
  } catch (const engine::UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              path.string() + ":1:3: error: host.cache.latency_matrix: 'fast' is not a non-negative latency in ns");
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace wakesim::hw
