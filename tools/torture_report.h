// The machine-readable report of a torture run (docs/torture.md, "Reports"):
// what was run (targets, options, seed range, shard), how it went (counts per
// target, seeds per second, the coverage-probe table), every failure with its
// replay line, and optionally every seed's status and trace hash. It is
// written as JSON (--json) and as JUnit XML (--junit), read back from JSON,
// and the reports of N shards merge into one (`walsim report merge`) after a
// check that they cover their seed range exactly once.
//
// Invariant: a report built from the same results in any arrival order is
// the same (failures and seed entries are kept sorted by (seed, target),
// probes by name); only elapsed_seconds and the times derived from it depend
// on the clock.
//
// Pure functions over values; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "scenarios/search/torture.h"
#include "tools/torture_run.h"

namespace walsim::tools {

inline constexpr int kReportVersion = 1;
inline constexpr const char* kReportFormat = "walsim-torture-report";
// Coverage problems one merge names before it stops listing them.
inline constexpr size_t kMergeProblemCountMax = 20;

struct TargetTotals {
  std::string name;
  uint64_t run_count = 0;      // seeds run on this target
  uint64_t failure_count = 0;  // violations and nondeterminism (JUnit failures)
  uint64_t error_count = 0;    // crashes and generator bugs (JUnit errors)
  double run_seconds = 0;      // sum of the seeds' run times
};

struct ProbeTotals {
  uint64_t hit_count = 0;   // sum over seeds of the probe's count
  uint64_t seed_count = 0;  // seeds that hit it at least once
};

// One shard's part: the seeds equal to shard.index modulo shard.count in
// [first, end), every one of them run on every target.
struct ShardCover {
  scenarios::Shard shard;
  uint64_t first = 0;
  uint64_t end = 0;
  bool budget = false;  // a time-budget run: end is where the budget ran out
  std::string source;   // the report file it came from (merge), else empty
};

struct FailureEntry {
  SeedResult result;
  std::string replay;     // "walsim replay ..."
  std::string shrink;     // "walsim shrink ..." (violations only, else empty)
  std::string artifacts;  // its artifacts folder, relative to --artifacts (empty: none)
  // The id of the known finding it matches (tools/known_findings.h), else empty.
  std::string known_finding;
};

struct TortureReport {
  std::vector<TargetTotals> targets;
  targets::TargetOptions options;  // the run's options; params: every --param given
  // The seed range covered: a single run's shard ran its seeds of it; a merged
  // report's shards together ran every seed of it exactly once.
  scenarios::SeedRange range;
  std::vector<ShardCover> covers;  // one per shard run (several after a merge)
  std::optional<double> budget_minutes;
  bool stopped_early = false;  // --stop-on-failure ended the run before its range did
  size_t job_count = 0;
  uint64_t seed_count = 0;  // distinct seeds run (each on every target)
  double elapsed_seconds = 0;
  double seeds_per_second = 0;
  std::map<std::string, ProbeTotals, std::less<>> probes;
  std::vector<FailureEntry> failures;
  bool has_seed_results = false;         // --json-seeds
  std::vector<SeedResult> seed_results;  // every (seed, target) when has_seed_results

  uint64_t run_count() const;
  uint64_t failed_count() const;
  uint64_t crashed_count() const;
  uint64_t known_finding_count() const;  // failures that match a known finding
};

// Adds one result to report (its target must be one of report.targets).
// options are the result's target's options (for the replay line).
// REQUIRES: result.target is a registered target.
void AddResult(const SeedResult& result, const targets::TargetOptions& options,
               TortureReport* report);
// Sorts failures and seed results by (seed, target).
void SortReport(TortureReport* report);

nlohmann::json ToJson(const TortureReport& report);
// Failure: kInvalidArgument naming the first missing or ill-typed field.
[[nodiscard]] Result<TortureReport> ReportFromJson(const nlohmann::json& json);

// JUnit XML: <testsuites> with one <testsuite> per target (tests = seeds run,
// failures, errors, skipped=0, time) holding one <testcase> per failing seed
// whose <failure> or <error> carries the verdict and the replay line.
std::string ToJunitXml(const TortureReport& report);

// Merges shard reports. They must agree on targets, options and shard count,
// and together cover one seed range exactly once: every shard index present,
// no seed of a shard in two reports, no gap. For time-budget shards, whose
// ends differ, the merged range ends where the shortest shard stopped.
// Failure: kInvalidArgument naming the missing or doubly covered shards and
// seeds (at most kMergeProblemCountMax of them).
[[nodiscard]] Result<TortureReport> MergeReports(const std::vector<TortureReport>& reports);

}  // namespace walsim::tools
