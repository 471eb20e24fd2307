// The `walsim torture` run: seeds of a range (or from a start, for a time
// budget) and a shard, on every target, in worker processes
// (tools/worker_pool.h), gathered into a TortureReport (tools/torture_report.h),
// then the artifacts folders of the first failures.
//
// Invariant: the results are handed to on_result in (seed, target) order,
// whatever the worker count and the order they finish in, so everything
// printed from them is the same for any job count. Over a fixed range the
// seeds run are fixed too; a time budget (or stop_on_failure) only decides
// where the run stops, never what a seed does. With stop_on_failure the run
// ends at the first failure in order; results after it are dropped.
//
// Single-threaded (forks).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "scenarios/search/torture.h"
#include "tools/torture_report.h"
#include "tools/torture_run.h"

namespace walsim::tools {

inline constexpr size_t kArtifactsCountMaxDefault = 10;
inline constexpr size_t kArtifactsShrinkRunCountDefault = 500;
inline constexpr double kSeedTimeoutSecondsDefault = 60;

struct DriverOptions {
  std::vector<TortureTarget> targets;    // REQUIRES: not empty
  targets::TargetOptions base;           // params: every --param (each target gets its own)
  scenarios::SeedRange range;            // REQUIRES: valid (ParseSeedRange)
  scenarios::Shard shard;                // REQUIRES: valid (ParseShard)
  std::optional<double> budget_seconds;  // stop starting seeds once it is used up
  size_t job_count = 1;                  // worker processes, 1..kWorkerCountMax
  // A seed that runs longer is killed and reported as a timeout (none: no limit).
  std::optional<double> seed_timeout_seconds = kSeedTimeoutSecondsDefault;
  bool stop_on_failure = false;
  bool keep_seed_results = false;  // TortureReport::seed_results
  bool progress_terminal = false;  // the \r progress line (else plain lines)
  std::string artifacts_dir;       // empty: no artifacts
  size_t artifacts_count_max = kArtifactsCountMaxDefault;
  size_t shrink_run_count_max = kArtifactsShrinkRunCountDefault;
  // Called for each result in (seed, target) order, with its report entry
  // when it failed (else nullptr).
  std::function<void(const SeedResult&, const FailureEntry*)> on_result;
};

// Runs the seeds and writes the artifacts. Failure: kIoError when the
// workers cannot be started (a pipe or fork failed).
[[nodiscard]] Result<TortureReport> RunTortureDriver(const DriverOptions& options);

// Runs one (seed, options) in a worker process, so that a crash of the code
// under test becomes a kCrash result, and a run past timeout_seconds a
// kTimeout (walsim replay --report).
[[nodiscard]] Result<SeedResult> RunSeedInWorker(
    uint64_t seed, const TortureTarget& target, const targets::TargetOptions& options,
    std::optional<double> timeout_seconds = kSeedTimeoutSecondsDefault);

}  // namespace walsim::tools
