// Helpers shared by the command groups: output, formatting, and reopening
// the modelled components the way a restarting server would.
#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>

#include "base/hash.h"
#include "scenarios/commands/command.h"

namespace walsim::scenarios {
namespace {

constexpr size_t kDataPrintBytesMax = 40;

}  // namespace

void CommandOutput::Line(std::string line) {
  WALSIM_ASSERT(line.find('\n') == std::string::npos);
  WALSIM_ASSERT(lines_.size() < kCommandOutputLinesMax);
  lines_.push_back(std::move(line));
}

void CommandOutput::Error(const Status& status) {
  WALSIM_ASSERT(!status.ok());
  Line("error: " + status.ToString());
}

std::string CommandOutput::Text() const {
  std::string text;
  for (const std::string& line : lines_) {
    if (!text.empty()) text += '\n';
    text += line;
  }
  return text;
}

const CommandSpec* FindCommand(std::string_view name) {
  for (std::span<const CommandSpec> group : {DiskCommands(), FileCommands(), FaultCommands(),
                                             WalCommands(), LogCommands(), CheckCommands()}) {
    for (const CommandSpec& spec : group) {
      if (spec.name == name) return &spec;
    }
  }
  return nullptr;
}

std::string DescribeWalError(const Status& status) {
  WALSIM_ASSERT(!status.ok());
  std::string text = "error: " + std::string(StatusCodeName(status.code()));
  const wal::WalError error = wal::WalErrorOf(status);
  if (error != wal::WalError::kNone) text += " (" + std::string(wal::WalErrorName(error)) + ")";
  return text + ": " + status.message();
}

std::string DescribeData(std::string_view data) {
  bool printable = data.size() <= kDataPrintBytesMax;
  for (size_t i = 0; printable && i < data.size(); i++) {
    printable = data[i] > ' ' && data[i] < 0x7f;
  }
  if (printable && !data.empty()) return std::string(data);
  char text[64];
  std::snprintf(text, sizeof(text), "<%zu bytes fnv=0x%016" PRIx64 ">", data.size(), Fnv1a64(data));
  return text;
}

std::string DescribeLoss(const Verdict& verdict, std::string_view unit) {
  WALSIM_ASSERT(verdict.ok() && verdict.lost_acknowledged_count > 0);
  return "lost " + std::to_string(verdict.lost_acknowledged_count) + " acknowledged " +
         std::string(unit) + " to illegal faults";
}

std::string DescribeHardState(const wal::HardState& hard_state) {
  return "term=" + std::to_string(hard_state.term) + " vote=" + std::to_string(hard_state.vote) +
         " commit=" + std::to_string(hard_state.commit);
}

Status ParseIndexRange(std::string_view text, uint64_t* first, uint64_t* last) {
  const size_t dots = text.find("..");
  const std::string_view first_text = text.substr(0, dots);
  const std::string_view last_text = dots == text.npos ? first_text : text.substr(dots + 2);
  auto parse = [](std::string_view digits, uint64_t* value) {
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *value);
    return ec == std::errc() && ptr == digits.data() + digits.size() && !digits.empty();
  };
  if (!parse(first_text, first) || !parse(last_text, last) || *first > *last) {
    return Status::InvalidArgument("\"" + std::string(text) +
                                   "\" is not an index range A..B with A <= B");
  }
  return Status::Ok();
}

Status CloseWal(ScenarioEnv& env) {
  if (env.wal.handle == nullptr) return Status::Ok();
  Status closed = env.wal.handle->Close();
  // Close syncs the tail; a handle that failed stop syncs nothing, so what
  // its failed call left stays in doubt.
  if (closed.ok() && !env.wal.failed_op_number.has_value()) env.wal.model.AcknowledgeSync();
  env.wal.handle.reset();
  env.wal.failed_op_number.reset();
  return closed;
}

Status CloseLog(ScenarioEnv& env) {
  if (env.log.handle == nullptr) return Status::Ok();
  Status closed = env.log.handle->Close();
  env.log.Drop();
  env.log.failed_op_number.reset();
  return closed;
}

