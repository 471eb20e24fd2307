// Value types of the etcd-compatible WAL: raft entries, HardState, snapshot
// markers, and the WalError subcodes that refine a Status.
//
// Entry, HardState and Snapshot mirror raftpb.Entry, raftpb.HardState and
// walpb.Snapshot field for field. A WAL failure is a Status whose code is the
// coarse answer (kCorruption, kNotFound, ...) and whose subcode() is a
// WalError naming the exact kind; WalErrorOf() reads it back. Plain values:
// not synchronized.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace walsim::wal {

enum class EntryType : uint8_t { kNormal = 0, kConfChange = 1, kConfChangeV2 = 2 };
inline constexpr uint8_t kEntryTypeMax = 2;

struct Entry {
  uint64_t term = 0;
  uint64_t index = 0;
  EntryType type = EntryType::kNormal;
  std::string data;
  friend bool operator==(const Entry&, const Entry&) = default;
};

struct HardState {
  uint64_t term = 0;
  uint64_t vote = 0;
  uint64_t commit = 0;
  // raft.IsEmptyHardState: all three fields zero.
  bool IsEmpty() const { return term == 0 && vote == 0 && commit == 0; }
  friend bool operator==(const HardState&, const HardState&) = default;
};

// walpb.Snapshot. conf_state is v3.5's optional raftpb.ConfState, kept as the
// raw encoded message (empty when absent) and written back unchanged.
struct Snapshot {
  uint64_t index = 0;
  uint64_t term = 0;
  std::string conf_state;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

struct ReadAllResult {
  std::string metadata;
  HardState hard_state;
  std::vector<Entry> entries;
};

// Distinct failure kinds, carried as Status::subcode() next to a coarse code.
enum class WalError : uint16_t {
  kNone = 0,
  kSnapshotNotFound,  // kNotFound: no snapshot record matches the requested one
  kMetadataConflict,  // kCorruption: two metadata records differ
  kSnapshotMismatch,  // kCorruption: the snapshot's index matches, its term does not
  kCrcMismatch,       // kCorruption: a record's CRC fails and it is not a torn write
  kTornTail,          // kCorruption: the last record of the last file is torn (repairable)
  kFileNotFound,      // kNotFound: no WAL file, or none covering the snapshot
  kSliceOutOfRange,   // kCorruption: an entry index leaves a gap
  kSequenceGap,       // kCorruption: a missing or out-of-sequence file
  kLocked,            // kBusy: another handle holds a file lock
  kFailedStop,        // kClosed: an earlier write or sync failed; reopen
  kMalformedRecord,   // kCorruption: framing or protobuf is invalid, or a tear mid-log
  kUnexpectedType,    // kCorruption: an unknown record type
};

// The WalError in status.subcode() (kNone for OK or a plain fs error).
inline WalError WalErrorOf(const Status& status) { return static_cast<WalError>(status.subcode()); }
// "crc mismatch", "torn tail", ...
std::string_view WalErrorName(WalError error);
// A Status with code, subcode and message.
inline Status WalStatus(StatusCode code, WalError error, std::string message) {
  return {code, std::move(message), static_cast<uint16_t>(error)};
}

}  // namespace walsim::wal
