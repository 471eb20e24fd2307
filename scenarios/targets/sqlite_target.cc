#include "scenarios/targets/sqlite_target.h"

#include <sqlite3.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "base/assert.h"
#include "base/rng.h"
#include "engines/sqlite/sqlite_vfs.h"
#include "faults/crash_point_fs.h"
#include "sim/sim_fs.h"

namespace walsim::targets {

const char* SqliteJournalModeName(SqliteJournalMode mode) {
  switch (mode) {
    case SqliteJournalMode::kDelete:
      return "DELETE";
    case SqliteJournalMode::kTruncate:
      return "TRUNCATE";
    case SqliteJournalMode::kPersist:
      return "PERSIST";
    case SqliteJournalMode::kWal:
      return "WAL";
  }
  WALSIM_UNREACHABLE();
}

const char* SqliteSynchronousName(SqliteSynchronous sync) {
  switch (sync) {
    case SqliteSynchronous::kOff:
      return "OFF";
    case SqliteSynchronous::kNormal:
      return "NORMAL";
    case SqliteSynchronous::kFull:
      return "FULL";
    case SqliteSynchronous::kExtra:
      return "EXTRA";
  }
  WALSIM_UNREACHABLE();
}

SqlitePromise PromiseOf(SqliteJournalMode mode, SqliteSynchronous sync) {
  const bool wal = mode == SqliteJournalMode::kWal;
  switch (sync) {
    case SqliteSynchronous::kOff:
      return {.any_commit_may_roll_back = true, .may_corrupt = true};
    case SqliteSynchronous::kNormal:
      if (wal) return {.any_commit_may_roll_back = true};
      return {.commits_may_roll_back = 1, .may_corrupt = true};
    case SqliteSynchronous::kFull:
      if (mode == SqliteJournalMode::kDelete) return {.commits_may_roll_back = 1};
      return {};
    case SqliteSynchronous::kExtra:
      return {};
  }
  WALSIM_UNREACHABLE();
}

namespace {

using Model = PrefixModel<int64_t>;
constexpr char kVfsName[] = "walsim-target-sqlite";
constexpr char kDbDir[] = "/db";
constexpr char kDbPath[] = "/db/t.db";
constexpr uint64_t kKeySpace = 200;
constexpr size_t kValueBytesMax = 12288;
constexpr size_t kIdBytes = 8;

// A value: its id (8 bytes, little-endian), then bytes derived from the id.
std::string ValueBytes(uint64_t id, size_t size_bytes) {
  WALSIM_ASSERT(size_bytes >= kIdBytes && size_bytes <= kValueBytesMax);
  std::string out(size_bytes, '\0');
  for (size_t i = 0; i < kIdBytes; i++) out[i] = static_cast<char>((id >> (8 * i)) & 0xFF);
  Rng filler(id);
  filler.Fill({reinterpret_cast<uint8_t*>(out.data()) + kIdBytes, size_bytes - kIdBytes});
  return out;
}

// The id of a stored value, or nullopt when its bytes are not ValueBytes(id, size).
std::optional<uint64_t> DecodeValue(const void* data, size_t size_bytes) {
  if (data == nullptr || size_bytes < kIdBytes || size_bytes > kValueBytesMax) return std::nullopt;
  const auto* bytes = static_cast<const uint8_t*>(data);
  uint64_t id = 0;
  for (size_t i = 0; i < kIdBytes; i++) id |= uint64_t{bytes[i]} << (8 * i);
  if (ValueBytes(id, size_bytes) != std::string(static_cast<const char*>(data), size_bytes)) {
    return std::nullopt;
  }
  return id;
}

// One seed's world: the disk, the power switch, the VFS, the model.
class SqliteRun {
 public:
  SqliteRun(uint64_t seed, const SqliteTargetOptions& options)
      : options_(options),
        promise_(PromiseOf(options.journal_mode, options.synchronous)),
        rng_(Rng(seed).Stream("targets/sqlite/workload")),
        disk_(DiskOptions(seed)),
        power_(disk_),
        vfs_(power_, VfsOptions(seed, disk_.options())) {
    outcome_.seed = seed;
    disk_.set_trace_enabled(options.keep_trace);
  }

