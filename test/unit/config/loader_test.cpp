// Configuration loading against a small test schema: values with units, nested sections, overrides,
// and one test per user-visible error message (so that message text changes only on purpose).
#include "sim/config/loader.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace wakesim::config {
namespace {

using namespace engine::literals;

enum class LockKind { kTicket, kQueued };

struct CacheParams {
  engine::Time same_socket = 51_ns;
  engine::Time remote_socket = 108_ns;
  static const Section<CacheParams>& schema() {
    static const auto s =
        Section<CacheParams>("cache", "line transfer costs")
            .field(&CacheParams::same_socket, "same_socket", "transfer within a socket", {.min = engine::Time::zero()})
            .field(&CacheParams::remote_socket, "remote_socket", "transfer across sockets",
                   {.min = engine::Time::zero()});
    return s;
  }
};

struct HostParams {
  int sockets = 2;
  engine::Time ipi_latency = 1_us;
  engine::Rate irq_rate{1000};
  bool smt = true;
  double load = 0.5;
  LockKind lock = LockKind::kQueued;
  engine::Distribution think = engine::Distribution::exponential(1e6);
  std::vector<int> pinned = {0, 1};
  CacheParams cache;
  static const Section<HostParams>& schema() {
    static const auto s = Section<HostParams>("host", "the machine")
                              .field(&HostParams::sockets, "sockets", "CPU sockets", {.min = 1, .max = 16})
                              .field(&HostParams::ipi_latency, "ipi_latency", "IPI delivery")
                              .field(&HostParams::irq_rate, "irq_rate", "interrupts per second")
                              .field(&HostParams::smt, "smt", "two threads per core")
                              .field(&HostParams::load, "load", "offered load", {.min = 0.0, .max = 1.0})
                              .choice(&HostParams::lock, "lock", "spinlock",
                                      {{"ticket", LockKind::kTicket}, {"qspinlock", LockKind::kQueued}})
                              .field(&HostParams::think, "think", "think time")
                              .field(&HostParams::pinned, "pinned", "pinned pCPUs")
                              .section(&HostParams::cache, "cache", CacheParams::schema())
                              .check([](const HostParams& h) -> Problem {
                                if (h.cache.remote_socket < h.cache.same_socket)
                                  return "cache.remote_socket must be >= cache.same_socket";
                                return std::nullopt;
                              });
    return s;
  }
};

struct Root {
  std::string name = "x";
  HostParams host;
  static const Section<Root>& schema() {
    static const auto s = Section<Root>("", "root")
                              .field(&Root::name, "name", "a name")
                              .section(&Root::host, "host", HostParams::schema());
    return s;
  }
};

Root load(const std::string& text) {
  Root r;
  apply_text(Root::schema().info(), &r, text, "x.toml");
  validate(r, "x.toml");
  return r;
}

std::string load_error(const std::string& text) {
  try {
    load(text);
  } catch (const engine::UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

std::string override_error(const std::string& assignment) {
  Root r;
  try {
    apply_override(r, assignment);
  } catch (const engine::UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << assignment;
  return "";
}

TEST(ConfigLoader, DefaultsComeFromTheStruct) {
  const Root r = load("");
  EXPECT_EQ(r.host.sockets, 2);
  EXPECT_EQ(r.host.cache.same_socket, 51_ns);
}

TEST(ConfigLoader, ReadsEveryValueType) {
  const Root r = load(R"TOML(
name = "demo"
[host]
sockets = 4
ipi_latency = "1.5us"
irq_rate = "200k/s"
smt = false
load = 1
lock = "ticket"
think = "lognormal(mean=2us, cv=0.3)"
pinned = [3, 4, 5]
[host.cache]
same_socket = "60ns"
)TOML");
  EXPECT_EQ(r.name, "demo");
  EXPECT_EQ(r.host.sockets, 4);
  EXPECT_EQ(r.host.ipi_latency, 1.5_us);
  EXPECT_DOUBLE_EQ(r.host.irq_rate.per_second, 200e3);
  EXPECT_FALSE(r.host.smt);
  EXPECT_DOUBLE_EQ(r.host.load, 1.0);
  EXPECT_EQ(r.host.lock, LockKind::kTicket);
  EXPECT_EQ(r.host.think, engine::Distribution::lognormal_mean_cv(2e6, 0.3));
  EXPECT_EQ(r.host.pinned, (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(r.host.cache.same_socket, 60_ns);
  EXPECT_EQ(r.host.cache.remote_socket, 108_ns);
}

TEST(ConfigLoader, DottedKeysInlineWork) {
  const Root r = load("host.cache.remote_socket = \"200ns\"\n");
  EXPECT_EQ(r.host.cache.remote_socket, 200_ns);
}

TEST(ConfigLoader, UnknownKeySuggestsTheNearestKey) {
  EXPECT_EQ(load_error("[host]\nipi_latncy = \"1us\"\n"),
            "x.toml:2:1: error: host.ipi_latncy: unknown key (did you mean 'host.ipi_latency'?)");
}

TEST(ConfigLoader, KeyAtTheWrongLevelSuggestsItsSection) {
  EXPECT_EQ(load_error("sockets = 2\n"), "x.toml:1:1: error: sockets: unknown key (did you mean 'host.sockets'?)");
}

TEST(ConfigLoader, UnknownKeyWithoutNeighbour) {
  EXPECT_EQ(load_error("[host]\nflux_capacitor = 1\n"), "x.toml:2:1: error: host.flux_capacitor: unknown key");
}

TEST(ConfigLoader, OutOfRange) {
  EXPECT_EQ(load_error("[host]\nsockets = 0\n"), "x.toml:2:11: error: host.sockets: must be >= 1, got 0");
  EXPECT_EQ(load_error("[host]\nload = 1.5\n"), "x.toml:2:8: error: host.load: must be <= 1.0, got 1.5");
}

TEST(ConfigLoader, WrongType) {
  EXPECT_EQ(load_error("[host]\nsockets = \"two\"\n"),
            "x.toml:2:11: error: host.sockets: expected an integer, got a string");
  EXPECT_EQ(
      load_error("[host]\nipi_latency = 5\n"),
      "x.toml:2:15: error: host.ipi_latency: expected a duration string with a unit, like \"50ns\", got an integer");
  EXPECT_EQ(load_error("[host]\ncache = 3\n"),
            "x.toml:2:1: error: host.cache: is a section; write it as [host.cache] with keys inside");
  EXPECT_EQ(load_error("[host.sockets]\nx = 1\n"), "x.toml:1:7: error: host.sockets: expected integer, got a table");
}

TEST(ConfigLoader, BadUnit) {
  EXPECT_EQ(load_error("[host]\nipi_latency = \"5 parsecs\"\n"),
            "x.toml:2:15: error: host.ipi_latency: 'parsecs' is not a time unit; expected a duration with a unit, "
            "like \"50ns\", \"1.2us\", \"10ms\" or \"1s\"");
}

TEST(ConfigLoader, BadChoiceListsTheChoices) {
  EXPECT_EQ(load_error("[host]\nlock = \"mcs\"\n"),
            "x.toml:2:8: error: host.lock: \"mcs\" is not one of: ticket, qspinlock");
  EXPECT_EQ(load_error("[host]\nlock = \"qspinlok\"\n"),
            "x.toml:2:8: error: host.lock: \"qspinlok\" is not one of: ticket, qspinlock (did you mean 'qspinlock'?)");
}

TEST(ConfigLoader, BadDistribution) {
  EXPECT_EQ(
      load_error("[host]\nthink = \"exp(10)\"\n"),
      "x.toml:2:9: error: host.think: exp(...): parameter 'mean': expected a duration with a unit, like \"50ns\", "
      "\"1.2us\", \"10ms\" or \"1s\"");
}

TEST(ConfigLoader, BadArrayElement) {
  EXPECT_EQ(load_error("[host]\npinned = [1, \"x\"]\n"),
            "x.toml:2:10: error: host.pinned: element 1: expected an integer, got a string");
}

TEST(ConfigLoader, TomlSyntaxError) {
  const std::string error = load_error("[host\nsockets = 2\n");
  EXPECT_TRUE(error.starts_with("x.toml:1:")) << error;
  EXPECT_NE(error.find(": error: "), std::string::npos) << error;
}

TEST(ConfigLoader, AllProblemsReportedInFileOrder) {
  EXPECT_EQ(load_error("[host]\nzzz = 1\nsockets = 0\naaa = 2\n"),
            "x.toml:2:1: error: host.zzz: unknown key\n"
            "x.toml:3:11: error: host.sockets: must be >= 1, got 0\n"
            "x.toml:4:1: error: host.aaa: unknown key");
}

TEST(ConfigLoader, SectionCheck) {
  EXPECT_EQ(load_error("[host.cache]\nsame_socket = \"500ns\"\n"),
            "x.toml: error: [host]: cache.remote_socket must be >= cache.same_socket");
}

TEST(ConfigLoader, MissingFile) {
  Root r;
  try {
    apply_file(r, "/nonexistent/wakesim.toml");
    FAIL();
  } catch (const engine::UserError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/wakesim.toml: error: the configuration file cannot be opened");
  }
}

TEST(ConfigOverride, SetsTypedValues) {
  Root r;
  apply_override(r, "host.sockets=8");
  apply_override(r, "host.ipi_latency=250ns");
  apply_override(r, "host.lock=ticket");
  apply_override(r, "host.smt=false");
  apply_override(r, "host.pinned=[7]");
  apply_override(r, "name=\"quoted\"");
  apply_override(r, "host.cache.same_socket = 1us");
  EXPECT_EQ(r.host.sockets, 8);
  EXPECT_EQ(r.host.ipi_latency, 250_ns);
  EXPECT_EQ(r.host.lock, LockKind::kTicket);
  EXPECT_FALSE(r.host.smt);
  EXPECT_EQ(r.host.pinned, std::vector<int>{7});
  EXPECT_EQ(r.name, "quoted");
  EXPECT_EQ(r.host.cache.same_socket, 1_us);
}

TEST(ConfigOverride, Errors) {
  EXPECT_EQ(override_error("host.sokets=2"),
            "--set host.sokets=2: error: host.sokets: unknown key (did you mean 'host.sockets'?)");
  EXPECT_EQ(override_error("hots.sockets=2"),
            "--set hots.sockets=2: error: hots.sockets: unknown section 'hots' (did you mean 'host'?)");
  EXPECT_EQ(override_error("host.sockets=0"), "--set host.sockets=0: error: host.sockets: must be >= 1, got 0");
  EXPECT_EQ(override_error("host.sockets"), "--set host.sockets: error: expected KEY=VALUE, e.g. --set host.sockets=2");
  EXPECT_EQ(override_error("host.cache=1"), "--set host.cache=1: error: host.cache: is a section, not a key");
}

TEST(ConfigWriter, ResolvedConfigRoundTrips) {
  Root r = load("[host]\nsockets = 3\nthink = \"uniform(1us, 2us)\"\n[host.cache]\nsame_socket = \"1.25ns\"\n");
  const std::string text = to_toml(r);
  EXPECT_NE(text.find("[host.cache]\nsame_socket = \"1.25ns\""), std::string::npos) << text;
  Root again;
  apply_text(Root::schema().info(), &again, text, "resolved.toml");
  EXPECT_EQ(to_toml(again), text);
  EXPECT_EQ(again.host.sockets, 3);
  EXPECT_EQ(again.host.think, engine::Distribution::uniform(1e6, 2e6));
}

TEST(ConfigKeys, DocumentsEveryKeyWithDefaultAndConstraint) {
  const auto docs = document_keys(Root::schema().info());
  ASSERT_EQ(docs.size(), 11u);
  EXPECT_EQ(docs[1].key, "host.sockets");
  EXPECT_EQ(docs[1].type, "integer");
  EXPECT_EQ(docs[1].default_text, "2");
  EXPECT_EQ(docs[1].constraint, ">= 1, <= 16");
  EXPECT_EQ(docs[2].default_text, "1us");
  EXPECT_EQ(docs[6].type, "one of: ticket, qspinlock");
  EXPECT_EQ(docs[6].default_text, "qspinlock");
  EXPECT_EQ(docs.back().key, "host.cache.remote_socket");
}

}  // namespace
}  // namespace wakesim::config
