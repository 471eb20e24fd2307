// Torture: seeds become random workloads (scenarios/search/workload.h), run through
// the scenario runner (scenarios/runner.h) and judged by its checker.
//
// RunSeed generates the workload of one seed, runs it, and reports the first
// block whose output holds a violation ("violated <invariant> at op <n>: ...",
// scenarios/model/checker.h). A run error (a script the runner rejects) is a bug of
// the generator and is reported as a failure of its own kind; so is a seed
// whose replay gives another trace hash (with check_determinism). A seed's
// outcome is a pure function of (build, seed, options), which is what makes a
// printed seed a complete bug report.
//
// Seed ranges are half-open, "A:B" = A, A+1, ..., B-1; a shard "I/N" takes the
// seeds equal to I modulo N, so N CI jobs with I = 0..N-1 cover a range once.
//
// Pure functions over the simulated disk; single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/status.h"
#include "scenarios/runner.h"
#include "scenarios/search/workload.h"

namespace walsim::scenarios {

// Seeds one torture invocation may cover (a bound on its loop).
inline constexpr uint64_t kTortureSeedCountMax = uint64_t{1} << 40;
inline constexpr uint64_t kShardCountMax = 1'000'000;

enum class TortureStatus : uint8_t {
  kPassed,            // no block reported a violation
  kViolation,         // a block's output holds "violated ..."
  kRunError,          // the runner rejected the generated script: a generator bug
  kNondeterministic,  // the replay gave another trace hash
};

struct TortureOutcome {
  uint64_t seed = 0;
  TortureStatus status = TortureStatus::kPassed;
  size_t block_number = 0;  // 1-based index of the failing block (0: none)
  int block_line = 0;       // its command's line in the generated script
  std::string verdict;      // the violation line, or the run error, or the deterministic verdict
  std::string invariant;    // the violated invariant's name ("durable"), empty if none
  uint64_t trace_hash = 0;
  // Coverage probes (named events: a fault kind fired, a class of crash
  // point, a recovery branch taken) and how often each was hit in this seed.
  // Ordered by name, so a report is deterministic.
  std::map<std::string, uint64_t, std::less<>> probe_counts;

  bool failed() const { return status != TortureStatus::kPassed; }
};

struct TortureOptions {
  WorkloadOptions workload;
  bool check_determinism = false;  // run each seed twice, compare trace hashes
};

// Generates, runs and judges one seed. Never fails: every problem is an outcome.
TortureOutcome RunSeed(uint64_t seed, const TortureOptions& options);

// The first block of run whose output holds a violation: sets block_number,
// block_line, verdict and invariant of *outcome and returns true.
// REQUIRES: run.outputs.size() == script.blocks.size().
bool FindViolation(const Script& script, const ScriptRun& run, TortureOutcome* outcome);

// The invariant name in a verdict line "... violated <name> at op <n>: ...",
// or empty when line holds none.
std::string ViolatedInvariant(std::string_view line);

// "A:B" (half-open, A < B) and "I/N" (I < N).
struct SeedRange {
  uint64_t first = 0;
  uint64_t end = 0;  // one past the last seed
};
struct Shard {
  uint64_t index = 0;
  uint64_t count = 1;
};
// Failure: kInvalidArgument naming the text.
Result<SeedRange> ParseSeedRange(std::string_view text);
Result<Shard> ParseShard(std::string_view text);

struct TortureSummary {
  uint64_t passed_count = 0;
  uint64_t failed_count = 0;
};

// Runs every seed of range in shard, in increasing order, calling on_outcome
// after each (it returns false to stop early). REQUIRES: shard.index <
// shard.count, range.end - range.first <= kTortureSeedCountMax.
TortureSummary RunTorture(const SeedRange& range, const Shard& shard, const TortureOptions& options,
                          const std::function<bool(const TortureOutcome&)>& on_outcome);

}  // namespace walsim::scenarios