  EngineOutcome Run();

 private:
  enum class TxnResult { kCommitted, kCut, kError };

  static sim::SimOptions DiskOptions(uint64_t seed) {
    Rng rng = Rng(seed).Stream("targets/sqlite/disk");
    sim::SimOptions options;
    options.seed = seed;
    const uint32_t sectors[] = {512, 1024, 4096};
    options.sector_size_bytes = sectors[rng.Below(3)];
    options.atomic_sector = rng.Chance(0.5);
    options.crash_model = static_cast<sim::CrashModel>(rng.Below(sim::kCrashModelCount));
    options.size_before_data = rng.Chance(0.3);
    return options;
  }
  static engines::SqliteVfsOptions VfsOptions(uint64_t seed, const sim::SimOptions& disk) {
    engines::SqliteVfsOptions options;
    options.name = kVfsName;
    options.sector_size_bytes = disk.sector_size_bytes;
    options.atomic_sector = disk.atomic_sector;
    options.powersafe_overwrite = false;  // a torn or reordered crash may touch neighbours
    options.temp_dir = kDbDir;
    options.random_seed = seed;
    return options;
  }

  bool OpenDb();
  void CloseDb();
  bool Setup();
  int Exec(const std::string& sql);
  int ExecKeyValue(const char* sql, int64_t key, const std::string* value);
  TxnResult RunTransaction();
  bool CheckRecovery();
  bool ReadTable(Model::State* state, std::string* problem);
  void HarnessError(const std::string& what, int rc);

  const SqliteTargetOptions options_;
  const SqlitePromise promise_;
  Rng rng_;
  sim::SimFs disk_;
  faults::CrashPointFs power_;
  engines::SqliteVfs vfs_;
  sqlite3* db_ = nullptr;
  Model model_;
  Model::State current_;  // the model after committed_ units
  size_t committed_ = 0;
  uint64_t next_value_id_ = 1;
  uint32_t page_size_bytes_ = 0;
  EngineOutcome outcome_;
  bool stop_ = false;
};

void SqliteRun::HarnessError(const std::string& what, int rc) {
  outcome_.Note(EngineVerdict::kHarnessError, what + ": rc " + std::to_string(rc) + " (" +
                                                  sqlite3_errstr(rc) + ") " +
                                                  vfs_.last_error().ToString());
  stop_ = true;
}

bool SqliteRun::OpenDb() {
  const int rc = sqlite3_open_v2(
      kDbPath, &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, kVfsName);
  if (rc == SQLITE_OK) return true;
  CloseDb();
  // A database that cannot even be opened after a crash is a corrupt recovery.
  outcome_.corrupt_recovery_count++;
  outcome_.Note(promise_.may_corrupt ? EngineVerdict::kAllowedLoss : EngineVerdict::kViolation,
                std::string("open failed after crash ") + std::to_string(outcome_.crash_count) +
                    ": " + sqlite3_errstr(rc));
  stop_ = true;
  return false;
}

void SqliteRun::CloseDb() {
  if (db_ != nullptr) (void)sqlite3_close_v2(db_);
  db_ = nullptr;
}

int SqliteRun::Exec(const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? rc : sqlite3_extended_errcode(db_);
}

int SqliteRun::ExecKeyValue(const char* sql, int64_t key, const std::string* value) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return rc;
  (void)sqlite3_bind_int64(stmt, 1, key);
  if (value != nullptr) {
    (void)sqlite3_bind_blob(stmt, 2, value->data(), static_cast<int>(value->size()),
                            SQLITE_TRANSIENT);
  }
  rc = sqlite3_step(stmt);
  (void)sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db_);
}

