// Independent pieces of work (runs, sweep points, calibration points) spread over `jobs` threads:
// fn(i) for every i in [0, n), one index per task (each is a whole simulation run or more, so there is
// nothing to gain from grouping them and much to lose in balance). jobs <= 0: one thread per core.
// Results go to slots indexed by i, so they come out in the same order on any thread count.
#pragma once

#include <cstddef>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace wakesim::experiment {

template <class Fn>
void for_each_index_in_parallel(int jobs, size_t n, Fn&& fn) {
  tbb::task_arena arena(jobs > 0 ? jobs : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(
        size_t{0}, n, [&](size_t i) { fn(i); }, tbb::simple_partitioner());
  });
}

}  // namespace wakesim::experiment
