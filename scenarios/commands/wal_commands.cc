// The WAL commands: drive the production wal::Wal on the scenario's disk and
// keep the WalModel in step with what was issued and acknowledged.
// See docs/scenarios.md for each command's arguments and output.
#include "fs/path.h"
#include "scenarios/commands/command.h"

namespace walsim::scenarios {
namespace {

// Entries one wal-save may carry (a bound on the batch the command builds).
constexpr uint64_t kSaveEntryCountMax = 100'000;
// Largest data= / bytes= payload of one entry.
constexpr uint64_t kEntryDataBytesMax = uint64_t{1} << 20;

// Binds the run's modelled WAL to the first directory a command names.
// True when dir is the modelled one.
bool BindWalDir(ScenarioEnv& env, const std::string& dir) {
  if (env.wal.dir.empty()) env.wal.dir = dir;
  return env.wal.dir == dir;
}

Result<std::string> DirArg(ArgReader& args) {
  WALSIM_ASSIGN_OR_RETURN(std::string dir, args.String("dir"));
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(dir));
  return dir;
}

// executor=inline|none: the WAL preallocates its next segment through the
// environment's executor (kept for every later open of the run).
Status ExecutorArg(ScenarioEnv& env, ArgReader& args) {
  if (!args.Has("executor")) return Status::Ok();
  WALSIM_ASSIGN_OR_RETURN(std::string executor, args.String("executor"));
  if (executor != "inline" && executor != "none") {
    return Status::InvalidArgument("executor=" + executor + " is not inline or none");
  }
  env.wal.options.executor = executor == "inline" ? &env.executor : nullptr;
  return Status::Ok();
}

Status SegmentSizeArg(ScenarioEnv& env, ArgReader& args) {
  if (!args.Has("segment-size")) return Status::Ok();
  WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, args.U64("segment-size"));
  if (size_bytes == 0) return Status::InvalidArgument("segment-size=0");
  env.wal.options.segment_size_bytes = size_bytes;
  return Status::Ok();
}

Result<wal::Snapshot> SnapshotArg(ArgReader& args) {
  wal::Snapshot snapshot;
  WALSIM_ASSIGN_OR_RETURN(snapshot.index, args.U64Or("snap-index", 0));
  WALSIM_ASSIGN_OR_RETURN(snapshot.term, args.U64Or("snap-term", 0));
  return snapshot;
}

// Deterministic entry data: "e<index>t<term>" by default, "<prefix><index>"
// with data=, or bytes= bytes of the default text repeated.
std::string EntryData(const std::optional<std::string>& prefix, uint64_t size_bytes, uint64_t index,
                      uint64_t term) {
  std::string text = "e" + std::to_string(index) + "t" + std::to_string(term);
  if (prefix.has_value()) return *prefix + std::to_string(index);
  if (size_bytes == 0) return text;
  std::string data;
  data.reserve(size_bytes);
  while (data.size() < size_bytes) data += text + ".";
  data.resize(size_bytes);
  return data;
}

Result<std::vector<wal::Entry>> EntriesArg(ArgReader& args, uint64_t default_term) {
  std::vector<wal::Entry> entries;
  if (!args.Has("entries")) return entries;
  WALSIM_ASSIGN_OR_RETURN(std::string range, args.String("entries"));
  uint64_t first = 0;
  uint64_t last = 0;
  WALSIM_RETURN_IF_ERROR(ParseIndexRange(range, &first, &last));
  if (last - first + 1 > kSaveEntryCountMax) {
    return Status::InvalidArgument("entries=" + range + " is more than " +
                                   std::to_string(kSaveEntryCountMax) + " entries");
  }
  WALSIM_ASSIGN_OR_RETURN(uint64_t term, args.U64Or("entry-term", default_term));
  std::optional<std::string> prefix;
  if (args.Has("data")) prefix = args.StringOr("data", "");
  WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, args.U64Or("bytes", 0));
  if (prefix.has_value() && size_bytes > 0) {
    return Status::InvalidArgument("data= and bytes= exclude each other");
  }
  if (size_bytes > kEntryDataBytesMax) return Status::InvalidArgument("bytes= is too large");
  WALSIM_ASSERT(first <= last);
  entries.reserve(last - first + 1);
  for (uint64_t index = first; index <= last; index++) {
    entries.push_back(
        {term, index, wal::EntryType::kNormal, EntryData(prefix, size_bytes, index, term)});
  }
  WALSIM_ASSERT(entries.size() == last - first + 1);
  return entries;
}

