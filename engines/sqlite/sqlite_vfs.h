// SqliteVfs: an sqlite3_vfs that runs an unmodified SQLite on any
// fs::FileSystem (PosixFs for a real disk, SimFs for the simulated one).
//
// What SQLite sees. Every file SQLite opens (main database, rollback
// journal, WAL, statement journals, temp files) is an fs::File. xSync maps
// SQLITE_SYNC_DATAONLY to File::SyncData and everything else to File::Sync;
// like os_unix.c, a journal or WAL opened with SQLITE_OPEN_CREATE also syncs
// its parent directory on its first xSync, and xDelete syncs the parent when
// SQLite passes dirSync (synchronous=EXTRA in DELETE mode). Unlike os_unix.c,
// a failed directory sync is returned (SQLITE_IOERR_DIR_FSYNC), never dropped.
// xSectorSize and xDeviceCharacteristics come from SqliteVfsOptions, which
// the caller fills from the disk's real properties: the adapter never claims
// more than the disk gives (see DeviceCharacteristics below).
//
// Errors. Every fs:: failure becomes an SQLite code (kNoSpace -> SQLITE_FULL,
// everything else the SQLITE_IOERR_<op> of the call); its Status is kept as
// last_error() and returned by xGetLastError, and error_count() counts them.
// Short reads zero-fill the rest of the buffer and return
// SQLITE_IOERR_SHORT_READ, as SQLite requires. Paths must be absolute and
// normal (fs::ValidatePath); anything else is SQLITE_CANTOPEN.
//
// Locking is for ONE PROCESS: the five SQLite lock levels are kept in a table
// inside this VFS, per path, so several connections of this process
// exclude each other correctly, but another process using the same files is
// NOT excluded (as SQLite's "unix-none" VFS). WAL mode works with any
// locking_mode: the wal-index (xShm*) lives in heap memory shared by this
// VFS's connections and is dropped when the last one closes; SQLite rebuilds
// it from the WAL on the next open, as after a crash.
//
// Determinism. xRandomness draws from a seeded Rng; xCurrentTime reads a
// counter the caller sets (clock_ms); xSleep advances that counter and
// returns at once. No wall clock, no thread. SQLite's own PRNG is process
// global and seeds itself from the DEFAULT VFS: a deterministic caller also
// calls SeedSqlitePrng.
//
// Threading: none. A SqliteVfs and every connection using it are used from
// one thread at a time (open connections with SQLITE_OPEN_NOMUTEX or
// serialize them). The FileSystem is the caller's and must outlive the VFS.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "base/rng.h"
#include "base/status.h"
#include "fs/fs.h"

namespace walsim::engines {

struct VfsCallbacks;  // sqlite_vfs.cc: the sqlite3 callbacks

struct SqliteVfsOptions {
  // The name connections pass to sqlite3_open_v2 (zVfs). REQUIRES: non-empty.
  std::string name = "walsim";
  // The disk's sector: the unit a crash may tear. SQLite is told
  // max(sector_size_bytes, 512): a larger sector only makes SQLite journal
  // more. REQUIRES: a power of two in [1, 65536].
  uint32_t sector_size_bytes = 512;
  // True only if the disk writes a whole aligned sector or nothing on power
  // loss. Then, for a sector of at least 512 bytes, the VFS claims
  // SQLITE_IOCAP_ATOMIC512 ... ATOMIC<sector>.
  bool atomic_sector = false;
  // True only if a crash never changes bytes outside the range a write
  // covered (SQLITE_IOCAP_POWERSAFE_OVERWRITE). False is always safe.
  bool powersafe_overwrite = false;
  // Where nameless temp files (SQLite passes zName == NULL) are created.
  // REQUIRES: an existing directory, absolute and normal.
  std::string temp_dir = "/tmp";
  // Seeds xRandomness.
  uint64_t random_seed = 0;
  // The initial xCurrentTimeInt64 value: milliseconds since the Julian
  // epoch. The default is 2000-01-01 00:00:00 UTC.
  int64_t clock_ms = int64_t{211813444800000};
};

// What the VFS tells SQLite about the disk: SQLITE_IOCAP_ATOMICnnn for every
// nnn in [512, sector_size_bytes] when atomic_sector, and
// SQLITE_IOCAP_POWERSAFE_OVERWRITE when powersafe_overwrite; never
// SQLITE_IOCAP_ATOMIC (any size), SAFE_APPEND, SEQUENTIAL, BATCH_ATOMIC,
// IMMUTABLE or UNDELETABLE_WHEN_OPEN. Pure.
int DeviceCharacteristics(const SqliteVfsOptions& options);
// What xSectorSize returns: max(sector_size_bytes, 512). Pure.
int SectorSize(const SqliteVfsOptions& options);

// Seeds SQLite's process-global PRNG (WAL salts, journal nonces, temp
// names) from seed through sqlite3_test_control(SQLITE_TESTCTRL_PRNG_SEED):
// afterwards the PRNG sequence is a function of seed alone. Affects every
// connection in the process.
void SeedSqlitePrng(uint32_t seed);

class SqliteVfs {
 public:
  // Does not register. REQUIRES: options valid (see SqliteVfsOptions).
  SqliteVfs(fs::FileSystem& fs, SqliteVfsOptions options);
  // Unregisters if registered. REQUIRES: no connection still uses the VFS.
  ~SqliteVfs();
  SqliteVfs(const SqliteVfs&) = delete;
  SqliteVfs& operator=(const SqliteVfs&) = delete;

  // Makes the VFS available under options.name (and the default VFS if
  // make_default). Failure: kAlreadyExists when another VFS holds the name,
  // kFailedPrecondition when already registered, kIoError when SQLite
  // refuses.
  [[nodiscard]] Status Register(bool make_default = false);
  // Failure: kFailedPrecondition when not registered, kIoError from SQLite.
  [[nodiscard]] Status Unregister();
  bool registered() const { return registered_; }

  const SqliteVfsOptions& options() const { return options_; }
  const std::string& name() const { return options_.name; }

  // The xCurrentTime clock, in Julian-day milliseconds.
  int64_t clock_ms() const { return clock_us_ / 1000; }
  void set_clock_ms(int64_t clock_ms) { clock_us_ = clock_ms * 1000; }

  // The most recent fs:: failure (OK if none) and how many there were.
  const Status& last_error() const { return last_error_; }
  uint64_t error_count() const { return error_count_; }
  // Files open through this VFS now.
  size_t open_file_count() const { return open_file_count_; }

  // Internal state shared with the sqlite3 callbacks (sqlite_vfs.cc).
  struct Internals;

 private:
  friend struct VfsCallbacks;

  fs::FileSystem& fs_;
  SqliteVfsOptions options_;
  sqlite3_vfs vfs_{};
  std::unique_ptr<Internals> internals_;
  Rng rng_;
  int64_t clock_us_;  // xSleep advances it by microseconds
  bool registered_ = false;
  Status last_error_;
  uint64_t error_count_ = 0;
  size_t open_file_count_ = 0;
  uint64_t temp_file_counter_ = 0;
};

}  // namespace walsim::engines
