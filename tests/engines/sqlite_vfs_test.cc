// SqliteVfs (engines/sqlite/sqlite_vfs.h): SQLite, unmodified, on PosixFs and
// on SimFs through the walsim VFS, in every journal mode and synchronous
// setting; what the VFS claims about the disk; fs:: errors reaching SQLite.
#include "engines/sqlite/sqlite_vfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "tests/engines/engine_test_env.h"

namespace walsim::engines {
namespace {

using testing::Backend;
using testing::EngineDisk;

constexpr std::array<const char*, 4> kJournalModes = {"DELETE", "TRUNCATE", "PERSIST", "WAL"};
constexpr std::array<const char*, 4> kSyncModes = {"OFF", "NORMAL", "FULL", "EXTRA"};

// One connection through a SqliteVfs on an EngineDisk.
class Db {
 public:
  Db(SqliteVfs& vfs, const std::string& path) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   vfs.name().c_str());
    EXPECT_EQ(rc, SQLITE_OK) << (db_ != nullptr ? sqlite3_errmsg(db_) : "no db");
  }
  ~Db() { Close(); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void Close() {
    if (db_ != nullptr) {
      EXPECT_EQ(sqlite3_close(db_), SQLITE_OK);
    }
    db_ = nullptr;
  }
  sqlite3* get() { return db_; }
  // The extended result code of sql.
  int Exec(const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error);
    return rc == SQLITE_OK ? rc : sqlite3_extended_errcode(db_);
  }
  void MustExec(const std::string& sql) {
    ASSERT_EQ(Exec(sql), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_);
  }
  // The first column of the first row, as text ("" when no row).
  std::string Query(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db_);
    std::string out;
    if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

SqliteVfsOptions VfsOptionsFor(const EngineDisk& disk, const std::string& name) {
  SqliteVfsOptions options;
  options.name = name;
  options.temp_dir = disk.root();
  options.random_seed = 7;
  return options;
}

// Rows of many sizes: key k has a value of (k * 97) % 9000 bytes, so some span pages.
void InsertRows(Db& db, int first, int count) {
  db.MustExec("BEGIN");
  for (int k = first; k < first + count; k++) {
    db.MustExec("INSERT INTO t(k, v) VALUES(" + std::to_string(k) + ", randomblob(" +
                std::to_string((k * 97) % 9000) + "))");
  }
  db.MustExec("COMMIT");
}

using ModesParam = std::tuple<Backend, const char*, const char*>;
class SqliteVfsModesTest : public ::testing::TestWithParam<ModesParam> {};

std::string ModesName(const ::testing::TestParamInfo<ModesParam>& param_info) {
  return std::string(std::get<0>(param_info.param) == Backend::kPosix ? "Posix" : "Sim") + "_" +
         std::get<1>(param_info.param) + "_" + std::get<2>(param_info.param);
}

TEST_P(SqliteVfsModesTest, WritesReadBackAndSurviveReopen) {
  const auto [backend, journal_mode, sync_mode] = GetParam();
  EngineDisk disk(backend);
  SqliteVfs vfs(disk.fs(), VfsOptionsFor(disk, "walsim-modes"));
  ASSERT_TRUE(vfs.Register().ok());
  const std::string path = disk.root() + "/test.db";
  {
    Db db(vfs, path);
    db.MustExec("PRAGMA page_size=1024");
    db.MustExec(std::string("PRAGMA journal_mode=") + journal_mode);
    db.MustExec(std::string("PRAGMA synchronous=") + sync_mode);
    db.MustExec("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)");
    InsertRows(db, 0, 60);
    db.MustExec("UPDATE t SET v = zeroblob(3000) WHERE k % 3 = 0");
    db.MustExec("DELETE FROM t WHERE k % 5 = 0");
    EXPECT_EQ(db.Query("SELECT count(*) FROM t"), "48");
  }
  EXPECT_EQ(vfs.open_file_count(), 0u);
  Db db(vfs, path);
  EXPECT_EQ(db.Query("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(db.Query("SELECT count(*) FROM t"), "48");
  EXPECT_EQ(db.Query("SELECT sum(length(v)) FROM t WHERE k % 3 = 0"), std::to_string(16 * 3000));
  EXPECT_EQ(db.Query("PRAGMA journal_mode"), std::string(journal_mode) == "WAL" ? "wal" : "delete");
  EXPECT_EQ(vfs.error_count(), 0u) << vfs.last_error().ToString();
}

INSTANTIATE_TEST_SUITE_P(EveryMode, SqliteVfsModesTest,
                         ::testing::Combine(::testing::Values(Backend::kPosix, Backend::kSim),
                                            ::testing::ValuesIn(kJournalModes),
                                            ::testing::ValuesIn(kSyncModes)),
                         ModesName);

class SqliteVfsTest : public ::testing::TestWithParam<Backend> {};

// With synchronous=FULL in PERSIST, TRUNCATE and WAL modes a commit is
// durable once COMMIT returns, directory entry included: the journal's first
// sync also synced the directory (os_unix.c's dirSync).
TEST(SqliteVfsCrashTest, FullSyncCommitSurvivesACleanCrash) {
  for (const char* mode : {"TRUNCATE", "PERSIST", "WAL"}) {
    EngineDisk disk(Backend::kSim);
    SqliteVfs vfs(disk.fs(), VfsOptionsFor(disk, "walsim-crash"));
    ASSERT_TRUE(vfs.Register().ok());
    const std::string path = disk.root() + "/crash.db";
    {
      Db db(vfs, path);
      db.MustExec(std::string("PRAGMA journal_mode=") + mode);
      db.MustExec("PRAGMA synchronous=FULL");
      db.MustExec("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)");
      InsertRows(db, 0, 20);
      disk.sim()->Crash(sim::CrashModel::kClean);  // the connection's files are now dead
      (void)db.Exec("SELECT 1");
    }
    Db db(vfs, path);
    EXPECT_EQ(db.Query("PRAGMA integrity_check"), "ok") << mode;
    EXPECT_EQ(db.Query("SELECT count(*) FROM t"), "20") << mode;
  }
}

// DELETE mode commits by unlinking the journal. With synchronous=FULL that
// unlink is not synced, so a power loss right after COMMIT may bring the
// journal back and roll the transaction back ("PRAGMA synchronous": EXTRA
// "provides additional durability if the commit is followed closely by a
// power loss"); EXTRA syncs the directory (xDelete's dirSync) and keeps it.
TEST(SqliteVfsCrashTest, DeleteModeFullMayLoseTheLastCommitAndExtraKeepsIt) {
  for (const char* sync : {"FULL", "EXTRA"}) {
    EngineDisk disk(Backend::kSim);
    SqliteVfs vfs(disk.fs(), VfsOptionsFor(disk, "walsim-delete"));
    ASSERT_TRUE(vfs.Register().ok());
    const std::string path = disk.root() + "/delete.db";
    {
      Db db(vfs, path);
      db.MustExec("PRAGMA journal_mode=DELETE");
      db.MustExec(std::string("PRAGMA synchronous=") + sync);
      db.MustExec("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)");
      InsertRows(db, 0, 10);
      InsertRows(db, 10, 10);
      disk.sim()->Crash(sim::CrashModel::kClean);
    }
    Db db(vfs, path);
    EXPECT_EQ(db.Query("PRAGMA integrity_check"), "ok") << sync;
    EXPECT_EQ(db.Query("SELECT count(*) FROM t"), std::string(sync) == "FULL" ? "10" : "20")
        << sync;
  }
}

TEST_P(SqliteVfsTest, TwoConnectionsOfOneProcessExcludeEachOtherWriting) {
  EngineDisk disk(GetParam());
  SqliteVfs vfs(disk.fs(), VfsOptionsFor(disk, "walsim-locks"));
  ASSERT_TRUE(vfs.Register().ok());
  const std::string path = disk.root() + "/locks.db";
  Db first(vfs, path);
  first.MustExec("CREATE TABLE t(k INTEGER PRIMARY KEY)");
  Db second(vfs, path);
  first.MustExec("BEGIN IMMEDIATE");
  EXPECT_EQ(second.Exec("BEGIN IMMEDIATE"), SQLITE_BUSY);
  EXPECT_EQ(second.Query("SELECT count(*) FROM t"), "0");  // readers still read
  first.MustExec("INSERT INTO t VALUES(1)");
  first.MustExec("COMMIT");
  EXPECT_EQ(second.Query("SELECT count(*) FROM t"), "1");
  second.MustExec("BEGIN IMMEDIATE");
  EXPECT_EQ(first.Exec("INSERT INTO t VALUES(2)"), SQLITE_BUSY);
  second.MustExec("COMMIT");
}

TEST_P(SqliteVfsTest, WalModeConnectionsShareTheHeapWalIndex) {
  EngineDisk disk(GetParam());
  SqliteVfs vfs(disk.fs(), VfsOptionsFor(disk, "walsim-shm"));
  ASSERT_TRUE(vfs.Register().ok());
  const std::string path = disk.root() + "/wal.db";
  Db writer(vfs, path);
  writer.MustExec("PRAGMA journal_mode=WAL");
  writer.MustExec("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)");
  Db reader(vfs, path);
  reader.MustExec("BEGIN");
  EXPECT_EQ(reader.Query("SELECT count(*) FROM t"), "0");
  InsertRows(writer, 0, 30);
  EXPECT_EQ(reader.Query("SELECT count(*) FROM t"), "0");  // its snapshot
  reader.MustExec("COMMIT");
  EXPECT_EQ(reader.Query("SELECT count(*) FROM t"), "30");
  writer.MustExec("PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(reader.Query("SELECT count(*) FROM t"), "30");
}

TEST_P(SqliteVfsTest, UnknownFileControlIsNotFound) {
  EngineDisk disk(GetParam());
  SqliteVfs vfs(disk.fs(), VfsOptionsFor(disk, "walsim-fcntl"));
  ASSERT_TRUE(vfs.Register().ok());
  Db db(vfs, disk.root() + "/fcntl.db");
  db.MustExec("CREATE TABLE t(k)");
  int value = 0;
  EXPECT_EQ(sqlite3_file_control(db.get(), "main", 987654, &value), SQLITE_NOTFOUND);
  char* name = nullptr;
  ASSERT_EQ(sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_VFSNAME, &name), SQLITE_OK);
  EXPECT_STREQ(name, "walsim-fcntl");
  sqlite3_free(name);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqliteVfsTest, ::testing::Values(Backend::kPosix, Backend::kSim),
                         testing::BackendName);

// The VFS never claims more than the disk gives: ATOMICnnn only for an
// atomic disk and only up to its sector, POWERSAFE_OVERWRITE only when given,
// never SAFE_APPEND, SEQUENTIAL, ATOMIC (any size) or BATCH_ATOMIC.
TEST(SqliteVfsDeviceTest, DeviceCharacteristicsNeverClaimMoreThanTheDisk) {
  struct Row {
    uint32_t sector_size_bytes;
    bool atomic;
    bool powersafe;
    int expected;
    int sector_reported;
  };
  const Row rows[] = {
      {512, false, false, 0, 512},
      {512, true, false, SQLITE_IOCAP_ATOMIC512, 512},
      {4096, true, false,
       SQLITE_IOCAP_ATOMIC512 | SQLITE_IOCAP_ATOMIC1K | SQLITE_IOCAP_ATOMIC2K |
           SQLITE_IOCAP_ATOMIC4K,
       4096},
      {4096, false, true, SQLITE_IOCAP_POWERSAFE_OVERWRITE, 4096},
      {256, true, false, 0, 512},  // atomic only below 512: no claim, sector rounded up
      {65536, true, false, 0x1FE, 65536},
  };
  constexpr int kNeverClaimed = SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_SAFE_APPEND |
                                SQLITE_IOCAP_SEQUENTIAL | SQLITE_IOCAP_BATCH_ATOMIC |
                                SQLITE_IOCAP_IMMUTABLE | SQLITE_IOCAP_UNDELETABLE_WHEN_OPEN;
  for (const Row& row : rows) {
    SqliteVfsOptions options;
    options.sector_size_bytes = row.sector_size_bytes;
    options.atomic_sector = row.atomic;
    options.powersafe_overwrite = row.powersafe;
    EXPECT_EQ(DeviceCharacteristics(options), row.expected) << row.sector_size_bytes;
    EXPECT_EQ(DeviceCharacteristics(options) & kNeverClaimed, 0);
    EXPECT_EQ(SectorSize(options), row.sector_reported);
  }
}

// The same values reach SQLite through an open file's methods.
TEST(SqliteVfsDeviceTest, OpenFileReportsTheOptionsDiskProperties) {
  sim::SimOptions sim_options;
  sim_options.sector_size_bytes = 4096;
  sim_options.atomic_sector = false;
  EngineDisk disk(Backend::kSim, sim_options);
  SqliteVfsOptions options = VfsOptionsFor(disk, "walsim-device");
  options.sector_size_bytes = sim_options.sector_size_bytes;
  options.atomic_sector = sim_options.atomic_sector;
  SqliteVfs vfs(disk.fs(), options);
  ASSERT_TRUE(vfs.Register().ok());
  Db db(vfs, disk.root() + "/device.db");
  db.MustExec("CREATE TABLE t(k)");
  sqlite3_file* file = nullptr;
  ASSERT_EQ(sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_FILE_POINTER, &file), SQLITE_OK);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->pMethods->xDeviceCharacteristics(file), 0);
  EXPECT_EQ(file->pMethods->xSectorSize(file), 4096);
}

class SqliteVfsErrorTest : public ::testing::Test {
 protected:
  SqliteVfsErrorTest()
      : disk_(Backend::kSim), vfs_(disk_.fs(), VfsOptionsFor(disk_, "walsim-err")) {
    EXPECT_TRUE(vfs_.Register().ok());
    db_ = std::make_unique<Db>(vfs_, path_);
    db_->MustExec("PRAGMA journal_mode=TRUNCATE");
    db_->MustExec("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)");
    InsertRows(*db_, 0, 10);
  }
  ~SqliteVfsErrorTest() override { db_.reset(); }

