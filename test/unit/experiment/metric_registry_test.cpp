// The metric registry (sim/experiment/metric_registry.h): the matcher and its hints, and, for every
// registered scenario, a short run and a one-point sweep through the real results writer whose every
// key (summary.json metrics and aggregates, runs.csv columns, aggregates.csv metrics, table columns,
// histogram files) must be declared with the unit the files give it, listed in the directory's
// metrics.json and printed by `wakesim list metrics`. A metric added to a scenario without its
// declaration fails here.
#include "sim/experiment/metric_registry.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sim/experiment/config.h"
#include "sim/experiment/derived_keys.h"
#include "sim/experiment/kvm_metrics.h"
#include "sim/experiment/results_writer.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/scenario.h"
#include "test/support/cli_runner.h"

namespace wakesim::experiment {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::cli;
using testing::slurp;

// --- The matcher ---------------------------------------------------------------------------------

MetricDeclarations example() {
  MetricDeclarations d;
  d.placeholder("path", "a path", {"wakeup_vector", "software"});
  d.placeholder("class", "a lock class key");
  d.metric("wakeup.p99", "ns", MetricKind::kDuration, "p99");
  d.metric("path.{path}.share", "fraction", MetricKind::kFraction, "share");
  d.metric("lock.{class}.wait.p99", "ns", MetricKind::kDuration, "wait");
  d.table_metric("lock.{class}.wait.p50", "ns", MetricKind::kDuration, "median wait");
  d.histogram("lock.{class}.wait", "ns", "waits");
  d.table(TableDeclaration{"locks",
                           "lockstat",
                           {key_column("class", "key"), value_column("wait.p50", "ns", MetricKind::kDuration,
                                                                     "median wait", "lock.{class}.wait.p50")}});
  return d;
}

TEST(MetricRegistry, PlaceholdersMatchOneSegmentFromTheirValuesOrAnyIdentifier) {
  const MetricDeclarations d = example();
  ASSERT_NE(d.find_metric("path.software.share"), nullptr);
  EXPECT_EQ(d.find_metric("path.software.share")->name, "path.{path}.share");
  EXPECT_EQ(d.find_metric("path.halt.share"), nullptr);  // not one of the path's values
  EXPECT_EQ(d.find_metric("path.software.x.share"), nullptr);
  ASSERT_NE(d.find_metric("lock.wakeup_vcpus_on_cpu_lock_in.wait.p99"), nullptr);
  EXPECT_EQ(d.find_metric("lock.rq->__lock.wait.p99"), nullptr);  // a class key is an identifier
  EXPECT_EQ(d.find_metric("lock..wait.p99"), nullptr);
  EXPECT_EQ(d.find_metric("wakeup.p99_ns"), nullptr);
  // Table-only metrics are columns, not run metrics.
  EXPECT_EQ(d.find_metric("lock.rq.wait.p50"), nullptr);
  EXPECT_NE(d.find_metric("lock.rq.wait.p50", MetricDeclarations::Scope::kAll), nullptr);
  EXPECT_NE(d.find_histogram("lock.rq.wait"), nullptr);
  EXPECT_EQ(d.find_histogram("lock.rq.hold"), nullptr);
  EXPECT_TRUE(d.problems().empty()) << d.problems().front();
}

TEST(MetricRegistry, ProblemsFindOverlapsAndUndeclaredPlaceholders) {
  MetricDeclarations d = example();
  d.metric("path.software.share", "fraction", MetricKind::kFraction, "again");
  d.metric("lock.{kind}.hold.p99", "ns", MetricKind::kDuration, "hold");
  d.metric("requests", "", MetricKind::kRate, "no unit");
  std::string all;
  for (const std::string& p : d.problems()) all += p + "\n";
  EXPECT_NE(all.find("'path.{path}.share' and 'path.software.share' can match the same name"), std::string::npos)
      << all;
  EXPECT_NE(all.find("undeclared placeholder {kind}"), std::string::npos) << all;
  EXPECT_NE(all.find("metric 'requests': no unit"), std::string::npos) << all;
}

TEST(MetricRegistry, HintsForTyposAndOldUnitSuffixes) {
  const MetricDeclarations d = example();
  EXPECT_EQ(metric_name_hint(d, "wakeup.p99_ns"),
            " (metric names no longer carry their unit: use 'wakeup.p99', which is in ns)");
  EXPECT_EQ(metric_name_hint(d, "wakeup.p9"), " (did you mean 'wakeup.p99'?)");
  EXPECT_EQ(metric_name_hint(d, "path.sofware.share"), " (did you mean 'path.software.share'?)");
  EXPECT_EQ(metric_name_hint(d, "lock.rq.wiat.p99"), " (did you mean 'lock.rq.wait.p99'?)");
  EXPECT_EQ(metric_name_hint(d, "something.else.entirely"), "");
}

TEST(MetricRegistry, UsedDeclarationsKeepWhatTheNamesUseAndTheirPlaceholders) {
  const MetricDeclarations used = used_declarations(example(), {"path.software.share"}, {}, {"locks"});
  std::vector<std::string> metrics, placeholders;
  for (const auto& m : used.metrics()) metrics.push_back(m.name);
  for (const auto& p : used.placeholders()) placeholders.push_back(p.name);
  EXPECT_EQ(metrics, (std::vector<std::string>{"path.{path}.share", "lock.{class}.wait.p50"}));
  EXPECT_EQ(placeholders, (std::vector<std::string>{"path", "class"}));
  EXPECT_TRUE(used.histograms().empty());
  EXPECT_EQ(used.tables().size(), 1u);
}

TEST(MetricRegistry, CapacityRefusesAnOldUnitSuffixBeforeAnyRun) {
  const auto o =
      cli({"capacity", "mm1", "--vary", "queue.servers", "--range", "2:3", "--slo", "wait.p99_ns<=5us", "--quiet"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(
      o.err.find("no metric 'wait.p99_ns' (metric names no longer carry their unit: use 'wait.p99', which is in ns)"),
      std::string::npos)
      << o.err;
}

TEST(MetricRegistry, ListMetricsRefusesAnUnknownScenario) {
  const auto o = cli({"list", "metrics", "kvn"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("'kvn' is not a scenario (did you mean 'kvm'?)"), std::string::npos) << o.err;
}

// --- Every scenario's outputs ------------------------------------------------------------------------

// A short run of each scenario (a new scenario must add one here).
const std::map<std::string, std::vector<std::string>>& short_runs() {
  static const std::map<std::string, std::vector<std::string>> runs = {
      {"kvm", {"--set", "vms.count=4", "--set", "run.warmup=1ms", "--set", "run.duration=4ms"}},
      {"queue", {"mm1", "--set", "run.warmup=1ms", "--set", "run.duration=5ms"}},
      {"lockbench",
       {"lockbench", "--set", "run.warmup=0", "--set", "run.duration=200us", "--set", "lockbench.cpus=4", "--set",
        "lockbench.irqs_off=true"}},
      {"memory", {"memory", "--set", "memory.rounds=2"}},
  };
  return runs;
}

std::vector<std::string> split_csv_header(const std::string& text) {
  std::vector<std::string> out;
  std::string line = text.substr(0, text.find('\n'));
  std::string cell;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) out.push_back(std::move(cell)), cell.clear();
    else cell += c;
  }
  out.push_back(cell);
  return out;
}

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) rows.push_back(split_csv_header(line));
  return rows;
}

