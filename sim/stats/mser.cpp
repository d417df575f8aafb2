// MSER truncation in O(n): the batch means' suffix variances are accumulated from the end with
// Welford's update, which stays accurate when the mean is large relative to the spread.
#include "sim/stats/mser.h"

#include <vector>

#include "sim/engine/errors.h"

namespace wakesim::stats {

size_t mser(std::span<const double> series, size_t batch) {
  WAKESIM_CHECK(batch >= 1, "mser: batch size must be >= 1");
  const size_t k = series.size() / batch;
  if (k < 2) return 0;

  std::vector<double> z(k);
  for (size_t j = 0; j < k; ++j) {
    double sum = 0;
    for (size_t i = 0; i < batch; ++i) sum += series[j * batch + i];
    z[j] = sum / static_cast<double>(batch);
  }

  // Walk d from k-1 down to 0, adding Z_{d+1} (z[d]) to the kept suffix; keep the smallest statistic,
  // preferring the smaller d on ties (hence <=, since d decreases).
  double mean = 0;
  double m2 = 0;
  size_t best_d = 0;
  double best = 0;
  bool have_best = false;
  for (size_t d = k; d-- > 0;) {
    const auto m = static_cast<double>(k - d);
    const double delta = z[d] - mean;
    mean += delta / m;
    m2 += delta * (z[d] - mean);
    if (d > k / 2) continue;
    const double statistic = m2 / (m * m);
    if (!have_best || statistic <= best) {
      best = statistic;
      best_d = d;
      have_best = true;
    }
  }
  return best_d * batch;
}

}  // namespace wakesim::stats
