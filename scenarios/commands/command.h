// Scenario commands: what each command name of a script does.
//
// A command reads its arguments through an ArgReader, acts on the run's
// ScenarioEnv and writes deterministic text lines to a CommandOutput (no
// pointers, no timings, no unordered iteration). Two kinds of failure are
// kept apart:
//   - the scenario's operation failed (an I/O error, a corrupt WAL): that is
//     output, `error: <code name>: <message>`, and the script goes on;
//   - the script itself is wrong (an unknown argument, a value that does not
//     parse, `disk` after the disk was used): the command returns a non-OK
//     Status and the runner stops the whole script, naming the line.
// Command groups live in their own files (disk_commands.cc,
// file_commands.cc, fault_commands.cc, wal_commands.cc, log_commands.cc,
// check_command.cc);
// docs/scenarios.md documents every command.
// Single-threaded; the tables are constants.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "scenarios/script/script.h"
#include "scenarios/world/env.h"

namespace walsim::scenarios {

inline constexpr size_t kCommandOutputLinesMax = 100'000;

class CommandOutput {
 public:
  void Line(std::string line);
  // "error: <code name>: <message>".
  void Error(const Status& status);
  // The lines joined by '\n' (no trailing newline).
  std::string Text() const;
  size_t line_count() const { return lines_.size(); }

 private:
  std::vector<std::string> lines_;
};

// Runs one command. Non-OK: the script is malformed (see the header comment).
using CommandFn = Status (*)(ScenarioEnv& env, ArgReader& args, CommandOutput& out);

struct CommandSpec {
  std::string_view name;
  CommandFn run;
};

std::span<const CommandSpec> DiskCommands();   // disk, crash, corrupt, zero, truncate, remove, ls
std::span<const CommandSpec> FileCommands();   // fs-*: raw filesystem operations
std::span<const CommandSpec> FaultCommands();  // fault, faults
std::span<const CommandSpec> WalCommands();    // wal-*
std::span<const CommandSpec> LogCommands();    // log-*
std::span<const CommandSpec> CheckCommands();  // check

// The command called name in any group, or nullptr.
const CommandSpec* FindCommand(std::string_view name);

// ---- shared formatting and recovery helpers (command_util.cc) ----

// "error: <code name>[ (<wal error>)]: <message>": the WalError name is shown
// when the status carries one.
std::string DescribeWalError(const Status& status);
// Entry or log data for output: the text itself when it is short printable
// ASCII, else "<N bytes fnv=0x...>".
std::string DescribeData(std::string_view data);
// "lost N acknowledged <unit> to illegal faults": a recovery the checker
// accepted under illegal faults although it went back past what was
// acknowledged (valid, never silent). REQUIRES: verdict.lost_acknowledged_count > 0.
std::string DescribeLoss(const Verdict& verdict, std::string_view unit);
// "term=T vote=V commit=C".
std::string DescribeHardState(const wal::HardState& hard_state);

// Parses "A..B" (inclusive) or "A" into [*first, *last].
Status ParseIndexRange(std::string_view text, uint64_t* first, uint64_t* last);

// Opens the modelled WAL from its durable snapshot as a restarting server
// would: Open + ReadAll, and on a torn tail the documented Repair and one
// more Open + ReadAll (noted in *repaired). On success the handle is kept
// open in env.wal.handle. A Repair that returned true is judged by
// CheckWalRepairDurable into *repair_verdict.
WalRecovery RecoverWal(ScenarioEnv& env, bool* repaired, Verdict* repair_verdict);
// Repair's promise (wal/wal.h): once it returns true the repair is durable.
// Judged on the disk itself after it returns: no segment (.wal) and no backup
// (.broken) in dir may hold unsynced data or size or a non-durable entry, or
// a crash right after would bring the torn tail back or lose the copy of what
// was cut. Under legal faults only (a lying fsync makes nothing durable).
Verdict CheckWalRepairDurable(ScenarioEnv& env, const std::string& dir);
// docs/wal-format.md's physical rules, judged on the simulated disk itself
// (no operation is issued). CheckWalTailZeroed: after an open for write,
// every live byte of the tail past the write offset is zero (the ZeroToEnd
// rule; judged under legal faults only, as an illegal fault may write
// anywhere). REQUIRES: env.wal.handle != nullptr.
Verdict CheckWalTailZeroed(ScenarioEnv& env);
// CheckWalWriteUnits: no write to a file of the WAL directory continued one
// that ended inside a page with no sync between (the page writer's rule:
// only a flush's last write ends off a page boundary; any other forces the
// device to read-modify-write a page it already wrote). Takes the disk's
// recorded splits.
Verdict CheckWalWriteUnits(ScenarioEnv& env);
// ValidSnapshotEntries (etcd's restart picks its snapshot among them) after a
// successful recovery that read recovered: each returned snapshot must be one
// wal-snapshot issued (env.wal.issued_snapshots), at or below the recovered
// HardState's commit (etcd #10219: a snapshot ahead of the commit may never
// have been applied).
Verdict CheckValidSnapshots(ScenarioEnv& env, const wal::ReadAllResult& recovered);

// Opens the modelled LogStore and reads every entry back. On success the
// handle is kept open in env.log.handle.
LogRecovery RecoverLog(ScenarioEnv& env);
// Entries a recovery reads back at most (check and log-open alike).
inline constexpr uint64_t kRecoveredEntryCountMax = 1'000'000;

// Fails stop, for both components: when an earlier mutating call on the
// handle failed (*failed_op_number), checks that this one was refused and
// prints any violation; otherwise remembers a new failure. Rejected input
// (kInvalidArgument) and a wrong-state call (kFailedPrecondition) write
// nothing and do not stop a handle.
void TrackFailStop(std::optional<uint64_t>* failed_op_number, uint64_t op_number,
                   const Status& status, CommandOutput& out);

// Liveness: once `faults-off` ran, every mutating call of a recovered store
// must succeed (a full disk and rejected input aside); prints a "recovers"
// violation otherwise.
void CheckLiveness(ScenarioEnv& env, const Status& status, CommandOutput& out);

// Closes the live WAL handle, if any: an OK Close of a handle that has not
// failed made everything durable. Returns Close's status (OK without a handle).
Status CloseWal(ScenarioEnv& env);
// Closes the live LogStore handle, if any.
Status CloseLog(ScenarioEnv& env);

}  // namespace walsim::scenarios
