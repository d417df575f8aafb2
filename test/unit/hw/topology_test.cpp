#include "sim/hw/topology.h"

#include <array>
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

// Every pair of a host with SMT, several LLC domains per socket and two sockets: each pCPU sees each
// distance class as often as the host's shape says (counted from the shape, not from the topology's own
// tables), and distance is symmetric.
TEST(Topology, EachPcpuSeesEachDistanceClassAsOftenAsTheShapeSays) {
  HostParams h = preset("epyc-milan-2s");
  h.cores_per_socket = 12;
  h.llc_per_socket = 3;  // 4 cores per LLC domain; 2 sockets; 2 threads per core: 48 pCPUs
  const Topology t(h);
  ASSERT_EQ(t.pcpus(), 48u);
  const int threads = h.threads_per_core, cores_per_llc = h.cores_per_socket / h.llc_per_socket;
  const std::array<int, kDistanceClasses> expected = {
      1,                                                // itself
      threads - 1,                                      // its SMT siblings
      (cores_per_llc - 1) * threads,                    // the other cores of its LLC domain
      (h.cores_per_socket - cores_per_llc) * threads,   // the other domains of its socket
      (h.sockets - 1) * h.cores_per_socket * threads};  // the other socket
  for (uint32_t a = 0; a < t.pcpus(); ++a) {
    std::array<int, kDistanceClasses> seen{};
    for (uint32_t b = 0; b < t.pcpus(); ++b) {
      const Distance d = t.distance(PcpuId{a}, PcpuId{b});
      ASSERT_EQ(d, t.distance(PcpuId{b}, PcpuId{a})) << "pCPUs " << a << " and " << b;
      ++seen[static_cast<size_t>(d)];
    }
    EXPECT_EQ(seen, expected) << "pCPU " << a;
  }
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{24}), Distance::kSmtSibling);  // thread 1 of core 0
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{3}), Distance::kSameLlc);
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{4}), Distance::kSameSocket);
  EXPECT_EQ(t.distance(PcpuId{0}, PcpuId{12}), Distance::kRemoteSocket);
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
