// FaultFs: a FileSystem that wraps another and injects the faults of a plan.
//
// Every operation on the FaultFs, on a File it opened or on a FileLock it
// took is one OpKind (faults/op_kind.h). Before forwarding an operation to
// the inner filesystem, FaultFs numbers it (1, 2, ... across the FaultFs and
// all its handles), offers it to the plan (faults/plan_runner.h) and, when no
// rule fires, to its libfiu point "walsim/fs/<kind>" (faults/fiu_points.h).
// A fired effect is applied as follows:
//
//   effect      with a DeviceFaults that handles it   without one
//   eio         device armed, op issued, device fails  op fails kIoError, not issued
//   enospc      device armed, op issued                 op fails kNoSpace, not issued
//   short       device armed, op issued                 a seeded strict prefix is written
//                                                       through the inner file, kIoError
//                                                       naming the byte counts
//   fsync-eio   device armed (Linux page-clean           op fails kIoError, not issued
//               semantics), op issued
//   crash       the disk crashes; op fails kIoError     op fails kIoError (a process
//               "crashed", not issued                   crash: the disk keeps everything)
//   fsync-lie, bitrot, latent, misdirect: the device only; a plan using
//               them without a device that handles them is refused by Create.
//
// After a crash, crashed() is true and every operation fails with kClosed,
// without being numbered or offered to the plan, until ResetAfterCrash();
// handles opened before it stay closed for good (they belong to the process
// that crashed).
//
// Invariant: a run is a pure function of (inner filesystem's behaviour, plan,
// rng seed, operations): short-write lengths come from the stream
// "faults/short", rule draws from per-rule streams (see PlanRunner).
// fired_counts()[i] counts the times rule i's effect was really applied, so a
// test can assert that an injected fault happened and reached its caller;
// every applied fault is also a line of trace(), hashed into trace_hash().
// Threading: not thread-safe (like SimFs); one thread at a time uses a
// FaultFs and its handles. A FaultFs must outlive its Files and FileLocks;
// inner and device must outlive the FaultFs.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "base/rng.h"
#include "base/status.h"
#include "faults/device_faults.h"
#include "faults/plan.h"
#include "faults/plan_runner.h"
#include "fs/fs.h"

namespace walsim::faults {

class FaultFs final : public fs::FileSystem {
 public:
  // Builds a FaultFs over inner that applies plan, drawing from rng's named
  // streams. device (may be null) produces the disk-only effects.
  // Failure: kNotSupported naming the rule and the operation kind when an
  //   effect FaultFs cannot produce itself (fsync-lie, bitrot, latent,
  //   misdirect) is not handled by device on a kind the rule covers.
  static Result<std::unique_ptr<FaultFs>> Create(fs::FileSystem& inner, FaultPlan plan,
                                                 const Rng& rng, DeviceFaults* device = nullptr);

  // fs::FileSystem: the inner filesystem's promises, unless a fault is
  // injected (see the table above) or the FaultFs has crashed (kClosed).
  Result<std::unique_ptr<fs::File>> Open(std::string_view path, fs::OpenOptions options) override;
  Status Remove(std::string_view path) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Result<std::vector<std::string>> List(std::string_view dir) override;
  Status MkDir(std::string_view path) override;
  Result<fs::FileInfo> Stat(std::string_view path) override;
  Status SyncDir(std::string_view path) override;
  Result<std::unique_ptr<fs::FileLock>> Lock(std::string_view path) override;

  // Appends rule to the plan while it runs: the rule sees only operations
  // numbered after op_count() (its after=K is raised to op_count() when
  // lower), exactly as if it had been in the plan from the start with that
  // after=K. Returns its index in plan().
  // Failure: kNotSupported as Create for an effect the device does not
  //   produce; kInvalidArgument as FaultPlan::Add (e.g. the plan is full).
  //   The plan is unchanged on failure.
  Result<size_t> AddRule(Rule rule);

