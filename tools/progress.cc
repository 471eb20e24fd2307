#include "tools/progress.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "base/log.h"

namespace walsim::tools {
namespace {

std::string Duration(double seconds) {
  const auto total = static_cast<uint64_t>(std::llround(std::max(0.0, seconds)));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof(text), "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, total / 3600,
                  total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof(text), "%" PRIu64 ":%02" PRIu64, total / 60, total % 60);
  }
  return text;
}

}  // namespace

Progress::Progress(ProgressGoal goal, bool terminal)
    : goal_(goal), terminal_(terminal), start_(Clock::now()), last_print_(start_) {}

double Progress::ElapsedSeconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

std::string Progress::Line(uint64_t seeds_done, uint64_t failed_count) const {
  const double elapsed_seconds = ElapsedSeconds();
  const double rate = elapsed_seconds > 0 ? static_cast<double>(seeds_done) / elapsed_seconds : 0;
  char text[256];
  std::string eta = "?";
  if (goal_.budget_seconds.has_value()) {
    eta = Duration(*goal_.budget_seconds - elapsed_seconds);
    std::snprintf(text, sizeof(text),
                  "torture: %s of %s, %" PRIu64 " seeds, %.1f seeds/s, %" PRIu64 " failed, ETA %s",
                  Duration(elapsed_seconds).c_str(), Duration(*goal_.budget_seconds).c_str(),
                  seeds_done, rate, failed_count, eta.c_str());
  } else {
    const uint64_t total = goal_.seed_count.value_or(0);
    if (rate > 0 && total >= seeds_done) {
      eta = Duration(static_cast<double>(total - seeds_done) / rate);
    }
    std::snprintf(text, sizeof(text),
                  "torture: %" PRIu64 "/%" PRIu64 " seeds, %.1f seeds/s, %" PRIu64
                  " failed, ETA %s",
                  seeds_done, total, rate, failed_count, eta.c_str());
  }
  return text;
}

void Progress::Update(uint64_t seeds_done, uint64_t failed_count) {
  const Clock::time_point now = Clock::now();
  const auto since_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - last_print_).count();
  if (since_ms < (terminal_ ? kTerminalRefreshMs : kPlainIntervalSeconds * 1000)) return;
  last_print_ = now;
  printed_ = true;
  if (terminal_) {
    // \x1b[K clears what a longer previous line left.
    std::fprintf(stderr, "\r%s\x1b[K", Line(seeds_done, failed_count).c_str());
    std::fflush(stderr);
  } else {
    DefaultLogger()->info("{}", Line(seeds_done, failed_count));
  }
}

void Progress::Finish(uint64_t seeds_done, uint64_t failed_count) {
  if (terminal_) {
    std::fprintf(stderr, "\r%s\x1b[K\n", Line(seeds_done, failed_count).c_str());
    std::fflush(stderr);
  } else if (printed_ || ElapsedSeconds() >= 1) {
    DefaultLogger()->info("{}", Line(seeds_done, failed_count));
  }
}

}  // namespace walsim::tools
