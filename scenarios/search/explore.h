// The crash-state explorer: for a script, every crash point and every
// distinct crash state, exhaustively up to a bound and then sampled.
//
// A crash point is a numbered filesystem operation of the script's run (the
// FaultFs count that fault rules' nth= uses; `check` reopens unnumbered).
// Crashing at point N means the process dies just before operation N: the
// explorer runs the script's blocks up to the one that issues operation N
// with the rule `any * nth=N crash` planned, then `check`. One more point,
// "end", crashes after the last block. The script's own disk settings
// decide the crash model unless ExploreOptions overrides it.
//
// A crash state is one sequence of the disk's crash decisions (how many
// pending directory operations, writes, sectors and size changes persist,
// and how sectors tear; sim/crash_choices.h). At each point the explorer
// walks the decision tree depth first (DecisionPath) until it is exhausted
// or half of states_per_point_max is used; an unexhausted point spends the
// rest on decision sequences drawn from a seeded stream. Decisions of
// crashes the script makes itself before the point are part of the tree.
// Two sequences can leave the same bytes; states are counted by sequence.
//
// Every explored state is judged by the checker (the `check` block's
// verdict). A violation names the point, the state's decisions and how to
// replay it (ExploreOptions::only). Deterministic: a pure function of the
// script and the options. Single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/rng.h"
#include "base/status.h"
#include "scenarios/script/script.h"
#include "sim/crash_choices.h"
#include "sim/sim_options.h"

namespace walsim::scenarios {

inline constexpr uint64_t kExploreStatesPerPointMax = 1'000'000;
inline constexpr uint64_t kExplorePointsMax = 1'000'000;
inline constexpr size_t kDecisionPathLengthMax = 1'000'000;

// Crash decisions as a path through the decision tree. Replays its recorded
// choices, then extends the path: with choice 0, or drawn from a sampler.
class DecisionPath final : public sim::CrashChoices {
 public:
  DecisionPath() = default;
  explicit DecisionPath(const std::vector<uint64_t>& choices);

  // Starts a run of the script from its first block: the path replays.
  void Rewind() { depth_ = 0; }
  // Drops the path; later decisions are drawn from sampler (nullptr: 0).
  void Restart(Rng* sampler);
  // Depth first: the next path after the decisions the last run used.
  // False when every path was visited.
  bool Advance();
  // The decisions the last run used.
  std::vector<uint64_t> choices() const;

  uint64_t Choose(uint64_t option_count) override;

 private:
  struct Decision {
    uint64_t choice = 0;
    uint64_t option_count = 1;
  };
  std::vector<Decision> path_;
  size_t depth_ = 0;
  Rng* sampler_ = nullptr;
};

// The point just before operation op_number, or the end of the script.
struct CrashPoint {
  uint64_t op_number = 0;  // 0: after the last block
  std::vector<uint64_t> choices;
};

struct ExploreOptions {
  std::optional<sim::CrashModel> crash_model;  // default: the script's own disk model
  uint64_t states_per_point_max = 64;
  uint64_t points_max = 10'000;    // more operations than this: evenly spaced points
  uint64_t seed = 0;               // the sampling stream
  std::optional<CrashPoint> only;  // replay one state instead of exploring
  bool trace = false;              // with only: keep the disk's trace lines
};

struct ExploreViolation {
  CrashPoint point;
  size_t block_number = 0;  // the failing block of the explored script (1-based)
  std::string block_text;   // its command
  std::string verdict;      // the "violated ..." line
};

struct ExploreReport {
  uint64_t op_count = 0;  // numbered operations of the script's own run
  uint64_t point_count = 0;
  uint64_t exhaustive_point_count = 0;
  uint64_t state_count = 0;                  // distinct decision sequences judged
  std::vector<ExploreViolation> violations;  // at most one per point
  // With options.only: every block's output, and the trace when asked.
  std::vector<std::string> only_blocks;  // the commands of the script that was run
  std::vector<std::string> only_outputs;
  std::vector<std::string> only_trace_lines;
};

// Explores script. Failure: kInvalidArgument for a script the runner rejects
// or options out of range; a violation is a result, not a failure.
Result<ExploreReport> Explore(const Script& script, const ExploreOptions& options);

// "17:0,1,2" (op 17, choices 0 1 2), "end:" or "end:1": the form
// ExploreViolation is printed in. Failure: kInvalidArgument naming text.
Result<CrashPoint> ParseCrashPoint(std::string_view text);
std::string FormatCrashPoint(const CrashPoint& point);

}  // namespace walsim::scenarios
