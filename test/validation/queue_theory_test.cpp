// The engine against queueing theory: the "queue" scenario's simulated means and tails must match
// closed forms within a 95% confidence interval computed from the run's own replicates.
//   M/M/1:  Wq = rho / (mu - lambda);  P(Wq > t) = rho exp(-(mu - lambda) t)   (Kleinrock 1975, §3.2)
//   M/D/1:  Wq = rho S / (2 (1 - rho))                   (Pollaczek-Khinchine, Kleinrock 1975, §5.6)
//   M/M/c:  Wq = C(c, a) / (c mu - lambda), C = Erlang C  (Kleinrock 1975, §3.5)
//   Little: L = lambda (Wq + S)
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/experiment/config.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/summary.h"

namespace wakesim::experiment {
namespace {

std::map<std::string, stats::ConfidenceInterval> simulate(const std::vector<std::string>& overrides) {
  std::vector<std::string> all = {"scenario=queue", "run.warmup=50ms", "run.duration=1s", "run.replicates=12"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  const Config config = load_config(std::nullopt, all).config;
  const ExperimentResult result = run_experiment(config, 0);
  EXPECT_EQ(result.failures(), 0u);
  std::map<std::string, stats::ConfidenceInterval> out;
  for (const MetricSummary& s : summarize(result)) out[s.metric] = s.ci;
  return out;
}

void expect_within_ci(const stats::ConfidenceInterval& ci, double theory, const char* what) {
  EXPECT_GE(theory, ci.lo) << what << ": theory " << theory << " below CI [" << ci.lo << ", " << ci.hi << "]";
  EXPECT_LE(theory, ci.hi) << what << ": theory " << theory << " above CI [" << ci.lo << ", " << ci.hi << "]";
  EXPECT_LT(ci.half_width, 0.1 * theory) << what << ": interval too wide to be a meaningful check";
}

TEST(QueueTheory, MM1MeanAndTailOfWaitingTime) {
  const double lambda = 80e3, mu = 100e3, rho = lambda / mu;  // per second
  auto m = simulate({"queue.interarrival=exp(12.5us)", "queue.service=exp(10us)"});
  expect_within_ci(m["wait.mean"], rho / (mu - lambda) * 1e9, "M/M/1 mean wait (ns)");
  expect_within_ci(m["wait.p99"], std::log(100 * rho) / (mu - lambda) * 1e9, "M/M/1 p99 wait (ns)");
  expect_within_ci(m["wait.p90"], std::log(10 * rho) / (mu - lambda) * 1e9, "M/M/1 p90 wait (ns)");
  expect_within_ci(m["utilization"], rho, "M/M/1 utilization");
  expect_within_ci(m["number_in_system.mean"], rho / (1 - rho), "M/M/1 mean number in system (Little)");
  expect_within_ci(m["throughput"], lambda, "M/M/1 throughput");
}

TEST(QueueTheory, MD1PollaczekKhinchine) {
  const double rho = 0.8, service_ns = 10e3;
  auto m = simulate({"queue.interarrival=exp(12.5us)", "queue.service=const(10us)"});
  expect_within_ci(m["wait.mean"], rho * service_ns / (2 * (1 - rho)), "M/D/1 mean wait (ns)");
}

TEST(QueueTheory, MM3ErlangC) {
  const int c = 3;
  const double lambda = 1e12 / 4'166'666.0, mu = 100e3, a = lambda / mu, rho = a / c;  // inter-arrival 4.166666us
  double sum = 0, term = 1;
  for (int k = 0; k < c; ++k) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const double last = term * a / c;  // a^c / c!
  const double erlang_c = last / (1 - rho) / (sum + last / (1 - rho));
  auto m = simulate({"queue.interarrival=exp(4.166666us)", "queue.service=exp(10us)", "queue.servers=3"});
  expect_within_ci(m["wait.mean"], erlang_c / (c * mu - lambda) * 1e9, "M/M/3 mean wait (ns)");
  expect_within_ci(m["utilization"], rho, "M/M/3 utilization");
}

}  // namespace
}  // namespace wakesim::experiment
