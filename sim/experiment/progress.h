// Live progress of a sweep or a capacity search: runs done of the total, rate, ETA and failures so far.
// On a terminal it redraws one bar in place (at most ten times a second); otherwise it prints a plain
// line at every 10% and at least once a minute, so logs of batch jobs stay short. Thread-safe: workers
// report finished runs from any thread. Progress goes to the error stream and never into results.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>

namespace wakesim::experiment {

class Progress {
 public:
  // `out` may be null (silent). `terminal`: redraw in place.
  Progress(std::ostream* out, bool terminal, size_t total, std::string what = "runs");
  void finished(bool failed);
  // Changes the total by `runs` (negative: runs planned that will not be needed), for work decided as
  // it goes (capacity's adaptive replicates); the total never drops below the runs done.
  void add_planned(std::ptrdiff_t runs);
  // The terminal bar as text, "[####....] 3/12 runs 0.50/s ETA 18s", for a caller that draws it
  // itself (run_watch.h); construct the Progress with a null `out` then.
  std::string bar();
  // Ends the bar with a final line (idempotent).
  void done();
  static std::string format_duration(double seconds);  // "42s", "3m05s", "1h02m"

 private:
  struct Figures {
    double rate = 0;
    std::string eta, failures;
  };
  Figures figures(double elapsed) const;
  void draw(bool final);
  std::string bar_text(double elapsed) const;

  std::ostream* out_;
  bool terminal_;
  size_t total_;
  std::string what_;
  size_t done_ = 0;
  size_t failed_ = 0;
  size_t drawn_done_ = 0, drawn_total_ = 0;  // done_ and total_ at the last line drawn
  int next_decile_ = 1;
  bool closed_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
  std::mutex mutex_;
};

}  // namespace wakesim::experiment
