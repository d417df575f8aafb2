// Checks before any run starts, so that `check` and `run` refuse what would fail or exhaust the machine
// with a clear message instead of after minutes (or never):
//   - a memory estimate from the configuration (pCPUs, vCPUs) against the memory available;
//   - the model built once per design and run for no simulated time, which reads every file the
//     configuration names (latency matrices, replay traces) and checks every request against the host.
// The estimate's coefficients are measured peak resident sizes of one run of the release build on this
// project's development machine (`/usr/bin/time -f %M wakesim run --set ... --set run.duration=100us
// --set run.warmup=100us --design single-lock --replicates 1 --jobs 1`), re-measured 2026-12-06 after the
// hot-path libraries became one translation unit each (sim/CMakeLists.txt: more inlining, larger
// coroutine frames, about 1.2 KiB more per vCPU):
//   default host (16 pCPUs), 1 vCPU: 11.9 MiB;  16,384 VMs x 4 vCPUs: 406.0 MiB  -> 6.2 KiB per vCPU;
//   1,024 and 2,048 pCPUs (1 vCPU): 85.4 and 160.1 MiB                         -> 74.7 KiB per pCPU.
// Rounded up (16 MiB + 80 KiB per pCPU + 7 KiB per vCPU) so the estimate errs high by 10-45%;
// test/validation/scale_test.cpp checks a 1,024-pCPU, 16,384-vCPU run against it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/experiment/config.h"

namespace wakesim::experiment {

struct MemoryEstimate {
  uint64_t bytes_per_run = 0;
  int64_t pcpus = 0;
  int64_t vcpus = 0;
};
MemoryEstimate estimate_run_memory(const Config& config);

// MemAvailable from /proc/meminfo, lowered to the process's address-space limit (ulimit -v) and its
// cgroup's memory.max when those are set; nullopt where none can be read.
std::optional<uint64_t> available_memory();

struct PreflightOptions {
  int concurrent_runs = 1;             // runs in memory at once (--jobs, at most the number of runs)
  std::optional<uint64_t> max_memory;  // --max-memory: the limit instead of the available memory
  bool build_model = true;             // build each design once and run it for no simulated time
};
// Throws engine::UserError (exit 2) with the estimate and the limit, or with the model's own error.
void preflight(const Config& config, const PreflightOptions& options);

}  // namespace wakesim::experiment