  EngineDisk disk_;
  SqliteVfs vfs_;
  std::string path_ = disk_.root() + "/err.db";
  std::unique_ptr<Db> db_;
};

TEST_F(SqliteVfsErrorTest, WriteEioSurfacesAsSqliteIoerr) {
  disk_.sim()->InjectWriteEio(path_ + "-journal");
  const uint64_t errors_before = vfs_.error_count();
  const int rc = db_->Exec("UPDATE t SET v = zeroblob(100) WHERE k < 5");
  EXPECT_EQ(rc & 0xFF, SQLITE_IOERR) << rc;
  EXPECT_EQ(rc, SQLITE_IOERR_WRITE);
  EXPECT_EQ(vfs_.error_count(), errors_before + 1);
  EXPECT_TRUE(vfs_.last_error().Is(StatusCode::kIoError)) << vfs_.last_error().ToString();
  EXPECT_EQ(db_->Query("SELECT count(*) FROM t WHERE length(v) = 100"), "0");  // rolled back
}

TEST_F(SqliteVfsErrorTest, NoSpaceSurfacesAsSqliteFull) {
  disk_.sim()->InjectNoSpace(path_ + "-journal");
  EXPECT_EQ(db_->Exec("UPDATE t SET v = zeroblob(100) WHERE k < 5") & 0xFF, SQLITE_FULL);
  EXPECT_TRUE(vfs_.last_error().Is(StatusCode::kNoSpace)) << vfs_.last_error().ToString();
}

TEST_F(SqliteVfsErrorTest, SyncEioSurfacesAsSqliteIoerrFsync) {
  db_->MustExec("PRAGMA synchronous=FULL");
  disk_.sim()->InjectSyncEio(path_ + "-journal");
  EXPECT_EQ(db_->Exec("UPDATE t SET v = zeroblob(100) WHERE k < 5"), SQLITE_IOERR_FSYNC);
  EXPECT_TRUE(vfs_.last_error().Is(StatusCode::kIoError));
}

TEST_F(SqliteVfsErrorTest, ReadEioSurfacesAsSqliteIoerrRead) {
  db_->Close();
  disk_.sim()->InjectReadEio(path_);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, vfs_.name().c_str());
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(db, "SELECT count(*) FROM t", nullptr, nullptr, nullptr);
  }
  EXPECT_EQ(sqlite3_extended_errcode(db), SQLITE_IOERR_READ) << rc;
  EXPECT_EQ(rc & 0xFF, SQLITE_IOERR);
  EXPECT_TRUE(vfs_.last_error().Is(StatusCode::kIoError)) << vfs_.last_error().ToString();
  sqlite3_close(db);
}

