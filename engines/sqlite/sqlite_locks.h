// In-process lock and shared-memory tables behind SqliteVfs (internal).
//
// LockTable keeps, per database path, SQLite's five lock levels (NONE,
// SHARED, RESERVED, PENDING, EXCLUSIVE) for the files of one process, with
// the transitions of SQLite's locking protocol (sqlite3.h, "xLock"): many
// SHARED holders, at most one RESERVED, and EXCLUSIVE only once every other
// SHARED holder has left (PENDING keeps new readers out meanwhile).
// ShmTable keeps, per database path, the wal-index regions (heap memory,
// zero-filled when created) and the SQLITE_SHM_NLOCK shm locks. An entry
// lives while some file references it.
//
// Invariant: each table's counts equal what its holders hold; a holder is an
// opaque non-null pointer (the VFS file). Threading: none (one thread).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace walsim::engines::detail {

using Holder = const void*;

class LockTable {
 public:
  // Adds a reference to path's entry (a file opened on it).
  void Attach(const std::string& path);
  // Drops it. REQUIRES: holder holds no lock on path.
  void Detach(const std::string& path);
  // Raises holder's lock on path from *level to want (an SQLITE_LOCK_*
  // value); *level is updated even on SQLITE_BUSY (PENDING may be kept).
  // Returns SQLITE_OK or SQLITE_BUSY. REQUIRES: Attach(path) was called.
  int Lock(const std::string& path, Holder holder, int* level, int want);
  // Lowers holder's lock to want (SQLITE_LOCK_SHARED or SQLITE_LOCK_NONE).
  void Unlock(const std::string& path, Holder holder, int* level, int want);
  // True when some holder has RESERVED, PENDING or EXCLUSIVE on path.
  bool Reserved(const std::string& path) const;

 private:
  struct Entry {
    uint32_t refs = 0;
    uint32_t shared_count = 0;
    Holder reserved = nullptr;
    Holder pending = nullptr;
    Holder exclusive = nullptr;
  };
  std::map<std::string, Entry> entries_;
};

inline constexpr int kShmLockCount = 8;  // SQLITE_SHM_NLOCK
inline constexpr uint32_t kShmRegionCountMax = 1u << 16;

class ShmTable {
 public:
  // Maps region region_index (each region_size_bytes) of path's wal-index
  // for holder, attaching holder on first use. *region is nullptr when the
  // region does not exist and extend is false. Returns SQLITE_OK, or
  // SQLITE_IOERR_SHMSIZE past kShmRegionCountMax or on a size mismatch.
  int Map(const std::string& path, Holder holder, uint32_t region_index, uint32_t region_size_bytes,
          bool extend, void** region);
  // xShmLock: flags as SQLite's SQLITE_SHM_*. Returns SQLITE_OK or SQLITE_BUSY.
  int Lock(const std::string& path, Holder holder, int offset, int count, int flags);
  // Releases holder's shm locks and its reference; the regions are freed
  // when the last holder leaves. No-op for a holder that never mapped.
  void Unmap(const std::string& path, Holder holder);

 private:
  struct HolderLocks {
    uint32_t shared_mask = 0;
    uint32_t exclusive_mask = 0;
  };
  struct Entry {
    uint32_t region_size_bytes = 0;
    std::vector<std::unique_ptr<uint8_t[]>> regions;
    std::array<uint32_t, kShmLockCount> shared_counts{};
    std::array<Holder, kShmLockCount> exclusive{};
    std::map<Holder, HolderLocks> holders;
  };
  int LockRange(Entry& entry, Holder holder, int offset, int count, bool exclusive);
  std::map<std::string, Entry> entries_;
};

}  // namespace walsim::engines::detail