namespace {

// Open + ReadAll of dir from snapshot; the handle goes to *handle on success.
Result<wal::ReadAllResult> OpenAndReadWal(ScenarioEnv& env, const wal::Snapshot& snapshot,
                                          std::unique_ptr<wal::Wal>* handle) {
  WALSIM_ASSIGN_OR_RETURN(std::unique_ptr<wal::Wal> opened,
                          wal::Wal::Open(env.fs(), env.wal.dir, snapshot, env.wal.options));
  WALSIM_ASSIGN_OR_RETURN(wal::ReadAllResult result, opened->ReadAll());
  *handle = std::move(opened);
  return result;
}

}  // namespace

Verdict CheckWalTailZeroed(ScenarioEnv& env) {
  WALSIM_ASSERT(env.wal.handle != nullptr);
  if (env.fault_class() != FaultClass::kLegal) return Verdict::Ok();
  const std::string tail = env.wal.handle->TailPath();
  if (tail.empty()) return Verdict::Ok();
  const uint64_t offset = env.wal.handle->TailOffset();
  Result<std::optional<uint64_t>> non_zero = env.sim_view().FirstNonZeroLiveByte(tail, offset);
  env.Probe("format/tail-zero-checked");
  if (!non_zero.ok()) {
    return {
        Invariant::kFormat, env.op_number(),
        "the open WAL's tail " + tail + " cannot be inspected: " + non_zero.status().ToString()};
  }
  if (!non_zero->has_value()) return Verdict::Ok();
  return {Invariant::kFormat, env.op_number(),
          tail + " holds a non-zero byte at offset " + std::to_string(**non_zero) +
              " past the write offset " + std::to_string(offset) +
              " after an open for write (docs/wal-format.md: stale bytes after the last "
              "valid record are zeroed, etcd's ZeroToEnd)"};
}

Verdict CheckWalWriteUnits(ScenarioEnv& env) {
  const std::vector<sim::SimFs::UnitSplit> splits = env.sim().TakeUnitSplits();
  if (env.wal.dir.empty() || env.wal.options.no_sync) return Verdict::Ok();
  const std::string prefix = env.wal.dir + "/";
  for (const sim::SimFs::UnitSplit& split : splits) {
    if (!split.path.starts_with(prefix)) continue;
    return {Invariant::kFormat, env.op_number(),
            "a write of " + split.path + " at offset " + std::to_string(split.next_offset) +
                " continues one that ended inside a " + std::to_string(wal::kPageBytes) +
                "-byte page at offset " + std::to_string(split.earlier_end_offset) +
                " with no sync between (the page writer ends every write but a flush's "
                "last on a page boundary, etcd #6515)"};
  }
  return Verdict::Ok();
}

Verdict CheckValidSnapshots(ScenarioEnv& env, const wal::ReadAllResult& recovered) {
  const std::vector<wal::Snapshot>& issued = env.wal.issued_snapshots;
  Result<std::vector<wal::Snapshot>> snaps =
      wal::ValidSnapshotEntries(env.fs(), env.wal.dir, env.wal.options);
  if (!snaps.ok()) {
    // The same files just recovered: under legal faults they must read.
    if (env.fault_class() != FaultClass::kLegal) return Verdict::Ok();
    return {Invariant::kRecovers, env.op_number(),
            "ValidSnapshotEntries failed after a successful recovery: " +
                DescribeWalError(snaps.status())};
  }
  env.Probe("check/wal-valid-snapshots");
  const uint64_t commit = recovered.hard_state.commit;
  for (const wal::Snapshot& snap : *snaps) {
    const std::string name =
        "(index " + std::to_string(snap.index) + ", term " + std::to_string(snap.term) + ")";
    if (snap.index > commit) {
      return {Invariant::kExact, env.op_number(),
              "ValidSnapshotEntries returned snapshot " + name +
                  ", past the recovered HardState's commit " + std::to_string(commit) +
                  ": a node could load a snapshot it never applied (etcd #10219)"};
    }
    if (snap.index == 0) continue;
    const bool saved = std::any_of(issued.begin(), issued.end(), [&](const wal::Snapshot& s) {
      return s.index == snap.index && s.term == snap.term;
    });
    if (!saved) {
      return {Invariant::kExact, env.op_number(),
              "ValidSnapshotEntries returned snapshot " + name + ", which no wal-snapshot saved"};
    }
  }
  return Verdict::Ok();
}

