// Thread placement: which CPUs this thread may run on, pinning it to one, and restoring its previous
// affinity when a measurement is done (measure() must not leave its caller pinned).
#pragma once

#include <string>
#include <vector>

namespace wakesim::calibrate {

// The CPUs in the calling thread's affinity mask, ascending.
std::vector<int> allowed_cpus();

// Pins the calling thread to `cpu`. Throws std::runtime_error naming the CPU, the errno text and the
// allowed CPUs (e.g. when a container's cpuset excludes it).
void pin_current_thread(int cpu);

// "0-3,8,10-11"
std::string format_cpu_list(const std::vector<int>& cpus);

// Saves the calling thread's affinity mask and puts it back on destruction (same thread).
class ScopedAffinity {
 public:
  ScopedAffinity();
  ~ScopedAffinity();
  ScopedAffinity(const ScopedAffinity&) = delete;
  ScopedAffinity& operator=(const ScopedAffinity&) = delete;

 private:
  std::vector<int> saved_;
};

}  // namespace wakesim::calibrate
