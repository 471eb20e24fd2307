#include "engines/sqlite/sqlite_vfs.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>

#include "base/assert.h"
#include "engines/sqlite/sqlite_locks.h"
#include "fs/path.h"

namespace walsim::engines {

// What the sqlite3 callbacks share: the VFS object and its tables.
struct SqliteVfs::Internals {
  detail::LockTable locks;
  detail::ShmTable shm;
};

namespace {

constexpr int kPathnameBytesMax = 1024;  // mxPathname
constexpr int kSqliteSectorBytesMin = 512;

// One open file: what SQLite's sqlite3_file slot points at.
struct OpenFile {
  SqliteVfs* vfs = nullptr;
  std::unique_ptr<fs::File> file;
  std::string path;
  std::string db_path;  // the lock/shm key: the file's own path
  bool delete_on_close = false;
  bool dir_sync_pending = false;  // os_unix.c's UNIXFILE_DIRSYNC
  bool shm_mapped = false;
  int lock_level = SQLITE_LOCK_NONE;
};

// The memory SQLite allocates per file (szOsFile): the base first, as SQLite
// requires, then our pointer.
struct FileSlot {
  sqlite3_file base;
  OpenFile* open;
};

OpenFile& Open(sqlite3_file* file) {
  auto* slot = reinterpret_cast<FileSlot*>(file);
  WALSIM_ASSERT(slot->open != nullptr);
  return *slot->open;
}

}  // namespace

// The sqlite3_vfs and sqlite3_io_methods callbacks. A struct so that it can
// be SqliteVfs's friend; every member is a static C-compatible function.
struct VfsCallbacks {
  static SqliteVfs& Vfs(sqlite3_vfs* vfs) { return *static_cast<SqliteVfs*>(vfs->pAppData); }

  // Records an fs:: failure and returns the SQLite code for it.
  static int Fail(SqliteVfs& vfs, const Status& status, int io_code) {
    WALSIM_ASSERT(!status.ok());
    vfs.last_error_ = status;
    vfs.error_count_++;
    return status.Is(StatusCode::kNoSpace) ? SQLITE_FULL : io_code;
  }

  // --- sqlite3_io_methods ---
  static int Close(sqlite3_file* file) {
    auto* slot = reinterpret_cast<FileSlot*>(file);
    std::unique_ptr<OpenFile> open(slot->open);
    slot->open = nullptr;
    SqliteVfs& vfs = *open->vfs;
    int rc = SQLITE_OK;
    if (open->shm_mapped) vfs.internals_->shm.Unmap(open->db_path, open.get());
    vfs.internals_->locks.Unlock(open->db_path, open.get(), &open->lock_level, SQLITE_LOCK_NONE);
    vfs.internals_->locks.Detach(open->db_path);
    if (Status s = open->file->Close(); !s.ok()) rc = Fail(vfs, s, SQLITE_IOERR_CLOSE);
    if (open->delete_on_close) {
      if (Status s = vfs.fs_.Remove(open->path); !s.ok()) rc = Fail(vfs, s, SQLITE_IOERR_DELETE);
    }
    vfs.open_file_count_--;
    return rc;
  }

  static int Read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
    OpenFile& open = Open(file);
    WALSIM_ASSERT(amount >= 0 && offset >= 0);
    std::span<uint8_t> dst(static_cast<uint8_t*>(buffer), static_cast<size_t>(amount));
    Result<size_t> got = open.file->ReadAt(static_cast<uint64_t>(offset), dst);
    if (!got.ok()) return Fail(*open.vfs, got.status(), SQLITE_IOERR_READ);
    WALSIM_ASSERT(*got <= dst.size());
    if (*got < dst.size()) {
      // SQLite relies on the unread tail being zeros (sqlite3.h, xRead).
      std::fill(dst.begin() + static_cast<ptrdiff_t>(*got), dst.end(), uint8_t{0});
      return SQLITE_IOERR_SHORT_READ;
    }
    return SQLITE_OK;
  }

