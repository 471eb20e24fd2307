#include "wal/names.h"

#include <cinttypes>
#include <cstdio>

#include "base/coding.h"
#include "fs/path.h"
#include "wal/record_format.h"
#include "wal/types.h"

namespace walsim::wal {

static_assert(kWalNameHexDigits == 16, "DecodeHex64 reads the 16 digits of %016x");

std::string FormatSegmentName(uint64_t seq, uint64_t index) {
  char name[kWalNameLength + 1];
  const int length =
      std::snprintf(name, sizeof(name), "%016" PRIx64 "-%016" PRIx64 ".wal", seq, index);
  WALSIM_ASSERT(length == static_cast<int>(kWalNameLength));
  return std::string(name, kWalNameLength);
}

std::optional<SegmentName> ParseSegmentName(std::string_view name) {
  if (name.size() != kWalNameLength || !name.ends_with(kWalSuffix)) return std::nullopt;
  if (name[kWalNameHexDigits] != '-') return std::nullopt;
  std::optional<uint64_t> seq = DecodeHex64(name.substr(0, kWalNameHexDigits));
  std::optional<uint64_t> index =
      DecodeHex64(name.substr(kWalNameHexDigits + 1, kWalNameHexDigits));
  if (!seq || !index) return std::nullopt;
  return SegmentName{*seq, *index, std::string(name)};
}

std::string FormatBrokenName(std::string_view segment_name, uint64_t cut_offset) {
  WALSIM_ASSERT(ParseSegmentName(segment_name).has_value());
  std::string name(segment_name);
  name += '.';
  name += std::to_string(cut_offset);
  name += kBrokenSuffix;
  return name;
}

Result<std::vector<SegmentName>> ListSegments(fs::FileSystem& fs, std::string_view dir,
                                              spdlog::logger* logger, RecoveryReport* report) {
  Result<std::vector<std::string>> names = fs.List(dir);
  if (!names.ok()) {
    if (names.status().Is(StatusCode::kNotFound)) {
      return WalStatus(StatusCode::kNotFound, WalError::kFileNotFound,
                       "wal directory " + std::string(dir) + " does not exist");
    }
    return names.status();
  }
  std::vector<SegmentName> segments;
  for (const std::string& name : *names) {
    std::optional<SegmentName> segment = ParseSegmentName(name);
    if (segment) {
      segments.push_back(std::move(*segment));
    } else {
      RecordCase(report, RecoveryCase::kStrayFileIgnored);
      if (!name.ends_with(kTmpSuffix) && logger != nullptr) {
        logger->warn("wal: ignored file {} in {}", name, dir);
      }
    }
  }
  if (segments.empty()) {
    return WalStatus(StatusCode::kNotFound, WalError::kFileNotFound,
                     "no wal file in " + std::string(dir));
  }
  return segments;
}

std::optional<size_t> SearchIndex(const std::vector<SegmentName>& segments, uint64_t index) {
  for (size_t i = segments.size(); i > 0; i--) {
    if (index >= segments[i - 1].index) return i - 1;
  }
  return std::nullopt;
}

Result<size_t> SelectSegments(const std::vector<SegmentName>& segments, std::string_view dir,
                              uint64_t snapshot_index, RecoveryReport* report) {
  WALSIM_ASSERT(!segments.empty());
  std::optional<size_t> first = SearchIndex(segments, snapshot_index);
  if (!first) {
    return WalStatus(StatusCode::kNotFound, WalError::kFileNotFound,
                     "no wal file in " + std::string(dir) + " covers snapshot index " +
                         std::to_string(snapshot_index) + " (first file is " +
                         segments.front().name + ")");
  }
  // A later file that starts below the first file's index is legal: a raft
  // overwrite of uncommitted entries reaching below the start of a later
  // file that was cut before it, whose earlier files were purged since
  // (names carry the last index + 1 at the cut). etcd's rule then holds:
  // read from the last file that starts at or below the snapshot
  // (SearchIndex), which holds the overwrite; the older files before it hold
  // only entries the overwrite superseded (reading them would resurrect a
  // stale entry past the snapshot: torture seed 9091).
  //
  // A later file that starts AT the first file's index after a file that
  // does not (not a run of Cuts with no entry between them) may be a copy of
  // the first file under a new sequence number, which SearchIndex could pick
  // and read alone; then read from the oldest file, so the copy breaks the
  // CRC chain. It may also be legal: an overwrite whose entries came back up
  // to the first file's index (torture seed 108275: files named 22, 15, 22).
  // Reading from the oldest file is safe only when it starts at or below the
  // snapshot: a file's entries start at or below its name's index and never
  // skip one, so the overwrite rule drops every entry up to the snapshot and
  // no superseded entry past it can leave a gap. A first file above the
  // snapshot comes before SearchIndex's pick and holds nothing a read from
  // the snapshot needs (seed 108275: its superseded entry 22, read from
  // snapshot 15, was a gap). SearchIndex never picks a copy of it (the copy
  // starts above the snapshot too), so the chain checks the copy.
  const uint64_t front_index = segments.front().index;
  for (size_t i = 1; i < segments.size() && front_index <= snapshot_index; i++) {
    const bool repeats_front =
        segments[i].index == front_index && segments[i - 1].index != front_index;
    if (repeats_front) *first = 0;
  }
  // Of files that start at the same index, read from the first: SearchIndex
  // picks the last, and a copy of an older file under a new sequence number
  // would then be read alone; read from the first, it breaks the CRC chain.
  while (*first > 0 && segments[*first - 1].index == segments[*first].index) --*first;
  WALSIM_RETURN_IF_ERROR(CheckSegmentSequence(segments, dir, *first, report));
  return *first;
}

Status CheckSegmentSequence(const std::vector<SegmentName>& segments, std::string_view dir,
                            size_t first, RecoveryReport* report) {
  WALSIM_ASSERT(first < segments.size());
  for (size_t i = first + 1; i < segments.size(); i++) {
    if (segments[i].seq != segments[i - 1].seq + 1) {
      RecordCase(report, segments[i].seq > segments[i - 1].seq + 1
                             ? RecoveryCase::kMissingFile
                             : RecoveryCase::kOutOfSequenceFile);
      return WalStatus(StatusCode::kCorruption, WalError::kSequenceGap,
                       "wal file " + fs::Join(dir, segments[i].name) + " follows " +
                           segments[i - 1].name + ": missing or out-of-sequence file");
    }
  }
  return Status::Ok();
}

}  // namespace walsim::wal
