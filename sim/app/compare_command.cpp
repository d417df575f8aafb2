// `wakesim compare A B [--metric NAME]... [--design NAME]... [--json]`: verdicts on the differences
// between two run or sweep results directories (sim/experiment/compare.h).
#include <ostream>

#include "sim/app/commands.h"
#include "sim/experiment/compare.h"

namespace wakesim::app {

Action add_compare_command(CLI::App& app, Streams& io) {
  struct CompareCommandOptions {
    std::string a, b;
    experiment::CompareOptions options;
    bool json = false;
  };
  auto o = std::make_shared<CompareCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Compare two results directories (run or sweep): B - A per point, design and metric, with verdicts");
  cmd->add_option("A", o->a, "the baseline results directory")->required();
  cmd->add_option("B", o->b, "the results directory compared with it")->required();
  cmd->add_option("--metric", o->options.metrics, "metric to compare (repeatable; default: the headline metrics)")
      ->type_name("NAME");
  cmd->add_option("--design", o->options.designs, "design to compare (repeatable; default: every shared design)")
      ->type_name("NAME");
  cmd->add_flag("--json", o->json, "print the verdicts as JSON");
  return [o, &io] {
    const experiment::Comparison c = experiment::compare_results(o->a, o->b, o->options);
    if (o->json) io.out << experiment::comparison_json(c).dump(2) << "\n";
    else io.out << experiment::format_comparison(c);
    return 0;
  };
}

}  // namespace wakesim::app