// The HardState of a wal-save: empty unless term=, vote= or commit= is
// given; a field not given keeps its last saved value.
Result<wal::HardState> HardStateArg(ScenarioEnv& env, ArgReader& args) {
  if (!args.Has("term") && !args.Has("vote") && !args.Has("commit")) return wal::HardState{};
  wal::HardState hard_state = env.wal.last_saved;
  WALSIM_ASSIGN_OR_RETURN(hard_state.term, args.U64Or("term", hard_state.term));
  WALSIM_ASSIGN_OR_RETURN(hard_state.vote, args.U64Or("vote", hard_state.vote));
  WALSIM_ASSIGN_OR_RETURN(hard_state.commit, args.U64Or("commit", hard_state.commit));
  return hard_state;
}

// Prints err when no WAL handle is open; returns whether one is.
void PrintIfViolated(const Verdict& verdict, CommandOutput& out) {
  if (!verdict.ok()) out.Line(verdict.ToString());
}

bool RequireHandle(ScenarioEnv& env, CommandOutput& out) {
  if (env.wal.handle != nullptr) return true;
  out.Error(Status::FailedPrecondition("no WAL is open (wal-create or wal-open first)"));
  return false;
}

// After a mutating call on the live handle: prints its result, checks fails
// stop against an earlier failure, and remembers a new one. Errors that
// promise nothing was written (a bad batch) do not stop the handle.
void AfterMutation(ScenarioEnv& env, const Status& status, std::string ok_text,
                   CommandOutput& out) {
  WALSIM_ASSERT(env.wal.handle != nullptr);
  if (status.ok()) {
    out.Line(std::move(ok_text));
  } else {
    out.Line(DescribeWalError(status));
  }
  if (env.wal.failed_op_number.has_value() && !status.ok()) env.Probe("fail-stop/refused");
  TrackFailStop(&env.wal.failed_op_number, env.op_number(), status, out);
  CheckLiveness(env, status, out);
  PrintIfViolated(CheckWalWriteUnits(env), out);
}

std::string Summary(const wal::ReadAllResult& result, const wal::Snapshot& snapshot) {
  const uint64_t last = result.entries.empty() ? snapshot.index : result.entries.back().index;
  return "metadata=" + DescribeData(result.metadata) + " " + DescribeHardState(result.hard_state) +
         " entries=" + std::to_string(result.entries.size()) + " last=" + std::to_string(last);
}

std::string_view EntryTypeName(wal::EntryType type) {
  switch (type) {
    case wal::EntryType::kNormal:
      return "normal";
    case wal::EntryType::kConfChange:
      return "conf-change";
    case wal::EntryType::kConfChangeV2:
      return "conf-change-v2";
  }
  return "unknown";
}

Status WalCreate(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string dir, DirArg(args));
  WALSIM_ASSIGN_OR_RETURN(std::string metadata, args.String("metadata"));
  WALSIM_RETURN_IF_ERROR(SegmentSizeArg(env, args));
  WALSIM_RETURN_IF_ERROR(ExecutorArg(env, args));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  const bool modelled = BindWalDir(env, dir);
  const bool begun = modelled && env.wal.model.record_count() == 0;
  if (begun) env.wal.model.BeginCreate(metadata, env.op_number());
  Result<std::unique_ptr<wal::Wal>> created =
      wal::Wal::Create(env.fs(), dir, metadata, env.wal.options);
  if (!created.ok()) {
    out.Line(DescribeWalError(created.status()));
    if (begun && (created.status().Is(StatusCode::kAlreadyExists) ||
                  created.status().Is(StatusCode::kInvalidArgument))) {
      env.wal.model.Withdraw();
    }
    return Status::Ok();
  }
  if (begun) env.wal.model.Acknowledge(true);
  out.Line("ok");
  PrintIfViolated(CheckWalWriteUnits(env), out);
  if (modelled) {
    env.wal.handle = std::move(created).value();
    env.wal.failed_op_number.reset();
  }
  return Status::Ok();
}

