// Issue 17's hangs and runaway memory, each now bad input reported within seconds (exit 2) rather than
// a spin or unbounded growth: a zero-time loop through the event queue (the engine's progress guard),
// an unstable queue (its backlog guard), a lockbench whose iterations take no time (its guard), and
// arrival processes whose every state is silent (no arrivals, no endless search for one).
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/cli_runner.h"

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;
using testing::cli;

testing::CliOutcome run(const std::string& config, const std::vector<std::string>& sets) {
  const fs::path out = testing::fresh_temp_dir("progress-guard");
  std::vector<std::string> args{"run", config, "--replicates", "1", "--out", out.string()};
  for (const std::string& s : sets) args.insert(args.end(), {"--set", s});
  auto o = cli(args);
  fs::remove_all(out);
  return o;
}

TEST(ProgressGuard, AZeroInterArrivalTimeIsBadInputNotAHang) {
  const auto o = run("mm1", {"queue.interarrival=const(0)"});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("simulated time stopped at 0s"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("'queue arrival'"), std::string::npos) << o.err;
}

TEST(ProgressGuard, AnUnstableQueueIsBadInputNotUnboundedMemory) {
  const auto o = run("mm1", {"queue.interarrival=const(1ps)", "run.duration=1ms"});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("queue.interarrival is too short for queue.service and queue.servers"), std::string::npos)
      << o.err;
}

TEST(ProgressGuard, ALockbenchOfZeroCostsIsBadInputNotAHang) {
  std::vector<std::string> sets{"lockbench.think=const(0)", "lockbench.critical=const(0)", "lockbench.shared_lines=0",
                                "run.designs=[\"ticket\"]"};
  for (const char* k : {"l1_latency", "l2_latency", "llc_latency", "atomic", "smt_sibling", "same_llc", "same_socket",
                        "remote_socket", "dram_local", "dram_remote"})
    sets.push_back(std::string("host.cache.") + k + "=0");
  const auto o = run("lockbench", sets);
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("lock acquisitions in a row that took no simulated time"), std::string::npos) << o.err;
}

// Issue 17 item 3: device interrupts far faster than the vCPUs handle them (poisson(1G/s), periodic(1ps))
// grew memory by about 0.1 GB/s with simulated time crawling; each vCPU's backlog is now bounded.
TEST(ProgressGuard, PostingsFasterThanTheVcpusHandleThemAreBadInputNotUnboundedMemory) {
  for (const char* arrivals : {"vms.device_arrivals=poisson(1G/s)", "vms.device_arrivals=periodic(1ps)"}) {
    const auto o = run("default", {arrivals, "run.designs=[\"single-lock\"]"});
    EXPECT_EQ(o.status, 2) << arrivals << "\n" << o.out << o.err;
    EXPECT_NE(o.err.find("requests pending at simulated time"), std::string::npos) << o.err;
  }
}

TEST(ProgressGuard, SilentDeviceArrivalsRunWithoutDeviceInterrupts) {
  const auto o = run("default", {"vms.device_arrivals=mmpp(0/s:1ms, 0/s:1ms)", "run.duration=5ms", "run.warmup=1ms",
                                 "run.designs=[\"single-lock\"]"});
  EXPECT_EQ(o.status, 0) << o.out << o.err;
}

// Issue 17 items 5 and 7: NaN is not a number a key accepts, and samples past the simulated range
// (a valid distribution with an enormous mean or spread) are saturated, not an internal error.
TEST(HostileInput, NanIsRefusedAndHugeSamplesDoNotOverflowTheClock) {
  auto o = run("default", {"vms.ipi_probability=nan"});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("vms.ipi_probability: expected a finite number, got nan"), std::string::npos) << o.err;
  for (const char* request : {"vms.request=exp(4000000s)", "vms.request=lognormal(mean=1us, cv=1e150)"}) {
    o = run("default", {request, "run.duration=2ms", "run.warmup=1ms", "run.designs=[\"single-lock\"]"});
    EXPECT_EQ(o.status, 0) << request << "\n" << o.out << o.err;
  }
  // A cv whose square overflows would make every sample NaN: refused against the key.
  o = run("default", {"vms.request=lognormal(mean=1us, cv=1e300)"});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("cv is too large"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("vms.request"), std::string::npos) << o.err;
}

// Issue 17 item 1: --jobs out of range is refused at once, never a crash or a silent default.
TEST(HostileInput, JobsOutOfRangeIsRefused) {
  for (const char* jobs : {"0", "-1", "70000", "100000000"}) {
    const auto o = cli({"run", "mm1", "--jobs", jobs, "--out", testing::fresh_temp_dir("jobs").string()});
    EXPECT_EQ(o.status, 2) << jobs << "\n" << o.out << o.err;
    EXPECT_NE(o.err.find("--jobs"), std::string::npos) << o.err;
  }
}

}  // namespace
}  // namespace wakesim::experiment