  // The process dies now (a crash its caller made, e.g. SimFs::Crash): as
  // after a crash effect, every operation fails kClosed until
  // ResetAfterCrash, so what a dead process's destructors try never reaches
  // the disk.
  void MarkCrashed() { crashed_ = true; }

  // True from a crash effect until ResetAfterCrash.
  bool crashed() const { return crashed_; }
  // Starts a new "process": crashed() becomes false, operations are accepted
  // again, every handle opened before stays closed. Call it also after
  // crashing the disk directly (SimFs::Crash), so stale handles die.
  void ResetAfterCrash();

  // While suspended, operations go straight to the inner filesystem: they are
  // not numbered and no rule or libfiu point is consulted (a crashed FaultFs
  // and handles from before a crash still refuse). The scenario runner's
  // `check` suspends faults while it reopens: it judges what a fault episode
  // left behind, as a restarted machine would find it, not a new episode.
  void set_suspended(bool suspended) { suspended_ = suspended; }
  bool suspended() const { return suspended_; }

  // Operations numbered so far (the number of the last one).
  uint64_t op_count() const { return op_count_; }
  // Per rule, in plan order: times its effect was applied / operations it saw.
  std::span<const uint64_t> fired_counts() const { return runner_.fired_counts(); }
  std::span<const uint64_t> matched_counts() const { return runner_.matched_counts(); }
  // Faults applied because a libfiu point "walsim/fs/<kind>" failed.
  uint64_t fiu_fired_count() const { return fiu_fired_count_; }
  const FaultPlan& plan() const { return runner_.plan(); }

  // The fault record: one line per applied fault and per ResetAfterCrash,
  // e.g. "fault eio emulated: write /a at offset 0 (fault rule 0 \"...\", op 2)".
  // The first kTraceLinesMax lines are kept; trace_hash() (FNV-1a over
  // each line and a newline) covers every line, kept or not.
  static constexpr size_t kTraceLinesMax = size_t{1} << 16;
  const std::vector<std::string>& trace() const { return trace_; }
  uint64_t trace_hash() const { return trace_hash_; }

  // Internal to FaultFs and its handles: what to do with an operation once
  // the plan and libfiu have spoken.
  struct Gate {
    enum class Action : uint8_t { kIssue, kFail, kShortWrite };
    Action action = Action::kIssue;
    Status status;       // kFail: the operation's result
    std::string origin;  // kShortWrite: where the fault came from, for the message
  };

 private:
  friend class FaultFile;
  friend class FaultFileLock;

  FaultFs(fs::FileSystem& inner, FaultPlan plan, const Rng& rng, DeviceFaults* device);
  Status CheckDeviceCoversPlan() const;
  Status CheckDeviceCovers(const Rule& rule, size_t rule_index) const;
  // Numbers op and decides its fate. handle_epoch is the epoch the handle was
  // opened in (the current epoch for FileSystem methods).
  Gate Before(OpContext* op, uint64_t handle_epoch);
  Gate Inject(Effect effect, const OpContext& op, const std::string& origin,
              std::optional<size_t> rule_index);
  // The byte count of a short write of length_bytes: uniform in
  // [0, length_bytes - 1]; 0 when length_bytes is 0.
  uint64_t ShortPrefixBytes(uint64_t length_bytes);
  void RecordTrace(std::string line);

  fs::FileSystem& inner_;
  DeviceFaults* device_;
  PlanRunner runner_;
  Rng short_rng_;
  uint64_t op_count_ = 0;
  uint64_t fiu_fired_count_ = 0;
  uint64_t epoch_ = 0;  // bumped by ResetAfterCrash; handles remember theirs
  bool crashed_ = false;
  bool suspended_ = false;
  std::vector<std::string> trace_;
  uint64_t trace_hash_ = kFnv1a64Offset;
};

// "write /wal/a.wal at offset 4096": the operation, for messages.
std::string DescribeOp(const OpContext& op);

}  // namespace walsim::faults