TEST_F(SqliteVfsErrorTest, ShortReadZeroFillsAndSaysSo) {
  sqlite3_file* file = nullptr;
  ASSERT_EQ(sqlite3_file_control(db_->get(), "main", SQLITE_FCNTL_FILE_POINTER, &file), SQLITE_OK);
  sqlite3_int64 size = 0;
  ASSERT_EQ(file->pMethods->xFileSize(file, &size), SQLITE_OK);
  std::vector<char> buffer(64, 'x');
  EXPECT_EQ(file->pMethods->xRead(file, buffer.data(), 64, size - 16), SQLITE_IOERR_SHORT_READ);
  EXPECT_EQ(std::string(buffer.begin() + 16, buffer.end()), std::string(48, '\0'));
}

TEST(SqliteVfsRegistryTest, RegisterRefusesATakenNameAndTwice) {
  EngineDisk disk(Backend::kSim);
  SqliteVfs unix_named(disk.fs(), VfsOptionsFor(disk, "unix"));
  EXPECT_TRUE(unix_named.Register().Is(StatusCode::kAlreadyExists));
  SqliteVfs vfs(disk.fs(), VfsOptionsFor(disk, "walsim-registry"));
  ASSERT_TRUE(vfs.Register().ok());
  EXPECT_NE(sqlite3_vfs_find("walsim-registry"), nullptr);
  EXPECT_TRUE(vfs.Register().Is(StatusCode::kFailedPrecondition));
  ASSERT_TRUE(vfs.Unregister().ok());
  EXPECT_EQ(sqlite3_vfs_find("walsim-registry"), nullptr);
  EXPECT_TRUE(vfs.Unregister().Is(StatusCode::kFailedPrecondition));
}

