// WAL segment file names: "%016x-%016x.wal" (sequence, first raft index),
// lowercase hex, as etcd writes them; and selecting which files a reader needs.
//
// Invariant: a WAL directory's segments, in name order, have consecutive
// sequence numbers from the first one needed onward. Files that do not parse
// as segment names are ignored (".tmp" preallocation leftovers silently,
// anything else with a warning). Pure functions, except ListSegments, which
// reads the directory.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "fs/fs.h"
#include "wal/recovery.h"

namespace walsim::wal {

struct SegmentName {
  uint64_t seq = 0;
  uint64_t index = 0;  // first raft index the segment may hold
  std::string name;    // the file name
};

std::string FormatSegmentName(uint64_t seq, uint64_t index);
// nullopt unless name is exactly 16 lowercase hex digits, '-', 16, ".wal".
std::optional<SegmentName> ParseSegmentName(std::string_view name);

// The name of Repair's backup of the bytes it cut off segment_name from
// cut_offset on: "<segment_name>.<cut_offset in decimal>.broken"
// (docs/wal-format.md, "Repair").
std::string FormatBrokenName(std::string_view segment_name, uint64_t cut_offset);

// The segments in dir, in name order.
// Failure: kNotFound/kFileNotFound when dir is missing or holds no segment;
// fs errors otherwise.
// Each ignored file is recorded as RecoveryCase::kStrayFileIgnored in *report
// when given.
Result<std::vector<SegmentName>> ListSegments(fs::FileSystem& fs, std::string_view dir,
                                              spdlog::logger* logger,
                                              RecoveryReport* report = nullptr);

// etcd's searchIndex: the position of the last segment whose first index is
// <= index; nullopt when there is none.
std::optional<size_t> SearchIndex(const std::vector<SegmentName>& segments, uint64_t index);

// Returns the position of the first segment needed to read from snapshot
// index: kNotFound/kFileNotFound when no segment covers it,
// kCorruption/kSequenceGap when the segments from there on are not
// consecutive (a missing or out-of-sequence file: RecoveryCase kMissingFile or
// kOutOfSequenceFile, recorded in *report when given).
Result<size_t> SelectSegments(const std::vector<SegmentName>& segments, std::string_view dir,
                              uint64_t snapshot_index, RecoveryReport* report = nullptr);

// kCorruption/kSequenceGap (recorded as kMissingFile or kOutOfSequenceFile)
// unless segments[first..] have consecutive sequence numbers. Readers of
// every file (Repair, ValidSnapshotEntries) call it with first = 0.
// REQUIRES: first < segments.size().
[[nodiscard]] Status CheckSegmentSequence(const std::vector<SegmentName>& segments,
                                          std::string_view dir, size_t first,
                                          RecoveryReport* report);

}  // namespace walsim::wal
