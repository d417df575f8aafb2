#include "sim/workload/queue_station.h"

#include <fmt/format.h>

#include "sim/engine/errors.h"

namespace wakesim::workload {

const config::Section<QueueParams>& QueueParams::schema() {
  static const auto s = config::Section<QueueParams>("queue", "G/G/c queueing station (engine self-test scenario)")
                            .field(&QueueParams::interarrival, "interarrival", "time between customer arrivals")
                            .field(&QueueParams::service, "service", "service time of one customer")
                            .field(&QueueParams::servers, "servers", "identical servers sharing one FIFO line",
                                   {.min = 1, .max = 1 << 20});
  return s;
}

QueueStation::QueueStation(engine::Simulation& sim, const QueueParams& params)
    : sim_(sim),
      params_(params),
      arrivals_rng_(sim.stream(0, "queue-arrivals")),
      service_rng_(sim.stream(0, "queue-service")),
      in_service_(static_cast<size_t>(params.servers)) {
  for (int s = params.servers - 1; s >= 0; --s) {
    departures_.push_back(std::make_unique<Departure>(*this, static_cast<int>(departures_.size())));
    idle_servers_.push_back(s);
  }
  // Room for a long backlog up front (64 KiB), so that a new longest queue in mid-run does not
  // allocate: an M/M/1 queue at load 0.8 exceeds 4096 waiting with probability 0.8^4096.
  waiting_line_.reserve(4096);
}

void QueueStation::start() {
  reset_statistics();
  sim_.schedule_in(arrival_, params_.interarrival.sample_time(arrivals_rng_));
}

void QueueStation::reset_statistics() {
  waiting_.clear();
  response_.clear();
  completed_ = 0;
  stats_start_ = last_change_ = sim_.now();
  busy_area_ = number_area_ = 0;
}

void QueueStation::account_until_now() {
  const double dt = static_cast<double>((sim_.now() - last_change_).ps());
  busy_area_ += dt * busy_;
  number_area_ += dt * (busy_ + static_cast<double>(waiting_line_.size()));
  last_change_ = sim_.now();
}

void QueueStation::on_arrival() {
  account_until_now();
  const Customer c{sim_.now()};
  if (!idle_servers_.empty()) {
    const int server = idle_servers_.back();
    idle_servers_.pop_back();
    begin_service(server, c);
  } else {
    // The progress guard for an overloaded queue: a waiting line this long only grows (arrivals faster
    // than service), and would take memory without bound before the run ends.
    if (waiting_line_.size() >= kMaxWaiting) [[unlikely]]
      throw engine::UserError(fmt::format(
          "queue: more than {} customers waiting at simulated time {}: queue.interarrival is too short for "
          "queue.service and queue.servers (the queue is unstable, so its waits grow without bound); lengthen "
          "the inter-arrival time or add servers",
          kMaxWaiting, sim_.now()));
    waiting_line_.push_back(c);
  }
  sim_.schedule_in(arrival_, params_.interarrival.sample_time(arrivals_rng_));
}

void QueueStation::begin_service(int server, Customer c) {
  WAKESIM_CHECK(!departures_[static_cast<size_t>(server)]->pending(), "server {} is already busy", server);
  ++busy_;
  in_service_[static_cast<size_t>(server)] = c;
  if (c.arrival >= stats_start_) waiting_.record(sim_.now() - c.arrival);
  sim_.schedule_in(*departures_[static_cast<size_t>(server)], params_.service.sample_time(service_rng_));
}

void QueueStation::on_departure(int server) {
  account_until_now();
  --busy_;
  const Customer done = in_service_[static_cast<size_t>(server)];
  if (done.arrival >= stats_start_) {
    response_.record(sim_.now() - done.arrival);
    ++completed_;
  }
  if (!waiting_line_.empty()) {
    const Customer next = waiting_line_.front();
    waiting_line_.pop_front();
    begin_service(server, next);
  } else {
    idle_servers_.push_back(server);
  }
}

double QueueStation::utilization() const {
  const double span = static_cast<double>((sim_.now() - stats_start_).ps());
  if (span <= 0) return 0;
  const double pending = static_cast<double>((sim_.now() - last_change_).ps()) * busy_;
  return (busy_area_ + pending) / span / params_.servers;
}

double QueueStation::mean_number_in_system() const {
  const double span = static_cast<double>((sim_.now() - stats_start_).ps());
  if (span <= 0) return 0;
  const double pending =
      static_cast<double>((sim_.now() - last_change_).ps()) * (busy_ + static_cast<double>(waiting_line_.size()));
  return (number_area_ + pending) / span;
}

}  // namespace wakesim::workload
