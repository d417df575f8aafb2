// The capacity search (sim/experiment/capacity.h) against queueing theory. For an M/M/1 queue with mean
// service 10 us the mean wait in queue is Wq = s * rho / (1 - rho) (Kleinrock 1975, eq. 3.26), so
// "Wq <= 40 us" holds exactly for inter-arrival times >= 12.5 us; for M/M/c with offered load 4 Erlangs
// the Erlang C formula gives Wq = 5.54 us with 5 servers and 1.42 us with 6, so "Wq <= 5 us" needs 6.
// The search must find these boundaries from simulation alone, on the safe side, with the same probes
// whatever the thread count.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/support/cli_runner.h"

namespace wakesim {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::slurp;
using Outcome = testing::CliOutcome;

fs::path temp_dir(const std::string& name) { return testing::fresh_temp_dir("capacity-" + name); }

double mm1_wait_us(double interarrival_us) {
  const double rho = 10.0 / interarrival_us;
  return 10.0 * rho / (1 - rho);
}

TEST(Capacity, FindsTheMm1BoundaryOnTheSafeSide) {
  const fs::path out = temp_dir("mm1");
  const Outcome o = cli({"capacity", "mm1", "--vary", "queue.interarrival", "--range", "10.5:40.0", "--format",
                         "exp({}us)", "--slo", "wait.mean<=40us", "--set", "run.duration=500ms", "--set",
                         "run.warmup=20ms", "--tolerance", "0.05", "--quiet", "--out", out.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto doc = nlohmann::json::parse(slurp(out / "capacity.json"));
  const auto& d = doc["designs"][0];
  EXPECT_EQ(d["status"], "found");
  EXPECT_EQ(d["direction"], "min");  // longer inter-arrival times are safer
  const double answer = d["answer"].get<double>();
  // The true boundary is 12.5 us; a 95%-confident answer lies at or just above it.
  EXPECT_GE(answer, 12.5 * 0.99);
  EXPECT_LE(answer, 13.3);
  // No probe passes where theory says the wait is clearly above the SLO, and none fails where clearly below.
  std::istringstream probes(slurp(out / "probes.csv"));
  std::string line;
  std::getline(probes, line);
  int n = 0;
  while (std::getline(probes, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    const double value = std::stod(f[2]);
    const std::string verdict = f[10];
    if (mm1_wait_us(value) > 40 * 1.15) {
      EXPECT_EQ(verdict, "fail") << line;
    }
    if (mm1_wait_us(value) < 40 * 0.85) {
      EXPECT_EQ(verdict, "pass") << line;
    }
    ++n;
  }
  EXPECT_GE(n, 6);
  EXPECT_NE(o.out.find("smallest value meeting the SLOs"), std::string::npos) << o.out;
}

TEST(Capacity, FindsTheErlangCServerCountAndDoesNotDependOnJobs) {
  std::string first;
  for (const char* jobs : {"1", "2"}) {
    const fs::path out = temp_dir(std::string("mmc-") + jobs);
    const Outcome o = cli({"capacity", "mm1", "--vary", "queue.servers", "--range", "4:12", "--slo", "wait.mean<=5us",
                           "--set", "queue.interarrival=exp(2.5us)", "--set", "run.duration=300ms", "--set",
                           "run.warmup=20ms", "--jobs", jobs, "--quiet", "--out", out.string()});
    ASSERT_EQ(o.status, 0) << o.err;
    const auto doc = nlohmann::json::parse(slurp(out / "capacity.json"));
    EXPECT_EQ(doc["designs"][0]["answer"].get<double>(), 6.0) << slurp(out / "probes.csv");
    if (first.empty()) {
      first = slurp(out / "probes.csv");
    } else {
      EXPECT_EQ(slurp(out / "probes.csv"), first);
    }
  }
}

TEST(Capacity, BadInputIsExplained) {
  Outcome o = cli({"capacity", "mm1", "--vary", "queue.servers", "--range", "4:20", "--slo", "wait.mean=5us"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("expected METRIC OP VALUE"), std::string::npos) << o.err;
  o = cli({"capacity", "mm1", "--vary", "queue.server", "--range", "4:20", "--slo", "wait.mean<=5us"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("did you mean 'queue.servers'"), std::string::npos) << o.err;
  o = cli({"capacity", "mm1", "--vary", "queue.servers", "--range", "20:4", "--slo", "wait.mean<=5us"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("LO is above HI"), std::string::npos) << o.err;
  o = cli({"capacity", "mm1", "--vary", "queue.servers", "--range", "2:3", "--slo", "wait.mena<=5us", "--set",
           "run.duration=5ms", "--quiet", "--out", temp_dir("bad").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("no metric 'wait.mena' (did you mean 'wait.mean'"), std::string::npos) << o.err;
  o = cli({"capacity", "mm1", "--vary", "queue.servers", "--range", "2:3", "--slo", "wait.mean<=5", "--set",
           "run.duration=5ms", "--quiet", "--out", temp_dir("unit").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("a duration with a unit"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace wakesim
