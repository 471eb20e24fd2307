// `walsim logstore ...`: the durable raft LogStore (logstore/segment_store.h)
// on the real disk.
//   load DIR --entries N --entry-bytes B --batch K [--no-sync] [--seed X]
//       appends N entries of B random bytes in batches of K; prints
//       batches= entries= bytes= seconds= ops_per_sec= us_per_batch= mb_per_sec=
//       open_seconds= (the timed part starts after Open, which zero-fills the
//       first segment ahead: see RunLoad)
//   dump DIR [--jsonl]   prints every log (jsonl: a range line, then one per log)
//   verify DIR           recovers read-only and reads every entry; exit 0 if sound
//   replay SCRIPT        runs an operation script on a fresh store in a temp
//                        dir; output format shared with raftboltdb-replay
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "base/executor.h"
#include "base/log.h"
#include "base/rng.h"
#include "fs/posix_fs.h"
#include "logstore/segment_format.h"
#include "logstore/segment_store.h"
#include "tools/commands.h"

namespace walsim::tools {
namespace {

using logstore::Log;
using logstore::SegmentStore;
using logstore::SegmentStoreOptions;

constexpr uint64_t kReplayLineCountMax = uint64_t{1} << 20;
constexpr uint64_t kReplayBatchCountMax = uint64_t{1} << 20;
// Limits of `logstore load`: entries in all, entries per StoreLogs call.
constexpr uint64_t kLoadEntriesMax = uint64_t{1} << 40;
constexpr uint64_t kLoadBatchEntriesMax = uint64_t{1} << 20;

struct OpenMode {
  bool read_only = false;
  bool no_sync = false;
  Executor* executor = nullptr;  // prepares the next segment (SegmentStoreOptions::executor)
};

// dump and verify read an existing store: a directory without logstore.meta
// and without segments holds none (an empty directory, a WAL directory),
// which a read-only open would report as an empty log.
Status CheckHoldsLogStore(fs::FileSystem& fs, const std::string& dir) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, NormalizeUserPath(dir));
  Result<std::vector<std::string>> names = fs.List(path);
  if (!names.ok()) return names.status().WithContext("listing " + path);
  bool wal_files = false;
  for (const std::string& name : *names) {
    if (name == logstore::format::kMetaFileName || logstore::format::ParseSegmentFileName(name)) {
      return Status::Ok();
    }
    wal_files = wal_files || name.ends_with(".wal");
  }
  return Status::NotFound("no LogStore in " + path + " (no logstore.meta, no segment)" +
                          (wal_files ? "; it holds .wal files: try walsim wal dump" : ""));
}

// Opens the store at a user path; tools log nothing but errors.
Result<std::unique_ptr<SegmentStore>> OpenStore(fs::FileSystem& fs, const std::string& dir,
                                                OpenMode mode) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, NormalizeUserPath(dir));
  SegmentStoreOptions options;
  options.read_only = mode.read_only;
  options.no_sync = mode.no_sync;
  options.executor = mode.executor;
  options.logger = NullLogger();
  return SegmentStore::Open(fs, path, options);
}

struct LoadArgs {
  std::string dir;
  uint64_t entry_count = 0;
  uint64_t entry_bytes = 128;
  uint64_t batch_count = 1;
  bool no_sync = false;
  uint64_t seed = 1;
};