// What a results directory names, checked against the declarations; `used` collects the
// declarations the files use (by name).
struct Checker {
  const MetricDeclarations& declared;
  std::vector<std::string> problems;
  std::set<std::string> used;

  void metric(const std::string& where, const std::string& name, const std::string& unit = {}) {
    const MetricDeclaration* m = declared.find_metric(name);
    if (m == nullptr) {
      problems.push_back(where + ": metric '" + name + "' is not declared");
      return;
    }
    used.insert(m->name);
    if (!unit.empty() && unit != m->unit)
      problems.push_back(where + ": metric '" + name + "' in " + unit + ", declared in " + m->unit);
  }

  void summary(const fs::path& file) {
    const Json doc = Json::parse(slurp(file));
    for (const Json& run : doc.at("runs"))
      if (run.contains("metrics"))
        for (const auto& [name, value] : run.at("metrics").items()) metric(file.string(), name);
    for (const char* list : {"aggregates", "paired_differences"})
      for (const Json& a : doc.at(list)) metric(file.string(), a.at("metric"), a.at("unit"));
  }

  // `leading`: the columns before the metrics.
  void runs_csv(const fs::path& file, const std::vector<std::string>& leading) {
    const std::vector<std::string> header = split_csv_header(slurp(file));
    if (header.size() < leading.size() || !std::equal(leading.begin(), leading.end(), header.begin())) {
      problems.push_back(file.string() + ": does not start with the declared columns");
      return;
    }
    for (size_t i = leading.size(); i < header.size(); ++i) metric(file.string(), header[i]);
  }

