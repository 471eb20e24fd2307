// `walsim soak`: kill -9 cycles of a real store on a real disk.
//
// Each cycle the parent starts a child (this binary, `walsim soak-child`, with
// libfiu's POSIX preload when --fiu is given) that reopens the store and runs
// the cycle's seeded workload (tools/soak_child.h), reads the child's reports,
// kills it with SIGKILL at a seeded moment, then reopens the store itself and
// checks it (tools/soak_check.h). The next cycle starts on what recovered.
//
// What the seed fixes: the workload of every cycle, the fault decisions of
// libfiu's points (per eligible syscall, in order) and the kill schedule:
// "kill once the child has acknowledged K operations, D microseconds after
// the K-th acknowledgement arrived" or "D microseconds after the start"
// (which lands in exec or recovery). What it does not fix: how far the child
// gets in D microseconds, so where exactly the kill lands. A soak on a real
// disk is therefore not bit-deterministic; a violation names the seed and
// cycle, and rerunning that seed replays the same workload and schedule.
//
// Violations (the run stops at the first): a checker verdict (an acknowledged
// operation lost, a state that is no prefix, a store that does not reopen);
// an injected error swallowed (an operation returned OK although libfiu
// failed one of its syscalls with EIO or ENOSPC); a child that recovered a
// different state from the parent's; a child that crashed or hung.
//
// Single-threaded; spawns one child at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tools/soak_workload.h"

namespace walsim::tools {

inline constexpr uint64_t kSoakChildSilenceMsMax = 60'000;  // a child this quiet hangs

struct SoakOptions {
  SoakTarget target = SoakTarget::kWal;
  std::string dir;  // absolute; absent or empty at the start
  uint64_t seed = 1;
  double minutes = 1;            // wall-clock budget
  uint64_t cycle_count_max = 0;  // 0: until the budget is spent
  std::string fiu_rules;         // empty: no faults
  bool power_loss = false;       // tools/soak_powerloss.h instead of kill -9 cycles
  std::string self_path;         // this binary
};

struct SoakViolation {
  uint64_t cycle = 0;
  std::string detail;
};

struct SoakReport {
  uint64_t cycles = 0;
  uint64_t kills = 0;
  uint64_t kills_before_first_op = 0;  // in exec or recovery
  uint64_t child_stops_after_error = 0;
  uint64_t child_recovery_failures = 0;
  uint64_t ops_begun = 0;
  uint64_t ops_acknowledged = 0;
  uint64_t ops_failed = 0;
  uint64_t ops_in_doubt = 0;               // begun, no answer before the kill
  std::map<std::string, uint64_t> faults;  // "pwrite eio" -> count
  uint64_t errors_surfaced = 0;            // an operation failed after an injected error
  uint64_t faults_tolerated = 0;           // SoakChecker::Tolerates
  std::vector<SoakViolation> violations;
  double elapsed_s = 0;
  std::string last_recovered;  // DescribeRecovered of the last check
};

// REQUIRES: options.dir absolute, options.self_path executable.
// Failure: kInvalidArgument (the directory is not absent or empty, --fiu
// without libfiu's preload), fs errors making the directory.
// With power_loss: RunPowerLossSoak (tools/soak_powerloss.h).
Result<SoakReport> RunSoak(const SoakOptions& options);

class SoakChecker;

// One cycle of a soak mode, after checker.StartCycle: runs it, counts it in
// report (not `cycles`), and returns its violation ("" for none). Failure:
// what stops the soak itself (fs errors of the harness).
using SoakCycle =
    std::function<Result<std::string>(SoakChecker& checker, const std::string& store_dir,
                                      uint64_t cycle, SoakReport& report, uint64_t* op_number)>;

// The loop both modes share: a fresh directory, one checker, cycles until
// options.cycle_count_max or the budget, stopping at the first violation.
Result<SoakReport> RunSoakCycles(const SoakOptions& options, const SoakCycle& run_cycle);

// Makes dir (absolute) if it is missing. Failure: kInvalidArgument when it
// exists and is not empty (a soak starts on a fresh directory), fs errors.
Status PrepareSoakDir(const std::string& dir);

}  // namespace walsim::tools
