// Host files as presets (host.preset = "path"), and the file `wakesim calibrate` writes: from a
// measurement to a host, written, read back and loaded as the simulator loads it.
#include "sim/experiment/host_file.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sim/config/loader.h"
#include "sim/engine/errors.h"
#include "sim/experiment/calibration.h"
#include "sim/experiment/config.h"
#include "test/support/cli_runner.h"

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;
using engine::Time;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string load_error(const std::optional<fs::path>& file, const std::vector<std::string>& overrides) {
  try {
    load_config(file, overrides);
  } catch (const engine::UserError& e) {
    return e.what();
  }
  return "";
}

TEST(HostFilePreset, AppliesTheHostTableOnTopOfItsBasePresetAndUnderExplicitKeys) {
  const fs::path dir = testing::fresh_temp_dir("hostfile-apply");
  write(dir / "hosts/box.toml",
        "[host]\npreset = \"epyc-milan-2s\"\nsockets = 1\n[host.cache]\nllc_latency = \"15ns\"\n"
        "[calibration]\nanything = [1, 2]\n");
  // Relative to the configuration that names it, not to the working directory.
  write(dir / "run.toml", "[host]\npreset = \"hosts/box.toml\"\ncores_per_socket = 12\n");
  const Config c = load_config(dir / "run.toml", {}).config;
  EXPECT_EQ(c.host.sockets, 1);
  EXPECT_EQ(c.host.cores_per_socket, 12);  // the configuration's key wins
  EXPECT_EQ(c.host.llc_per_socket, 6);     // from the base preset
  EXPECT_EQ(c.host.cache.llc_latency, Time::from_ns(15));
  EXPECT_EQ(c.host.cache.same_llc, Time::from_ps(22'700));  // epyc-milan-2s's
  EXPECT_EQ(c.host.preset, (dir / "hosts/box.toml").lexically_normal().string());

  // --set takes the path relative to the working directory; the configuration keeps it absolute, so
  // that the resolved configuration a run writes loads the same file from its results directory.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  const Config s = load_config(std::nullopt, {"host.preset=hosts/box.toml"}).config;
  fs::current_path(cwd);
  EXPECT_EQ(s.host.cache.llc_latency, Time::from_ns(15));
  EXPECT_EQ(s.host.preset, (dir / "hosts/box.toml").lexically_normal().string());
  write(dir / "elsewhere/resolved.toml", config::to_toml(s));
  EXPECT_EQ(config::to_toml(load_config(dir / "elsewhere/resolved.toml", {}).config), config::to_toml(s));
}

TEST(HostFilePreset, ProblemsInTheHostFileNameItsLineAndKey) {
  const fs::path dir = testing::fresh_temp_dir("hostfile-errors");
  write(dir / "bad.toml", "[host]\nsockets = 0\n[host.cache]\nl1_sise = \"32KiB\"\n[extra]\nx = 1\n");
  const std::string e = load_error(std::nullopt, {"host.preset=" + (dir / "bad.toml").string()});
  EXPECT_NE(e.find("bad.toml:2:11: error: host.sockets"), std::string::npos) << e;
  EXPECT_NE(e.find("bad.toml:4:1: error: host.cache.l1_sise: unknown key (did you mean 'host.cache.l1_size'?)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("extra: unexpected here; this file holds only [host] or [calibration]"), std::string::npos) << e;

  EXPECT_NE(load_error(std::nullopt, {"host.preset=" + (dir / "missing.toml").string()}).find("cannot open"),
            std::string::npos);
  EXPECT_NE(load_error(std::nullopt, {"host.preset=" + dir.string() + "/"}).find("is a directory"), std::string::npos);
  write(dir / "none.toml", "[calibration]\nx = 1\n");
  EXPECT_NE(load_error(std::nullopt, {"host.preset=" + (dir / "none.toml").string()}).find("no [host] table"),
            std::string::npos);
  // A host file cannot chain to another (no cycles).
  write(dir / "chain.toml", "[host]\npreset = \"chain.toml\"\n");
  EXPECT_NE(load_error(std::nullopt, {"host.preset=" + (dir / "chain.toml").string()})
                .find("a preset file cannot name another preset file"),
            std::string::npos);
  // A name that is neither a preset nor a path says both are possible.
  EXPECT_NE(load_error(std::nullopt, {"host.preset=icelake"}).find("or a file path"), std::string::npos);
}

calibrate::Results synthetic_measurement() {
  calibrate::Results r;
  calibrate::Topology& t = r.topology;
  t.cpu_model = "Test \"CPU\"";
  t.cpu_signature = "GenuineIntel family 6 model 106";
  t.cpus = 4;
  t.sockets = 1;
  t.cores_per_socket = 2;
  t.threads_per_core = 2;
  t.llc_domains_per_socket = 1;
  t.places = {{0, 0, 0, 0}, {1, 0, 1, 0}, {2, 0, 0, 0}, {3, 0, 1, 0}};
  r.levels = {.l1_ns = 1.2,
              .l2_ns = 4.5,
              .llc_ns = 20,
              .dram_ns = 100,
              .l1_bytes = 48 << 10,
              .l2_bytes = 1 << 20,
              .llc_bytes = 30 << 20,
              .l1_ways = 12,
              .l2_ways = 16,
              .llc_ways = 12,
              .method = "test"};
  r.transfers = {{0, 2, 8, 7, 9}, {0, 1, 50, 45, 55}, {1, 3, 7, 6, 8}};
  r.chase = {{16 << 10, 1.2}, {256 << 10, 4.5}, {8 << 20, 20}};
  r.walk = {{0, 1.3}, {256 << 10, 4.6}, {8 << 20, 21}};
  r.walk_nodes = 16;
  return r;
}

TEST(Calibration, MapsTheMeasurementToHostKeys) {
  const MeasuredHost m = host_from_measurement(synthetic_measurement());
  EXPECT_EQ(m.base_preset, "icelake-2s");
  EXPECT_EQ(m.host.cores_per_socket, 2);
  EXPECT_EQ(m.host.threads_per_core, 2);
  EXPECT_EQ(m.host.cache.l2_size, engine::Bytes::mib(1));
  EXPECT_EQ(m.host.cache.l2_ways, 16);
  EXPECT_EQ(m.host.cache.llc_latency, Time::from_ns(20));
  EXPECT_EQ(m.host.cache.smt_sibling, Time::from_ns(7.5));  // median of the two sibling pairs
  EXPECT_EQ(m.host.cache.same_llc, Time::from_ns(50));
  EXPECT_EQ(m.host.cache.dram_remote, Time::from_ns(100 * 143.0 / 89.0));
  bool noted_same_socket = false;
  for (const std::string& n : m.notes) noted_same_socket |= n.starts_with("host.cache.same_socket");
  EXPECT_TRUE(noted_same_socket);
}

TEST(Calibration, TheWrittenFileLoadsAsTheSameHostAndKeepsTheCurves) {
  const calibrate::Results r = synthetic_measurement();
  const MeasuredHost m = host_from_measurement(r);
  const SimulatedCurves curves = simulate_curves(m.host, r.chase, r.walk, r.walk_nodes, 1);
  ASSERT_EQ(curves.chase.size(), 3u);
  ASSERT_EQ(curves.walk.size(), 3u);
  EXPECT_NEAR(curves.chase[1].simulated_ns, 4.5, 0.5);  // the L2 plateau it was given

  const fs::path file = testing::fresh_temp_dir("hostfile-roundtrip") / "host.toml";
  write(file, host_file_toml(r, m, curves, "wakesim calibrate", std::chrono::system_clock::now()));
  const StoredCalibration stored = read_host_file(file);
  EXPECT_EQ(config::to_toml(stored.host.cache), config::to_toml(m.host.cache));
  EXPECT_EQ(stored.host.cores_per_socket, 2);
  EXPECT_EQ(stored.walk_nodes, 16);
  ASSERT_EQ(stored.walk.size(), 3u);
  EXPECT_EQ(stored.walk[2].pollution_bytes, uint64_t{8} << 20);
  EXPECT_DOUBLE_EQ(stored.walk[2].ns_per_node, 21);
  EXPECT_NE(stored.machine.find("Test \"CPU\""), std::string::npos);
  EXPECT_EQ(stored.repeats, 1);
  EXPECT_DOUBLE_EQ(stored.walk[2].spread, 1.0);
}

TEST(Calibration, ARepeatedMeasurementKeepsEachPointsSpread) {
  calibrate::Results r = synthetic_measurement();
  r.repeats = 3;
  r.walk[1].spread = 1.5;
  r.chase[2].spread = 1.125;
  const MeasuredHost m = host_from_measurement(r);
  const SimulatedCurves curves = simulate_curves(m.host, r.chase, r.walk, r.walk_nodes, 1);
  const fs::path dir = testing::fresh_temp_dir("hostfile-repeats");
  const std::string text =
      host_file_toml(r, m, curves, "wakesim calibrate --repeat 3", std::chrono::system_clock::now());
  EXPECT_NE(text.find("repeats = 3\n"), std::string::npos) << text;
  // The walk row at 256 KiB: the spread as a fourth value, and in the comment.
  const size_t row = text.find("  [262144, 4.600, ");
  ASSERT_NE(row, std::string::npos) << text;
  const std::string line = text.substr(row, text.find('\n', row) - row);
  EXPECT_NE(line.find(", 1.500],  # 256KiB: x"), std::string::npos) << line;
  EXPECT_TRUE(line.ends_with(", repeats within x1.50")) << line;
  // With one repeat, three values and no spread in the comment.
  const std::string single = host_file_toml(synthetic_measurement(), m, simulate_curves(m.host, r.chase, r.walk, 16, 1),
                                            "wakesim calibrate", std::chrono::system_clock::now());
  const size_t single_row = single.find("  [262144, 4.600, ");
  ASSERT_NE(single_row, std::string::npos) << single;
  const std::string single_line = single.substr(single_row, single.find('\n', single_row) - single_row);
  EXPECT_EQ(std::count(single_line.begin(), single_line.end(), ','), 3)
      << single_line;  // two between the values, one before "#"
  EXPECT_EQ(single_line.find("repeats within"), std::string::npos) << single_line;
  write(dir / "host.toml", text);
  const StoredCalibration stored = read_host_file(dir / "host.toml");
  EXPECT_EQ(stored.repeats, 3);
  ASSERT_EQ(stored.walk.size(), 3u);
  EXPECT_DOUBLE_EQ(stored.walk[0].spread, 1.0);
  EXPECT_DOUBLE_EQ(stored.walk[1].spread, 1.5);
  EXPECT_DOUBLE_EQ(stored.chase[2].spread, 1.125);

  // A spread below 1, or a repeat count out of range, is named with its line.
  auto read_error = [&](const std::string& body) {
    write(dir / "bad.toml", "[host]\npreset = \"icelake-2s\"\n[calibration]\nwalk_nodes = 16\n" + body);
    try {
      read_host_file(dir / "bad.toml");
    } catch (const engine::UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string low = read_error("chase = [[64, 1.0, 1.0, 0.5]]\nwalk = [[0, 1.0, 1.0]]\n");
  EXPECT_NE(low.find("bad.toml:5:10: error: calibration.chase: a row's spread"), std::string::npos) << low;
  const std::string many = read_error("repeats = 99\nchase = [[64, 1.0, 1.0]]\nwalk = [[0, 1.0, 1.0]]\n");
  EXPECT_NE(many.find("bad.toml:5:11: error: calibration.repeats: expected 1..20, got 99"), std::string::npos) << many;
}

}  // namespace
}  // namespace wakesim::experiment
