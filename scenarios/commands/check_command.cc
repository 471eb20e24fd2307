// `check`: reopen every component the script used, as a restarting server
// would, and judge what it recovered against the models (scenarios/model/checker.h).
#include "faults/crash_point_fs.h"
#include "scenarios/commands/command.h"

namespace walsim::scenarios {
namespace {

std::string DescribeLogRange(const LogState& state) {
  const uint64_t first = state.empty() ? 0 : state.begin()->first;
  const uint64_t last = state.empty() ? 0 : state.rbegin()->first;
  return "first=" + std::to_string(first) + " last=" + std::to_string(last);
}

// One component's line: "wal entries=..." on success, or the verdict.
struct ComponentResult {
  std::string summary;  // "entries=3 ..." when the verdict is ok
  Verdict verdict;
};

ComponentResult CheckWal(ScenarioEnv& env, CommandOutput& out) {
  Status closed = CloseWal(env);
  if (!closed.ok()) out.Line("wal: close before the check: " + DescribeWalError(closed));
  bool repaired = false;
  Verdict repair_verdict;
  WalRecovery recovery = RecoverWal(env, &repaired, &repair_verdict);
  if (repaired) {
    out.Line("wal: repaired a torn tail (the documented Repair), reopened");
    env.Probe("check/wal-torn-tail-repaired");
  }
  if (!repair_verdict.ok()) return {"", repair_verdict};
  const bool never_created = env.wal.model.durable_count() == 0;
  if (never_created && recovery.status.Is(StatusCode::kNotFound)) {
    // A Create that was never acknowledged may leave nothing behind.
    env.wal.model.ResolveTo(0);
    return {"absent (create not acknowledged)", Verdict::Ok()};
  }
  Verdict verdict = CheckWalRecovery(&env.wal.model, recovery, env.fault_class(), env.op_number(),
                                     env.damage_evidence());
  if (!verdict.ok()) return {"", verdict};
  // Under illegal faults an earlier prefix is a valid recovery, but the
  // loss is named, never passed over in silence.
  const std::string loss =
      verdict.lost_acknowledged_count > 0 ? " (" + DescribeLoss(verdict, "records") + ")" : "";
  if (verdict.lost_acknowledged_count > 0) env.Probe("check/lossy");
  if (!recovery.status.ok()) {
    // Under illegal faults a clear error is a right answer.
    env.Probe("check/reported-error");
    return {"reported " + DescribeWalError(recovery.status), verdict};
  }
  WALSIM_ASSERT(env.wal.handle != nullptr);  // RecoverWal keeps what it opened
  const wal::ReadAllResult& result = *recovery.result;
  for (const Verdict& physical :
       {CheckWalTailZeroed(env), CheckWalWriteUnits(env), CheckValidSnapshots(env, result)}) {
    if (!physical.ok()) return {"", physical};
  }
  const uint64_t last =
      result.entries.empty() ? recovery.snapshot.index : result.entries.back().index;
  return {"entries=" + std::to_string(result.entries.size()) + " last=" + std::to_string(last) +
              " " + DescribeHardState(result.hard_state) + loss,
          verdict};
}

ComponentResult CheckLog(ScenarioEnv& env, CommandOutput& out) {
  Status closed = CloseLog(env);
  if (!closed.ok()) out.Line("logstore: close before the check: error: " + closed.ToString());
  LogRecovery recovery = RecoverLog(env);
  Verdict verdict = CheckLogRecovery(&env.log.model, recovery, env.fault_class(), env.op_number(),
                                     env.damage_evidence());
  if (!verdict.ok()) return {"", verdict};
  const std::string loss =
      verdict.lost_acknowledged_count > 0 ? " (" + DescribeLoss(verdict, "operations") + ")" : "";
  if (verdict.lost_acknowledged_count > 0) env.Probe("check/lossy");
  if (!recovery.status.ok()) {
    env.Probe("check/reported-error");
    return {"reported error: " + recovery.status.ToString(), verdict};
  }
  return {DescribeLogRange(recovery.state) + loss, verdict};
}

// recovery-crash=N: the restart itself loses power at its N-th filesystem
// operation (a crash inside Open's tail copy, cleanup, Repair, ...). Every
// component is reopened through a power cut; when it trips the disk crashes
// with its model, and the check proper then judges the next restart. When
// the recovery needs fewer operations, it completes and is dropped, and the
// check judges a second restart of what it left.
void RecoverThroughPowerCut(ScenarioEnv& env, uint64_t crash_op_index, CommandOutput& out) {
  (void)CloseWal(env);
  (void)CloseLog(env);
  faults::CrashPointFs power(env.fs());
  power.set_trip_at_op_index(crash_op_index);
  env.set_fs_override(&power);
  bool repaired = false;
  Verdict repair_verdict;
  if (!env.wal.dir.empty()) (void)RecoverWal(env, &repaired, &repair_verdict);
  // A Repair that returned before the power went made its promise already.
  if (!repair_verdict.ok()) out.Line(repair_verdict.ToString());
  if (!env.log.dir.empty() && !power.tripped()) (void)RecoverLog(env);
  env.DropHandles();  // a dead process's, or a recovery the check repeats
  env.set_fs_override(nullptr);
  if (!power.tripped()) return;
  env.Crash(env.sim_view().options().crash_model);
  env.Probe("crash/in-recovery");
  out.Line("crashed during recovery at its operation " + std::to_string(crash_op_index));
}

Status Check(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(uint64_t recovery_crash_op_index, args.U64Or("recovery-crash", 0));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  std::vector<std::pair<std::string_view, ComponentResult>> results;
  // The check is a restart after the fault episode: no rule fires while it
  // reopens (faults during recovery are scripted with wal-open/wal-repair,
  // power loss during it with recovery-crash=N).
  env.SuspendFaults(true);
  if (recovery_crash_op_index > 0) RecoverThroughPowerCut(env, recovery_crash_op_index, out);
  if (!env.wal.dir.empty()) results.emplace_back("wal", CheckWal(env, out));
  if (!env.log.dir.empty()) results.emplace_back("logstore", CheckLog(env, out));
  env.SuspendFaults(false);
  if (results.empty()) {
    out.Line("ok: nothing to check (no WAL or LogStore was used)");
    return Status::Ok();
  }
  bool all_ok = true;
  std::string joined;
  for (const auto& [name, result] : results) {
    all_ok = all_ok && result.verdict.ok();
    joined += (joined.empty() ? "" : " ; ") + std::string(name) + " " + result.summary;
  }
  if (all_ok) {
    env.Probe("check/ok");
    out.Line("ok: " + joined);
    return Status::Ok();
  }
  for (const auto& [name, result] : results) {
    out.Line(std::string(name) + ": " +
             (result.verdict.ok() ? "ok " + result.summary : result.verdict.ToString()));
  }
  return Status::Ok();
}

constexpr CommandSpec kCheckCommands[] = {{"check", Check}};

}  // namespace

std::span<const CommandSpec> CheckCommands() { return kCheckCommands; }

}  // namespace walsim::scenarios
