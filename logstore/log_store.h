// The raft LogStore contract (HashiCorp raft's `LogStore`), shared by every
// store in logstore/: InmemStore (the reference), SegmentStore (durable) and
// LogCache (a cache in front of either).
//
// A store holds one contiguous run of log entries [FirstIndex, LastIndex], or
// nothing (both 0). Invariant of every implementation: indexes are contiguous
// and never 0; an empty store accepts any first index; appends continue at
// LastIndex + 1; deletes remove a prefix or a suffix, never a middle.
// The free functions below are the single definition of these rules, so the
// stores cannot disagree about them.
//
// Thread-safety: each implementation states its own (all of walsim's are
// internally synchronized). Log is a plain value type.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace walsim::logstore {

// raft.LogType, same numeric values.
enum class LogType : uint8_t {
  kCommand = 0,
  kNoop = 1,
  kAddPeerDeprecated = 2,
  kRemovePeerDeprecated = 3,
  kBarrier = 4,
  kConfiguration = 5,
};
inline constexpr uint8_t kLogTypeMax = 5;

// "Command", "Noop", "AddPeerDeprecated", "RemovePeerDeprecated", "Barrier",
// "Configuration"; "Unknown" for a value outside the enum.
std::string_view LogTypeName(LogType type);

// True when type is one of the six values above.
inline bool IsValidLogType(LogType type) { return static_cast<uint8_t>(type) <= kLogTypeMax; }

// raft.Log. appended_at_unix_ns is stored and returned as given (the store
// never reads a clock).
struct Log {
  uint64_t index = 0;
  uint64_t term = 0;
  LogType type = LogType::kCommand;
  std::string data;
  std::string extensions;
  int64_t appended_at_unix_ns = 0;

  friend bool operator==(const Log&, const Log&) = default;
};

class LogStore {
 public:
  virtual ~LogStore() = default;

  // The index of the first entry, 0 when empty. Failure: kClosed.
  virtual Result<uint64_t> FirstIndex() = 0;
  // The index of the last entry, 0 when empty. Failure: kClosed.
  virtual Result<uint64_t> LastIndex() = 0;

  // Copies the entry at index into *out.
  // Failure: kNotFound when index is outside [FirstIndex, LastIndex] (the
  //   distinct code raft tests for); kCorruption when stored bytes fail their
  //   checksum (never returns bad bytes); kIoError; kClosed.
  // REQUIRES: out != nullptr.
  virtual Status GetLog(uint64_t index, Log* out) = 0;

  // StoreLogs of one entry.
  virtual Status StoreLog(const Log& log) = 0;

  // Appends logs, which must continue the log: logs[i].index ==
  // logs[0].index + i, and logs[0].index == LastIndex() + 1 unless the store is
  // empty (then any index but 0). Durable stores make the batch durable before
  // returning OK, and all-or-nothing across a crash.
  // Failure: kInvalidArgument (index 0, a gap, an overlap, an unknown type, an
  //   entry over the size limit) with nothing stored; kIoError/kNoSpace (the
  //   store then fails stop, see each implementation); kClosed.
  //   An empty span is a no-op.
  virtual Status StoreLogs(std::span<const Log> logs) = 0;

  // Deletes the entries in [min_index, max_index] (inclusive). The range must
  // cover a prefix (min_index <= FirstIndex) or a suffix (max_index >=
  // LastIndex) of the log, or the whole log; a range that misses the log (or
  // min_index > max_index) is a no-op. Durable stores make the deletion
  // durable and atomic before returning OK.
  // Failure: kInvalidArgument for a middle range (nothing deleted); kIoError,
  //   kNoSpace; kClosed.
  virtual Status DeleteRange(uint64_t min_index, uint64_t max_index) = 0;

  // True: every store here keeps indexes contiguous (raft's MonotonicLogStore).
  virtual bool IsMonotonic() const = 0;
};

// ---- The contract, as pure functions over (first, last) --------------------

// The bounds of a store's log: both 0 when empty, else 1 <= first <= last.
struct LogRange {
  uint64_t first_index = 0;
  uint64_t last_index = 0;
  bool empty() const { return last_index == 0; }
};

// OK when logs may be appended to a store holding range (see StoreLogs);
// otherwise kInvalidArgument naming the first offending log.
// entry_size_bytes_max bounds data + extensions of each log.
Status ValidateAppend(LogRange range, std::span<const Log> logs, uint64_t entry_size_bytes_max);

enum class DeleteKind : uint8_t {
  kNoop,    // the range misses the log
  kWhole,   // the range covers the whole log: the store becomes empty
  kPrefix,  // first becomes max_index + 1
  kSuffix,  // last becomes min_index - 1
  kMiddle,  // not allowed
};
DeleteKind ClassifyDelete(LogRange range, uint64_t min_index, uint64_t max_index);

// The range after applying a delete of the given kind. REQUIRES: kind is not kMiddle.
LogRange RangeAfterDelete(LogRange range, DeleteKind kind, uint64_t min_index, uint64_t max_index);

// The status DeleteRange returns for kMiddle.
Status MiddleDeleteError(LogRange range, uint64_t min_index, uint64_t max_index);

}  // namespace walsim::logstore