  static int Write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
    OpenFile& open = Open(file);
    WALSIM_ASSERT(amount >= 0 && offset >= 0);
    std::span<const uint8_t> data(static_cast<const uint8_t*>(buffer), static_cast<size_t>(amount));
    Status s = open.file->WriteAt(static_cast<uint64_t>(offset), data);
    return s.ok() ? SQLITE_OK : Fail(*open.vfs, s, SQLITE_IOERR_WRITE);
  }

  static int Truncate(sqlite3_file* file, sqlite3_int64 size_bytes) {
    OpenFile& open = Open(file);
    WALSIM_ASSERT(size_bytes >= 0);
    Status s = open.file->Truncate(static_cast<uint64_t>(size_bytes));
    return s.ok() ? SQLITE_OK : Fail(*open.vfs, s, SQLITE_IOERR_TRUNCATE);
  }

  static int Sync(sqlite3_file* file, int flags) {
    OpenFile& open = Open(file);
    const bool data_only = (flags & SQLITE_SYNC_DATAONLY) != 0;
    Status s = data_only ? open.file->SyncData() : open.file->Sync();
    if (!s.ok()) return Fail(*open.vfs, s, SQLITE_IOERR_FSYNC);
    if (open.dir_sync_pending) {
      // A newly created journal or WAL: its directory entry must be durable
      // before SQLite relies on the file (os_unix.c, unixSync). Kept pending
      // on failure, so the next sync retries it.
      Status d = open.vfs->fs_.SyncDir(fs::Dirname(open.path));
      if (!d.ok()) return Fail(*open.vfs, d, SQLITE_IOERR_DIR_FSYNC);
      open.dir_sync_pending = false;
    }
    return SQLITE_OK;
  }

  static int FileSize(sqlite3_file* file, sqlite3_int64* size_bytes) {
    OpenFile& open = Open(file);
    Result<uint64_t> size = open.file->Size();
    if (!size.ok()) return Fail(*open.vfs, size.status(), SQLITE_IOERR_FSTAT);
    *size_bytes = static_cast<sqlite3_int64>(*size);
    return SQLITE_OK;
  }

  static int Lock(sqlite3_file* file, int level) {
    OpenFile& open = Open(file);
    return open.vfs->internals_->locks.Lock(open.db_path, &open, &open.lock_level, level);
  }

  static int Unlock(sqlite3_file* file, int level) {
    OpenFile& open = Open(file);
    open.vfs->internals_->locks.Unlock(open.db_path, &open, &open.lock_level, level);
    return SQLITE_OK;
  }

  static int CheckReservedLock(sqlite3_file* file, int* reserved) {
    OpenFile& open = Open(file);
    *reserved = open.vfs->internals_->locks.Reserved(open.db_path) ? 1 : 0;
    return SQLITE_OK;
  }

  static int FileControl(sqlite3_file* file, int op, void* arg) {
    OpenFile& open = Open(file);
    switch (op) {
      case SQLITE_FCNTL_LOCKSTATE:
        *static_cast<int*>(arg) = open.lock_level;
        return SQLITE_OK;
      case SQLITE_FCNTL_VFSNAME:
        *static_cast<char**>(arg) = sqlite3_mprintf("%s", open.vfs->name().c_str());
        return SQLITE_OK;
      default:
        return SQLITE_NOTFOUND;
    }
  }

  static int SectorSize(sqlite3_file* file) {
    return engines::SectorSize(Open(file).vfs->options_);
  }

  static int DeviceCharacteristics(sqlite3_file* file) {
    return engines::DeviceCharacteristics(Open(file).vfs->options_);
  }

  static int ShmMap(sqlite3_file* file, int region_index, int region_size_bytes, int extend,
                    void volatile** region) {
    OpenFile& open = Open(file);
    WALSIM_ASSERT(region_index >= 0 && region_size_bytes > 0);
    open.shm_mapped = true;
    void* mapped = nullptr;
    const int rc = open.vfs->internals_->shm.Map(
        open.db_path, &open, static_cast<uint32_t>(region_index),
        static_cast<uint32_t>(region_size_bytes), extend != 0, &mapped);
    *region = mapped;
    return rc;
  }

  static int ShmLock(sqlite3_file* file, int offset, int count, int flags) {
    OpenFile& open = Open(file);
    WALSIM_ASSERT(open.shm_mapped);
    return open.vfs->internals_->shm.Lock(open.db_path, &open, offset, count, flags);
  }

  static void ShmBarrier(sqlite3_file* /*file*/) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }

  static int ShmUnmap(sqlite3_file* file, int /*delete_flag*/) {
    OpenFile& open = Open(file);
    if (open.shm_mapped) open.vfs->internals_->shm.Unmap(open.db_path, &open);
    open.shm_mapped = false;
    return SQLITE_OK;
  }

  static const sqlite3_io_methods kIoMethods;

  // --- sqlite3_vfs ---
  static std::string TempPath(SqliteVfs& vfs) {
    vfs.temp_file_counter_++;
    return fs::Join(vfs.options_.temp_dir,
                    "walsim-sqlite-" + std::to_string(vfs.temp_file_counter_) + ".tmp");
  }

  static int OpenFileCallback(sqlite3_vfs* raw, const char* name, sqlite3_file* file, int flags,
                              int* out_flags) {
    SqliteVfs& vfs = Vfs(raw);
    auto* slot = reinterpret_cast<FileSlot*>(file);
    slot->base.pMethods = nullptr;  // SQLite calls xClose only when this is set
    slot->open = nullptr;
    auto open = std::make_unique<OpenFile>();
    open->vfs = &vfs;
    open->path = name != nullptr ? std::string(name) : TempPath(vfs);
    open->delete_on_close = name == nullptr || (flags & SQLITE_OPEN_DELETEONCLOSE) != 0;
    if (Status s = fs::ValidatePath(open->path); !s.ok()) return Fail(vfs, s, SQLITE_CANTOPEN);
    const bool create = name == nullptr || (flags & SQLITE_OPEN_CREATE) != 0;
    const int type = flags & 0x0FFFFF00;  // the SQLITE_OPEN_<file type> bits
    const bool journal =
        (type & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL | SQLITE_OPEN_WAL)) != 0;
    open->dir_sync_pending = create && journal;
    fs::OpenOptions options;
    options.create = create;
    options.exclusive = (flags & SQLITE_OPEN_EXCLUSIVE) != 0;
    options.read_only = (flags & SQLITE_OPEN_READONLY) != 0;
    Result<std::unique_ptr<fs::File>> opened = vfs.fs_.Open(open->path, options);
    if (!opened.ok()) return Fail(vfs, opened.status(), SQLITE_CANTOPEN);
    open->file = std::move(opened).value();
    open->db_path = open->path;
    vfs.internals_->locks.Attach(open->db_path);
    vfs.open_file_count_++;
    slot->open = open.release();
    slot->base.pMethods = &kIoMethods;
    if (out_flags != nullptr) *out_flags = flags;
    return SQLITE_OK;
  }

  static int Delete(sqlite3_vfs* raw, const char* name, int sync_dir) {
    SqliteVfs& vfs = Vfs(raw);
    Status s = vfs.fs_.Remove(name);
    if (s.Is(StatusCode::kNotFound)) return SQLITE_IOERR_DELETE_NOENT;  // as os_unix.c
    if (!s.ok()) return Fail(vfs, s, SQLITE_IOERR_DELETE);
    if (sync_dir != 0) {
      Status d = vfs.fs_.SyncDir(fs::Dirname(name));
      if (!d.ok()) return Fail(vfs, d, SQLITE_IOERR_DIR_FSYNC);
    }
    return SQLITE_OK;
  }

  static int Access(sqlite3_vfs* raw, const char* name, int /*flags*/, int* result) {
    SqliteVfs& vfs = Vfs(raw);
    *result = 0;
    Result<fs::FileInfo> info = vfs.fs_.Stat(name);
    if (!info.ok()) {
      if (info.status().Is(StatusCode::kNotFound)) return SQLITE_OK;
      if (info.status().Is(StatusCode::kInvalidArgument)) return SQLITE_OK;
      return Fail(vfs, info.status(), SQLITE_IOERR_ACCESS);
    }
    // As os_unix.c: an empty regular file does not "exist", so a zero-length
    // journal (TRUNCATE mode) is never taken for a hot one.
    *result = (info->is_directory || info->size_bytes > 0) ? 1 : 0;
    return SQLITE_OK;
  }

  static int FullPathname(sqlite3_vfs* raw, const char* name, int out_bytes, char* out) {
    SqliteVfs& vfs = Vfs(raw);
    const std::string_view path(name);
    if (Status s = fs::ValidatePath(path); !s.ok()) return Fail(vfs, s, SQLITE_CANTOPEN);
    if (path.size() + 1 > static_cast<size_t>(out_bytes)) return SQLITE_CANTOPEN;
    std::memcpy(out, path.data(), path.size());
    out[path.size()] = '\0';
    return SQLITE_OK;
  }

  static void* DlOpen(sqlite3_vfs* /*vfs*/, const char* /*name*/) { return nullptr; }
  static void DlError(sqlite3_vfs* /*vfs*/, int out_bytes, char* out) {
    sqlite3_snprintf(out_bytes, out, "walsim VFS: loadable extensions are not supported");
  }
  static void (*DlSym(sqlite3_vfs* /*vfs*/, void* /*handle*/, const char* /*symbol*/))(void) {
    return nullptr;
  }
  static void DlClose(sqlite3_vfs* /*vfs*/, void* /*handle*/) {}

  static int Randomness(sqlite3_vfs* raw, int out_bytes, char* out) {
    SqliteVfs& vfs = Vfs(raw);
    WALSIM_ASSERT(out_bytes >= 0);
    vfs.rng_.Fill(
        std::span<uint8_t>(reinterpret_cast<uint8_t*>(out), static_cast<size_t>(out_bytes)));
    return out_bytes;
  }

  static int Sleep(sqlite3_vfs* raw, int micros) {
    SqliteVfs& vfs = Vfs(raw);
    vfs.clock_us_ += std::max(micros, 0);
    return micros;
  }

  static int CurrentTime(sqlite3_vfs* raw, double* julian_days) {
    *julian_days = static_cast<double>(Vfs(raw).clock_ms()) / 86400000.0;
    return SQLITE_OK;
  }

  static int CurrentTimeInt64(sqlite3_vfs* raw, sqlite3_int64* julian_ms) {
    *julian_ms = Vfs(raw).clock_ms();
    return SQLITE_OK;
  }

  static int GetLastError(sqlite3_vfs* raw, int out_bytes, char* out) {
    SqliteVfs& vfs = Vfs(raw);
    if (out_bytes > 0) sqlite3_snprintf(out_bytes, out, "%s", vfs.last_error_.ToString().c_str());
    return vfs.last_error_.ok() ? 0 : static_cast<int>(vfs.last_error_.code());
  }
};