int RunLoad(const LoadArgs& args) {
  if (args.batch_count == 0 || args.entry_count == 0) {
    return ReportError("logstore load",
                       Status::InvalidArgument("--entries and --batch must be > 0"));
  }
  // The store creates its own directory (durably); its parents are the user's.
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::absolute(args.dir).parent_path(), ec);
  fs::PosixFs fs;
  // Inline: Open zero-fills the first segment before the clock starts (as
  // the floor preallocates its file before timing), and the StoreLogs call
  // that passes half a segment prepares the next one (timed: one 64 MiB
  // zero-fill per segment). open_seconds reports the one-off at Open.
  InlineExecutor executor;
  auto open_start = std::chrono::steady_clock::now();
  auto store = OpenStore(
      fs, args.dir, OpenMode{.read_only = false, .no_sync = args.no_sync, .executor = &executor});
  if (!store.ok()) return ReportError("logstore load " + args.dir, store.status());
  double open_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - open_start).count();
  Rng rng = Rng(args.seed).Stream("logstore/load");
  std::vector<Log> batch(args.batch_count);
  for (Log& log : batch) {
    log.data.resize(args.entry_bytes);
    rng.Fill(std::span(reinterpret_cast<uint8_t*>(log.data.data()), log.data.size()));
  }
  uint64_t next_index = (*store)->LastIndex().value() + 1;
  uint64_t batch_total = 0;
  auto start = std::chrono::steady_clock::now();
  for (uint64_t stored = 0; stored < args.entry_count; batch_total++) {
    size_t count = static_cast<size_t>(std::min(args.batch_count, args.entry_count - stored));
    for (size_t i = 0; i < count; i++) batch[i].index = next_index + i;
    Status status = (*store)->StoreLogs(std::span(batch.data(), count));
    if (!status.ok()) return ReportError("logstore load " + args.dir, status);
    next_index += count;
    stored += count;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t bytes = args.entry_count * args.entry_bytes;
  std::printf("batches=%" PRIu64 " entries=%" PRIu64 " bytes=%" PRIu64
              " seconds=%.6f ops_per_sec=%.1f us_per_batch=%.2f mb_per_sec=%.2f"
              " open_seconds=%.6f\n",
              batch_total, args.entry_count, bytes, seconds, args.entry_count / seconds,
              seconds * 1e6 / static_cast<double>(batch_total), bytes / seconds / 1e6,
              open_seconds);
  Status closed = (*store)->Close();
  return closed.ok() ? kExitOk : ReportError("logstore load " + args.dir, closed);
}

// One JSON object per line, keys in this order (nlohmann's ordered_json).
void PrintJsonLine(const nlohmann::ordered_json& line) {
  const std::string text = line.dump() + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
}

// Reads every log in order, calling visit; stops at the first error.
template <typename Visit>
Status ForEachLog(SegmentStore& store, Visit visit) {
  SegmentStore::Info info = store.GetInfo();
  if (info.last_index == 0) return Status::Ok();
  Log log;
  for (uint64_t index = info.first_index; index <= info.last_index; index++) {
    WALSIM_RETURN_IF_ERROR(store.GetLog(index, &log));
    visit(log);
  }
  return Status::Ok();
}

int RunDump(const std::string& dir, bool jsonl) {
  fs::PosixFs fs;
  if (Status held = CheckHoldsLogStore(fs, dir); !held.ok()) {
    return ReportError("logstore dump " + dir, held);
  }
  auto store = OpenStore(fs, dir, OpenMode{.read_only = true, .no_sync = false});
  if (!store.ok()) return ReportError("logstore dump " + dir, store.status());
  SegmentStore::Info info = (*store)->GetInfo();
  if (jsonl) {
    PrintJsonLine({{"kind", "range"}, {"first", info.first_index}, {"last", info.last_index}});
  } else {
    std::printf("first=%" PRIu64 " last=%" PRIu64 " segments=%" PRIu64 "\n", info.first_index,
                info.last_index, info.segment_count);
  }
  Status status = ForEachLog(**store, [&](const Log& log) {
    if (jsonl) {
      PrintJsonLine({{"index", log.index},
                     {"term", log.term},
                     {"type", static_cast<unsigned>(log.type)},
                     {"data", Base64Encode(log.data)}});
    } else {
      std::string_view name = logstore::LogTypeName(log.type);
      std::printf("index=%" PRIu64 " term=%" PRIu64 " type=%.*s data_bytes=%zu\n", log.index,
                  log.term, static_cast<int>(name.size()), name.data(), log.data.size());
    }
  });
  return status.ok() ? kExitOk : ReportError("logstore dump " + dir, status);
}

int RunVerify(const std::string& dir) {
  fs::PosixFs fs;
  if (Status held = CheckHoldsLogStore(fs, dir); !held.ok()) {
    return ReportError("logstore verify " + dir, held);
  }
  auto store = OpenStore(fs, dir, OpenMode{.read_only = true, .no_sync = false});
  if (!store.ok()) return ReportError("logstore verify " + dir, store.status());
  uint64_t entry_count = 0;
  Status status = ForEachLog(**store, [&](const Log&) { entry_count++; });
  if (!status.ok()) return ReportError("logstore verify " + dir, status);
  SegmentStore::Info info = (*store)->GetInfo();
  std::printf("ok: first=%" PRIu64 " last=%" PRIu64 " entries=%" PRIu64 " segments=%" PRIu64 "%s\n",
              info.first_index, info.last_index, entry_count, info.segment_count,
              info.torn_tail_dropped ? " (an unacknowledged torn tail is ignored)" : "");
  return kExitOk;
}

