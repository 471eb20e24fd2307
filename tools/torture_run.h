// What `walsim torture` runs and what one seed's run reports, as the tool
// (not the library) sees it: torture targets, the result of one (seed,
// target) with the statuses the library cannot produce (a worker that
// crashed), its JSON form (the line a worker sends to the parent, and the
// entries of reports), and the artifacts folder of a failing seed.
//
// Invariant: a SeedResult other than its run_ms is a pure function of (build,
// seed, target, options), whichever worker process computed it; run_ms is the
// only wall-clock field and is never printed on stdout.
//
// Pure functions (besides WriteArtifacts, which writes files); thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "scenarios/search/torture.h"
#include "scenarios/search/workload.h"
#include "scenarios/targets/target.h"

namespace walsim::tools {

// One registered target (scenarios/targets/registry.h) as a run drives it:
// with the --param values it declares.
struct TortureTarget {
  const targets::Target* target = nullptr;
  targets::TargetParams params;
  std::string name() const { return std::string(target->name()); }
};

// The targets of `--target spec` (a name, "all", or a comma list), in the
// order they run per seed, each with the params of params it declares.
// Failure: kInvalidArgument (an unknown target, or a param no selected
// target takes or a value it refuses).
[[nodiscard]] Result<std::vector<TortureTarget>> ResolveTargets(
    std::string_view spec, const targets::TargetParams& params);

// The options of target: base with the target's params.
targets::TargetOptions TargetOptions(const targets::TargetOptions& base,
                                     const TortureTarget& target);

enum class SeedStatus : uint8_t {
  kPassed,
  kViolation,
  kRunError,
  kNondeterministic,
  kCrash,    // the worker process died running the seed (signal, abort)
  kTimeout,  // the seed ran longer than --seed-timeout; its worker was killed
};
// "passed", "violation", "run-error", "nondeterministic", "crash", "timeout".
std::string_view SeedStatusName(SeedStatus status);

struct SeedResult {
  uint64_t seed = 0;
  std::string target;
  SeedStatus status = SeedStatus::kPassed;
  size_t block_number = 0;  // 1-based failing block (0: none)
  int block_line = 0;
  std::string verdict;
  std::string invariant;
  uint64_t trace_hash = 0;
  std::map<std::string, uint64_t, std::less<>> probe_counts;
  double run_ms = 0;  // wall time of the run (reports only)

  bool failed() const { return status != SeedStatus::kPassed; }
  // Crashes, timeouts and generator bugs are JUnit errors; violations are failures.
  bool is_error() const {
    return status == SeedStatus::kCrash || status == SeedStatus::kRunError ||
           status == SeedStatus::kTimeout;
  }
};

SeedResult FromOutcome(const scenarios::TortureOutcome& outcome, std::string_view target);
// A crash of the worker that ran (seed, target).
SeedResult CrashResult(uint64_t seed, std::string_view target, std::string_view reason);
// (seed, target) ran longer than timeout_seconds.
SeedResult TimeoutResult(uint64_t seed, std::string_view target, double timeout_seconds);

// JSON: {"seed", "target", "status", "block", "line", "verdict", "invariant",
// "trace_hash" ("0x%016x"), "probes" {name: count}, "run_ms"}.
nlohmann::json ToJson(const SeedResult& result);
[[nodiscard]] Result<SeedResult> SeedResultFromJson(const nlohmann::json& json);

// {"ops", "component", "illegal", "torn_sectors", "purge_past_snapshot",
// "check_determinism", "params" {name: value}} and back (kInvalidArgument
// for a bad document; "params" may be missing).
nlohmann::json ToJson(const targets::TargetOptions& options);
[[nodiscard]] Result<targets::TargetOptions> TargetOptionsFromJson(const nlohmann::json& json);

std::string HexHash(uint64_t hash);
// The commands printed under a failure (without the leading "walsim "):
// "replay --seed S --target T <the target's flags>" and the same for shrink.
std::string ReplayCommand(uint64_t seed, const targets::Target& target,
                          const targets::TargetOptions& options);
std::string ShrinkCommand(uint64_t seed, const targets::Target& target,
                          const targets::TargetOptions& options);

// Compact JSON text on one line; invalid UTF-8 is replaced, never thrown.
std::string DumpLine(const nlohmann::json& json);

// The artifacts folder name of a failure: "seed-<S>-<target>".
std::string ArtifactsFolderName(const SeedResult& result);

// Writes the artifacts folder of failure under dir (created if missing):
// replay.txt (the replay and shrink commands), verdict.json (the result and
// its options), for a scripted target script.scn (the generated script; with
// the outputs of a traced run once it ran), trace.txt (the simulated disk's
// trace; for a loop target also the events it noted), and for a violation
// the target's shrunk file (regression.scn or shrunk.txt, within
// shrink_run_count_max runs). The files are written in that order, so a run
// that crashes still leaves the first ones. Failure: kIoError naming the
// file. REQUIRES: failure.target is target's name.
[[nodiscard]] Status WriteArtifacts(const std::string& dir, const SeedResult& failure,
                                    const targets::Target& target,
                                    const targets::TargetOptions& options,
                                    size_t shrink_run_count_max);

}  // namespace walsim::tools