  void aggregates_csv(const fs::path& file) {
    const std::vector<std::string> header = split_csv_header(slurp(file));
    const auto at = [&](const std::string& c) { return std::find(header.begin(), header.end(), c) - header.begin(); };
    for (const auto& row : csv_rows(slurp(file)))
      metric(file.string(), row.at(static_cast<size_t>(at("metric"))), row.at(static_cast<size_t>(at("unit"))));
  }

  void histograms(const fs::path& dir) {
    if (!fs::exists(dir / "histograms")) return;
    for (const auto& design : fs::directory_iterator(dir / "histograms"))
      for (const auto& file : fs::directory_iterator(design.path())) {
        const std::string name = file.path().stem().string();
        const HistogramDeclaration* h = declared.find_histogram(name);
        if (h == nullptr) problems.push_back(file.path().string() + ": histogram '" + name + "' is not declared");
        else used.insert("histogram " + h->name);
        if (split_csv_header(slurp(file.path())) != std::vector<std::string>{"lower_ns", "upper_ns", "count"})
          problems.push_back(file.path().string() + ": not lower_ns,upper_ns,count");
      }
  }

  // Every TABLE.csv: its header is the declared columns, and a column holding a metric gives, with
  // the row's key values, a name the metric's declaration matches.
  void tables(const fs::path& dir) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().stem().string();
      if (entry.path().extension() != ".csv" || name == "runs" || name == "timings") continue;
      const TableDeclaration* t = declared.find_table(name);
      if (t == nullptr) {
        problems.push_back(entry.path().string() + ": table '" + name + "' is not declared");
        continue;
      }
      used.insert("table " + name);
      std::vector<std::string> expected;
      for (const TableColumn& c : table_key_columns()) expected.push_back(c.name);
      for (const TableColumn& c : t->columns) expected.push_back(c.name);
      const std::string text = slurp(entry.path());
      const std::vector<std::string> header = split_csv_header(text);
      if (header != expected) {
        problems.push_back(entry.path().string() + ": columns differ from the declaration");
        continue;
      }
      for (const auto& row : csv_rows(text))
        for (size_t i = 0; i < t->columns.size(); ++i) {
          const TableColumn& c = t->columns[i];
          if (c.metric.empty()) continue;
          std::string concrete = c.metric;
          for (size_t k = 0; k < t->columns.size(); ++k)
            if (t->columns[k].key) {
              const std::string ph = "{" + t->columns[k].name + "}";
              if (const size_t at = concrete.find(ph); at != std::string::npos)
                concrete.replace(at, ph.size(), row.at(table_key_columns().size() + k));
            }
          const MetricDeclaration* m = declared.find_metric(concrete, MetricDeclarations::Scope::kAll);
          if (m == nullptr || m->name != c.metric)
            problems.push_back(entry.path().string() + ": row gives '" + concrete + "', which " + c.metric +
                               " does not match");
        }
    }
  }

  // metrics.json names every declaration the directory uses, with the registry's units.
  void metrics_json(const fs::path& file, const std::string& scenario) {
    if (!fs::exists(file)) {
      problems.push_back(file.string() + ": missing");
      return;
    }
    const Json doc = Json::parse(slurp(file));
    std::set<std::string> listed;
    for (const Json& s : doc.at("scenarios")) {
      if (s.at("scenario") != scenario) continue;
      for (const Json& m : s.at("metrics")) {
        listed.insert(m.at("name"));
        const auto d = std::find_if(declared.metrics().begin(), declared.metrics().end(),
                                    [&](const MetricDeclaration& x) { return x.name == m.at("name"); });
        if (d == declared.metrics().end() || d->unit != m.at("unit") || to_string(d->kind) != m.at("kind"))
          problems.push_back(file.string() + ": " + m.dump() + " differs from the registry");
      }
      for (const Json& h : s.at("histograms")) listed.insert("histogram " + h.at("name").get<std::string>());
      for (const Json& t : s.at("tables")) listed.insert("table " + t.at("name").get<std::string>());
    }
    for (const std::string& u : used)
      if (!listed.contains(u)) problems.push_back(file.string() + ": does not list '" + u + "'");
  }
};

