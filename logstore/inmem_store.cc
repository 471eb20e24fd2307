#include "logstore/inmem_store.h"

#include <string>

namespace walsim::logstore {

LogRange InmemStore::RangeLocked() const {
  if (logs_.empty()) return LogRange{};
  WALSIM_ASSERT(logs_.front().index == first_index_);
  return LogRange{first_index_, first_index_ + logs_.size() - 1};
}

Result<uint64_t> InmemStore::FirstIndex() {
  std::lock_guard lock(mutex_);
  return RangeLocked().first_index;
}

Result<uint64_t> InmemStore::LastIndex() {
  std::lock_guard lock(mutex_);
  return RangeLocked().last_index;
}

Status InmemStore::GetLog(uint64_t index, Log* out) {
  WALSIM_ASSERT(out != nullptr);
  std::lock_guard lock(mutex_);
  LogRange range = RangeLocked();
  if (range.empty() || index < range.first_index || index > range.last_index) {
    return Status::NotFound("log index " + std::to_string(index) + " not found");
  }
  *out = logs_[index - first_index_];
  WALSIM_ASSERT(out->index == index);
  return Status::Ok();
}

Status InmemStore::StoreLog(const Log& log) { return StoreLogs(std::span<const Log>(&log, 1)); }

Status InmemStore::StoreLogs(std::span<const Log> logs) {
  std::lock_guard lock(mutex_);
  LogRange range = RangeLocked();
  WALSIM_RETURN_IF_ERROR(ValidateAppend(range, logs, entry_size_bytes_max_));
  if (logs.empty()) return Status::Ok();
  if (range.empty()) first_index_ = logs[0].index;
  logs_.insert(logs_.end(), logs.begin(), logs.end());
  WALSIM_ASSERT(logs_.back().index == first_index_ + logs_.size() - 1);
  return Status::Ok();
}

Status InmemStore::DeleteRange(uint64_t min_index, uint64_t max_index) {
  std::lock_guard lock(mutex_);
  LogRange range = RangeLocked();
  DeleteKind kind = ClassifyDelete(range, min_index, max_index);
  if (kind == DeleteKind::kMiddle) return MiddleDeleteError(range, min_index, max_index);
  LogRange after = RangeAfterDelete(range, kind, min_index, max_index);
  if (after.empty()) {
    logs_.clear();
    first_index_ = 0;
    return Status::Ok();
  }
  // Bounded by the log's length.
  while (logs_.front().index < after.first_index) logs_.pop_front();
  while (logs_.back().index > after.last_index) logs_.pop_back();
  first_index_ = after.first_index;
  WALSIM_ASSERT(RangeLocked().last_index == after.last_index);
  return Status::Ok();
}

}  // namespace walsim::logstore
