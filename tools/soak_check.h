// The parent side of `walsim soak`: the reference model of one store, fed
// with the operations the child reports, and the check of what the parent
// itself recovers after each cycle, with torture's models and checker
// (scenarios/model/checker.h) under legal faults.
//
// Each cycle starts a fresh model from the state recovered at the end of the
// previous one (that state is acknowledged and durable: the parent reopened
// the store and closed it, which syncs), so the model stays as small as the
// store. The cycle's operations are drawn from the same seeded workload as
// the child's (tools/soak_workload.h).
//
// Single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fs/fs.h"
#include "scenarios/model/checker.h"
#include "tools/soak_workload.h"

namespace walsim::tools {

class SoakChecker {
 public:
  virtual ~SoakChecker() = default;
  // A new cycle: a fresh model and workload from the recovered state.
  virtual void StartCycle(uint64_t cycle, uint64_t op_number) = 0;
  // The digest the child must report for its own recovery.
  virtual uint64_t ExpectedDigest() const = 0;
  // Extra child arguments (the WAL's snapshot to open from).
  virtual std::vector<std::string> ChildArgs() const = 0;
  // The child is about to call its next operation: draw it and begin it in
  // the model. Returns its name ("save", "store", ...).
  virtual std::string Begin(uint64_t op_number) = 0;
  // The operation begun last returned OK.
  virtual void Acknowledge() = 0;
  // After the child died: reopen on fs, read everything, check against the
  // model. On success the recovered state becomes the next cycle's start.
  // fs is the real disk, or (`soak --power-loss`) a simulated disk holding
  // one power-loss state of it, under the same absolute paths.
  virtual scenarios::Verdict RecoverAndCheckOn(fs::FileSystem& fs, uint64_t op_number) = 0;
  // RecoverAndCheckOn the real disk (PosixFs).
  scenarios::Verdict RecoverAndCheck(uint64_t op_number);
  // Whether op_name ("reopen" for the child's recovery) may return OK after
  // libfiu injected fault ("pwrite enospc"): best-effort work whose failure
  // the store documents, logs and makes up for later. The LogStore's
  // DeleteRange and Open remove segments a durable meta already made dead
  // (an unlink failure: removed at the next Open); the WAL's reopen
  // preallocates the copied tail again (ENOSPC: the tail grows with each
  // append instead, Wal::ReplaceTail). Any other swallowed error is a violation.
  virtual bool Tolerates(std::string_view op_name, std::string_view fault) const = 0;
  // "entries=N last=I" of the state recovered last.
  virtual std::string DescribeRecovered() const = 0;
};

// store_dir: the WAL's or the LogStore's directory (absolute).
std::unique_ptr<SoakChecker> MakeSoakChecker(SoakTarget target, std::string store_dir,
                                             uint64_t seed);

}  // namespace walsim::tools
