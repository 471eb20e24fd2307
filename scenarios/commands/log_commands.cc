// The LogStore commands: drive the production logstore::SegmentStore on the
// scenario's disk and keep the LogModel in step with what was issued and
// acknowledged. See docs/scenarios.md for each command's arguments and output.
#include "fs/path.h"
#include "scenarios/commands/command.h"

namespace walsim::scenarios {
namespace {

// Entries one log-store may carry, and log-dump prints at most.
constexpr uint64_t kStoreEntryCountMax = 100'000;
constexpr uint64_t kLogDataBytesMax = uint64_t{1} << 20;

bool BindLogDir(ScenarioEnv& env, const std::string& dir) {
  if (env.log.dir.empty()) env.log.dir = dir;
  return env.log.dir == dir;
}

bool RequireHandle(ScenarioEnv& env, CommandOutput& out) {
  if (env.log.handle != nullptr) return true;
  out.Error(Status::FailedPrecondition("no LogStore is open (log-open first)"));
  return false;
}

std::string DescribeLog(const logstore::Log& log) {
  return "index=" + std::to_string(log.index) + " term=" + std::to_string(log.term) +
         " type=" + std::string(logstore::LogTypeName(log.type)) +
         " data=" + DescribeData(log.data);
}

// As the WAL's: result, fails-stop check, remember a new failure.
void AfterMutation(ScenarioEnv& env, const Status& status, CommandOutput& out) {
  WALSIM_ASSERT(env.log.handle != nullptr);
  if (status.ok()) {
    out.Line("ok");
  } else {
    out.Error(status);
  }
  if (env.log.failed_op_number.has_value() && !status.ok()) env.Probe("fail-stop/refused");
  TrackFailStop(&env.log.failed_op_number, env.op_number(), status, out);
  CheckLiveness(env, status, out);
}

// True when every operation issued was acknowledged: only then does the
// model know the store's state, and so what the contract requires of the
// next operation.
bool ModelIsCertain(const ScenarioEnv& env) {
  return env.log.model.op_count() == env.log.model.acknowledged_count() &&
         !env.log.failed_op_number.has_value();
}

// When the store and the contract (the model's replay) disagree on whether
// an operation was acceptable, says so.
void CompareWithContract(const Status& expected, const Status& got, CommandOutput& out) {
  const bool model_rejects = expected.Is(StatusCode::kInvalidArgument);
  const bool store_rejects = got.Is(StatusCode::kInvalidArgument);
  if (model_rejects && !store_rejects) {
    out.Line("contract: the store did not reject what the contract rejects: " +
             expected.ToString());
  } else if (!model_rejects && store_rejects) {
    out.Line("contract: the store rejected what the contract accepts");
  }
}

// The production options log-open may set, kept for every later open of the
// run (check reopens with them too): segment-size=, alignment= (bytes),
// executor=inline|none (the spare-segment preparer), scan-window= (bytes
// read per I/O during recovery), cache=N (a LogCache of
// N entries in front of the store; 0: none).
Status LogOptionsArgs(ScenarioEnv& env, ArgReader& args) {
  logstore::SegmentStoreOptions& options = env.log.options;
  if (args.Has("segment-size")) {
    WALSIM_ASSIGN_OR_RETURN(options.segment_size_bytes, args.U64("segment-size"));
  }
  if (args.Has("alignment")) {
    WALSIM_ASSIGN_OR_RETURN(uint64_t alignment_bytes, args.U64("alignment"));
    if (alignment_bytes > (uint64_t{1} << 20)) {
      return Status::InvalidArgument("alignment=" + std::to_string(alignment_bytes) +
                                     " is over 1 MiB");
    }
    options.write_alignment_bytes = static_cast<uint32_t>(alignment_bytes);
  }
  if (args.Has("executor")) {
    WALSIM_ASSIGN_OR_RETURN(std::string executor, args.String("executor"));
    if (executor != "inline" && executor != "none") {
      return Status::InvalidArgument("executor=" + executor + " is not inline or none");
    }
    options.executor = executor == "inline" ? &env.executor : nullptr;
  }
  if (args.Has("scan-window")) {
    WALSIM_ASSIGN_OR_RETURN(uint64_t window_bytes, args.U64("scan-window"));
    if (window_bytes > (uint64_t{1} << 30)) {
      return Status::InvalidArgument("scan-window=" + std::to_string(window_bytes) +
                                     " is over 1 GiB");
    }
    options.scan_window_bytes = static_cast<size_t>(window_bytes);
  }
  if (args.Has("cache")) {
    WALSIM_ASSIGN_OR_RETURN(uint64_t cache_logs, args.U64("cache"));
    if (cache_logs > kStoreEntryCountMax) {
      return Status::InvalidArgument("cache=" + std::to_string(cache_logs) + " is over " +
                                     std::to_string(kStoreEntryCountMax) + " entries");
    }
    env.log.cache_logs = cache_logs;
  }
  return Status::Ok();
}

Status LogOpen(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string dir, args.String("dir"));
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(dir));
  WALSIM_RETURN_IF_ERROR(LogOptionsArgs(env, args));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  const bool modelled = BindLogDir(env, dir);
  Result<std::unique_ptr<logstore::SegmentStore>> opened =
      logstore::SegmentStore::Open(env.fs(), dir, env.log.options);
  if (!opened.ok()) {
    out.Error(opened.status());
    return Status::Ok();
  }
  const logstore::SegmentStore::Info info = (*opened)->GetInfo();
  out.Line("ok first=" + std::to_string(info.first_index) + " last=" +
           std::to_string(info.last_index) + " segments=" + std::to_string(info.segment_count) +
           (info.torn_tail_dropped ? " torn-tail-dropped" : ""));
  if (!modelled) return Status::Ok();
  // Every recovery is checked; reading the store back goes through the
  // faults like any read.
  Result<LogState> state = ReadWholeStore(**opened, kRecoveredEntryCountMax);
  if (state.ok()) {
    // As RecoverLog: a store that cannot be read back is not kept.
    env.log.Drop();
    env.log.Adopt(std::move(opened).value());
    env.log.failed_op_number.reset();
  }
  if (!state.ok() && env.fault_fs().crashed()) {
    // The process died while reading the store back (a crash rule): there is
    // no recovery to judge; the next `check` judges the restart.
    out.Error(state.status());
    return Status::Ok();
  }
  LogRecovery recovery;
  recovery.status = state.status();
  if (state.ok()) {
    recovery.state = std::move(state).value();
  } else {
    out.Error(recovery.status);
  }
  Verdict verdict = CheckLogRecovery(&env.log.model, recovery, env.fault_class(), env.op_number(),
                                     env.damage_evidence());
  if (!verdict.ok()) {
    out.Line(verdict.ToString());
  } else if (verdict.lost_acknowledged_count > 0) {
    out.Line(DescribeLoss(verdict, "operations"));
  }
  return Status::Ok();
}