bool SqliteRun::Setup() {
  const std::string pragmas =
      "PRAGMA page_size=" + std::to_string(page_size_bytes_) +
      "; PRAGMA journal_mode=" + SqliteJournalModeName(options_.journal_mode) +
      "; PRAGMA synchronous=" + SqliteSynchronousName(options_.synchronous) +
      "; PRAGMA cache_size=" + (rng_.Chance(0.5) ? "10" : "2000") +
      "; CREATE TABLE IF NOT EXISTS t(k INTEGER PRIMARY KEY, v BLOB)";
  const int rc = Exec(pragmas);
  if (rc != SQLITE_OK) HarnessError("setup", rc);
  return rc == SQLITE_OK;
}

SqliteRun::TxnResult SqliteRun::RunTransaction() {
  if (Exec("BEGIN") != SQLITE_OK) return power_.tripped() ? TxnResult::kCut : TxnResult::kError;
  Model::State working = current_;
  Model::Unit unit;
  const uint64_t op_count = rng_.Between(1, 10);
  for (uint64_t i = 0; i < op_count; i++) {
    const auto key = static_cast<int64_t>(rng_.Below(kKeySpace));
    // The first statement always writes, so that every transaction changes
    // pages: a commit that writes nothing has no journal and makes no
    // directory sync, which would blur which commit a rollback undid.
    const uint64_t kind = i == 0 ? 0 : rng_.Below(10);
    int rc = SQLITE_OK;
    const size_t unit_size_before = unit.size();
    if (kind < 5 || (kind < 8 && working.contains(key))) {
      const size_t size =
          rng_.Chance(0.1) ? rng_.Between(4097, kValueBytesMax) : rng_.Between(kIdBytes, 2000);
      const uint64_t id = next_value_id_++;
      const std::string value = ValueBytes(id, size);
      rc = kind < 5 ? ExecKeyValue("INSERT OR REPLACE INTO t(k, v) VALUES(?1, ?2)", key, &value)
                    : ExecKeyValue("UPDATE t SET v = ?2 WHERE k = ?1", key, &value);
      unit.push_back({key, id});
    } else if (kind >= 8) {
      rc = ExecKeyValue("DELETE FROM t WHERE k = ?1", key, nullptr);
      unit.push_back({key, std::nullopt});
    }
    if (rc != SQLITE_OK) return power_.tripped() ? TxnResult::kCut : TxnResult::kError;
    if (unit.size() > unit_size_before) Model::Apply(working, {unit.back()});
  }
  if (Exec("COMMIT") != SQLITE_OK) {
    if (!power_.tripped()) return TxnResult::kError;
    model_.Append(std::move(unit));  // in flight: it may or may not have committed
    return TxnResult::kCut;
  }
  model_.Append(std::move(unit));
  committed_++;
  outcome_.acked_unit_count++;
  current_ = std::move(working);
  return TxnResult::kCommitted;
}

bool SqliteRun::ReadTable(Model::State* state, std::string* problem) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "SELECT k, v FROM t", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    if (std::strstr(sqlite3_errmsg(db_), "no such table") != nullptr) return true;  // empty
    *problem = std::string("reading t: ") + sqlite3_errmsg(db_);
    return false;
  }
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const auto id = DecodeValue(sqlite3_column_blob(stmt, 1),
                                static_cast<size_t>(sqlite3_column_bytes(stmt, 1)));
    if (!id.has_value()) {
      *problem =
          "key " + std::to_string(sqlite3_column_int64(stmt, 0)) + " holds bytes never written";
      break;
    }
    (*state)[sqlite3_column_int64(stmt, 0)] = *id;
  }
  if (problem->empty() && rc != SQLITE_DONE)
    *problem = std::string("reading t: ") + sqlite3_errstr(rc);
  (void)sqlite3_finalize(stmt);
  return problem->empty();
}