// ---- replay -------------------------------------------------------------------

Result<uint64_t> ParseNumber(const std::vector<std::string>& tokens, size_t position) {
  if (position >= tokens.size()) {
    return Status::InvalidArgument(tokens[0] + ": missing argument " + std::to_string(position));
  }
  Result<uint64_t> value = ParseUnsigned(tokens[position]);
  if (!value.ok()) {
    return Status::InvalidArgument(tokens[0] + ": argument " + std::to_string(position) + ": " +
                                   value.status().message());
  }
  return value;
}

Result<logstore::LogType> ParseType(const std::vector<std::string>& tokens, size_t position) {
  WALSIM_ASSIGN_OR_RETURN(uint64_t type, ParseNumber(tokens, position));
  if (type > logstore::kLogTypeMax) {
    return Status::InvalidArgument(tokens[0] + ": type " + std::to_string(type) + " is over 5");
  }
  return static_cast<logstore::LogType>(type);
}

Status Arity(const std::vector<std::string>& tokens, size_t count, const char* usage) {
  if (tokens.size() == count) return Status::Ok();
  return Status::InvalidArgument(std::string("usage: ") + usage);
}

std::string OkOrErr(const Status& status) { return status.ok() ? "ok" : "err"; }

std::string Get(SegmentStore& store, uint64_t index) {
  Log log;
  Status status = store.GetLog(index, &log);
  if (status.Is(StatusCode::kNotFound)) return "not-found";
  if (!status.ok()) return "err";
  return "index=" + std::to_string(log.index) + " term=" + std::to_string(log.term) +
         " type=" + std::to_string(static_cast<unsigned>(log.type)) +
         " data=" + (log.data.empty() ? std::string("-") : log.data);
}

Result<std::string> RunStoreCommand(SegmentStore& store, const std::vector<std::string>& tokens) {
  if (tokens[0] == "store") {
    WALSIM_RETURN_IF_ERROR(Arity(tokens, 5, "store I T TYPE DATA"));
    Log log;
    WALSIM_ASSIGN_OR_RETURN(log.index, ParseNumber(tokens, 1));
    WALSIM_ASSIGN_OR_RETURN(log.term, ParseNumber(tokens, 2));
    WALSIM_ASSIGN_OR_RETURN(log.type, ParseType(tokens, 3));
    log.data = tokens[4] == "-" ? "" : tokens[4];
    return OkOrErr(store.StoreLog(log));
  }
  WALSIM_RETURN_IF_ERROR(Arity(tokens, 6, "store_batch FIRST COUNT T TYPE PREFIX"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t first, ParseNumber(tokens, 1));
  WALSIM_ASSIGN_OR_RETURN(uint64_t count, ParseNumber(tokens, 2));
  WALSIM_ASSIGN_OR_RETURN(uint64_t term, ParseNumber(tokens, 3));
  WALSIM_ASSIGN_OR_RETURN(logstore::LogType type, ParseType(tokens, 4));
  if (count == 0 || count > kReplayBatchCountMax) {
    return Status::InvalidArgument("store_batch: COUNT must be in 1.." +
                                   std::to_string(kReplayBatchCountMax));
  }
  std::vector<Log> logs(count);
  for (uint64_t i = 0; i < count; i++) {
    logs[i] = Log{first + i, term, type, tokens[5] + std::to_string(first + i), "", 0};
  }
  return OkOrErr(store.StoreLogs(logs));
}

// One command's result, or kInvalidArgument for a malformed line.
Result<std::string> RunCommand(SegmentStore& store, const std::vector<std::string>& tokens) {
  const std::string& command = tokens[0];
  if (command == "store" || command == "store_batch") return RunStoreCommand(store, tokens);
  if (command == "get") {
    WALSIM_RETURN_IF_ERROR(Arity(tokens, 2, "get I"));
    WALSIM_ASSIGN_OR_RETURN(uint64_t index, ParseNumber(tokens, 1));
    return Get(store, index);
  }
  if (command == "first" || command == "last") {
    WALSIM_RETURN_IF_ERROR(Arity(tokens, 1, command == "first" ? "first" : "last"));
    Result<uint64_t> index = command == "first" ? store.FirstIndex() : store.LastIndex();
    return index.ok() ? std::to_string(*index) : std::string("err");
  }
  if (command == "delete") {
    WALSIM_RETURN_IF_ERROR(Arity(tokens, 3, "delete MIN MAX"));
    WALSIM_ASSIGN_OR_RETURN(uint64_t min_index, ParseNumber(tokens, 1));
    WALSIM_ASSIGN_OR_RETURN(uint64_t max_index, ParseNumber(tokens, 2));
    return OkOrErr(store.DeleteRange(min_index, max_index));
  }
  return Status::InvalidArgument("unknown command \"" + command + "\"");
}

int ReplayLines(SegmentStore& store, std::istream& script) {
  std::string line;
  for (uint64_t line_number = 1; std::getline(script, line); line_number++) {
    if (line_number > kReplayLineCountMax) {
      return ReportError("logstore replay", Status::InvalidArgument("script over 2^20 lines"));
    }
    std::istringstream words(line);
    std::vector<std::string> tokens;
    for (std::string token; words >> token;) tokens.push_back(token);
    if (tokens.empty() || tokens[0][0] == '#') continue;
    Result<std::string> result = RunCommand(store, tokens);
    if (!result.ok()) {
      std::fflush(stdout);
      return ReportError("logstore replay: line " + std::to_string(line_number), result.status());
    }
    std::string joined;
    for (const std::string& token : tokens) joined += (joined.empty() ? "" : " ") + token;
    std::printf("%s => %s\n", joined.c_str(), result->c_str());
  }
  return kExitOk;
}

int RunReplay(const std::string& script_path) {
  Result<std::string> text = ReadScriptFile(script_path);
  if (!text.ok()) return ReportError("logstore replay", text.status());
  std::istringstream script(*text);
  std::error_code ec;
  std::string temp_root = std::filesystem::temp_directory_path(ec).string();
  std::string pattern = (ec ? std::string("/tmp") : temp_root) + "/walsim-replay-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return ReportError("logstore replay", Status::IoError("cannot create a temporary directory"));
  }
  int code = kExitFailure;
  {
    fs::PosixFs fs;
    auto store = OpenStore(fs, pattern + "/store", OpenMode{});
    code = store.ok() ? ReplayLines(**store, script)
                      : ReportError("logstore replay: open", store.status());
  }
  std::filesystem::remove_all(pattern, ec);
  return code;
}

}  // namespace

