#include "sim/hw/lockdep_analysis.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

namespace wakesim::hw {

using Node = LockdepRecord::Node;
using InstanceEdge = LockdepRecord::InstanceEdge;

namespace {

// Rotates a cycle so that its smallest element comes first (one representative per cycle).
template <class T>
std::vector<T> canonical(std::vector<T> cycle) {
  if (cycle.empty()) return cycle;
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  return cycle;
}

// Elementary cycles of a small directed graph (nodes 0..n-1, self-loops ignored), each once, at most
// max_length nodes long: DFS from each start s through nodes > s.
std::vector<std::vector<size_t>> elementary_cycles(size_t n, const std::vector<std::vector<size_t>>& adj,
                                                   size_t max_length) {
  std::vector<std::vector<size_t>> out;
  std::vector<size_t> path;
  std::vector<bool> on_path(n, false);
  std::function<void(size_t, size_t)> dfs = [&](size_t s, size_t v) {
    for (size_t w : adj[v]) {
      if (w == s && path.size() >= 2) out.push_back(path);
      if (w <= s || on_path[w] || path.size() >= max_length) continue;
      on_path[w] = true;
      path.push_back(w);
      dfs(s, w);
      path.pop_back();
      on_path[w] = false;
    }
  };
  for (size_t s = 0; s < n; ++s) {
    path = {s};
    on_path[s] = true;
    dfs(s, s);
    on_path[s] = false;
  }
  return out;
}

std::string contexts_text(const std::array<uint64_t, kLockContexts>& count) {
  std::string out;
  for (int c = 0; c < kLockContexts; ++c)
    if (count[static_cast<size_t>(c)] > 0)
      out += fmt::format("{}{} x{}", out.empty() ? "" : ", ", to_string(static_cast<LockContext>(c)),
                         count[static_cast<size_t>(c)]);
  return out;
}

// Whether two instance edges can be in progress at the same time (see the header).
bool concurrent(const InstanceEdge& a, const InstanceEdge& b) {
  if (a.cpu != b.cpu) return true;
  return (a.context == LockContext::kHardIrq && b.context == LockContext::kProcess) ||
         (b.context == LockContext::kHardIrq && a.context == LockContext::kProcess);
}

class InstanceSearch {
 public:
  InstanceSearch(const LockdepRecord& r, LockdepAnalysis& a) : r_(r), a_(a) {
    by_from_.resize(r.instances.size());
    for (const InstanceEdge& e : r.instance_edges) by_from_[e.from].push_back(&e);
  }

  void run() {
    for (uint32_t s = 0; s < r_.instances.size() && !a_.search_truncated; ++s) {
      start_ = s;
      dfs(s);
    }
  }

 private:
  void dfs(uint32_t v) {
    for (const InstanceEdge* e : by_from_[v]) {
      if (++steps_ > LockdepAnalysis::kSearchBudget) {
        a_.search_truncated = true;
        return;
      }
      if (e->to < start_) continue;
      bool ok = true;
      for (const InstanceEdge* c : chosen_) ok = ok && concurrent(*c, *e);
      if (!ok) continue;
      if (e->to == start_) {
        chosen_.push_back(e);
        found();
        chosen_.pop_back();
        continue;
      }
      if (chosen_.size() + 1 >= LockdepAnalysis::kMaxCycleLength) continue;
      bool seen = false;
      for (const InstanceEdge* c : chosen_) seen = seen || c->from == e->to;
      if (seen) continue;
      chosen_.push_back(e);
      dfs(e->to);
      chosen_.pop_back();
      if (a_.search_truncated) return;
    }
  }

  void found() {
    ++a_.deadlock_cycles;
    std::vector<uint32_t> classes;
    for (const InstanceEdge* e : chosen_) classes.push_back(r_.instances[e->from].lock_class);
    if (!signatures_.insert(canonical(classes)).second || a_.deadlocks.size() >= 16) return;
    LockdepAnalysis::InstanceDeadlock d;
    for (const InstanceEdge* e : chosen_) d.edges.push_back(*e);
    d.classes = std::move(classes);
    a_.deadlocks.push_back(std::move(d));
  }

