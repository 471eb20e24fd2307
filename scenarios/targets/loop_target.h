// Helpers for loop targets (target.h): targets that run their own seeded
// crash-and-check loop and report an EngineOutcome (engine_outcome.h) rather
// than a script. They turn an EngineOutcome into a TargetRun, and shrink a
// failing seed by lowering its size params.
//
// Verdict mapping: kPass and kAllowedLoss pass (an allowed loss is counted by
// the probe "engine/allowed-by-setting", never a failure); kViolation is a
// violation of "integrity" (a recovery that is corrupt or does not open),
// "durable" (acknowledged units lost beyond the setting's promise) or
// "exact" (a state that is no prefix of the writes, or bytes never
// written); kHarnessError is a run error.
//
// Pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "scenarios/targets/engine_outcome.h"
#include "scenarios/targets/target.h"

namespace walsim::targets {

// outcome as a TargetRun; setting ("journal_mode=WAL synchronous=FULL")
// prefixes its verdict, probe_prefix ("sqlite") names its own probes.
TargetRun ToTargetRun(const EngineOutcome& outcome, const std::string& setting,
                      const std::string& probe_prefix, bool keep_trace);

// A size param shrinking may lower, down to min_value.
struct ShrinkParam {
  std::string name;
  uint64_t min_value = 1;
};

// Lowers each size param of sizes in turn to the smallest value (binary
// search, then a check) at which run(params) still violates invariant,
// within run_count_max runs. params is the seed's full, resolved param set
// (every size param present). Returns the shrunk replay line's params and a
// summary. Failure: kFailedPrecondition when params do not fail so.
[[nodiscard]] Result<ShrunkSeed> ShrinkLoopSeed(const Target& target, uint64_t seed,
                                                const TargetOptions& options,
                                                const std::vector<ShrinkParam>& sizes,
                                                const std::string& invariant, size_t run_count_max);

}  // namespace walsim::targets