const sqlite3_io_methods VfsCallbacks::kIoMethods = {
    2,  // iVersion: with xShm*, without xFetch (no mmap)
    &VfsCallbacks::Close,
    &VfsCallbacks::Read,
    &VfsCallbacks::Write,
    &VfsCallbacks::Truncate,
    &VfsCallbacks::Sync,
    &VfsCallbacks::FileSize,
    &VfsCallbacks::Lock,
    &VfsCallbacks::Unlock,
    &VfsCallbacks::CheckReservedLock,
    &VfsCallbacks::FileControl,
    &VfsCallbacks::SectorSize,
    &VfsCallbacks::DeviceCharacteristics,
    &VfsCallbacks::ShmMap,
    &VfsCallbacks::ShmLock,
    &VfsCallbacks::ShmBarrier,
    &VfsCallbacks::ShmUnmap,
    nullptr,
    nullptr,
};

int DeviceCharacteristics(const SqliteVfsOptions& options) {
  int flags = 0;
  if (options.atomic_sector) {
    // SQLITE_IOCAP_ATOMIC512 is 0x2 and each next size doubles both the
    // block and the flag, up to ATOMIC64K (0x100).
    int flag = SQLITE_IOCAP_ATOMIC512;
    for (uint32_t block_bytes = 512;
         block_bytes <= options.sector_size_bytes && flag <= SQLITE_IOCAP_ATOMIC64K;
         block_bytes *= 2, flag <<= 1) {
      flags |= flag;
    }
  }
  if (options.powersafe_overwrite) flags |= SQLITE_IOCAP_POWERSAFE_OVERWRITE;
  return flags;
}

