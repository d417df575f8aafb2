#include "sim/experiment/progress.h"

#include <fmt/format.h>

namespace wakesim::experiment {

Progress::Progress(std::ostream* out, bool terminal, size_t total, std::string what)
    : out_(out), terminal_(terminal), total_(total), what_(std::move(what)) {
  if (out_ != nullptr && terminal_ && total_ > 0) draw(false);
}

std::string Progress::format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  const auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

void Progress::finished(bool failed) {
  std::lock_guard lock(mutex_);
  ++done_;
  failed_ += failed ? 1 : 0;
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
  if (terminal_) draw(true);
}

void Progress::draw(bool final) {
  last_draw_ = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(last_draw_ - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const std::string eta = done_ == 0 ? "?" : format_duration(static_cast<double>(total_ - done_) / rate);
  const std::string failures = failed_ == 0 ? "" : fmt::format(", {} failed", failed_);
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = total_ ? static_cast<int>(kWidth * done_ / total_) : kWidth;
    *out_ << fmt::format("\r[{}{}] {}/{} {} {:.2f}/s ETA {}{}\x1b[K", std::string(filled, '#'),
                         std::string(kWidth - filled, '.'), done_, total_, what_, rate, eta, failures);
    if (final) *out_ << fmt::format(" (took {})\n", format_duration(elapsed));
  } else {
    *out_ << fmt::format("progress: {}/{} {} ({:.0f}%), {:.2f}/s, elapsed {}, ETA {}{}\n", done_, total_, what_,
                         100.0 * static_cast<double>(done_) / static_cast<double>(total_), rate,
                         format_duration(elapsed), eta, failures);
  }
  out_->flush();
}

}  // namespace wakesim::experiment
