// The measurement plumbing on this machine: timer, hugepage buffers, pinning.
#include <sched.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "sim/calibrate/huge_buffer.h"
#include "sim/calibrate/pinning.h"
#include "sim/calibrate/sizes.h"
#include "sim/calibrate/timer.h"

namespace wakesim::calibrate {
namespace {

TEST(Timer, AgreesWithSteadyClock) {
  // Pinned, as measure() is: the TSCs of two vCPUs need not agree.
  const ScopedAffinity restore;
  pin_current_thread(allowed_cpus().front());
  const Timer timer = Timer::calibrate(std::chrono::milliseconds(5));
  EXPECT_GE(timer.overhead_ns(), 0);
  EXPECT_LT(timer.overhead_ns(), 10'000);
  EXPECT_GT(timer.resolution_ns(), 0);
  EXPECT_LT(timer.resolution_ns(), 10'000);
  if (timer.source() == ClockSource::kTsc) {
    EXPECT_GT(timer.tsc_ghz(), 0.1);
    EXPECT_TRUE(timer.fallback_reason().empty());
  } else {
    EXPECT_EQ(timer.tsc_ghz(), 0);
    EXPECT_FALSE(timer.fallback_reason().empty());
  }
  // 20 ms of spinning, timed by both clocks.
  const auto begin = std::chrono::steady_clock::now();
  const uint64_t t0 = timer.start();
  while (std::chrono::steady_clock::now() - begin < std::chrono::milliseconds(20)) {
  }
  const uint64_t t1 = timer.stop();
  const double steady_ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - begin).count();
  EXPECT_NEAR(timer.elapsed_ns(t0, t1), steady_ns, 0.05 * steady_ns);
}

TEST(HugeBuffer, IsAlignedSizedAndWritable) {
  const HugeBuffer buffer(3 * kMiB, "test buffer");
  EXPECT_EQ(buffer.size(), 4 * kMiB);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer.data()) % kHugePageBytes, 0u);
  buffer.data()[0] = std::byte{1};
  buffer.data()[buffer.size() - 1] = std::byte{2};
  EXPECT_EQ(buffer.data()[buffer.size() - 1], std::byte{2});
  const auto huge = buffer.huge_page_bytes();
  if (huge) {
    EXPECT_LE(*huge, buffer.size());
  }
  const HugePageReport report = report_huge_pages(buffer);
  EXPECT_EQ(report.bytes, 4 * kMiB);
  EXPECT_EQ(report.describe().rfind("test buffer 4 MiB: ", 0), 0u) << report.describe();
}

TEST(HugeBuffer, UnmappableSizeIsAClearError) {
  try {
    HugeBuffer buffer(uint64_t{1} << 62, "absurd buffer");
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("cannot map ", 0), 0u) << message;
    EXPECT_NE(message.find(" TiB for the absurd buffer: "), std::string::npos) << message;
  }
}

TEST(Pinning, PinsAndRestores) {
  const std::vector<int> allowed = allowed_cpus();
  ASSERT_FALSE(allowed.empty());
  {
    const ScopedAffinity restore;
    pin_current_thread(allowed.back());
    EXPECT_EQ(allowed_cpus(), std::vector<int>{allowed.back()});
    EXPECT_EQ(sched_getcpu(), allowed.back());
  }
  EXPECT_EQ(allowed_cpus(), allowed);
  EXPECT_THROW(pin_current_thread(-1), std::runtime_error);
  try {
    pin_current_thread(8191);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("cannot pin a measuring thread to CPU 8191: ", 0), 0u) << e.what();
  }
  EXPECT_EQ(allowed_cpus(), allowed) << "a failed pin must leave the affinity alone";
}

TEST(Pinning, FormatsCpuLists) {
  EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
  EXPECT_EQ(format_cpu_list({5}), "5");
  EXPECT_EQ(format_cpu_list({}), "");
}

}  // namespace
}  // namespace wakesim::calibrate
