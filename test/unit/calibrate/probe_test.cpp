// The topology and cache probe: parsers, CPUID decoders with recorded register values, and a fake sysfs
// tree for the sysfs path (this project's VM hides /sys/devices/system/cpu/cpu*/cache).
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sim/calibrate/cache_probe.h"
#include "sim/calibrate/sizes.h"
#include "sim/calibrate/sysfs.h"
#include "sim/calibrate/topology_probe.h"

namespace wakesim::calibrate {
namespace {

namespace fs = std::filesystem;

TEST(Sysfs, ParsesCpuLists) {
  EXPECT_EQ(parse_cpu_list("0-3,8,10-11\n"), (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(parse_cpu_list("5"), (std::vector<int>{5}));
  EXPECT_EQ(parse_cpu_list(""), (std::vector<int>{}));
  EXPECT_EQ(parse_cpu_list("3,1-2"), (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(parse_cpu_list("3-1"));
  EXPECT_FALSE(parse_cpu_list("a"));
  EXPECT_FALSE(parse_cpu_list("1,,2"));
}

TEST(Sysfs, ParsesSizesAndCpuinfo) {
  EXPECT_EQ(parse_size("48K"), 48 * kKiB);
  EXPECT_EQ(parse_size("32768K\n"), 32 * kMiB);
  EXPECT_EQ(parse_size("2M"), 2 * kMiB);
  EXPECT_EQ(parse_size("4096"), 4 * kKiB);
  EXPECT_FALSE(parse_size("K"));
  EXPECT_FALSE(parse_size("12Q"));
  const std::string cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu\n";
  EXPECT_EQ(cpuinfo_field(cpuinfo, "model name"), "AMD EPYC");
  EXPECT_EQ(cpuinfo_field(cpuinfo, "flags"), "fpu");
  EXPECT_FALSE(cpuinfo_field(cpuinfo, "model"));
}

// Registers recorded in this project's Zen 5 VM (CPUID 0x80000005 and 0x80000006).
TEST(CacheProbe, DecodesAmdLegacyLeavesOfTheZen5Vm) {
  const auto caches = decode_amd_legacy_leaves({0xff60ff40, 0xff60ff40, 0x300c0140, 0x20080140},
                                               {0x40802040, 0x60804040, 0x04006140, 0x0fe09140});
  ASSERT_EQ(caches.size(), 4u);
  EXPECT_EQ(caches[0].level, 1);
  EXPECT_EQ(caches[0].type, "data");
  EXPECT_EQ(caches[0].size_bytes, 48 * kKiB);
  EXPECT_EQ(caches[0].ways, 12);
  EXPECT_EQ(caches[1].type, "instruction");
  EXPECT_EQ(caches[1].size_bytes, 32 * kKiB);
  EXPECT_EQ(caches[1].ways, 8);
  EXPECT_EQ(caches[2].level, 2);
  EXPECT_EQ(caches[2].size_bytes, kMiB);
  EXPECT_EQ(caches[2].ways, 8);
  EXPECT_EQ(caches[3].level, 3);
  EXPECT_EQ(caches[3].size_bytes, 508 * kMiB);  // the package's total, as the VM reports it
  EXPECT_EQ(caches[3].ways, 0);                 // code 9: "see leaf 0x8000001D"
  EXPECT_EQ(caches[3].shared_by_cpus, 0);
  EXPECT_EQ(caches[3].source, "cpuid");
}

TEST(CacheProbe, DecodesTheDeterministicCacheLeaf) {
  // An Intel L1d: type 1, level 1, self-initialising, 2 threads sharing; 12 ways, 1 partition,
  // 64-byte lines, 64 sets = 48 KiB.
  const auto l1d = decode_cache_leaf({0x00004121, 0x02c0003f, 63, 0});
  ASSERT_TRUE(l1d);
  EXPECT_EQ(l1d->level, 1);
  EXPECT_EQ(l1d->type, "data");
  EXPECT_EQ(l1d->size_bytes, 48 * kKiB);
  EXPECT_EQ(l1d->ways, 12);
  EXPECT_EQ(l1d->shared_by_cpus, 2);
  // A unified L3: type 3, level 3, 16 ways, 64 B lines, 32768 sets = 32 MiB, 16 sharing.
  const auto l3 = decode_cache_leaf({0x0003c163, 0x03c0003f, 32767, 0});
  ASSERT_TRUE(l3);
  EXPECT_EQ(l3->type, "unified");
  EXPECT_EQ(l3->size_bytes, 32 * kMiB);
  EXPECT_EQ(l3->shared_by_cpus, 16);
  EXPECT_FALSE(decode_cache_leaf({0, 0, 0, 0}));
  EXPECT_EQ(decode_amd_legacy_ways(0x6), 8);
  EXPECT_EQ(decode_amd_legacy_ways(0x8), 16);
  EXPECT_EQ(decode_amd_legacy_ways(0x9), 0);
}

// A fake /sys/devices/system/cpu: 1 socket, 2 cores x 2 threads (CPUs 0,2 on core 0; 1,3 on core 1),
// each core with a private L1d/L2 and its own 16 MiB L3 (two LLC domains, as two AMD CCXs).
class FakeSysfs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("wakesim_calibrate_sysfs_" + std::to_string(getpid()));
    fs::remove_all(root_);
    write("online", "0-3");
    for (int cpu = 0; cpu < 4; ++cpu) {
      const int core = cpu % 2;
      const std::string siblings = core == 0 ? "0,2" : "1,3";
      const fs::path dir = fs::path("cpu" + std::to_string(cpu));
      write(dir / "topology/physical_package_id", "0");
      write(dir / "topology/core_id", std::to_string(core));
      write(dir / "topology/thread_siblings_list", siblings);
      cache(dir / "cache/index0", 1, "Data", "48K", 12, siblings);
      cache(dir / "cache/index1", 1, "Instruction", "32K", 8, siblings);
      cache(dir / "cache/index2", 2, "Unified", "1024K", 16, siblings);
      cache(dir / "cache/index3", 3, "Unified", "16384K", 16, siblings);
    }
    write("../cpuinfo", "processor\t: 0\nmodel name\t: Test CPU 9000\n");
  }
  void TearDown() override {
    fs::remove_all(root_);
    fs::remove(cpuinfo());
  }

  fs::path cpuinfo() const { return root_.parent_path() / (root_.filename().string() + "_cpuinfo"); }
  void write(const fs::path& relative, const std::string& text) {
    const fs::path path = relative == "../cpuinfo" ? cpuinfo() : root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text << "\n";
  }
  void cache(const fs::path& dir, int level, const char* type, const char* size, int ways, const std::string& shared) {
    write(dir / "level", std::to_string(level));
    write(dir / "type", type);
    write(dir / "size", size);
    write(dir / "ways_of_associativity", std::to_string(ways));
    write(dir / "shared_cpu_list", shared);
  }

  fs::path root_;
};

TEST_F(FakeSysfs, ReadsTopologyAndCachesFromSysfs) {
  const Topology t = probe_topology({.cpu_root = root_, .cpuinfo = cpuinfo()});
  EXPECT_EQ(t.cpu_model, "Test CPU 9000");
  EXPECT_EQ(t.cpus, 4);
  EXPECT_EQ(t.sockets, 1);
  EXPECT_EQ(t.cores_per_socket, 2);
  EXPECT_EQ(t.threads_per_core, 2);
  EXPECT_EQ(t.llc_domains_per_socket, 2);
  ASSERT_EQ(t.places.size(), 4u);
  EXPECT_EQ(t.places[2].core, 0);
  EXPECT_EQ(t.places[2].llc_domain, 0);
  EXPECT_EQ(t.places[3].llc_domain, 1);
  ASSERT_EQ(t.caches.size(), 4u);
  EXPECT_EQ(t.caches[0].type, "data");
  EXPECT_EQ(t.caches[0].size_bytes, 48 * kKiB);
  EXPECT_EQ(t.caches[0].shared_by_cpus, 2);
  EXPECT_EQ(t.caches[3].level, 3);
  EXPECT_EQ(t.caches[3].size_bytes, 16 * kMiB);
  EXPECT_EQ(t.caches[3].source, "sysfs");
  EXPECT_TRUE(llc_size_plausible(t));
  EXPECT_EQ(last_level_cache(t), &t.caches[3]);
  EXPECT_EQ(data_cache(t, 2), &t.caches[2]);
}

TEST_F(FakeSysfs, ImplausibleLlcIsNoted) {
  for (int cpu = 0; cpu < 4; ++cpu) write("cpu" + std::to_string(cpu) + "/cache/index3/size", "520192K");
  const Topology t = probe_topology({.cpu_root = root_, .cpuinfo = cpuinfo()});
  EXPECT_FALSE(llc_size_plausible(t));
  bool noted = false;
  for (const std::string& note : t.notes) noted = noted || note.find("L3 of 508 MiB (sysfs) for 2 CPUs") == 0;
  EXPECT_TRUE(noted);
}

TEST_F(FakeSysfs, MissingTopologyFallsBackToOneSocket) {
  for (int cpu = 0; cpu < 4; ++cpu) fs::remove(root_ / ("cpu" + std::to_string(cpu)) / "topology/core_id");
  const Topology t = probe_topology({.cpu_root = root_, .cpuinfo = cpuinfo()});
  EXPECT_EQ(t.cpus, 4);
  EXPECT_EQ(t.sockets, 1);
  EXPECT_EQ(t.cores_per_socket, 4);
  EXPECT_EQ(t.threads_per_core, 1);
  ASSERT_FALSE(t.notes.empty());
}

TEST(TopologyProbe, DescribesThisMachine) {
  const Topology t = probe_topology();
  EXPECT_GE(t.cpus, 1);
  EXPECT_GE(t.sockets, 1);
  EXPECT_GE(t.cores_per_socket, 1);
  EXPECT_GE(t.llc_domains_per_socket, 1);
  EXPECT_FALSE(t.cpu_model.empty());
  EXPECT_FALSE(t.caches.empty() && t.notes.empty()) << "no caches and no note saying why";
}

}  // namespace
}  // namespace wakesim::calibrate
