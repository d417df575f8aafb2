// Golden outputs: small runs whose summary.json and runs.csv must match the committed files byte for
// byte. A difference means the model's numbers changed: if that was intended, regenerate with
// `cmake --build <build> --target update_golden` and review the diff before committing it.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/cli_runner.h"

namespace {

struct GoldenCase {
  const char* name;
  std::vector<std::string> args;
};

const std::vector<GoldenCase>& cases() {
  static const std::vector<GoldenCase> all = {
      {"queue_mm1", {"run", "mm1", "--set", "run.duration=20ms", "--set", "run.warmup=5ms", "--replicates", "2"}},
      {"kvm_small",
       {"run", "--set", "vms.count=4", "--set", "run.warmup=2ms", "--set", "run.duration=5ms", "--replicates", "1"}},
      {"lockbench_small",
       {"run", "lockbench", "--set", "run.duration=1ms", "--set", "lockbench.cpus=8", "--replicates", "1"}},
      {"queue_md2_lognormal",
       {"run", "mm1", "--set", "queue.service=lognormal(mean=15us, cv=2)", "--set", "queue.servers=2", "--set",
        "run.duration=20ms", "--replicates", "2"}},
  };
  return all;
}

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, OutputMatchesCommittedFiles) {
  const GoldenCase& c = GetParam();
  const auto out = wakesim::testing::fresh_temp_dir(std::string("golden-") + c.name);
  std::vector<std::string> args = c.args;
  args.insert(args.end(), {"--out", out.string()});
  const wakesim::testing::CliOutcome run = wakesim::testing::cli(args);
  ASSERT_EQ(run.status, 0) << run.err;

  const auto expected = std::filesystem::path(WAKESIM_SOURCE_DIR) / "test/golden/expected" / c.name;
  const bool update = std::getenv("WAKESIM_UPDATE_GOLDEN") != nullptr;
  for (const char* file : {"summary.json", "runs.csv"}) {
    if (update) {
      std::filesystem::create_directories(expected);
      std::filesystem::copy_file(out / file, expected / file, std::filesystem::copy_options::overwrite_existing);
      continue;
    }
    ASSERT_TRUE(std::filesystem::exists(expected / file)) << "missing golden file " << (expected / file);
    EXPECT_EQ(wakesim::testing::slurp(out / file), wakesim::testing::slurp(expected / file))
        << "golden mismatch: " << c.name << "/" << file;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, Golden, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
