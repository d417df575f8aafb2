#include "sim/experiment/run_watch.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/experiment/report.h"

namespace wakesim::experiment {
namespace {

constexpr auto kRedraw = std::chrono::milliseconds(500);
constexpr bool kBarOnly = false;  // Progress draws nothing itself (no stream): draw_locked asks it for the bar

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Simulated time to a tenth of its unit: "12.3ms", "1000.1s".
std::string time_text(engine::Time t) {
  const double ns = t.ns();
  if (ns >= 1e9) return fmt::format("{:.1f}s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.1f}ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.1f}us", ns / 1e3);
  return fmt::format("{:.0f}ns", ns);
}

// Wall time: "0.7s" under a minute, then "3m05s".
std::string wall_text(double seconds) {
  return seconds < 60 ? fmt::format("{:.1f}s", seconds) : Progress::format_duration(seconds);
}

}  // namespace

RunWatch::RunWatch(Options options) : options_(std::move(options)), progress_(nullptr, kBarOnly, options_.runs) {}

RunWatch::~RunWatch() { done(); }

void RunWatch::check_interrupted() const {
  if (options_.interrupted && options_.interrupted()) throw Interrupted{};
}

void RunWatch::finished(bool failed) {
  progress_.finished(failed);
  std::lock_guard lock(mutex_);
  if (options_.live != nullptr && lines_drawn_ > 0 && !closed_) draw_locked(false);
}

void RunWatch::done() {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  closed_ = true;
  if (options_.live != nullptr && lines_drawn_ > 0) draw_locked(true);
}

// Redraws the block in place: back to its first line, each line cleared to its end, then everything
// below the new block cleared (it may have fewer lines than the last one).
void RunWatch::draw_locked(bool final) {
  last_draw_ = std::chrono::steady_clock::now();
  std::string text = "\r";
  if (lines_drawn_ > 1) text += fmt::format("\x1b[{}A", lines_drawn_ - 1);
  text += progress_.bar();
  if (final) {
    text += fmt::format(" (took {})\x1b[K\n\x1b[J", Progress::format_duration(seconds_since(start_)));
    lines_drawn_ = 1;
  } else {
    for (const Run* r : running_) {
      const double wall = seconds_since(r->start_);
      const std::string of = r->length_ > engine::Time::zero() ? " of " + time_text(r->length_) : "";
      std::string rate = format_metric_value(wall > 0 ? static_cast<double>(r->events_) / wall : 0.0, "/s");
      if (rate.ends_with("/s")) rate.resize(rate.size() - 2);  // "4.2M/s" -> "4.2M"
      text += fmt::format("\x1b[K\n  {}: {}{} simulated, {} wall, {} events/s", r->label_, time_text(r->simulated_), of,
                          wall_text(wall), rate);
    }
    text += "\x1b[K\x1b[J";
    lines_drawn_ = 1 + running_.size();
  }
  *options_.live << text;
  options_.live->flush();
}

RunWatch::Run::Run(RunWatch& watch, std::string label, engine::Time length)
    : watch_(watch), label_(std::move(label)), length_(length) {
  std::lock_guard lock(watch_.mutex_);
  watch_.running_.push_back(this);
}

RunWatch::Run::~Run() {
  std::lock_guard lock(watch_.mutex_);
  watch_.running_.erase(std::find(watch_.running_.begin(), watch_.running_.end(), this));
}

void RunWatch::Run::look(const engine::Simulation& sim) {
  watch_.check_interrupted();
  if (watch_.options_.live == nullptr) return;
  std::lock_guard lock(watch_.mutex_);
  simulated_ = sim.now();
  events_ = sim.events_executed();
  const auto now = std::chrono::steady_clock::now();
  // Nothing for the first half second: short runs leave the terminal alone.
  if (!watch_.closed_ && now - watch_.start_ >= kRedraw && now - watch_.last_draw_ >= kRedraw)
    watch_.draw_locked(false);
}

}  // namespace wakesim::experiment
