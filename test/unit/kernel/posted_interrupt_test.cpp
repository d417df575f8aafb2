// The hardware posting rule of a posted-interrupt descriptor (kvm-wakeup-paths.md §1.6, §7.0): every
// posting sets its PIR bit; a notification is sent, and ON set, only if ON was clear and SN is clear.
#include "sim/kernel/posted_interrupt.h"

#include <gtest/gtest.h>

namespace wakesim::kernel {
namespace {

using engine::Time;

PostedRequest request(int64_t ns) {
  return PostedRequest{Time::from_ps(ns * 1000), WakePath::kRunning, Time::from_ps(1000), RequestSource::kDevice};
}

TEST(PostingRule, FirstPostingNotifiesAndSetsOn) {
  hw::FramePool pool;
  PiDescriptor pid(0, pool);
  EXPECT_TRUE(pid.post(request(1)));
  EXPECT_TRUE(pid.on);
  ASSERT_EQ(pid.pir.size(), 1u);
  EXPECT_EQ(pid.pir.front().posted_at, Time::from_ps(1000));
}

TEST(PostingRule, PostingsWhileOnIsSetAreCoalesced) {
  hw::FramePool pool;
  PiDescriptor pid(0, pool);
  EXPECT_TRUE(pid.post(request(1)));
  EXPECT_FALSE(pid.post(request(2)));  // ON already set: no second notification
  EXPECT_FALSE(pid.post(request(3)));
  EXPECT_TRUE(pid.on);
  EXPECT_EQ(pid.pir.size(), 3u);  // every request is still recorded, in order
  EXPECT_EQ(pid.pir.back().posted_at, Time::from_ps(3000));
}

TEST(PostingRule, SuppressedNotificationLeavesOnClear) {
  hw::FramePool pool;
  PiDescriptor pid(0, pool);
  pid.sn = true;  // vCPU preempted (vmx_vcpu_pi_put sets SN)
  EXPECT_FALSE(pid.post(request(1)));
  EXPECT_FALSE(pid.on);  // so the first posting after SN is cleared notifies
  EXPECT_EQ(pid.pir.size(), 1u);
  pid.sn = false;
  EXPECT_TRUE(pid.post(request(2)));
  EXPECT_TRUE(pid.on);
}

TEST(PostingRule, ClearingOnReArmsTheNotification) {
  hw::FramePool pool;
  PiDescriptor pid(0, pool);
  EXPECT_TRUE(pid.post(request(1)));
  pid.on = false;  // the guest (or vmx_sync_pir_to_irr) consumed the notification
  pid.pir.clear();
  EXPECT_TRUE(pid.post(request(2)));
  EXPECT_EQ(pid.pir.size(), 1u);
}

}  // namespace
}  // namespace wakesim::kernel