bool SqliteRun::CheckRecovery() {
  const std::string at = "after crash " + std::to_string(outcome_.crash_count) + ": ";
  std::string problem;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &stmt, nullptr);
  if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    if (text == nullptr || std::strcmp(text, "ok") != 0) {
      // One line of SQLite's report names the damage; skip its "*** in
      // database main ***" heading.
      std::string report = text != nullptr ? text : "null";
      if (report.starts_with("***")) report.erase(0, report.find('\n') + 1);
      problem = "integrity_check: " + report.substr(0, report.find('\n'));
    }
  } else {
    problem = std::string("integrity_check failed: ") + sqlite3_errmsg(db_);
  }
  (void)sqlite3_finalize(stmt);
  Model::State recovered;
  std::optional<size_t> prefix;
  if (problem.empty() && ReadTable(&recovered, &problem)) {
    prefix = model_.FindPrefix(recovered, model_.unit_count());
    if (!prefix.has_value()) problem = "the table is no prefix of the committed transactions";
  }
  if (!problem.empty()) {
    outcome_.corrupt_recovery_count++;
    outcome_.Note(promise_.may_corrupt ? EngineVerdict::kAllowedLoss : EngineVerdict::kViolation,
                  at + problem);
    stop_ = true;
    return false;
  }
  if (*prefix < committed_) {
    const size_t lost = committed_ - *prefix;
    outcome_.lost_acked_unit_count += lost;
    const bool allowed =
        promise_.any_commit_may_roll_back || lost <= promise_.commits_may_roll_back;
    outcome_.Note(allowed ? EngineVerdict::kAllowedLoss : EngineVerdict::kViolation,
                  at + std::to_string(lost) + " of " + std::to_string(committed_) +
                      " committed transactions lost" +
                      (allowed ? " (allowed by this setting)" : ""));
  }
  model_.Truncate(*prefix);
  committed_ = *prefix;
  current_ = model_.StateAt(committed_);
  return true;
}

EngineOutcome SqliteRun::Run() {
  engines::SeedSqlitePrng(static_cast<uint32_t>(outcome_.seed ^ (outcome_.seed >> 32)));
  if (!disk_.MkDir(kDbDir).ok() || !disk_.SyncDir("/").ok() || !vfs_.Register().ok()) {
    outcome_.Note(EngineVerdict::kHarnessError, "setup of the disk or the VFS failed");
    return outcome_;
  }
  page_size_bytes_ = rng_.Chance(0.5) ? 1024 : 4096;
  for (uint32_t life = 0; life <= options_.crash_count && !stop_; life++) {
    if (!OpenDb()) break;
    if (life > 0 && !CheckRecovery()) break;
    if (life == options_.crash_count) break;  // the last check is done
    if (!Setup()) break;
    power_.set_trip_at_op_index(power_.op_index() + 1 + rng_.Below(options_.crash_window_ops));
    for (uint32_t t = 0; t < options_.transactions_per_life_max && !stop_; t++) {
      const TxnResult result = RunTransaction();
      if (result == TxnResult::kError) HarnessError("a statement failed without a crash", 0);
      if (result != TxnResult::kCommitted) break;
      if (options_.journal_mode == SqliteJournalMode::kWal && rng_.Chance(0.15)) {
        const char* modes[] = {"PASSIVE", "FULL", "RESTART", "TRUNCATE"};
        if (Exec(std::string("PRAGMA wal_checkpoint(") + modes[rng_.Below(4)] + ")") != SQLITE_OK &&
            !power_.tripped()) {
          HarnessError("checkpoint failed without a crash", 0);
        }
        if (power_.tripped()) break;
      }
    }
    power_.Trip();  // the power goes: nothing SQLite does from here reaches the disk
    CloseDb();
    disk_.Crash();
    power_.Reset();
    outcome_.crash_count++;
  }
  CloseDb();
  (void)vfs_.Unregister();
  outcome_.sim_op_count = disk_.op_count();
  outcome_.trace_hash = disk_.trace_hash();
  if (options_.keep_trace) outcome_.trace = disk_.trace();
  return outcome_;
}

}  // namespace

EngineOutcome RunSqliteSeed(uint64_t seed, const SqliteTargetOptions& options) {
  return SqliteRun(seed, options).Run();
}

}  // namespace walsim::targets
