// LogCache: a ring-buffer cache of recent entries in front of any LogStore.
//
// Like raft.LogCache, entry i lives in slot i % capacity_logs. Unlike
// raft.LogCache, a batch is cached only after the backing StoreLogs succeeds
// (so a failed or rejected batch can never be served from the cache), and
// every DeleteRange clears the whole cache before it reaches the backing
// store. Invariant: a cached entry equals the backing store's entry at the
// same index. Reads that miss go to the backing store; nothing read is cached.
// Slots keep their string capacity, so a warm cache copies without allocating.
// Thread-safe: an internal mutex serializes every method (the backing store is
// only called under it).
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "logstore/log_store.h"

namespace walsim::logstore {

class LogCache final : public LogStore {
 public:
  // REQUIRES: capacity_logs > 0; backing outlives the cache.
  LogCache(LogStore& backing, size_t capacity_logs);

  Result<uint64_t> FirstIndex() override;
  Result<uint64_t> LastIndex() override;
  // Served from the cache when present, else from the backing store.
  Status GetLog(uint64_t index, Log* out) override;
  Status StoreLog(const Log& log) override;
  // Forwards to the backing store; caches the logs only on success.
  Status StoreLogs(std::span<const Log> logs) override;
  // Clears the cache, then forwards.
  Status DeleteRange(uint64_t min_index, uint64_t max_index) override;
  bool IsMonotonic() const override { return backing_.IsMonotonic(); }

  size_t capacity_logs() const { return slots_.size(); }

 private:
  struct Slot {
    bool valid = false;
    Log log;
  };

  LogStore& backing_;
  std::mutex mutex_;
  std::vector<Slot> slots_;
};

}  // namespace walsim::logstore
