// How long each run lasts, how it starts, and how many independent replicates are made.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/schema.h"
#include "sim/engine/time.h"

namespace wakesim::experiment {

struct RunParams {
  // 100 ms of warm-up then 1 s measured: long enough for >10^5 wakeups at the default loads, so p99.9
  // has >100 samples per replicate (reference/hw-params.md §2.4: >= 10/(1-p) samples per estimate).
  engine::Time warmup = engine::Time::from_ps(100'000'000'000);
  engine::Time duration = engine::Time::from_ps(1'000'000'000'000);
  uint64_t seed = 1;
  int replicates = 1;
  std::vector<std::string> designs = {"all"};

  static const config::Section<RunParams>& schema();
};

}  // namespace wakesim::experiment
