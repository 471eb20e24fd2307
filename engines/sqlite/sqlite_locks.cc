#include "engines/sqlite/sqlite_locks.h"

#include <sqlite3.h>

#include "base/assert.h"

namespace walsim::engines::detail {

void LockTable::Attach(const std::string& path) { entries_[path].refs++; }

void LockTable::Detach(const std::string& path) {
  auto it = entries_.find(path);
  WALSIM_ASSERT(it != entries_.end() && it->second.refs > 0);
  if (--it->second.refs == 0) {
    WALSIM_ASSERT(it->second.shared_count == 0 && it->second.reserved == nullptr &&
                  it->second.pending == nullptr && it->second.exclusive == nullptr);
    entries_.erase(it);
  }
}

int LockTable::Lock(const std::string& path, Holder holder, int* level, int want) {
  auto it = entries_.find(path);
  WALSIM_ASSERT(it != entries_.end());
  Entry& entry = it->second;
  if (*level >= want) return SQLITE_OK;
  if (want == SQLITE_LOCK_SHARED) {
    WALSIM_ASSERT(*level == SQLITE_LOCK_NONE);
    if (entry.pending != nullptr || entry.exclusive != nullptr) return SQLITE_BUSY;
    entry.shared_count++;
    *level = SQLITE_LOCK_SHARED;
    return SQLITE_OK;
  }
  // RESERVED, PENDING and EXCLUSIVE all require SHARED first (sqlite3.h).
  WALSIM_ASSERT(*level >= SQLITE_LOCK_SHARED);
  if (want == SQLITE_LOCK_RESERVED) {
    if (entry.reserved != nullptr || entry.pending != nullptr) return SQLITE_BUSY;
    entry.reserved = holder;
    *level = SQLITE_LOCK_RESERVED;
    return SQLITE_OK;
  }
  WALSIM_ASSERT(want == SQLITE_LOCK_EXCLUSIVE || want == SQLITE_LOCK_PENDING);
  if (entry.pending != nullptr && entry.pending != holder) return SQLITE_BUSY;
  if (entry.reserved != nullptr && entry.reserved != holder) return SQLITE_BUSY;
  entry.pending = holder;
  *level = SQLITE_LOCK_PENDING;
  if (want == SQLITE_LOCK_PENDING) return SQLITE_OK;
  if (entry.shared_count > 1) return SQLITE_BUSY;  // readers still in: keep PENDING
  entry.exclusive = holder;
  *level = SQLITE_LOCK_EXCLUSIVE;
  return SQLITE_OK;
}

void LockTable::Unlock(const std::string& path, Holder holder, int* level, int want) {
  auto it = entries_.find(path);
  WALSIM_ASSERT(it != entries_.end());
  WALSIM_ASSERT(want == SQLITE_LOCK_SHARED || want == SQLITE_LOCK_NONE);
  Entry& entry = it->second;
  if (*level <= want) return;
  if (*level > SQLITE_LOCK_SHARED) {
    if (entry.reserved == holder) entry.reserved = nullptr;
    if (entry.pending == holder) entry.pending = nullptr;
    if (entry.exclusive == holder) entry.exclusive = nullptr;
  }
  if (want == SQLITE_LOCK_NONE) {
    WALSIM_ASSERT(entry.shared_count > 0);
    entry.shared_count--;
  }
  *level = want;
}

bool LockTable::Reserved(const std::string& path) const {
  auto it = entries_.find(path);
  if (it == entries_.end()) return false;
  const Entry& entry = it->second;
  return entry.reserved != nullptr || entry.pending != nullptr || entry.exclusive != nullptr;
}

int ShmTable::Map(const std::string& path, Holder holder, uint32_t region_index,
                  uint32_t region_size_bytes, bool extend, void** region) {
  WALSIM_ASSERT(region_size_bytes > 0);
  Entry& entry = entries_[path];
  entry.holders.try_emplace(holder);
  if (entry.region_size_bytes == 0) entry.region_size_bytes = region_size_bytes;
  if (entry.region_size_bytes != region_size_bytes || region_index >= kShmRegionCountMax) {
    *region = nullptr;
    return SQLITE_IOERR_SHMSIZE;
  }
  if (region_index >= entry.regions.size()) {
    if (!extend) {
      *region = nullptr;
      return SQLITE_OK;
    }
    while (entry.regions.size() <= region_index) {
      entry.regions.push_back(std::make_unique<uint8_t[]>(region_size_bytes));  // zeroed
    }
  }
  *region = entry.regions[region_index].get();
  return SQLITE_OK;
}

int ShmTable::Lock(const std::string& path, Holder holder, int offset, int count, int flags) {
  WALSIM_ASSERT(offset >= 0 && count >= 1 && offset + count <= kShmLockCount);
  auto it = entries_.find(path);
  WALSIM_ASSERT(it != entries_.end());
  Entry& entry = it->second;
  if ((flags & SQLITE_SHM_UNLOCK) != 0) {
    HolderLocks& mine = entry.holders[holder];
    for (int i = offset; i < offset + count; i++) {
      const uint32_t bit = 1u << i;
      if ((mine.exclusive_mask & bit) != 0) entry.exclusive[i] = nullptr;
      if ((mine.shared_mask & bit) != 0) entry.shared_counts[i]--;
      mine.exclusive_mask &= ~bit;
      mine.shared_mask &= ~bit;
    }
    return SQLITE_OK;
  }
  return LockRange(entry, holder, offset, count, (flags & SQLITE_SHM_EXCLUSIVE) != 0);
}

int ShmTable::LockRange(Entry& entry, Holder holder, int offset, int count, bool exclusive) {
  HolderLocks& mine = entry.holders[holder];
  for (int i = offset; i < offset + count; i++) {
    const uint32_t bit = 1u << i;
    if (entry.exclusive[i] != nullptr && entry.exclusive[i] != holder) return SQLITE_BUSY;
    const uint32_t others_shared = entry.shared_counts[i] - ((mine.shared_mask & bit) ? 1 : 0);
    if (exclusive && others_shared > 0) return SQLITE_BUSY;
  }
  for (int i = offset; i < offset + count; i++) {
    const uint32_t bit = 1u << i;
    if (exclusive) {
      entry.exclusive[i] = holder;
      mine.exclusive_mask |= bit;
    } else if ((mine.shared_mask & bit) == 0) {
      entry.shared_counts[i]++;
      mine.shared_mask |= bit;
    }
  }
  return SQLITE_OK;
}

void ShmTable::Unmap(const std::string& path, Holder holder) {
  auto it = entries_.find(path);
  if (it == entries_.end()) return;
  Entry& entry = it->second;
  auto mine = entry.holders.find(holder);
  if (mine == entry.holders.end()) return;
  for (int i = 0; i < kShmLockCount; i++) {
    const uint32_t bit = 1u << i;
    if ((mine->second.exclusive_mask & bit) != 0) entry.exclusive[i] = nullptr;
    if ((mine->second.shared_mask & bit) != 0) entry.shared_counts[i]--;
  }
  entry.holders.erase(mine);
  if (entry.holders.empty()) entries_.erase(it);
}

}  // namespace walsim::engines::detail
