#include "logstore/log_store.h"

#include <string>

namespace walsim::logstore {

std::string_view LogTypeName(LogType type) {
  switch (type) {
    case LogType::kCommand:
      return "Command";
    case LogType::kNoop:
      return "Noop";
    case LogType::kAddPeerDeprecated:
      return "AddPeerDeprecated";
    case LogType::kRemovePeerDeprecated:
      return "RemovePeerDeprecated";
    case LogType::kBarrier:
      return "Barrier";
    case LogType::kConfiguration:
      return "Configuration";
  }
  return "Unknown";
}

Status ValidateAppend(LogRange range, std::span<const Log> logs, uint64_t entry_size_bytes_max) {
  WALSIM_ASSERT(range.empty() ? range.first_index == 0 : range.first_index <= range.last_index);
  if (logs.empty()) return Status::Ok();
  uint64_t first_index = logs[0].index;
  if (first_index == 0) return Status::InvalidArgument("log index 0 is not a valid raft index");
  if (!range.empty() && first_index != range.last_index + 1) {
    return Status::InvalidArgument("log index " + std::to_string(first_index) +
                                   " does not continue the log (last index " +
                                   std::to_string(range.last_index) + ")");
  }
  if (first_index > UINT64_MAX - logs.size()) {
    return Status::InvalidArgument("log indexes overflow 64 bits");
  }
  for (size_t i = 0; i < logs.size(); i++) {
    const Log& log = logs[i];
    if (log.index != first_index + i) {
      return Status::InvalidArgument("batch is not contiguous: log " + std::to_string(i) +
                                     " has index " + std::to_string(log.index) + ", expected " +
                                     std::to_string(first_index + i));
    }
    if (!IsValidLogType(log.type)) {
      return Status::InvalidArgument("log index " + std::to_string(log.index) +
                                     " has unknown type " +
                                     std::to_string(static_cast<unsigned>(log.type)));
    }
    uint64_t size_bytes = uint64_t{log.data.size()} + log.extensions.size();
    if (size_bytes > entry_size_bytes_max) {
      return Status::InvalidArgument("log index " + std::to_string(log.index) + " is " +
                                     std::to_string(size_bytes) + " bytes, over the limit of " +
                                     std::to_string(entry_size_bytes_max));
    }
  }
  return Status::Ok();
}

DeleteKind ClassifyDelete(LogRange range, uint64_t min_index, uint64_t max_index) {
  if (range.empty() || min_index > max_index) return DeleteKind::kNoop;
  if (max_index < range.first_index || min_index > range.last_index) return DeleteKind::kNoop;
  bool covers_first = min_index <= range.first_index;
  bool covers_last = max_index >= range.last_index;
  if (covers_first && covers_last) return DeleteKind::kWhole;
  if (covers_first) return DeleteKind::kPrefix;
  if (covers_last) return DeleteKind::kSuffix;
  return DeleteKind::kMiddle;
}

LogRange RangeAfterDelete(LogRange range, DeleteKind kind, uint64_t min_index, uint64_t max_index) {
  WALSIM_ASSERT(kind != DeleteKind::kMiddle);
  switch (kind) {
    case DeleteKind::kNoop:
      return range;
    case DeleteKind::kWhole:
      return LogRange{};
    case DeleteKind::kPrefix:
      WALSIM_ASSERT(max_index < range.last_index);
      return LogRange{max_index + 1, range.last_index};
    case DeleteKind::kSuffix:
      WALSIM_ASSERT(min_index > range.first_index);
      return LogRange{range.first_index, min_index - 1};
    case DeleteKind::kMiddle:
      break;
  }
  WALSIM_UNREACHABLE();
}

Status MiddleDeleteError(LogRange range, uint64_t min_index, uint64_t max_index) {
  return Status::InvalidArgument(
      "DeleteRange(" + std::to_string(min_index) + ", " + std::to_string(max_index) +
      ") is in the middle of the log [" + std::to_string(range.first_index) + ", " +
      std::to_string(range.last_index) + "]: only a prefix or a suffix can be deleted");
}

}  // namespace walsim::logstore