std::vector<std::string> names(const std::vector<TableColumn>& columns) {
  std::vector<std::string> out;
  out.reserve(columns.size());
  for (const TableColumn& c : columns) out.push_back(c.name);
  return out;
}

class ScenarioMetricsTest : public ::testing::TestWithParam<std::string> {
 protected:
  const MetricDeclarations& declared() const { return find_scenario(GetParam())->make()->metrics(); }

  // A run's runs.csv: the scenario's derived keys (derived_keys.h), then the declared run columns.
  std::vector<std::string> leading_run_columns() const {
    Config config;
    config.scenario = GetParam();
    std::vector<std::string> leading = derived_keys(config);
    for (const std::string& c : names(run_columns())) leading.push_back(c);
    return leading;
  }

  std::vector<std::string> short_run() const {
    const auto it = short_runs().find(GetParam());
    if (it == short_runs().end()) ADD_FAILURE() << "add a short run of scenario '" << GetParam() << "' to short_runs()";
    return it == short_runs().end() ? std::vector<std::string>{} : it->second;
  }

  static std::string join(const std::vector<std::string>& problems) {
    std::string all;
    for (const std::string& p : problems) all += p + "\n";
    return all;
  }

  // `list metrics SCENARIO` (text and --json) prints every declaration the files used.
  void expect_listed(const std::set<std::string>& used) const {
    const auto text = cli({"list", "metrics", GetParam()});
    ASSERT_EQ(text.status, 0) << text.err;
    const auto json = cli({"list", "metrics", GetParam(), "--json"});
    ASSERT_EQ(json.status, 0) << json.err;
    std::set<std::string> listed;
    const Json doc = Json::parse(json.out);
    for (const Json& s : doc.at("scenarios")) {
      for (const Json& m : s.at("metrics")) listed.insert(m.at("name"));
      for (const Json& h : s.at("histograms")) listed.insert("histogram " + h.at("name").get<std::string>());
      for (const Json& t : s.at("tables")) listed.insert("table " + t.at("name").get<std::string>());
    }
    for (const std::string& u : used) {
      EXPECT_TRUE(listed.contains(u)) << u << " is not in list metrics --json";
      const std::string bare = u.substr(u.find(' ') == std::string::npos ? 0 : u.find(' ') + 1);
      EXPECT_NE(text.out.find(bare), std::string::npos) << bare << " is not in list metrics";
    }
  }
};

TEST_P(ScenarioMetricsTest, DeclarationsAreSoundAndCoverTheHeadline) {
  ASSERT_FALSE(declared().empty()) << GetParam() << " declares no metrics (Scenario::metrics)";
  EXPECT_EQ(join(declared().problems()), "");
  for (const std::string& h : find_scenario(GetParam())->make()->headline_metrics())
    EXPECT_NE(declared().find_metric(h), nullptr) << "headline metric " << h << " is not declared";
}

TEST_P(ScenarioMetricsTest, EveryKeyOfARunsFilesIsDeclared) {
  const fs::path dir = testing::fresh_temp_dir("metrics-run-" + GetParam());
  std::vector<std::string> args = {"run"};
  for (const std::string& a : short_run()) args.push_back(a);
  args.insert(args.end(), {"--replicates", "2", "--out", dir.string()});
  const auto o = cli(args);
  ASSERT_EQ(o.status, 0) << o.err;
  Checker check{declared(), {}, {}};
  check.summary(dir / "summary.json");
  check.runs_csv(dir / "runs.csv", leading_run_columns());
  check.histograms(dir);
  check.tables(dir);
  check.metrics_json(dir / "metrics.json", GetParam());
  EXPECT_EQ(join(check.problems), "");
  EXPECT_FALSE(check.used.empty());
  expect_listed(check.used);
  // The terminal table names metrics as declared, too.
  for (const std::string& h : find_scenario(GetParam())->make()->headline_metrics())
    EXPECT_EQ(o.out.find(h + "_ns"), std::string::npos) << o.out;
  fs::remove_all(dir);
}

