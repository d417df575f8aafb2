// Arrival processes for interrupt sources, as configuration values:
//   "poisson(1k/s)"                        exponential gaps at that rate
//   "periodic(1ms)", "periodic(1ms, jitter=20us)"   fixed period, optional uniform jitter (+-)
//   "onoff(on=1ms, off=9ms, rate=10k/s)"   bursty: exponential on and off periods, Poisson while on
//   "mmpp(1k/s:9ms, 20k/s:1ms)"            Markov-modulated Poisson: rate:mean stay per state; on
//                                          leaving a state the next is drawn uniformly among the others
//   "replay(path.csv)"                     timestamps from a CSV file (column time_ns, time_us, time_ms or
//                                          time_s; an optional column vcpu restricts a row to that vCPU)
//   "none"                                 no arrivals
// A process instance draws only from the random stream it is given, so each source is reproducible
// and identical across designs (common random numbers).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/config/schema.h"
#include "sim/engine/random.h"
#include "sim/engine/time.h"

namespace wakesim::workload {

struct ArrivalSpec {
  struct None {};
  struct Poisson {
    engine::Rate rate;
  };
  struct Periodic {
    engine::Time period;
    engine::Time jitter;
  };
  struct OnOff {
    engine::Time on, off;
    engine::Rate rate;
  };
  struct Mmpp {
    std::vector<std::pair<engine::Rate, engine::Time>> states;
  };
  struct Replay {
    std::string path;
    // (time, vCPU index or -1 for every vCPU), sorted by time; read and checked when the spec is parsed.
    std::shared_ptr<const std::vector<std::pair<engine::Time, int64_t>>> events;
  };
  std::variant<None, Poisson, Periodic, OnOff, Mmpp, Replay> kind = Poisson{engine::Rate{1000}};

  static ArrivalSpec poisson(double per_second) { return ArrivalSpec{Poisson{engine::Rate{per_second}}}; }
  // Mean arrivals per second (0 for none; for a replay, over the file's span).
  double mean_rate() const;
  bool operator==(const ArrivalSpec& o) const;
};

std::optional<ArrivalSpec> parse_arrivals(const std::string& text, std::string& error);
// The same process with every rate multiplied by `factor` > 0 (periods and state durations of a
// periodic process divided by it; on/off and MMPP state durations kept), so its mean rate is
// factor x mean_rate(). nullopt for a replay (its times are data) and for none.
std::optional<ArrivalSpec> scale_arrivals(const ArrivalSpec& spec, double factor);
std::string format_arrivals(const ArrivalSpec& spec);

// The arrivals of one source (one vCPU's device queue, say).
class ArrivalProcess {
 public:
  ArrivalProcess(const ArrivalSpec& spec, engine::RandomStream rng, int64_t vcpu);
  // The time of the next arrival after `now`, or Time::max() if there are no more.
  engine::Time next(engine::Time now);

 private:
  ArrivalSpec spec_;
  engine::RandomStream rng_;
  int64_t vcpu_;
  // on/off and MMPP: the current state and when it ends.
  bool started_ = false;
  size_t state_ = 0;
  engine::Time state_end_;
  size_t replay_index_ = 0;
  engine::Time periodic_next_;
};

}  // namespace wakesim::workload

namespace wakesim::config {
template <>
struct Codec<workload::ArrivalSpec> {
  static constexpr const char* kType = "arrival process";
  static Problem read(const Value& v, workload::ArrivalSpec& out) {
    if (!v.is_string()) return fmt::format("expected an arrival process like \"poisson(1k/s)\", got {}", kind_name(v));
    std::string error;
    auto spec = workload::parse_arrivals(std::get<std::string>(v.data), error);
    if (!spec) return error;
    out = std::move(*spec);
    return std::nullopt;
  }
  static Value write(const workload::ArrivalSpec& s) { return Value{workload::format_arrivals(s)}; }
};
}  // namespace wakesim::config