  const LockdepRecord& r_;
  LockdepAnalysis& a_;
  std::vector<std::vector<const InstanceEdge*>> by_from_;
  std::vector<const InstanceEdge*> chosen_;
  std::set<std::vector<uint32_t>> signatures_;
  uint32_t start_ = 0;
  uint64_t steps_ = 0;
};

// One line on where the instance edges of class edge X -> Y ran: their contexts, and whether each ran
// on the pCPU that owns the instance `side` refers to (the held one, or the acquired one).
std::string describe(const LockdepRecord& r, const std::vector<const InstanceEdge*>& edges, bool held_side) {
  std::set<LockContext> contexts;
  bool own = true;
  std::set<uint32_t> cpus;
  for (const InstanceEdge* e : edges) {
    contexts.insert(e->context);
    cpus.insert(e->cpu.value);
    const auto owner = r.instances[held_side ? e->from : e->to].owner;
    own = own && owner && *owner == e->cpu;
  }
  std::string ctx;
  for (LockContext c : contexts) ctx += fmt::format("{}{}", ctx.empty() ? "" : " or ", to_string(c));
  const auto& cls = r.classes[r.instances[held_side ? edges.front()->from : edges.front()->to].lock_class].name;
  return fmt::format("{} ({} instance pair{} on {} pCPU{}){}", ctx, edges.size(), edges.size() == 1 ? "" : "s",
                     cpus.size(), cpus.size() == 1 ? "" : "s",
                     own ? fmt::format(", always on the pCPU that owns the {} instance", cls) : "");
}

// The verdict for a cycle of classes (class[i] -> class[i+1]).
LockdepAnalysis::Verdict verdict_for(const LockdepRecord& r, const LockdepAnalysis& a,
                                     const std::vector<uint32_t>& classes) {
  LockdepAnalysis::Verdict v;
  const auto signature = canonical(classes);
  for (size_t i = 0; i < a.deadlocks.size(); ++i) {
    if (canonical(a.deadlocks[i].classes) != signature) continue;
    v.possible_deadlock = true;
    v.witness = static_cast<int>(i);
    v.reason = "the instances below can deadlock";
    return v;
  }
  auto class_of = [&](uint32_t instance) { return r.instances[instance].lock_class; };
  const size_t k = classes.size();
  for (size_t i = 0; i < k; ++i) {
    const uint32_t x = classes[i], y = classes[(i + 1) % k], z = classes[(i + 2) % k];
    std::vector<const InstanceEdge*> into, out_of;
    for (const InstanceEdge& e : r.instance_edges) {
      if (class_of(e.from) == x && class_of(e.to) == y) into.push_back(&e);
      if (class_of(e.from) == y && class_of(e.to) == z) out_of.push_back(&e);
    }
    const std::string& xn = r.classes[x].name;
    const std::string& yn = r.classes[y].name;
    const std::string& zn = r.classes[z].name;
    if (into.empty() || out_of.empty()) {
      v.reason =
          fmt::format("no pCPU ever waited for a {} instance while holding a {} one ({} -> {} is {})",
                      into.empty() ? yn : zn, into.empty() ? xn : yn, into.empty() ? xn : yn, into.empty() ? yn : zn,
                      "only a lockdep annotation, or was not exercised at instance level");
      return v;
    }
    bool pair = false;
    for (const InstanceEdge* p : into)
      for (const InstanceEdge* q : out_of) pair = pair || (p->to == q->from && concurrent(*p, *q));
    if (!pair) {
      v.reason = fmt::format(
          "{} -> {} ran in {}; {} -> {} ran in {}. No {} instance was ever acquired by the first while it "
          "could be held by the second on another pCPU (or by a handler interrupting a holder with IRQs on), "
          "so the cycle cannot close on real instances",
          xn, yn, describe(r, into, false), yn, zn, describe(r, out_of, true), yn);
      return v;
    }
  }
  v.reason = fmt::format("no cycle of lock instances (up to {} locks) closes with edges that can run at the same time",
                         LockdepAnalysis::kMaxCycleLength);
  if (a.search_truncated) v.reason += " (search truncated: inconclusive)";
  return v;
}

}  // namespace

LockdepAnalysis analyze_lockdep(const LockdepRecord& r) {
  LockdepAnalysis a;
  // Instance search first: the class verdicts refer to it.
  InstanceSearch(r, a).run();
  for (const auto& inst : r.instances)
    for (PcpuId c : inst.hardirq_cpus)
      if (std::find(inst.irqs_on_cpus.begin(), inst.irqs_on_cpus.end(), c) != inst.irqs_on_cpus.end())
        a.irq_self_deadlocks.push_back(fmt::format(
            "{}: pCPU {} holds it with IRQs enabled and takes it in hard IRQ: an interrupt while it is held spins "
            "forever",
            inst.name, c));

  // The lockdep graph: (class, subclass) nodes.
  std::map<Node, size_t> node_ids;
  std::vector<Node> nodes;
  for (const auto& e : r.class_edges)
    for (Node n : {e.from, e.to})
      if (node_ids.emplace(n, nodes.size()).second) nodes.push_back(n);
  std::vector<std::vector<size_t>> adj(nodes.size());
  std::map<std::pair<size_t, size_t>, size_t> edge_of;
  for (size_t i = 0; i < r.class_edges.size(); ++i) {
    const auto& e = r.class_edges[i];
    const size_t f = node_ids[e.from], t = node_ids[e.to];
    if (f == t) {
      a.recursive.push_back(fmt::format("{} nested in itself ({}): possible recursive locking", r.node_name(e.from),
                                        contexts_text(e.count)));
      continue;
    }
    adj[f].push_back(t);
    edge_of[{f, t}] = i;
  }
  for (const auto& cyc : elementary_cycles(nodes.size(), adj, 8)) {
    LockdepAnalysis::NodeCycle nc;
    for (size_t i = 0; i < cyc.size(); ++i) {
      nc.nodes.push_back(nodes[cyc[i]]);
      nc.edges.push_back(edge_of[{cyc[i], cyc[(i + 1) % cyc.size()]}]);
    }
    a.lockdep_cycles.push_back(std::move(nc));
  }

  // The class graph, subclasses ignored.
  const size_t nc = r.classes.size();
  std::vector<std::vector<size_t>> cadj(nc);
  for (const auto& e : r.class_edges) {
    const size_t f = e.from.lock_class, t = e.to.lock_class;
    if (f != t && std::find(cadj[f].begin(), cadj[f].end(), t) == cadj[f].end()) cadj[f].push_back(t);
  }
  for (const auto& cyc : elementary_cycles(nc, cadj, 8)) {
    LockdepAnalysis::ClassCycle cc;
    for (size_t c : cyc) cc.classes.push_back(static_cast<uint32_t>(c));
    for (auto& ldc : a.lockdep_cycles) {
      std::vector<uint32_t> proj;
      for (Node n : ldc.nodes) proj.push_back(n.lock_class);
      if (canonical(proj) == canonical(cc.classes)) cc.reported_by_lockdep = true;
    }
    cc.verdict = verdict_for(r, a, cc.classes);
    a.class_cycles.push_back(std::move(cc));
  }
  for (auto& ldc : a.lockdep_cycles) {
    std::vector<uint32_t> proj;
    for (Node n : ldc.nodes) proj.push_back(n.lock_class);
    ldc.verdict = verdict_for(r, a, proj);
  }

  // lockdep's hard-IRQ rules.
  for (const auto& c : r.classes)
    if (c.used_in_hardirq && c.used_irqs_on)
      a.irq_inconsistent.push_back(
          fmt::format("inconsistent lock state: {} is taken in hard IRQ and with IRQs enabled", c.name));
  for (size_t s = 0; s < nc; ++s) {
    if (!r.classes[s].used_in_hardirq) continue;
    std::vector<int> parent(nc, -2);
    std::vector<size_t> queue{s};
    parent[s] = -1;
    for (size_t qi = 0; qi < queue.size(); ++qi)
      for (size_t t : cadj[queue[qi]])
        if (parent[t] == -2) parent[t] = static_cast<int>(queue[qi]), queue.push_back(t);
    for (size_t u : queue) {
      if (u == s || !r.classes[u].used_irqs_on) continue;
      std::string path = r.classes[u].name;
      for (int p = parent[u]; p >= 0; p = parent[static_cast<size_t>(p)])
        path = fmt::format("{} -> {}", r.classes[static_cast<size_t>(p)].name, path);
      a.irq_safe_unsafe.push_back(fmt::format("HARDIRQ-safe -> HARDIRQ-unsafe lock order: {}", path));
    }
  }

  a.observed_deadlock = !r.stuck.empty();

  // Longest chains.
  size_t longest = 0;
  for (const auto& c : r.chains) longest = std::max(longest, c.nodes.size());
  for (size_t i = 0; i < r.chains.size(); ++i)
    if (r.chains[i].nodes.size() == longest) a.longest_chains.push_back(i);
  return a;
}

namespace {

std::string chain_text(const LockdepRecord& r, const std::vector<Node>& nodes, const char* arrow) {
  std::string out;
  for (Node n : nodes) out += (out.empty() ? "" : arrow) + r.node_name(n);
  return out;
}

void append_verdict(std::string& out, const LockdepRecord& r, const LockdepAnalysis& a,
                    const LockdepAnalysis::Verdict& v) {
  if (!v.possible_deadlock) {
    out += fmt::format("  instance check: cannot deadlock. {}.\n", v.reason);
    return;
  }
  out += "  instance check: POSSIBLE DEADLOCK. At one moment:\n";
  for (const InstanceEdge& e : a.deadlocks[static_cast<size_t>(v.witness)].edges)
    out += fmt::format("    pCPU {} ({}) holds {} and waits for {}\n", e.cpu, to_string(e.context),
                       r.instances[e.from].name, r.instances[e.to].name);
}

}  // namespace

std::string format_lockdep_report(const LockdepRecord& r, const LockdepAnalysis& a) {
  std::string out;
  out += fmt::format("recorded: {} acquisitions, {} lock classes, {} instances, {} class edges, {} chains\n",
                     r.acquisitions, r.classes.size(), r.instances.size(), r.class_edges.size(), r.chains.size());
  out += "lock order observed (class[/subclass] -> class[/subclass]: acquisitions by context):\n";
  std::vector<size_t> order(r.class_edges.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::pair(r.node_name(r.class_edges[x].from), r.node_name(r.class_edges[x].to)) <
           std::pair(r.node_name(r.class_edges[y].from), r.node_name(r.class_edges[y].to));
  });
  for (size_t i : order) {
    const auto& e = r.class_edges[i];
    out += fmt::format("  {} -> {}: {}{}\n", r.node_name(e.from), r.node_name(e.to), contexts_text(e.count),
                       e.annotation ? " (lockdep annotation only)" : "");
  }

