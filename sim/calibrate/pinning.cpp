// Masks are allocated with CPU_ALLOC for kMaxCpus CPUs rather than the fixed 1024-CPU cpu_set_t, so that
// CPU numbers above 1023 (large hosts) are neither lost nor refused.
#include "sim/calibrate/pinning.h"

#include <pthread.h>
#include <sched.h>

#include <memory>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace wakesim::calibrate {
namespace {

constexpr int kMaxCpus = 8192;

struct CpuSetDeleter {
  void operator()(cpu_set_t* set) const { CPU_FREE(set); }
};
using CpuSet = std::unique_ptr<cpu_set_t, CpuSetDeleter>;

CpuSet make_set() {
  CpuSet set(CPU_ALLOC(kMaxCpus));
  if (!set) throw std::bad_alloc();
  CPU_ZERO_S(CPU_ALLOC_SIZE(kMaxCpus), set.get());
  return set;
}

// Returns 0 or the error number of pthread_setaffinity_np (EINVAL: no allowed CPU in the set).
int set_affinity(const std::vector<int>& cpus) {
  const size_t bytes = CPU_ALLOC_SIZE(kMaxCpus);
  CpuSet set = make_set();
  for (const int cpu : cpus)
    if (cpu >= 0 && cpu < kMaxCpus) CPU_SET_S(static_cast<size_t>(cpu), bytes, set.get());
  return pthread_setaffinity_np(pthread_self(), bytes, set.get());
}

std::string error_text(int error) { return std::error_code(error, std::generic_category()).message(); }

}  // namespace

std::vector<int> allowed_cpus() {
  const size_t bytes = CPU_ALLOC_SIZE(kMaxCpus);
  CpuSet set = make_set();
  if (const int error = pthread_getaffinity_np(pthread_self(), bytes, set.get()); error != 0)
    throw std::runtime_error(fmt::format("cannot read this thread's CPU affinity: {}", error_text(error)));
  std::vector<int> cpus;
  for (int cpu = 0; cpu < kMaxCpus; ++cpu)
    if (CPU_ISSET_S(static_cast<size_t>(cpu), bytes, set.get())) cpus.push_back(cpu);
  return cpus;
}

void pin_current_thread(int cpu) {
  if (cpu < 0 || cpu >= kMaxCpus)
    throw std::runtime_error(fmt::format("cannot pin to CPU {}: CPU numbers must be in 0..{}", cpu, kMaxCpus - 1));
  if (const int error = set_affinity({cpu}); error != 0)
    throw std::runtime_error(fmt::format("cannot pin a measuring thread to CPU {}: {} (this thread may use CPUs {})",
                                         cpu, error_text(error), format_cpu_list(allowed_cpus())));
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j > i ? fmt::format("{}-{}", cpus[i], cpus[j]) : fmt::format("{}", cpus[i]);
    i = j + 1;
  }
  return out;
}

ScopedAffinity::ScopedAffinity() : saved_(allowed_cpus()) {}

ScopedAffinity::~ScopedAffinity() {
  // Restoring a mask read from this thread fails only if all its CPUs went offline meanwhile; the
  // thread then stays pinned, which is harmless, so the result is not checked.
  (void)set_affinity(saved_);
}

}  // namespace wakesim::calibrate
