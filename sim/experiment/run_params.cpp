#include "sim/experiment/run_params.h"

namespace wakesim::experiment {

const config::Section<RunParams>& RunParams::schema() {
  using engine::Time;
  static const auto s =
      config::Section<RunParams>("run", "length, seed and replication of every run")
          .field(&RunParams::warmup, "warmup", "simulated time before measurement starts (statistics discarded)",
                 {.min = Time::zero()})
          .field(&RunParams::duration, "duration", "simulated time measured after the warm-up",
                 {.min = Time::from_ps(1000)})
          .field(&RunParams::seed, "seed", "base random seed; replicate r uses a seed derived from (seed, r)")
          .field(&RunParams::replicates, "replicates", "independent replicates per design (for confidence intervals)",
                 {.min = 1, .max = 100000})
          .field(&RunParams::designs, "designs", "designs to compare: names, or \"all\" for every registered one");
  return s;
}

}  // namespace wakesim::experiment