int SectorSize(const SqliteVfsOptions& options) {
  return std::max(static_cast<int>(options.sector_size_bytes), kSqliteSectorBytesMin);
}

void SeedSqlitePrng(uint32_t seed) {
  // A zero seed means "use the VFS" to SQLite; keep every seed deterministic.
  const int effective = static_cast<int>(seed == 0 ? 1u : seed);
  sqlite3_test_control(SQLITE_TESTCTRL_PRNG_SEED, effective, static_cast<sqlite3*>(nullptr));
}

SqliteVfs::SqliteVfs(fs::FileSystem& fs, SqliteVfsOptions options)
    : fs_(fs),
      options_(std::move(options)),
      internals_(std::make_unique<Internals>()),
      rng_(Rng(options_.random_seed).Stream("engines/sqlite/randomness")),
      clock_us_(options_.clock_ms * 1000) {
  WALSIM_ASSERT(!options_.name.empty());
  WALSIM_ASSERT(options_.sector_size_bytes >= 1 && options_.sector_size_bytes <= 65536 &&
                (options_.sector_size_bytes & (options_.sector_size_bytes - 1)) == 0);
  WALSIM_ASSERT(fs::ValidatePath(options_.temp_dir).ok());
  vfs_.iVersion = 2;
  vfs_.szOsFile = static_cast<int>(sizeof(FileSlot));
  vfs_.mxPathname = kPathnameBytesMax;
  vfs_.zName = options_.name.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = &VfsCallbacks::OpenFileCallback;
  vfs_.xDelete = &VfsCallbacks::Delete;
  vfs_.xAccess = &VfsCallbacks::Access;
  vfs_.xFullPathname = &VfsCallbacks::FullPathname;
  vfs_.xDlOpen = &VfsCallbacks::DlOpen;
  vfs_.xDlError = &VfsCallbacks::DlError;
  vfs_.xDlSym = &VfsCallbacks::DlSym;
  vfs_.xDlClose = &VfsCallbacks::DlClose;
  vfs_.xRandomness = &VfsCallbacks::Randomness;
  vfs_.xSleep = &VfsCallbacks::Sleep;
  vfs_.xCurrentTime = &VfsCallbacks::CurrentTime;
  vfs_.xGetLastError = &VfsCallbacks::GetLastError;
  vfs_.xCurrentTimeInt64 = &VfsCallbacks::CurrentTimeInt64;
}

