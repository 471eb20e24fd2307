// Progress of a long torture run on stderr. On a terminal: one line that
// rewrites itself ('\r') at most every kTerminalRefreshMs, with the seeds done
// (of the total) or the time used (of the budget), seeds per second, the
// failures so far and an ETA. Elsewhere (a CI log): one plain spdlog line
// every kPlainIntervalSeconds.
//
// Progress reads the wall clock and prints; it never influences what a seed
// does. Single-threaded.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace walsim::tools {

inline constexpr int64_t kTerminalRefreshMs = 250;
inline constexpr int64_t kPlainIntervalSeconds = 10;

struct ProgressGoal {
  std::optional<uint64_t> seed_count;    // the seeds to run, when the range decides
  std::optional<double> budget_seconds;  // the time budget, when --minutes decides
};

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  // terminal: whether stderr is a terminal (isatty); then the \r line.
  Progress(ProgressGoal goal, bool terminal);

  // Reports seeds_done and failed_count so far (prints if it is time to).
  void Update(uint64_t seeds_done, uint64_t failed_count);
  // Prints the final state and ends the terminal line.
  void Finish(uint64_t seeds_done, uint64_t failed_count);

  double ElapsedSeconds() const;

 private:
  std::string Line(uint64_t seeds_done, uint64_t failed_count) const;

  ProgressGoal goal_;
  bool terminal_;
  Clock::time_point start_;
  Clock::time_point last_print_;
  bool printed_ = false;
};

}  // namespace walsim::tools