Verdict CheckWalRepairDurable(ScenarioEnv& env, const std::string& dir) {
  if (env.fault_class() != FaultClass::kLegal) return Verdict::Ok();
  Result<std::vector<std::string>> unsettled = env.sim_view().UnsettledFiles(dir);
  if (!unsettled.ok()) {
    return {Invariant::kDurable, env.op_number(),
            "after Repair, " + dir + " cannot be inspected: " + unsettled.status().ToString()};
  }
  for (const std::string& name : *unsettled) {
    if (!name.ends_with(".wal") && !name.ends_with(wal::kBrokenSuffix)) continue;
    std::string detail = "Repair returned true, but ";
    detail += dir;
    detail += "/";
    detail += name;
    detail +=
        " is not durable (unsynced contents or size, or a directory entry not synced): a crash "
        "now would undo the repair or lose its backup";
    return {Invariant::kDurable, env.op_number(), detail};
  }
  return Verdict::Ok();
}

WalRecovery RecoverWal(ScenarioEnv& env, bool* repaired, Verdict* repair_verdict) {
  WALSIM_ASSERT(!env.wal.dir.empty() && env.wal.handle == nullptr);
  *repaired = false;
  *repair_verdict = Verdict::Ok();
  WalRecovery recovery;
  recovery.snapshot = env.wal.model.DurableSnapshot();
  std::unique_ptr<wal::Wal> handle;
  Result<wal::ReadAllResult> read = OpenAndReadWal(env, recovery.snapshot, &handle);
  if (!read.ok() && wal::WalErrorOf(read.status()) == wal::WalError::kTornTail) {
    // The one repair a restarting server runs by itself (etcd's Repair on
    // io.ErrUnexpectedEOF), then one more try.
    Result<bool> repair = wal::Repair(env.fs(), env.wal.dir, env.wal.options);
    if (!repair.ok()) {
      recovery.status = repair.status();
      return recovery;
    }
    *repaired = *repair;
    if (*repaired) *repair_verdict = CheckWalRepairDurable(env, env.wal.dir);
    read = OpenAndReadWal(env, recovery.snapshot, &handle);
  }
  recovery.status = read.status();
  if (read.ok()) {
    recovery.result = std::move(read).value();
    env.wal.handle = std::move(handle);
    env.wal.last_saved = recovery.result->hard_state;
  }
  WALSIM_ASSERT(recovery.status.ok() == recovery.result.has_value());
  return recovery;
}

void CheckLiveness(ScenarioEnv& env, const Status& status, CommandOutput& out) {
  if (env.faults_stopped() && status.ok()) env.Probe("liveness/write");
  // Under illegal faults a store may rightly refuse to go on.
  if (!env.faults_stopped() || env.fault_class() != FaultClass::kLegal || status.ok() ||
      status.Is(StatusCode::kInvalidArgument) || status.Is(StatusCode::kNoSpace)) {
    return;
  }
  out.Line("violated recovers at op " + std::to_string(env.op_number()) +
           ": a write failed after the faults stopped (the store must take writes again): " +
           status.ToString());
}

void TrackFailStop(std::optional<uint64_t>* failed_op_number, uint64_t op_number,
                   const Status& status, CommandOutput& out) {
  WALSIM_ASSERT(failed_op_number->value_or(0) < op_number);
  if (failed_op_number->has_value()) {
    Verdict verdict = CheckFailStop(status, **failed_op_number, op_number);
    if (!verdict.ok()) out.Line(verdict.ToString());
  } else if (!status.ok() && !status.Is(StatusCode::kInvalidArgument) &&
             !status.Is(StatusCode::kFailedPrecondition)) {
    *failed_op_number = op_number;
  }
}

LogRecovery RecoverLog(ScenarioEnv& env) {
  WALSIM_ASSERT(!env.log.dir.empty() && env.log.handle == nullptr);
  LogRecovery recovery;
  Result<std::unique_ptr<logstore::SegmentStore>> opened =
      logstore::SegmentStore::Open(env.fs(), env.log.dir, env.log.options);
  if (!opened.ok()) {
    recovery.status = opened.status();
    return recovery;
  }
  Result<LogState> state = ReadWholeStore(**opened, kRecoveredEntryCountMax);
  if (!state.ok()) {
    recovery.status = state.status();
    return recovery;  // the store that cannot be read back is not kept
  }
  recovery.state = std::move(state).value();
  if ((*opened)->GetInfo().torn_tail_dropped) env.Probe("check/log-torn-tail-dropped");
  env.log.Adopt(std::move(opened).value());
  return recovery;
}

}  // namespace walsim::scenarios