Status WalOpen(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string dir, DirArg(args));
  WALSIM_ASSIGN_OR_RETURN(wal::Snapshot snapshot, SnapshotArg(args));
  WALSIM_RETURN_IF_ERROR(SegmentSizeArg(env, args));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  const bool modelled = BindWalDir(env, dir);
  Result<std::unique_ptr<wal::Wal>> opened =
      wal::Wal::Open(env.fs(), dir, snapshot, env.wal.options);
  if (!opened.ok()) {
    out.Line(DescribeWalError(opened.status()));
    return Status::Ok();
  }
  Result<wal::ReadAllResult> read = (*opened)->ReadAll();
  if (!read.ok()) {
    out.Line(DescribeWalError(read.status()));  // a torn tail is wal-repair's job
    return Status::Ok();
  }
  out.Line(Summary(*read, snapshot));
  if (!modelled) return Status::Ok();
  env.wal.handle = std::move(opened).value();
  env.wal.failed_op_number.reset();
  env.wal.last_saved = read->hard_state;
  // Every recovery is checked; the model then continues from what it found.
  WalRecovery recovery{Status::Ok(), std::move(read).value(), snapshot};
  Verdict verdict = CheckWalRecovery(&env.wal.model, recovery, env.fault_class(), env.op_number(),
                                     env.damage_evidence());
  if (!verdict.ok()) {
    out.Line(verdict.ToString());
  } else if (verdict.lost_acknowledged_count > 0) {
    out.Line(DescribeLoss(verdict, "records"));
  }
  PrintIfViolated(CheckWalTailZeroed(env), out);
  PrintIfViolated(CheckWalWriteUnits(env), out);
  return Status::Ok();
}

Status WalRead(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string dir, DirArg(args));
  WALSIM_ASSIGN_OR_RETURN(wal::Snapshot snapshot, SnapshotArg(args));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Result<std::unique_ptr<wal::Wal>> opened =
      wal::Wal::OpenForRead(env.fs(), dir, snapshot, env.wal.options);
  if (!opened.ok()) {
    out.Line(DescribeWalError(opened.status()));
    return Status::Ok();
  }
  Result<wal::ReadAllResult> read = (*opened)->ReadAll();
  if (!read.ok()) {
    out.Line(DescribeWalError(read.status()));
    return Status::Ok();
  }
  out.Line(Summary(*read, snapshot));
  for (const wal::Entry& entry : read->entries) {
    out.Line("index=" + std::to_string(entry.index) + " term=" + std::to_string(entry.term) +
             " type=" + std::string(EntryTypeName(entry.type)) +
             " data=" + DescribeData(entry.data));
  }
  return Status::Ok();
}

Status WalSave(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(wal::HardState hard_state, HardStateArg(env, args));
  const uint64_t default_term = hard_state.term != 0           ? hard_state.term
                                : env.wal.last_saved.term != 0 ? env.wal.last_saved.term
                                                               : 1;
  WALSIM_ASSIGN_OR_RETURN(std::vector<wal::Entry> entries, EntriesArg(args, default_term));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  const bool must_sync = env.wal.model.BeginSave(hard_state, entries, env.op_number());
  Status saved = env.wal.handle->Save(hard_state, entries);
  if (saved.ok()) {
    env.wal.model.Acknowledge(must_sync);
    if (!hard_state.IsEmpty()) env.wal.last_saved = hard_state;
  } else if (saved.Is(StatusCode::kInvalidArgument) || saved.Is(StatusCode::kFailedPrecondition) ||
             saved.Is(StatusCode::kClosed)) {
    // A rejected batch, or a handle that failed stop, writes nothing (the
    // WAL's promise: a phantom record would show up as an exact violation).
    env.wal.model.Withdraw();
  }
  AfterMutation(env, saved, must_sync ? "ok synced" : "ok unsynced", out);
  return Status::Ok();
}

