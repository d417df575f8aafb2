#include "sim/experiment/progress.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace wakesim::experiment {

Progress::Progress(std::ostream* out, bool terminal, size_t total, std::string what)
    : out_(out), terminal_(terminal), total_(total), what_(std::move(what)) {
  if (out_ != nullptr && terminal_ && total_ > 0) draw(false);
}

std::string Progress::format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  const long s = std::lround(seconds);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

void Progress::finished(bool failed) {
  std::lock_guard lock(mutex_);
  ++done_;
  failed_ += failed ? 1 : 0;
  total_ = std::max(total_, done_);  // a total that was too low never shows more than 100%
  if (out_ == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  if (terminal_) {
    if (done_ == total_ || now - last_draw_ >= std::chrono::milliseconds(100)) draw(false);
    return;
  }
  const bool decile = total_ > 0 && done_ * 10 >= static_cast<size_t>(next_decile_) * total_;
  if (decile || now - last_draw_ >= std::chrono::minutes(1)) {
    while (total_ > 0 && done_ * 10 >= static_cast<size_t>(next_decile_) * total_) ++next_decile_;
    draw(false);
  }
}

void Progress::done() {
  std::lock_guard lock(mutex_);
  if (closed_ || out_ == nullptr || total_ == 0) return;
  closed_ = true;
  // A plain log ends on the final count even when the total shrank after the last line (add_planned).
  if (terminal_ || drawn_done_ != done_ || drawn_total_ != total_) draw(true);
}

void Progress::add_planned(std::ptrdiff_t runs) {
  std::lock_guard lock(mutex_);
  const std::ptrdiff_t total = static_cast<std::ptrdiff_t>(total_) + runs;
  total_ = static_cast<size_t>(std::max<std::ptrdiff_t>(total, static_cast<std::ptrdiff_t>(done_)));
}

std::string Progress::bar() {
  std::lock_guard lock(mutex_);
  return bar_text(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
}

// Rate, time left and failures so far; the runs left are 0 once the total is reached.
Progress::Figures Progress::figures(double elapsed) const {
  Figures f;
  f.rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const size_t left = total_ > done_ ? total_ - done_ : 0;
  f.eta = done_ == 0 ? "?" : format_duration(static_cast<double>(left) / f.rate);
  f.failures = failed_ == 0 ? "" : fmt::format(", {} failed", failed_);
  return f;
}

std::string Progress::bar_text(double elapsed) const {
  constexpr size_t kWidth = 30;
  const Figures f = figures(elapsed);
  const size_t filled = total_ ? std::min(kWidth, kWidth * done_ / total_) : kWidth;
  return fmt::format("[{}{}] {}/{} {} {:.2f}/s ETA {}{}", std::string(filled, '#'), std::string(kWidth - filled, '.'),
                     done_, total_, what_, f.rate, f.eta, f.failures);
}

void Progress::draw(bool final) {
  last_draw_ = std::chrono::steady_clock::now();
  drawn_done_ = done_;
  drawn_total_ = total_;
  const double elapsed = std::chrono::duration<double>(last_draw_ - start_).count();
  if (terminal_) {
    *out_ << "\r" << bar_text(elapsed) << "\x1b[K";
    if (final) *out_ << fmt::format(" (took {})\n", format_duration(elapsed));
  } else {
    const Figures f = figures(elapsed);
    *out_ << fmt::format("progress: {}/{} {} ({:.0f}%), {:.2f}/s, elapsed {}, ETA {}{}\n", done_, total_, what_,
                         100.0 * static_cast<double>(done_) / static_cast<double>(total_), f.rate,
                         format_duration(elapsed), f.eta, f.failures);
  }
  out_->flush();
}

}  // namespace wakesim::experiment