Result<std::vector<logstore::Log>> LogsArg(ArgReader& args) {
  WALSIM_ASSIGN_OR_RETURN(uint64_t first, args.U64("first"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t count, args.U64("count"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t term, args.U64("term"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t type, args.U64Or("type", 0));
  WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, args.U64Or("bytes", 0));
  const std::optional<std::string> prefix =
      args.Has("data") ? std::optional<std::string>(args.StringOr("data", "")) : std::nullopt;
  if (count > kStoreEntryCountMax || type > 0xff || size_bytes > kLogDataBytesMax ||
      (prefix.has_value() && size_bytes > 0)) {
    return Status::InvalidArgument(
        "log-store needs count <= 100000, type < 256, bytes <= 1 MiB, and not both data= and "
        "bytes=");
  }
  std::vector<logstore::Log> logs(count);
  for (uint64_t i = 0; i < count; i++) {
    logstore::Log& log = logs[i];
    log.index = first + i;
    log.term = term;
    log.type = static_cast<logstore::LogType>(type);
    const std::string text = "l" + std::to_string(log.index) + "t" + std::to_string(term);
    if (prefix.has_value()) {
      log.data = *prefix + std::to_string(log.index);
    } else if (size_bytes == 0) {
      log.data = text;
    } else {
      while (log.data.size() < size_bytes) log.data += text + ".";
      log.data.resize(size_bytes);
    }
  }
  WALSIM_ASSERT(logs.size() == count && (count == 0 || logs.back().index == first + count - 1));
  return logs;
}

Status LogStoreCmd(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::vector<logstore::Log> logs, LogsArg(args));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  const bool certain = ModelIsCertain(env);
  const Status expected = env.log.model.BeginStore(logs, env.op_number());
  Status stored = env.log.api().StoreLogs(logs);
  if (stored.ok() && expected.ok()) env.log.model.Acknowledge();
  AfterMutation(env, stored, out);
  if (certain) CompareWithContract(expected, stored, out);
  return Status::Ok();
}

Status LogDelete(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(uint64_t min_index, args.U64("min"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t max_index, args.U64("max"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  const bool certain = ModelIsCertain(env);
  const Status expected = env.log.model.BeginDelete(min_index, max_index, env.op_number());
  Status deleted = env.log.api().DeleteRange(min_index, max_index);
  if (deleted.ok() && expected.ok()) env.log.model.Acknowledge();
  AfterMutation(env, deleted, out);
  if (certain) CompareWithContract(expected, deleted, out);
  return Status::Ok();
}

Status LogGet(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(uint64_t index, args.U64("index"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  logstore::Log log;
  Status got = env.log.api().GetLog(index, &log);
  if (got.ok()) {
    out.Line(DescribeLog(log));
  } else {
    out.Error(got);
  }
  // Every read is judged, not only recoveries: a read must never return
  // what the store was not durably given.
  env.Probe("read/checked");
  Verdict verdict =
      CheckLogRead(env.log.model, index, got, &log, env.fault_class(), env.op_number());
  if (!verdict.ok()) out.Line(verdict.ToString());
  return Status::Ok();
}

Status PrintIndex(Result<uint64_t> index, std::string_view name, CommandOutput& out) {
  if (index.ok()) {
    out.Line(std::string(name) + "=" + std::to_string(*index));
  } else {
    out.Error(index.status());
  }
  return Status::Ok();
}

Status LogFirst(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  return PrintIndex(env.log.api().FirstIndex(), "first", out);
}

Status LogLast(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  return PrintIndex(env.log.api().LastIndex(), "last", out);
}

Status LogClose(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  Status closed = CloseLog(env);
  if (closed.ok()) {
    out.Line("ok");
  } else {
    out.Error(closed);
  }
  return Status::Ok();
}

Status LogDump(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (!RequireHandle(env, out)) return Status::Ok();
  logstore::LogStore& store = env.log.api();
  Result<uint64_t> first = store.FirstIndex();
  Result<uint64_t> last = store.LastIndex();
  if (!first.ok() || !last.ok()) {
    out.Error(first.ok() ? last.status() : first.status());
    return Status::Ok();
  }
  if (*last == 0) out.Line("(empty)");
  for (uint64_t index = *first; *last != 0 && index <= *last; index++) {
    if (index - *first >= kStoreEntryCountMax) {
      out.Line("... (more than " + std::to_string(kStoreEntryCountMax) + " entries)");
      break;
    }
    logstore::Log log;
    Status got = store.GetLog(index, &log);
    out.Line(got.ok() ? DescribeLog(log)
                      : "index=" + std::to_string(index) + " error: " + got.ToString());
  }
  return Status::Ok();
}

constexpr CommandSpec kLogCommands[] = {
    {"log-open", LogOpen},   {"log-store", LogStoreCmd}, {"log-get", LogGet},
    {"log-first", LogFirst}, {"log-last", LogLast},      {"log-delete", LogDelete},
    {"log-close", LogClose}, {"log-dump", LogDump},
};

}  // namespace

std::span<const CommandSpec> LogCommands() { return kLogCommands; }

}  // namespace walsim::scenarios
