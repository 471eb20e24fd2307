#include "tools/soak_child.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <utility>

#include "base/assert.h"
#include "fs/posix_fs.h"
#include "tools/soak_fiu.h"
#include "tools/soak_store.h"

namespace walsim::tools {
namespace {

int g_report_fd = -1;
const std::function<void(std::string line)>* g_line_sink = nullptr;

// One line, one write(2) through the raw syscall: libfiu's write wrapper is
// never involved, and the parent never sees half a line.
void SendLine(std::string line) {
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  if (line.size() > kSoakLineBytesMax - 1) line.resize(kSoakLineBytesMax - 1);
  if (g_line_sink != nullptr) {
    (*g_line_sink)(std::move(line));
    return;
  }
  line += '\n';
  const long wrote = ::syscall(SYS_write, g_report_fd, line.data(), line.size());
  // The parent went away: nothing left to report to.
  if (wrote != static_cast<long>(line.size())) ::_exit(kSoakChildExitSetupFailed);
}

void ReportFault(const SoakFiuRule& rule) {
  SendLine("F " + rule.call + " " + std::string(SoakFaultKindName(rule.kind)));
}

std::string DigestText(uint64_t digest) {
  char text[32];
  std::snprintf(text, sizeof(text), "%016" PRIx64, digest);
  return text;
}

// Runs one operation armed, reports it; false when it failed.
template <typename Call>
bool RunOp(uint64_t op_index, Call call) {
  SendLine("B " + std::to_string(op_index));
  SetSoakFiuArmed(true);
  Status status = call();
  SetSoakFiuArmed(false);
  if (status.ok()) {
    SendLine("A " + std::to_string(op_index) + " ok");
    return true;
  }
  SendLine("A " + std::to_string(op_index) + " " + std::string(StatusCodeName(status.code())) +
           " " + status.ToString());
  return false;
}

Status RunWalOp(fs::FileSystem& fs, const std::string& dir, const WalSoakOp& op,
                std::unique_ptr<wal::Wal>* handle) {
  switch (op.kind) {
    case WalSoakOpKind::kCreate: {
      WALSIM_ASSIGN_OR_RETURN(*handle, wal::Wal::Create(fs, dir, op.metadata, SoakWalOptions()));
      return Status::Ok();
    }
    case WalSoakOpKind::kSave:
      return (*handle)->Save(op.hard_state, op.entries);
    case WalSoakOpKind::kSnapshot:
      return (*handle)->SaveSnapshot(op.snapshot);
    case WalSoakOpKind::kCut:
      return (*handle)->Cut();
    case WalSoakOpKind::kPurge:
      WALSIM_RETURN_IF_ERROR((*handle)->ReleaseLockTo(op.snapshot.index));
      return wal::PurgeSegments(fs, dir, kSoakWalKeepSegments);
  }
  WALSIM_ASSERT(false);
  return Status::Ok();
}

int RunWalChild(const SoakChildOptions& options) {
  fs::PosixFs fs;
  WalSoakState state;
  std::unique_ptr<wal::Wal> handle;
  SetSoakFiuArmed(true);
  if (options.wal_exists) {
    wal::Snapshot snapshot{options.snapshot_index, options.snapshot_term, ""};
    Result<WalRecoveryOutcome> recovered = RecoverSoakWal(fs, options.store_dir, snapshot);
    SetSoakFiuArmed(false);
    if (!recovered.ok()) {
      SendLine("R! " + recovered.status().ToString());
      return kSoakChildExitRecoveryFailed;
    }
    state = std::move(recovered->state);
    handle = std::move(recovered->handle);
  }
  SetSoakFiuArmed(false);
  SendLine("R " + DigestText(WalSoakDigest(state)));
  WalSoakWorkload workload(options.seed, options.cycle, state);
  for (uint64_t op_index = 1; op_index <= options.op_count_max; op_index++) {
    const WalSoakOp op = workload.Next();
    if (!RunOp(op_index, [&] { return RunWalOp(fs, options.store_dir, op, &handle); })) {
      return kSoakChildExitStopped;
    }
  }
  return 0;
}

Status RunLogOp(logstore::SegmentStore& store, const LogSoakOp& op) {
  if (op.kind == scenarios::LogModelOp::Kind::kStore) return store.StoreLogs(op.logs);
  return store.DeleteRange(op.min_index, op.max_index);
}

int RunLogChild(const SoakChildOptions& options) {
  fs::PosixFs fs;
  SetSoakFiuArmed(true);
  Result<LogRecoveryOutcome> recovered = RecoverSoakLog(fs, options.store_dir);
  SetSoakFiuArmed(false);
  if (!recovered.ok()) {
    SendLine("R! " + recovered.status().ToString());
    return kSoakChildExitRecoveryFailed;
  }
  SendLine("R " + DigestText(LogSoakDigest(recovered->state)));
  LogSoakWorkload workload(options.seed, options.cycle, recovered->state);
  for (uint64_t op_index = 1; op_index <= options.op_count_max; op_index++) {
    const LogSoakOp op = workload.Next();
    if (!RunOp(op_index, [&] { return RunLogOp(*recovered->store, op); })) {
      return kSoakChildExitStopped;
    }
  }
  return 0;
}

}  // namespace

int RunSoakChild(const SoakChildOptions& options) {
  WALSIM_ASSERT(options.report_fd >= 0 || options.line_sink);
  WALSIM_ASSERT(options.op_count_max <= kSoakChildOpCountMax);
  g_report_fd = options.report_fd;
  g_line_sink = options.line_sink ? &options.line_sink : nullptr;
  if (!options.fiu_rules.empty()) {
    Result<std::vector<SoakFiuRule>> rules = ParseSoakFiuRules(options.fiu_rules);
    Status installed = rules.ok() ? InstallSoakFiu(std::move(rules).value(), options.seed,
                                                   options.cycle, &ReportFault)
                                  : rules.status();
    if (!installed.ok()) {
      SendLine("R! --fiu: " + installed.ToString());
      return kSoakChildExitSetupFailed;
    }
  }
  const int exit_code =
      options.target == SoakTarget::kWal ? RunWalChild(options) : RunLogChild(options);
  UninstallSoakFiu();
  g_line_sink = nullptr;
  return exit_code;
}

}  // namespace walsim::tools