Status WalSnapshot(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  wal::Snapshot snapshot;
  WALSIM_ASSIGN_OR_RETURN(snapshot.index, args.U64("index"));
  WALSIM_ASSIGN_OR_RETURN(snapshot.term, args.U64("term"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  env.wal.model.BeginSnapshot(snapshot, env.op_number());
  env.wal.issued_snapshots.push_back(snapshot);
  Status saved = env.wal.handle->SaveSnapshot(snapshot);
  if (saved.ok()) {
    env.wal.model.Acknowledge(true);
  } else if (saved.Is(StatusCode::kInvalidArgument) || saved.Is(StatusCode::kFailedPrecondition) ||
             saved.Is(StatusCode::kClosed)) {
    env.wal.model.Withdraw();  // nothing written, as for WalSave
  }
  AfterMutation(env, saved, "ok", out);
  return Status::Ok();
}

Status WalCut(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  Status cut = env.wal.handle->Cut();
  // The finished segment is synced before the new one exists: all durable.
  if (cut.ok()) env.wal.model.AcknowledgeSync();
  const std::string tail = std::string(fs::Basename(env.wal.handle->TailPath()));
  AfterMutation(env, cut, "ok tail=" + tail, out);
  return Status::Ok();
}

Status WalTail(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  out.Line("path=" + env.wal.handle->TailPath() +
           " offset=" + std::to_string(env.wal.handle->TailOffset()));
  return Status::Ok();
}

std::string JoinIndexes(const std::vector<uint64_t>& indexes) {
  std::string text;
  for (uint64_t index : indexes) text += (text.empty() ? "" : ",") + std::to_string(index);
  return text.empty() ? "none" : text;
}

Status WalRelease(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(uint64_t index, args.U64("index"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  Status released = env.wal.handle->ReleaseLockTo(index);
  if (!released.ok()) {
    out.Line(DescribeWalError(released));
    return Status::Ok();
  }
  out.Line("ok locked=" + JoinIndexes(env.wal.handle->LockedSegmentIndexes()));
  return Status::Ok();
}

Status WalPurge(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(uint64_t keep_count, args.U64("keep"));
  std::string dir = env.wal.dir;
  if (args.Has("dir")) {
    WALSIM_ASSIGN_OR_RETURN(dir, DirArg(args));
  }
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (dir.empty()) return Status::InvalidArgument("wal-purge needs dir= before any WAL is used");
  std::vector<std::string> removed;
  Status purged = wal::PurgeSegments(env.fs(), dir, keep_count, &removed);
  for (const std::string& name : removed) out.Line("removed " + name);
  if (!purged.ok()) {
    out.Line(DescribeWalError(purged));
  } else if (removed.empty()) {
    out.Line("removed nothing");
  }
  return Status::Ok();
}

Status WalRepair(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string dir, DirArg(args));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Result<bool> repaired = wal::Repair(env.fs(), dir, env.wal.options);
  if (!repaired.ok()) {
    out.Line(DescribeWalError(repaired.status()));
  } else {
    out.Line(*repaired ? "repaired" : "nothing to repair");
    const Verdict durable = *repaired ? CheckWalRepairDurable(env, dir) : Verdict::Ok();
    if (!durable.ok()) out.Line(durable.ToString());
  }
  return Status::Ok();
}

Status WalVerify(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string dir, DirArg(args));
  WALSIM_ASSIGN_OR_RETURN(wal::Snapshot snapshot, SnapshotArg(args));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Result<wal::HardState> verified = wal::Verify(env.fs(), dir, snapshot, env.wal.options);
  if (!verified.ok()) {
    out.Line(DescribeWalError(verified.status()));
  } else {
    out.Line("ok " + DescribeHardState(*verified));
  }
  return Status::Ok();
}

Status WalClose(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  Status closed = CloseWal(env);
  if (closed.ok()) {
    out.Line("ok");
  } else {
    out.Line(DescribeWalError(closed));
  }
  PrintIfViolated(CheckWalWriteUnits(env), out);
  return Status::Ok();
}

constexpr CommandSpec kWalCommands[] = {
    {"wal-create", WalCreate},   {"wal-open", WalOpen},         {"wal-read", WalRead},
    {"wal-save", WalSave},       {"wal-snapshot", WalSnapshot}, {"wal-cut", WalCut},
    {"wal-release", WalRelease}, {"wal-purge", WalPurge},       {"wal-repair", WalRepair},
    {"wal-verify", WalVerify},   {"wal-close", WalClose},       {"wal-tail", WalTail},
};

}  // namespace

std::span<const CommandSpec> WalCommands() { return kWalCommands; }

}  // namespace walsim::scenarios
