// A vCPU's posted-interrupt descriptor (struct pi_desc, arch/x86/include/asm/posted_intr.h): exactly
// one 64-byte cache line holding the PIR bitmap and the control word with ON (outstanding
// notification), SN (suppress notification), NV (notification vector) and NDST (destination pCPU).
//
// The hardware posting rule (VT-d posted interrupts and IPIv alike; kvm-wakeup-paths.md §1.6, §7.0):
// set the PIR bit; send a notification with vector NV to NDST only if ON was clear and SN is clear,
// setting ON. The posted requests themselves are kept in `pir` (PIR non-empty == pir not empty).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/time.h"
#include "sim/hw/cache_line.h"
#include "sim/hw/ids.h"
#include "sim/hw/pool_allocator.h"
#include "sim/kernel/vectors.h"

namespace wakesim::kernel {

// How a posting reached the vCPU, decided by the vCPU's state when it was posted.
enum class WakePath : uint8_t {
  kWakeupVector,  // blocked on a wakeup list: POSTED_INTR_WAKEUP_VECTOR handler walks the list
  kSoftware,      // blocked, woken directly by KVM's software delivery (timers, IPIs without IPIv)
  kHaltPoll,      // halt-polling: noticed by the poll loop
  kRunning,       // running, runnable or preempted: delivered at (or during) its next guest entry
};
inline constexpr int kWakePaths = 4;
const char* to_string(WakePath p);

// Where a guest request came from (the guest model reacts to device requests, e.g. with IPIs).
enum class RequestSource : uint8_t { kDevice, kIpi, kTimer };
inline constexpr int kRequestSources = 3;
const char* to_string(RequestSource s);

struct PostedRequest {
  engine::Time posted_at;
  WakePath path;
  engine::Time work;  // guest time it takes to handle
  RequestSource source;
};

// Pending requests, in storage from the machine's pool (hw/pool_allocator.h).
using RequestVector = std::vector<PostedRequest, hw::PoolAllocator<PostedRequest>>;

struct PiDescriptor {
  PiDescriptor(int home_socket, hw::FramePool& pool) : line(home_socket), pir(hw::PoolAllocator<PostedRequest>(pool)) {}
  hw::CacheLine line;
  RequestVector pir;  // posted, not yet synced into the guest (storage reused)
  bool on = false;
  bool sn = false;
  hw::Vector nv = kPostedIntrVector;
  hw::PcpuId ndst;

  // The hardware rule: returns true if a notification (nv to ndst) must be sent.
  bool post(const PostedRequest& request) {
    pir.push_back(request);
    if (on || sn) return false;
    on = true;
    return true;
  }
};

}  // namespace wakesim::kernel