void AddLogstoreCommands(CLI::App& app) {
  CLI::App* group = app.add_subcommand("logstore", "the durable raft LogStore (SegmentStore)");
  group->require_subcommand(1);

  auto load = std::make_shared<LoadArgs>();
  CLI::App* load_cmd = group->add_subcommand("load", "append entries and report throughput");
  load_cmd->add_option("DIR", load->dir, "store directory (created if missing)")->required();
  AddUnsignedOption(load_cmd, "--entries", &load->entry_count, "entries to append", kLoadEntriesMax)
      ->required();
  AddUnsignedOption(load_cmd, "--entry-bytes", &load->entry_bytes, "data bytes per entry",
                    SegmentStoreOptions{}.entry_size_bytes_max);
  AddUnsignedOption(load_cmd, "--batch", &load->batch_count, "entries per StoreLogs call",
                    kLoadBatchEntriesMax);
  load_cmd->add_flag("--no-sync", load->no_sync, "skip the per-batch SyncData (not durable)");
  AddUnsignedOption(load_cmd, "--seed", &load->seed, "seed of the random payload");
  load_cmd->callback([load] { SetExitCode(RunLoad(*load)); });

  auto dump_dir = std::make_shared<std::string>();
  auto jsonl = std::make_shared<bool>(false);
  CLI::App* dump = group->add_subcommand("dump", "print every log");
  dump->add_option("DIR", *dump_dir, "store directory")->required();
  dump->add_flag("--jsonl", *jsonl, "one JSON object per line, data in base64");
  dump->callback([dump_dir, jsonl] { SetExitCode(RunDump(*dump_dir, *jsonl)); });

  auto verify_dir = std::make_shared<std::string>();
  CLI::App* verify = group->add_subcommand("verify", "check every segment and entry");
  verify->add_option("DIR", *verify_dir, "store directory")->required();
  verify->callback([verify_dir] { SetExitCode(RunVerify(*verify_dir)); });

  auto script = std::make_shared<std::string>();
  CLI::App* replay = group->add_subcommand("replay", "run an operation script on a fresh store");
  replay->add_option("SCRIPT", *script, "script file")->required();
  replay->callback([script] { SetExitCode(RunReplay(*script)); });
}

}  // namespace walsim::tools