  out += "\nlockdep (with this design's subclass annotations):\n";
  if (a.lockdep_cycles.empty()) out += "  no circular locking dependency\n";
  for (const auto& c : a.lockdep_cycles) {
    out += "  WARNING: possible circular locking dependency detected\n";
    std::vector<Node> closed = c.nodes;
    closed.push_back(c.nodes.front());
    out += fmt::format("  Chain exists of:\n    {}\n", chain_text(r, closed, " --> "));
    for (size_t i = 0; i < c.edges.size(); ++i) {
      const auto& e = r.class_edges[c.edges[i]];
      out += fmt::format("    #{} {} -> {}: {}\n", c.edges.size() - 1 - i, r.node_name(e.from), r.node_name(e.to),
                         contexts_text(e.count));
    }
    append_verdict(out, r, a, c.verdict);
  }
  for (const std::string& s : a.recursive) out += "  WARNING: " + s + "\n";
  for (const std::string& s : a.irq_inconsistent) out += "  WARNING: " + s + "\n";
  for (const std::string& s : a.irq_safe_unsafe) out += "  WARNING: " + s + "\n";

  out += "\nclass-level cycles, subclasses ignored:\n";
  if (a.class_cycles.empty()) out += "  none\n";
  for (const auto& c : a.class_cycles) {
    std::string text;
    for (uint32_t k : c.classes) text += r.classes[k].name + " --> ";
    text += r.classes[c.classes.front()].name;
    out += fmt::format("  {}\n  {}\n", text,
                       c.reported_by_lockdep ? "lockdep reports it (the subclass annotations do not silence it)"
                                             : "silenced by the subclass annotations (lockdep does not report it)");
    append_verdict(out, r, a, c.verdict);
  }

