// The metrics, histograms and tables a scenario writes, declared once (issue 13): each with its name,
// unit, kind and a one-line help. Every output file uses these exact names (summary.json, runs.csv,
// aggregates.csv, histograms/DESIGN/NAME.csv, TABLE.csv, capacity's SLOs); units live here and in the
// files' unit columns, never inside a name. `wakesim list metrics [SCENARIO]` prints the declarations,
// and every results directory carries the subset it uses as metrics.json (the same JSON shape as
// `wakesim list metrics --json`), which the plot scripts read.
//
// A name is dotted. A segment written {placeholder} stands for exactly one segment: one of the
// placeholder's declared values (path: wakeup_vector, software, ...) or, when it declares none, any
// identifier ([A-Za-z0-9_]+, e.g. a lock class key). "lock.{class}.wait.p99" matches
// "lock.rq.wait.p99".
//
// Each scenario returns its declarations from Scenario::metrics() (scenario.h); a test runs every
// scenario through the results writer and fails on any key that is not declared here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wakesim::experiment {

enum class MetricKind : uint8_t {
  kCount,     // a number of things, or an average number per event (nodes per walk)
  kRate,      // events per simulated second
  kDuration,  // a statistic (mean, percentile, max) of a distribution of durations
  kFraction,  // a share, 0 to 1
  kTime,      // one span of simulated time, not a statistic of many (the MSER-5 cut)
};
const char* to_string(MetricKind kind);

// A metric: one number per run, a key of summary.json's metrics and a column of runs.csv, unless it
// is only a column of a table (locks.csv's p50s).
struct MetricDeclaration {
  std::string name;  // may hold placeholders: "lock.{class}.wait.p99"
  std::string unit;  // "ns", "/s", "fraction", "count"
  MetricKind kind = MetricKind::kCount;
  std::string help;
  bool table_only = false;  // a column of a table (TableDeclaration), never a run metric
};

struct Placeholder {
  std::string name;                 // "path", written {path} in names
  std::string help;                 // what a value names
  std::vector<std::string> values;  // the values, in display order (path order); empty: any identifier
};

// A latency histogram, written merged over replicates to histograms/DESIGN/NAME.csv with the
// columns lower_ns, upper_ns, count (bucket bounds in `unit`).
struct HistogramDeclaration {
  std::string name;  // "lock.{class}.wait"
  std::string unit;
  std::string help;
};

struct TableColumn {
  std::string name;  // as in the file's header row
  std::string unit;  // empty for a key column
  MetricKind kind = MetricKind::kCount;
  std::string help;
  bool key = false;    // identifies the row (design, replicate, pcpu, class)
  std::string metric;  // the declared metric this column holds for its row ("lock.{class}.wait.p99")
};

TableColumn key_column(std::string name, std::string help);
TableColumn value_column(std::string name, std::string unit, MetricKind kind, std::string help,
                         std::string metric = {});

// A small table written to NAME.csv, all runs stacked; the writer adds the design and replicate
// columns first (table_key_columns()).
struct TableDeclaration {
  std::string name;  // "locks": locks.csv
  std::string help;
  std::vector<TableColumn> columns;  // the scenario's own columns, in file order
};

// Everything one scenario writes.
class MetricDeclarations {
 public:
  MetricDeclarations& placeholder(std::string name, std::string help, std::vector<std::string> values = {});
  MetricDeclarations& metric(std::string name, std::string unit, MetricKind kind, std::string help);
  // Declared only as a column of a table.
  MetricDeclarations& table_metric(std::string name, std::string unit, MetricKind kind, std::string help);
  // PREFIX.count (count) and PREFIX.{mean,p50,p90,p99,p999,p9999,max} (ns): what
  // RunResult::add_latency_summary reports for a distribution `what` ("every wakeup of a halted vCPU").
  MetricDeclarations& latency_summary(const std::string& prefix, const std::string& what);
  MetricDeclarations& histogram(std::string name, std::string unit, std::string help);
  MetricDeclarations& table(TableDeclaration table);

  const std::vector<Placeholder>& placeholders() const { return placeholders_; }
  const std::vector<MetricDeclaration>& metrics() const { return metrics_; }
  const std::vector<HistogramDeclaration>& histograms() const { return histograms_; }
  const std::vector<TableDeclaration>& tables() const { return tables_; }
  bool empty() const { return metrics_.empty() && histograms_.empty() && tables_.empty(); }

  // The declaration a concrete name matches, or nullptr; kRunMetrics leaves out the table-only ones.
  enum class Scope : uint8_t { kRunMetrics, kAll };
  const MetricDeclaration* find_metric(std::string_view name, Scope scope = Scope::kRunMetrics) const;
  const HistogramDeclaration* find_histogram(std::string_view name) const;
  const TableDeclaration* find_table(std::string_view name) const;
  const Placeholder* find_placeholder(std::string_view name) const;
  // Whether the pattern (with this scenario's placeholders) matches the concrete name.
  bool matches(std::string_view pattern, std::string_view name) const;

  // Inconsistencies in the declarations themselves: an undeclared or unused placeholder, a name two
  // declarations could both match, a unit or help missing, a table column whose metric is not
  // declared or has another unit. Empty when sound.
  std::vector<std::string> problems() const;

 private:
  std::vector<Placeholder> placeholders_;
  std::vector<MetricDeclaration> metrics_;
  std::vector<HistogramDeclaration> histograms_;
  std::vector<TableDeclaration> tables_;
};

// The columns every table gets from the writer, before the scenario's: design, replicate.
const std::vector<TableColumn>& table_key_columns();
// The columns of runs.csv before the metrics (design, replicate, seed, error, events); a sweep's
// runs.csv puts point and the swept keys first.
const std::vector<TableColumn>& run_columns();

// A scenario's declarations under its name, as `list metrics` groups them.
struct ScenarioMetrics {
  std::string scenario;
  std::string help;
  const MetricDeclarations* declarations = nullptr;
};

// The declarations of every registered scenario (sorted by name), or of the named one (empty when
// there is no such scenario).
std::vector<ScenarioMetrics> registered_metrics(const std::string& scenario = {});

// The JSON document `list metrics --json` prints and results directories store as metrics.json:
// {"schema_version", "files": {"runs.csv", "aggregates.csv", "histograms/DESIGN/NAME.csv": their
// columns}, "scenarios": [{"scenario", "help", "placeholders", "metrics", "histograms", "tables"}]}.
// A metric is {"name", "unit", "kind", "help"} (and "table_only": true for a table column only); a
// placeholder lists its values (null: any identifier); a table lists every column of its file.
std::string metrics_json(const std::vector<ScenarioMetrics>& scenarios);

// What a results directory uses of its scenario's declarations: the metrics, histograms and tables
// matching these names, with the placeholders they use (declaration order kept).
MetricDeclarations used_declarations(const MetricDeclarations& all, const std::vector<std::string>& metrics,
                                     const std::vector<std::string>& histograms,
                                     const std::vector<std::string>& tables);

// Why `name` is not a metric of `declarations`, as " (did you mean 'x'?)", a hint for an old spelling
// with the unit pasted on ("wakeup.p99_ns": " (metric names carry no unit: 'wakeup.p99' is in ns)"),
// or "".
std::string metric_name_hint(const MetricDeclarations& declarations, std::string_view name);

}  // namespace wakesim::experiment
