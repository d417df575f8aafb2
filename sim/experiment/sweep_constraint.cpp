#include "sim/experiment/sweep_constraint.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "sim/config/suggest.h"

namespace wakesim::experiment {

// Recursive descent over the text; each parse_* returns a node index or -1 after setting the error.
class SweepConstraint::Parser {
 public:
  Parser(SweepConstraint& c, const std::vector<std::string>& known, ParseError& error)
      : c_(c), text_(c.text_), known_(known), error_(error) {}

  bool run() {
    c_.root_ = parse_or();
    if (c_.root_ < 0) return false;
    skip_space();
    if (at_ < text_.size()) {
      if (const char* why = not_an_operator()) return fail(why);
      return fail(fmt::format("unexpected '{}' after a complete expression", token_text()));
    }
    return true;
  }

 private:
  bool fail(std::string message) {
    if (error_.message.empty()) error_ = ParseError{std::move(message), at_};
    return false;
  }
  // C's single-character spellings, which the language does not have.
  const char* not_an_operator() const {
    switch (at_ < text_.size() ? text_[at_] : '\0') {
      case '=':
        return "'=' is not an operator; compare with '=='";
      case '&':
        return "'&' is not an operator; write '&&'";
      case '|':
        return "'|' is not an operator; write '||'";
      default:
        return nullptr;
    }
  }
  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool take(std::string_view op) {
    skip_space();
    if (text_.compare(at_, op.size(), op) != 0) return false;
    // "<" must not take the first character of "<=", and so on.
    if (op.size() == 1 && at_ + 1 < text_.size() && text_[at_ + 1] == '=' &&
        std::string_view("<>!").find(op[0]) != std::string_view::npos)
      return false;
    at_ += op.size();
    return true;
  }
  std::string token_text() const {
    if (at_ >= text_.size()) return "end of text";
    size_t end = at_ + 1;
    while (end < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_' || text_[end] == '.'))
      ++end;
    return text_.substr(at_, end - at_);
  }
  int add(Node n) {
    c_.nodes_.push_back(n);
    return static_cast<int>(c_.nodes_.size() - 1);
  }
  int binary(Op op, int lhs, int rhs) { return lhs < 0 || rhs < 0 ? -1 : add(Node{op, 0, 0, lhs, rhs}); }

  int parse_or() {
    int lhs = parse_and();
    while (lhs >= 0 && take("||")) lhs = binary(Op::kOr, lhs, parse_and());
    return lhs;
  }
  int parse_and() {
    int lhs = parse_cmp();
    while (lhs >= 0 && take("&&")) lhs = binary(Op::kAnd, lhs, parse_cmp());
    return lhs;
  }
  int parse_cmp() {
    const int lhs = parse_sum();
    if (lhs < 0) return -1;
    static constexpr std::pair<std::string_view, Op> kOps[] = {{"<=", Op::kLe}, {">=", Op::kGe}, {"==", Op::kEq},
                                                               {"!=", Op::kNe}, {"<", Op::kLt},  {">", Op::kGt}};
    for (const auto& [text, op] : kOps) {
      if (!take(text)) continue;
      const int result = binary(op, lhs, parse_sum());
      skip_space();
      for (const auto& [next, unused] : kOps)
        if (result >= 0 && text_.compare(at_, next.size(), next) == 0)
          return fail("comparisons do not chain (a < b < c); write a < b && b < c"), -1;
      return result;
    }
    return lhs;
  }
  int parse_sum() {
    int lhs = parse_prod();
    while (lhs >= 0) {
      if (take("+")) lhs = binary(Op::kAdd, lhs, parse_prod());
      else if (take("-")) lhs = binary(Op::kSub, lhs, parse_prod());
      else break;
    }
    return lhs;
  }
  int parse_prod() {
    int lhs = parse_unary();
    while (lhs >= 0) {
      if (take("*")) lhs = binary(Op::kMul, lhs, parse_unary());
      else if (take("/")) lhs = binary(Op::kDiv, lhs, parse_unary());
      else break;
    }
    return lhs;
  }
  int parse_unary() {
    if (take("-")) {
      const int operand = parse_unary();
      return operand < 0 ? -1 : add(Node{Op::kNeg, 0, 0, operand, -1});
    }
    if (take("!")) {
      const int operand = parse_unary();
      return operand < 0 ? -1 : add(Node{Op::kNot, 0, 0, operand, -1});
    }
    skip_space();
    if (at_ >= text_.size()) return fail("expected a number, a swept key or '(', got the end of the text"), -1;
    const char c = text_[at_];
    if (c == '(') {
      ++at_;
      const int inner = parse_or();
      if (inner < 0) return -1;
      if (!take(")")) return fail(fmt::format("expected ')', got '{}'", token_text())), -1;
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const char* begin = text_.c_str() + at_;
      char* end = nullptr;
      const double number = std::strtod(begin, &end);
      if (end == begin) return fail(fmt::format("'{}' is not a number", token_text())), -1;
      at_ += static_cast<size_t>(end - begin);
      if (at_ < text_.size() && (std::isalpha(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_'))
        return fail(fmt::format("'{}' after a number: a constraint takes plain numbers (durations in ns, rates "
                                "per second)",
                                token_text())),
               -1;
      return add(Node{Op::kNumber, number, 0, -1, -1});
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const std::string key = token_text();
      if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
        std::string list;
        for (const std::string& k : known_) list += (list.empty() ? "" : ", ") + k;
        return fail(fmt::format("unknown key '{}'{}; a constraint names swept keys: {}", key,
                                config::did_you_mean(key, known_), list.empty() ? "(none: no axes)" : list)),
               -1;
      }
      at_ += key.size();
      auto it = std::find(c_.keys_.begin(), c_.keys_.end(), key);
      if (it == c_.keys_.end()) it = c_.keys_.insert(c_.keys_.end(), key);
      return add(Node{Op::kKey, 0, static_cast<size_t>(it - c_.keys_.begin()), -1, -1});
    }
    if (const char* why = not_an_operator()) return fail(why), -1;
    return fail(fmt::format("expected a number, a swept key or '(', got '{}'", token_text())), -1;
  }

  SweepConstraint& c_;
  const std::string& text_;
  const std::vector<std::string>& known_;
  ParseError& error_;
  size_t at_ = 0;
};

std::optional<SweepConstraint> SweepConstraint::parse(const std::string& text,
                                                      const std::vector<std::string>& known_keys, ParseError& error) {
  SweepConstraint c;
  c.text_ = text;
  error = ParseError{};
  Parser parser(c, known_keys, error);
  if (!parser.run()) return std::nullopt;
  return c;
}

double SweepConstraint::eval(int n, const std::vector<double>& values) const {
  const Node& node = nodes_[static_cast<size_t>(n)];
  const auto l = [&] { return eval(node.lhs, values); };
  const auto r = [&] { return eval(node.rhs, values); };
  switch (node.op) {
    case Op::kNumber:
      return node.number;
    case Op::kKey:
      return values[node.key];
    case Op::kNeg:
      return -l();
    case Op::kNot:
      return l() == 0 ? 1 : 0;
    case Op::kAdd:
      return l() + r();
    case Op::kSub:
      return l() - r();
    case Op::kMul:
      return l() * r();
    case Op::kDiv:
      return l() / r();
    case Op::kLt:
      return l() < r() ? 1 : 0;
    case Op::kLe:
      return l() <= r() ? 1 : 0;
    case Op::kGt:
      return l() > r() ? 1 : 0;
    case Op::kGe:
      return l() >= r() ? 1 : 0;
    case Op::kEq:
      return l() == r() ? 1 : 0;
    case Op::kNe:
      return l() != r() ? 1 : 0;
    case Op::kAnd:
      return l() != 0 && r() != 0 ? 1 : 0;
    case Op::kOr:
      return l() != 0 || r() != 0 ? 1 : 0;
  }
  return 0;
}

bool SweepConstraint::holds(const std::function<double(const std::string& key)>& value) const {
  std::vector<double> values;
  values.reserve(keys_.size());
  for (const std::string& k : keys_) values.push_back(value(k));
  const double result = eval(root_, values);
  return result != 0 && result == result;  // NaN: does not hold
}

}  // namespace wakesim::experiment