SqliteVfs::~SqliteVfs() {
  WALSIM_ASSERT_MSG(open_file_count_ == 0, "SqliteVfs destroyed with files still open");
  if (registered_) sqlite3_vfs_unregister(&vfs_);
}

Status SqliteVfs::Register(bool make_default) {
  if (registered_) return Status::FailedPrecondition("sqlite vfs " + name() + ": registered");
  if (sqlite3_initialize() != SQLITE_OK) return Status::IoError("sqlite3_initialize failed");
  if (sqlite3_vfs_find(name().c_str()) != nullptr) {
    return Status::AlreadyExists("sqlite vfs " + name() + ": another VFS has this name");
  }
  if (sqlite3_vfs_register(&vfs_, make_default ? 1 : 0) != SQLITE_OK) {
    return Status::IoError("sqlite vfs " + name() + ": sqlite3_vfs_register failed");
  }
  registered_ = true;
  return Status::Ok();
}

Status SqliteVfs::Unregister() {
  if (!registered_) return Status::FailedPrecondition("sqlite vfs " + name() + ": not registered");
  if (sqlite3_vfs_unregister(&vfs_) != SQLITE_OK) {
    return Status::IoError("sqlite vfs " + name() + ": sqlite3_vfs_unregister failed");
  }
  registered_ = false;
  return Status::Ok();
}

}  // namespace walsim::engines
