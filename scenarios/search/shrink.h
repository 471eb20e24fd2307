// The shrinker: a failing scenario script becomes the smallest script that
// still fails the same way, ready to be checked in as a regression test.
//
// "The same way" is the failure signature: the name of the invariant the
// first violation names ("durable", "exact", ...). Shrink delta-debugs the
// blocks of the script (ddmin: remove halves, quarters, ..., single blocks;
// a leading `disk` block is kept, since it decides the disk's seed and
// model), drops the blocks after the first violation, then tries cheaper
// variants of what is left: single-entry batches, no large payloads, fault
// rules without their after= trigger. Each candidate is run through
// RunScript and kept only if it still violates the same invariant. The
// number of runs is bounded (ShrinkOptions::run_count_max), so a shrink
// always ends; the result is the smallest script found within the bound.
//
// RenderRegression writes the result as a .scn file: a comment header (seed,
// original and shrunk block counts, the violation, the commands that
// reproduce it) and every block with the output the run printed as its
// expected output, minus the violation lines. Checked into
// scenarios/scripts/, the file therefore FAILS (the violation is an
// unexpected line) until the bug is fixed; after the fix, `walsim run
// --rewrite FILE` records the correct output (docs/torture.md).
//
// Pure functions over the simulated disk; single-threaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "scenarios/runner.h"
#include "scenarios/script/script.h"
#include "scenarios/search/torture.h"

namespace walsim::scenarios {

// Candidate runs one Shrink may make (each is one RunScript).
inline constexpr size_t kShrinkRunCountMax = 2'000;
// Rounds of (ddmin, variants) before Shrink settles for what it has.
inline constexpr size_t kShrinkRoundCountMax = 8;

struct ShrinkOptions {
  size_t run_count_max = kShrinkRunCountMax;  // REQUIRES: >= 1
};

struct ShrinkResult {
  Script script;           // the shrunk script (expected outputs as in the input)
  ScriptRun run;           // its run
  TortureOutcome failure;  // its first violation (block_number, verdict, invariant)
  size_t original_block_count = 0;
  size_t run_count = 0;  // candidate runs made, including the first check
};

// Shrinks failing, which must violate invariant (a name as InvariantName
// prints it). Failure: kFailedPrecondition when failing does not violate
// invariant; kInvalidArgument when the runner rejects failing (its message).
Result<ShrinkResult> Shrink(const Script& failing, std::string_view invariant,
                            const ShrinkOptions& options = {});

// Where a regression came from, for its header.
struct RegressionOrigin {
  uint64_t seed = 0;
  std::string workload_flags;  // WorkloadFlags() of the torture run
};

// The regression script's text (see the header comment).
std::string RenderRegression(const ShrinkResult& result, const RegressionOrigin& origin);

}  // namespace walsim::scenarios
