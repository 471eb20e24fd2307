#include "logstore/log_cache.h"

namespace walsim::logstore {

LogCache::LogCache(LogStore& backing, size_t capacity_logs)
    : backing_(backing), slots_(capacity_logs) {
  WALSIM_ASSERT(capacity_logs > 0);
}

Result<uint64_t> LogCache::FirstIndex() {
  std::lock_guard lock(mutex_);
  return backing_.FirstIndex();
}

Result<uint64_t> LogCache::LastIndex() {
  std::lock_guard lock(mutex_);
  return backing_.LastIndex();
}

Status LogCache::GetLog(uint64_t index, Log* out) {
  WALSIM_ASSERT(out != nullptr);
  std::lock_guard lock(mutex_);
  const Slot& slot = slots_[index % slots_.size()];
  if (slot.valid && slot.log.index == index) {
    *out = slot.log;
    return Status::Ok();
  }
  return backing_.GetLog(index, out);
}

Status LogCache::StoreLog(const Log& log) { return StoreLogs(std::span<const Log>(&log, 1)); }

Status LogCache::StoreLogs(std::span<const Log> logs) {
  std::lock_guard lock(mutex_);
  WALSIM_RETURN_IF_ERROR(backing_.StoreLogs(logs));
  // Only the last capacity_logs entries can survive in the ring.
  size_t skip_count = logs.size() > slots_.size() ? logs.size() - slots_.size() : 0;
  for (const Log& log : logs.subspan(skip_count)) {
    Slot& slot = slots_[log.index % slots_.size()];
    slot.log = log;
    slot.valid = true;
  }
  return Status::Ok();
}

Status LogCache::DeleteRange(uint64_t min_index, uint64_t max_index) {
  std::lock_guard lock(mutex_);
  for (Slot& slot : slots_) slot.valid = false;
  return backing_.DeleteRange(min_index, max_index);
}

}  // namespace walsim::logstore