TEST_P(ScenarioMetricsTest, EveryKeyOfASweepsFilesIsDeclared) {
  const fs::path dir = testing::fresh_temp_dir("metrics-sweep-" + GetParam());
  fs::create_directories(dir);
  // The short run as a sweep spec, with its warm-up as the one swept key (one value).
  const std::vector<std::string> run = short_run();
  std::string spec, sets, warmup = "1ms";
  size_t i = 0;
  if (!run.empty() && run[0] != "--set") spec += "base = \"" + run[i++] + "\"\n";
  spec += "replicates = 2\n";
  for (; i + 1 < run.size(); i += 2) {
    const std::string key = run[i + 1].substr(0, run[i + 1].find('=')),
                      value = run[i + 1].substr(run[i + 1].find('=') + 1);
    if (key == "run.warmup") warmup = value;
    else if (value == "true" || value.find_first_not_of("0123456789") == std::string::npos)
      sets += fmt::format("\"{}\" = {}\n", key, value);
    else sets += fmt::format("\"{}\" = \"{}\"\n", key, value);
  }
  spec += "[set]\n" + sets + "[[axis]]\nkey = \"run.warmup\"\nvalues = [\"" + warmup + "\"]\n";
  std::ofstream(dir / "s.toml") << spec;
  const auto o = cli({"sweep", (dir / "s.toml").string(), "--quiet", "--out", (dir / "out").string()});
  ASSERT_EQ(o.status, 0) << o.err << "\n" << spec;
  Checker check{declared(), {}, {}};
  const Json sweep = Json::parse(slurp(dir / "out" / "sweep.json"));
  std::vector<std::string> leading = {"point"};
  for (const Json& k : sweep.at("swept_keys")) leading.push_back(k);
  for (const Json& k : sweep.at("numeric_keys")) leading.push_back(k.get<std::string>() + "#value");
  for (const Json& k : sweep.at("derived_keys")) leading.push_back(k.get<std::string>());
  for (const std::string& c : names(run_columns())) leading.push_back(c);
  check.summary(dir / "out" / "summary.json");
  check.runs_csv(dir / "out" / "runs.csv", leading);
  check.aggregates_csv(dir / "out" / "aggregates.csv");
  check.metrics_json(dir / "out" / "metrics.json", GetParam());
  const fs::path point = dir / "out" / "points" / "p0000";
  check.summary(point / "summary.json");
  check.runs_csv(point / "runs.csv", leading_run_columns());
  check.histograms(point);
  check.tables(point);
  check.metrics_json(point / "metrics.json", GetParam());
  EXPECT_EQ(join(check.problems), "");
  fs::remove_all(dir);
}

std::vector<std::string> scenario_names() {
  std::vector<std::string> out;
  for (const ScenarioEntry* e : all_scenarios()) out.push_back(e->name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioMetricsTest, ::testing::ValuesIn(scenario_names()),
                         [](const auto& info) { return info.param; });

TEST(MetricRegistry, KvmScenarioReturnsTheKvmDeclarations) {
  EXPECT_EQ(&find_scenario("kvm")->make()->metrics(), &kvm_metrics());
}

// The check itself: a metric a scenario reports without declaring it fails.
TEST(MetricRegistry, AnUndeclaredMetricIsFound) {
  const fs::path dir = testing::fresh_temp_dir("metrics-undeclared");
  const Config config =
      load_config(fs::path(WAKESIM_SOURCE_DIR) / "workloads" / "mm1.toml", {"run.duration=2ms", "run.warmup=0"}).config;
  ExperimentResult result = run_experiment(config, 1);
  result.runs.at(0).result.add("wait.p42", "ns", 1.0);
  result.runs.at(0).result.histograms.emplace_back("wait_again", stats::LatencyHistogram{});
  result.runs.at(0).result.histograms.back().second.record(engine::Time::from_ns(5));
  result.runs.at(0).result.tables.emplace_back("extra", Table{{"x"}, {{"1"}}});
  write_results(dir, config, result, RunContext{});
  Checker check{find_scenario("queue")->make()->metrics(), {}, {}};
  check.summary(dir / "summary.json");
  check.runs_csv(dir / "runs.csv", names(run_columns()));
  check.histograms(dir);
  check.tables(dir);
  const std::string all = [&] {
    std::string s;
    for (const std::string& p : check.problems) s += p + "\n";
    return s;
  }();
  EXPECT_NE(all.find("summary.json: metric 'wait.p42' is not declared"), std::string::npos) << all;
  EXPECT_NE(all.find("runs.csv: metric 'wait.p42' is not declared"), std::string::npos) << all;
  EXPECT_NE(all.find("histogram 'wait_again' is not declared"), std::string::npos) << all;
  EXPECT_NE(all.find("table 'extra' is not declared"), std::string::npos) << all;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wakesim::experiment
