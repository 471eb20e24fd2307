// The SQLite crash loop: one seed = a seeded simulated disk, a seeded
// workload of transactions on an unmodified SQLite (through
// engines/sqlite/sqlite_vfs.h), power cuts at seeded points, and after each
// cut a reopen and a check against the reference model.
//
// Per seed: a SimFs with seeded sector size (512/1024/4096), atomic or torn
// sectors, crash model (clean/prefix/reorder) and size_before_data; a table
// t(k INTEGER PRIMARY KEY, v BLOB) and transactions of 1-10 inserts,
// updates and deletes with values of 1 B to 12 KiB (many span pages; small
// cache sizes make SQLite spill mid-transaction), with checkpoints in WAL
// mode. The power is cut at a seeded filesystem operation (CrashPointFs),
// possibly inside COMMIT, then the SimFs crashes. After each crash: reopen,
// PRAGMA integrity_check must be "ok" and the table must equal the model
// after some prefix of the transactions no shorter than the setting promises
// (SqlitePromise). The loop then continues from the recovered state.
//
// Threading: none; a seed is a pure function of (seed, options, build).
#pragma once

#include <cstdint>
#include <string>

#include "scenarios/targets/engine_outcome.h"

namespace walsim::targets {

enum class SqliteJournalMode : uint8_t { kDelete, kTruncate, kPersist, kWal };
enum class SqliteSynchronous : uint8_t { kOff, kNormal, kFull, kExtra };

const char* SqliteJournalModeName(SqliteJournalMode mode);  // "DELETE", ...
const char* SqliteSynchronousName(SqliteSynchronous sync);  // "OFF", ...

// What SQLite's documentation promises after a power loss for a setting
// ("PRAGMA synchronous", "Write-Ahead Logging", "How To Corrupt An SQLite
// Database File"):
//   OFF                 nothing: committed transactions may be lost and the
//                       database may be corrupt.
//   NORMAL, WAL mode    never corrupt; the most recent commits may roll back.
//   NORMAL, rollback    the last commit may roll back, and "a very small
//                       (though non-zero) chance [of corruption] in
//                       journal_mode=DELETE on an older filesystem".
//   FULL, DELETE mode   never corrupt; the commit is the unlink of the
//                       journal, which FULL does not sync: the last commit
//                       may roll back (EXTRA exists for exactly this).
//   FULL, other modes   every committed transaction survives.
//   EXTRA               every committed transaction survives.
struct SqlitePromise {
  bool any_commit_may_roll_back = false;
  uint32_t commits_may_roll_back = 0;  // when not any_commit_may_roll_back
  bool may_corrupt = false;
};
SqlitePromise PromiseOf(SqliteJournalMode mode, SqliteSynchronous sync);

struct SqliteTargetOptions {
  SqliteJournalMode journal_mode = SqliteJournalMode::kDelete;
  SqliteSynchronous synchronous = SqliteSynchronous::kFull;
  uint32_t crash_count = 3;  // power cuts per seed
  uint32_t transactions_per_life_max = 24;
  uint32_t crash_window_ops = 600;  // the cut is uniform in this many fs ops
  bool keep_trace = false;          // EngineOutcome::trace gets the SimFs trace
};

EngineOutcome RunSqliteSeed(uint64_t seed, const SqliteTargetOptions& options);

}  // namespace walsim::targets
