// Helpers shared by the wal/ implementation files. Not part of the API.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "fs/fs.h"
#include "wal/names.h"
#include "wal/reader.h"
#include "wal/record.h"
#include "wal/wal.h"

namespace walsim::wal::internal {

inline std::shared_ptr<spdlog::logger> LoggerOf(const WalOptions& options) {
  return options.logger != nullptr ? options.logger : DefaultLogger();
}

inline DecoderOptions DecoderOptionsOf(const WalOptions& options) {
  DecoderOptions decoder;
  decoder.record_size_bytes_max = options.record_size_bytes_max;
  return decoder;
}

// Files opened read-only for a reader, in order.
struct OpenedFiles {
  std::vector<std::unique_ptr<fs::File>> handles;
  std::vector<ReadFile> files;
};
Result<OpenedFiles> OpenForReading(fs::FileSystem& fs, std::string_view dir,
                                   const std::vector<SegmentName>& segments, size_t first);

// What ReadAll accumulates from the records it visits: the one definition of
// ReadAll's rules (metadata conflict, snapshot match, raft's overwrite rule,
// gaps), which Verify applies too. With keep_entries false only the entry
// count is tracked, so Verify checks the same rules in constant memory.
struct Replay {
  Snapshot start;
  ReadAllResult result;
  bool have_metadata = false;
  bool snapshot_matched = false;
  uint64_t last_index = 0;
  bool keep_entries = true;
  // False for Repair, which reads from the oldest file and has no snapshot
  // to match: snapshot records are then only decoded.
  bool match_snapshot = true;
  uint64_t entry_count = 0;  // entries after start: result.entries.size() when kept
  Entry entry;               // decode buffer

  // Applies one record. Errors name the record's file and offset.
  Status Visit(const RecordView& record, const RecordPosition& position) {
    switch (static_cast<RecordType>(record.type)) {
      case RecordType::kEntry:
        return VisitEntry(record, position);
      case RecordType::kState:
        return InContext(DecodeHardState(record.data, &result.hard_state), position);
      case RecordType::kMetadata: {
        std::string_view data(reinterpret_cast<const char*>(record.data.data()),
                              record.data.size());
        if (have_metadata && data != result.metadata) {
          return WalStatus(StatusCode::kCorruption, WalError::kMetadataConflict,
                           Where(position) + ": metadata differs from the earlier metadata record");
        }
        result.metadata.assign(data);
        have_metadata = true;
        return Status::Ok();
      }
      case RecordType::kCrc:
        return Status::Ok();  // checked by ReadRecords
      case RecordType::kSnapshot:
        return VisitSnapshot(record, position);
    }
    return WalStatus(StatusCode::kCorruption, WalError::kUnexpectedType,
                     Where(position) + ": unexpected record type " + std::to_string(record.type));
  }

  Status VisitEntry(const RecordView& record, const RecordPosition& position) {
    WALSIM_RETURN_IF_ERROR(InContext(DecodeEntry(record.data, &entry), position));
    last_index = entry.index;
    if (entry.index <= start.index) {
      // An overwrite at or below the snapshot drops every entry after it too
      // (raft's rule). Only a read that starts before the overwrite sees one
      // here: a later file named below the first one (SelectSegments).
      entry_count = 0;
      if (keep_entries) result.entries.clear();
      return Status::Ok();
    }
    // raft's overwrite rule: the entry at index i lands at position
    // i - start - 1, dropping everything after it; past the end is a gap.
    const uint64_t entry_position = entry.index - start.index - 1;
    if (entry_position > entry_count) {
      return WalStatus(StatusCode::kCorruption, WalError::kSliceOutOfRange,
                       Where(position) + ": entry index " + std::to_string(entry.index) +
                           " leaves a gap after index " +
                           std::to_string(start.index + entry_count));
    }
    entry_count = entry_position + 1;
    if (keep_entries) {
      // The common case appends; an overwrite first drops the entries from
      // entry_position on.
      if (entry_position < result.entries.size()) result.entries.resize(entry_position);
      result.entries.push_back(std::move(entry));
      entry = Entry{};
      WALSIM_ASSERT(result.entries.size() == entry_count);
    }
    return Status::Ok();
  }

  Status VisitSnapshot(const RecordView& record, const RecordPosition& position) {
    Snapshot snap;
    WALSIM_RETURN_IF_ERROR(InContext(DecodeSnapshot(record.data, &snap), position));
    if (!match_snapshot || snap.index != start.index) return Status::Ok();
    if (snap.term != start.term) {
      return WalStatus(StatusCode::kCorruption, WalError::kSnapshotMismatch,
                       Where(position) + ": snapshot at index " + std::to_string(snap.index) +
                           " has term " + std::to_string(snap.term) + ", expected " +
                           std::to_string(start.term));
    }
    snapshot_matched = true;
    return Status::Ok();
  }

  static Status InContext(Status status, const RecordPosition& position) {
    if (status.ok()) return status;
    return status.WithContext(Where(position));
  }
};

// The log ended at a damaged frame before the snapshot record read from was
// found: the damage is the news (a malformed first frame would otherwise
// read as "no snapshot record at index 0 term 0").
inline Status NoSnapshotBeforeDamage(const Snapshot& snap, const ReadEnd& end) {
  return WalStatus(StatusCode::kCorruption, WalErrorOf(end.torn_status),
                   "no snapshot record at index " + std::to_string(snap.index) + " term " +
                       std::to_string(snap.term) +
                       " before the log ends at a damaged frame: " + end.torn_status.message());
}

// Removes path and, for a directory, everything under it (depth-bounded).
Status RemoveAll(fs::FileSystem& fs, const std::string& path);

}  // namespace walsim::wal::internal
