// A sweep spec's `constraint` (sweep_spec.h), after OMNeT++'s `constraint=`: an expression over the
// swept keys that each point must satisfy, e.g. "vms.vcpus_per_pcpu * vms.vcpus <= 256". Points where
// it does not hold are skipped: never run, counted in the sweep's summary, not failures.
//
//   expression := or
//   or         := and  { "||" and }
//   and        := cmp  { "&&" cmp }
//   cmp        := sum  [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]     (no chains: a < b < c)
//   sum        := prod { ("+" | "-") prod }
//   prod       := unary { ("*" | "/") unary }
//   unary      := ("-" | "!") unary | number | key | "(" expression ")"
//
// A key is a swept key (letters, digits, '_' and '.'); its value at a point is the plain number of the
// axis value, as in the KEY#value column of runs.csv: 8 -> 8, "2k/s" -> 2000 (per second),
// "10us" -> 10000 (durations in ns), "poisson(2k/s)" -> 2000. Arithmetic is in doubles; a comparison
// is 1 or 0; && and || treat non-zero as true; the point is kept when the result is non-zero (so a
// division by zero, giving NaN or an infinity, decides as IEEE comparisons do).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace wakesim::experiment {

class SweepConstraint {
 public:
  struct ParseError {
    std::string message;  // "unknown key 'vms.vcpu' (did you mean 'vms.vcpus'?)"
    size_t offset = 0;    // where in the text, 0-based
  };
  // Parses `text`, whose keys must be among `known_keys`; nullopt with `error` set when it is malformed.
  static std::optional<SweepConstraint> parse(const std::string& text, const std::vector<std::string>& known_keys,
                                              ParseError& error);

  // Whether the constraint holds, with `value(key)` giving each named key's number at the point.
  bool holds(const std::function<double(const std::string& key)>& value) const;
  const std::string& text() const { return text_; }
  const std::vector<std::string>& keys() const { return keys_; }  // the keys it names, each once

 private:
  enum class Op { kNumber, kKey, kNeg, kNot, kAdd, kSub, kMul, kDiv, kLt, kLe, kGt, kGe, kEq, kNe, kAnd, kOr };
  struct Node {
    Op op = Op::kNumber;
    double number = 0;
    size_t key = 0;  // index into keys_
    int lhs = -1, rhs = -1;
  };
  class Parser;
  double eval(int node, const std::vector<double>& values) const;

  std::string text_;
  std::vector<std::string> keys_;
  std::vector<Node> nodes_;
  int root_ = -1;
};

}  // namespace wakesim::experiment