  out += "\ninstance level (could the acquisitions seen really deadlock?):\n";
  if (!a.possible_deadlock())
    out += fmt::format("  no: no cycle of lock instances whose edges can run at the same time{}\n",
                       a.search_truncated ? " (search truncated: inconclusive)" : "");
  for (const auto& d : a.deadlocks) {
    out += "  POSSIBLE DEADLOCK:\n";
    for (const InstanceEdge& e : d.edges)
      out += fmt::format("    pCPU {} ({}) holds {} and waits for {} (seen {} times)\n", e.cpu, to_string(e.context),
                         r.instances[e.from].name, r.instances[e.to].name, e.count);
  }
  if (a.deadlock_cycles > a.deadlocks.size())
    out += fmt::format("  ({} instance cycles in all; one shown per cycle of classes)\n", a.deadlock_cycles);
  for (const std::string& s : a.irq_self_deadlocks) out += "  POSSIBLE DEADLOCK: " + s + "\n";
  if (!r.stuck.empty())
    out += fmt::format("  THE RUN ITSELF DEADLOCKED: at its end ({}) these waited {} or more:\n",
                       engine::to_string(r.end), engine::to_string(LockdepRecorder::kStuckAfter));
  for (const auto& s : r.stuck) {
    std::string holds;
    for (uint32_t i : s.holds) holds += (holds.empty() ? "" : ", ") + r.instances[i].name;
    out +=
        fmt::format("    pCPU {} ({}) holding {} has waited since {} for {}, held by {}\n", s.cpu, to_string(s.context),
                    holds.empty() ? "nothing" : holds, engine::to_string(s.since), r.instances[s.waits_for].name,
                    s.holder ? fmt::format("pCPU {}", *s.holder) : std::string("nobody"));
  }

  out += "\nlongest lock chain:\n";
  if (a.longest_chains.empty()) out += "  no lock was ever taken while another was held\n";
  for (size_t i : a.longest_chains) {
    const auto& c = r.chains[i];
    out += fmt::format("  {} ({} locks, {}, seen {} times, first on pCPU {} at {})\n", chain_text(r, c.nodes, " -> "),
                       c.nodes.size(), to_string(c.context), c.count, c.first_cpu, engine::to_string(c.first_seen));
    if (c.irq_off.count() > 0)
      out += fmt::format("    IRQ-off sections it was the deepest chain of: {}, p99 {}, max {}\n", c.irq_off.count(),
                         engine::to_string(c.irq_off.p99()), engine::to_string(c.irq_off.max()));
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace wakesim::hw
