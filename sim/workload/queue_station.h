// A G/G/c first-come-first-served queueing station: customers arrive with independent inter-arrival
// times, wait for one of c identical servers, and are served for an independent service time.
//
// It is the engine's self-test scenario ("queue"): with exponential inter-arrival and service times it
// is the M/M/1 or M/M/c queue whose waiting-time distribution has a closed form (Kleinrock, Queueing
// Systems Vol. 1, 1975, §3.2 and §3.5), and with any service distribution and one server the mean wait
// follows Pollaczek-Khinchine. test/validation checks the simulated values against those forms.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/config/schema.h"
#include "sim/engine/event.h"
#include "sim/engine/random.h"
#include "sim/engine/reusable_fifo.h"
#include "sim/engine/simulation.h"
#include "sim/engine/time.h"
#include "sim/stats/latency_histogram.h"

namespace wakesim::workload {

struct QueueParams {
  // Defaults: an M/M/1 queue at 80% load, mean service 10 us.
  engine::Distribution interarrival = engine::Distribution::exponential(12.5e6);  // ps
  engine::Distribution service = engine::Distribution::exponential(10e6);         // ps
  int servers = 1;

  static const config::Section<QueueParams>& schema();
};

class QueueStation {
 public:
  // More customers waiting than this is reported as bad input (an unstable queue), not left to grow.
  static constexpr size_t kMaxWaiting = 10'000'000;
  QueueStation(engine::Simulation& sim, const QueueParams& params);

  // Schedules the first arrival. Statistics cover what completes after the last reset_statistics().
  void start();
  void reset_statistics();

  // Waiting time in the queue (arrival to service start) and response time (arrival to departure).
  const stats::LatencyHistogram& waiting() const { return waiting_; }
  const stats::LatencyHistogram& response() const { return response_; }
  uint64_t completed() const { return completed_; }
  // Time-averages over the interval since the last reset, evaluated at now.
  double utilization() const;  // mean busy servers / servers
  double mean_number_in_system() const;

 private:
  struct Customer {
    engine::Time arrival;
  };
  class Arrival final : public engine::Event {
   public:
    explicit Arrival(QueueStation& q) : q_(q) {}
    void fire() override { q_.on_arrival(); }
    std::string describe() const override { return "queue arrival"; }

   private:
    QueueStation& q_;
  };
  class Departure final : public engine::Event {
   public:
    Departure(QueueStation& q, int server) : q_(q), server_(server) {}
    void fire() override { q_.on_departure(server_); }
    std::string describe() const override { return "queue departure"; }

   private:
    QueueStation& q_;
    int server_;
  };

  void on_arrival();
  void on_departure(int server);
  void begin_service(int server, Customer c);
  void account_until_now();

  engine::Simulation& sim_;
  QueueParams params_;
  engine::RandomStream arrivals_rng_;
  engine::RandomStream service_rng_;
  Arrival arrival_{*this};
  std::vector<std::unique_ptr<Departure>> departures_;
  std::vector<Customer> in_service_;
  std::vector<int> idle_servers_;
  engine::ReusableFifo<Customer> waiting_line_;
  int busy_ = 0;

  stats::LatencyHistogram waiting_;
  stats::LatencyHistogram response_;
  uint64_t completed_ = 0;
  engine::Time stats_start_;
  engine::Time last_change_;
  double busy_area_ = 0;    // integral of busy servers over time, in server-picoseconds
  double number_area_ = 0;  // integral of customers in system over time
};

}  // namespace wakesim::workload