TEST(SqliteVfsDeterminismTest, RandomnessAndClockFollowTheOptions) {
  EngineDisk disk(Backend::kSim);
  SqliteVfs a(disk.fs(), VfsOptionsFor(disk, "walsim-rand-a"));
  SqliteVfs b(disk.fs(), VfsOptionsFor(disk, "walsim-rand-b"));
  ASSERT_TRUE(a.Register().ok());
  ASSERT_TRUE(b.Register().ok());
  sqlite3_vfs* va = sqlite3_vfs_find("walsim-rand-a");
  sqlite3_vfs* vb = sqlite3_vfs_find("walsim-rand-b");
  std::array<char, 32> ra{}, rb{};
  EXPECT_EQ(va->xRandomness(va, 32, ra.data()), 32);
  EXPECT_EQ(vb->xRandomness(vb, 32, rb.data()), 32);
  EXPECT_EQ(ra, rb);
  sqlite3_int64 before = 0, after = 0;
  ASSERT_EQ(va->xCurrentTimeInt64(va, &before), SQLITE_OK);
  EXPECT_EQ(before, SqliteVfsOptions{}.clock_ms);
  EXPECT_EQ(va->xSleep(va, 2500000), 2500000);
  ASSERT_EQ(va->xCurrentTimeInt64(va, &after), SQLITE_OK);
  EXPECT_EQ(after - before, 2500);
}

}  // namespace
}  // namespace walsim::engines
