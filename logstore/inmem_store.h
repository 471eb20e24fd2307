// InmemStore: the reference LogStore, kept entirely in memory.
//
// It implements the contract of logstore/log_store.h in the plainest way (a
// deque of copies) and is the model that the durable SegmentStore is checked
// against. It stores copies, never aliases: a caller may reuse its Log objects
// after StoreLogs returns. Nothing is durable; there is no Close.
// Thread-safe: every method takes an internal mutex.
#pragma once

#include <deque>
#include <mutex>

#include "logstore/log_store.h"

namespace walsim::logstore {

class InmemStore final : public LogStore {
 public:
  // entry_size_bytes_max bounds data + extensions of each log, like
  // SegmentStoreOptions::entry_size_bytes_max.
  explicit InmemStore(uint64_t entry_size_bytes_max = uint64_t{64} << 20)
      : entry_size_bytes_max_(entry_size_bytes_max) {}

  Result<uint64_t> FirstIndex() override;
  Result<uint64_t> LastIndex() override;
  Status GetLog(uint64_t index, Log* out) override;
  Status StoreLog(const Log& log) override;
  Status StoreLogs(std::span<const Log> logs) override;
  Status DeleteRange(uint64_t min_index, uint64_t max_index) override;
  bool IsMonotonic() const override { return true; }

 private:
  LogRange RangeLocked() const;

  const uint64_t entry_size_bytes_max_;
  std::mutex mutex_;
  // logs_[i].index == first_index_ + i.
  std::deque<Log> logs_;
  uint64_t first_index_ = 0;
};

}  // namespace walsim::logstore
