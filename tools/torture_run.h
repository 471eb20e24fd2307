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

namespace walsim::tools {

// One thing torture can drive (DESIGN.md, "Targets"). Today a target is a
// workload component; the registry of targets will replace it.
struct TortureTarget {
  std::string name;  // "wal", "logstore", "all"
  scenarios::WorkloadComponent component = scenarios::WorkloadComponent::kBoth;
};

// The targets `--target name` selects, in the order they run per seed.
// Failure: kInvalidArgument listing the known names.
[[nodiscard]] Result<std::vector<TortureTarget>> ResolveTargets(std::string_view name);

// The torture options of target: base with its component.
scenarios::TortureOptions TargetOptions(const scenarios::TortureOptions& base,
                                        const TortureTarget& target);

enum class SeedStatus : uint8_t {
  kPassed,
  kViolation,
  kRunError,
  kNondeterministic,
  kCrash,  // the worker process died running the seed (signal, abort)
};
// "passed", "violation", "run-error", "nondeterministic", "crash".
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
  // Crashes and generator bugs are JUnit errors; violations are failures.
  bool is_error() const { return status == SeedStatus::kCrash || status == SeedStatus::kRunError; }
};

SeedResult FromOutcome(const scenarios::TortureOutcome& outcome, std::string_view target);
// A crash of the worker that ran (seed, target).
SeedResult CrashResult(uint64_t seed, std::string_view target, std::string_view reason);

// JSON: {"seed", "target", "status", "block", "line", "verdict", "invariant",
// "trace_hash" ("0x%016x"), "probes" {name: count}, "run_ms"}.
nlohmann::json ToJson(const SeedResult& result);
[[nodiscard]] Result<SeedResult> SeedResultFromJson(const nlohmann::json& json);

// {"ops", "component", "illegal", "torn_sectors", "purge_past_snapshot",
// "check_determinism"} and back (kInvalidArgument for a bad document).
nlohmann::json ToJson(const scenarios::TortureOptions& options);
[[nodiscard]] Result<scenarios::TortureOptions> TortureOptionsFromJson(const nlohmann::json& json);

std::string HexHash(uint64_t hash);
// The commands printed under a failure (without the leading "walsim ").
std::string ReplayCommand(uint64_t seed, const scenarios::WorkloadOptions& options);
std::string ShrinkCommand(uint64_t seed, const scenarios::WorkloadOptions& options);

// Compact JSON text on one line; invalid UTF-8 is replaced, never thrown.
std::string DumpLine(const nlohmann::json& json);

// The artifacts folder name of a failure: "seed-<S>-<target>".
std::string ArtifactsFolderName(const SeedResult& result);

// Writes the artifacts folder of failure under dir (created if missing):
// replay.txt (the replay and shrink commands), verdict.json (the result and
// its options), script.scn (the generated script; with the outputs of a
// traced run once it ran), trace.txt (the simulated disk's trace), and for a
// violation regression.scn (Shrink within shrink_run_count_max runs, then
// RenderRegression). The files are written in that order, so a run that
// crashes still leaves the first ones. Failure: kIoError naming the file.
[[nodiscard]] Status WriteArtifacts(const std::string& dir, const SeedResult& failure,
                                    const scenarios::TortureOptions& options,
                                    size_t shrink_run_count_max);

}  // namespace walsim::tools
