// README.md is the user's first reference: every command `wakesim --help` lists is documented there,
// and every repository path it cites (in `code` spans and in links) exists.
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/support/cli_runner.h"

namespace wakesim::app {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = WAKESIM_SOURCE_DIR;

// README.md without its fenced code blocks (their paths are examples of output: results/mine).
std::string readme_prose() {
  std::istringstream in(testing::slurp(kRoot / "README.md"));
  std::string prose;
  bool fenced = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("```")) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) prose += line + "\n";
  }
  return prose;
}

// A word that names a path in this repository: it starts with one of its top-level entries.
bool is_repository_path(const std::string& word) {
  for (const auto& entry : fs::directory_iterator(kRoot)) {
    const std::string top = entry.path().filename().string();
    if (top.starts_with(".") || top == "build") continue;
    if (word == top || word.starts_with(top + "/")) return true;
  }
  return false;
}

// A path written as a pattern (results/<config>-<time>/, points/pNNNN/, histograms/DESIGN/NAME.csv):
// a placeholder in angle brackets or capitals stands for many files, none of which must exist.
bool is_pattern(const std::string& path) {
  if (path.find_first_of("<>*{}") != std::string::npos) return true;
  std::istringstream parts(path);
  for (std::string part; std::getline(parts, part, '/');) {
    const std::string stem = part.substr(0, part.find('.'));
    if (stem.size() > 1 && stem.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> cited_paths() {
  const std::string prose = readme_prose();
  std::vector<std::string> words;
  const std::regex code("`([^`]+)`"), link(R"(\]\(([^)\s]+)\))");
  for (std::sregex_iterator it(prose.begin(), prose.end(), code), end; it != end; ++it) {
    std::istringstream tokens((*it)[1].str());
    for (std::string t; tokens >> t;) words.push_back(t);
  }
  for (std::sregex_iterator it(prose.begin(), prose.end(), link), end; it != end; ++it) words.push_back((*it)[1].str());
  std::vector<std::string> paths;
  for (std::string w : words) {
    while (!w.empty() && std::string(",;:)'\"").find(w.back()) != std::string::npos) w.pop_back();
    if (w.find("://") == std::string::npos && is_repository_path(w) && !is_pattern(w)) paths.push_back(w);
  }
  return paths;
}

TEST(Readme, EveryCitedRepositoryPathExists) {
  const std::vector<std::string> paths = cited_paths();
  EXPECT_GE(paths.size(), 20u);  // the scan finds the README's citations at all
  for (const std::string& p : paths) EXPECT_TRUE(fs::exists(kRoot / p)) << "README.md cites " << p;
}

TEST(Readme, DocumentsEveryCommand) {
  const testing::CliOutcome help = testing::cli({"--help"});
  ASSERT_EQ(help.status, 0);
  // CLI11 lists the subcommands under "Subcommands:", one per line, indented.
  const size_t at = help.out.find("Subcommands:");
  ASSERT_NE(at, std::string::npos) << help.out;
  std::istringstream lines(help.out.substr(at));
  std::set<std::string> commands;
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line) && line.starts_with("  ")) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    commands.insert(name);
  }
  EXPECT_GE(commands.size(), 10u) << help.out;
  const std::string readme = testing::slurp(kRoot / "README.md");
  for (const std::string& c : commands)
    EXPECT_NE(readme.find("wakesim " + c + " "), std::string::npos) << "README.md does not show `wakesim " << c << "`";
}

}  // namespace
}  // namespace wakesim::app
