// Free functions over a WAL directory: Repair, Verify, ValidSnapshotEntries,
// PurgeSegments.
#include <algorithm>

#include "fs/path.h"
#include "wal/internal.h"
#include "wal/record.h"
#include "wal/wal.h"

namespace walsim::wal {
namespace {

// Checks a record's type and payload, as ReadAll would decode it.
Status ValidatePayload(const RecordView& record, const RecordPosition& position) {
  using internal::Replay;
  switch (static_cast<RecordType>(record.type)) {
    case RecordType::kEntry: {
      Entry entry;
      return Replay::InContext(DecodeEntry(record.data, &entry), position);
    }
    case RecordType::kState: {
      HardState state;
      return Replay::InContext(DecodeHardState(record.data, &state), position);
    }
    case RecordType::kSnapshot: {
      Snapshot snap;
      return Replay::InContext(DecodeSnapshot(record.data, &snap), position);
    }
    case RecordType::kMetadata:
    case RecordType::kCrc:
      return Status::Ok();
  }
  return WalStatus(StatusCode::kCorruption, WalError::kUnexpectedType,
                   Where(position) + ": unexpected record type " + std::to_string(record.type));
}

// Copies from's bytes from offset up to its last non-zero byte into to, at
// offset 0. Runs of zeros are left as holes (they read back as zeros), and
// the zeros after the last non-zero byte (a segment's unused preallocation)
// are not copied at all. Returns the bytes kept: the size of to.
Result<uint64_t> CopyToLastNonZeroByte(fs::File& from, fs::File& to, uint64_t offset) {
  WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, from.Size());
  WALSIM_ASSERT(offset <= size_bytes);
  std::vector<uint8_t> chunk(
      static_cast<size_t>(std::min<uint64_t>(size_bytes - offset, kTailCopyChunkBytes)));
  uint64_t kept_bytes = 0;
  // Each round reads at least one byte, so this is bounded by the file size.
  for (uint64_t position = offset; position < size_bytes;) {
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(chunk.size(), size_bytes - position));
    WALSIM_ASSIGN_OR_RETURN(size_t count, from.ReadAt(position, std::span(chunk.data(), want)));
    if (count == 0) return Status::IoError("short read at offset " + std::to_string(position));
    const std::span<const uint8_t> read(chunk.data(), count);
    const auto last_non_zero =
        std::find_if(read.rbegin(), read.rend(), [](uint8_t byte) { return byte != 0; });
    const auto used = static_cast<size_t>(read.rend() - last_non_zero);
    if (used > 0) {
      WALSIM_RETURN_IF_ERROR(to.WriteAt(position - offset, read.first(used)));
      kept_bytes = position - offset + used;
    }
    position += count;
  }
  return kept_bytes;
}

// Saves what Repair is about to cut off from (the bytes from offset on, up
// to the last non-zero one) in a new file at backup_path, synced, and returns
// their count. Only those bytes: a copy of the whole preallocated segment, as
// etcd keeps, needs a segment of free space, and a nearly full disk then
// cannot be repaired at all (torture seed 70102). On failure the partial
// backup is removed (best effort: it is only a stray file) and from is
// unchanged.
Result<uint64_t> BackUpCutBytes(fs::FileSystem& fs, fs::File& from, uint64_t offset,
                                const std::string& backup_path) {
  WALSIM_ASSIGN_OR_RETURN(auto backup, fs.Open(backup_path, {.create = true, .truncate = true}));
  Result<uint64_t> kept = CopyToLastNonZeroByte(from, *backup, offset);
  Status status = kept.status();
  if (status.ok()) status = backup->Sync();
  Status closed = backup->Close();
  if (status.ok()) status = closed;
  if (status.ok()) return kept;
  (void)fs.Remove(backup_path);
  return status;
}

}  // namespace

Result<bool> Repair(fs::FileSystem& fs, std::string_view dir, const WalOptions& options) {
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(dir));
  auto logger = internal::LoggerOf(options);
  WALSIM_ASSIGN_OR_RETURN(std::vector<SegmentName> segments,
                          ListSegments(fs, dir, logger.get(), options.recovery_report));
  // Repair reads every file, so every file must be in sequence.
  WALSIM_RETURN_IF_ERROR(CheckSegmentSequence(segments, dir, 0, options.recovery_report));
  const size_t first = 0;
  const std::string last_path = fs::Join(dir, segments.back().name);
  Result<std::unique_ptr<fs::FileLock>> lock = fs.Lock(last_path);
  if (!lock.ok()) {
    if (!lock.status().Is(StatusCode::kBusy)) return lock.status();
    return WalStatus(StatusCode::kBusy, WalError::kLocked,
                     "cannot repair: " + last_path + " is locked by an open wal");
  }
  WALSIM_ASSIGN_OR_RETURN(internal::OpenedFiles opened,
                          internal::OpenForReading(fs, dir, segments, first));
  ReadEnd end;
  // Mid-log damage fails here: a repair only ever drops a torn tail. The
  // records are checked by ReadAll's rules (a record whose type byte was
  // damaged shows up as a gap or a metadata conflict), from the oldest file.
  internal::Replay replay;
  replay.start.index = segments[first].index;
  replay.keep_entries = false;
  replay.match_snapshot = false;
  Status read = ReadRecords(
      opened.files, internal::DecoderOptionsOf(options),
      [&](const RecordView& record, const RecordPosition& position) {
        return replay.Visit(record, position);
      },
      &end, options.recovery_report);
  WALSIM_RETURN_IF_ERROR(read);
  if (!end.torn) return false;
  logger->info("wal: repairing {}", end.torn_status.message());
  fs::File* last = opened.files.back().file;
  const uint64_t cut_offset = end.last_valid_offset;
  const std::string broken_path = fs::Join(dir, FormatBrokenName(segments.back().name, cut_offset));
  Result<uint64_t> kept = BackUpCutBytes(fs, *last, cut_offset, broken_path);
  if (!kept.ok()) {
    return kept.status().WithContext("backing up the bytes after offset " +
                                     std::to_string(cut_offset) + " of " + last_path + " to " +
                                     broken_path + " (nothing was cut)");
  }
  // The backup's directory entry is durable before the original is cut.
  WALSIM_RETURN_IF_ERROR(fs.SyncDir(dir).WithContext("syncing the backup of " + last_path));
  WALSIM_ASSIGN_OR_RETURN(auto writable, fs.Open(last_path, {}));
  WALSIM_RETURN_IF_ERROR(writable->Truncate(end.last_valid_offset));
  WALSIM_RETURN_IF_ERROR(writable->Sync());
  WALSIM_RETURN_IF_ERROR(writable->Close());
  WALSIM_RETURN_IF_ERROR(fs.SyncDir(dir));
  logger->info(
      "wal: repaired {}: truncated to {} bytes (the {} bytes cut, up to the last "
      "non-zero one, are in {})",
      last_path, cut_offset, *kept, broken_path);
  return true;
}

Result<HardState> Verify(fs::FileSystem& fs, std::string_view dir, const Snapshot& snap,
                         const WalOptions& options) {
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(dir));
  auto logger = internal::LoggerOf(options);
  WALSIM_ASSIGN_OR_RETURN(std::vector<SegmentName> segments,
                          ListSegments(fs, dir, logger.get(), options.recovery_report));
  WALSIM_ASSIGN_OR_RETURN(size_t first,
                          SelectSegments(segments, dir, snap.index, options.recovery_report));
  WALSIM_ASSIGN_OR_RETURN(internal::OpenedFiles opened,
                          internal::OpenForReading(fs, dir, segments, first));
  internal::Replay replay;
  replay.start = snap;
  replay.keep_entries = false;
  ReadEnd end;
  WALSIM_RETURN_IF_ERROR(ReadRecords(
      opened.files, internal::DecoderOptionsOf(options),
      [&](const RecordView& record, const RecordPosition& position) {
        return replay.Visit(record, position);
      },
      &end, options.recovery_report));
  if (!replay.snapshot_matched && end.torn) return internal::NoSnapshotBeforeDamage(snap, end);
  if (!replay.snapshot_matched) {
    return WalStatus(StatusCode::kNotFound, WalError::kSnapshotNotFound,
                     "wal " + std::string(dir) + ": no snapshot record at index " +
                         std::to_string(snap.index) + " term " + std::to_string(snap.term));
  }
  return replay.result.hard_state;
}

Result<std::vector<Snapshot>> ValidSnapshotEntries(fs::FileSystem& fs, std::string_view dir,
                                                   const WalOptions& options) {
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(dir));
  auto logger = internal::LoggerOf(options);
  WALSIM_ASSIGN_OR_RETURN(std::vector<SegmentName> segments,
                          ListSegments(fs, dir, logger.get(), options.recovery_report));
  // Every file is read, so every file must be in sequence: a missing one is
  // named as such rather than found later as a broken CRC chain.
  WALSIM_RETURN_IF_ERROR(CheckSegmentSequence(segments, dir, 0, options.recovery_report));
  const size_t first = 0;
  WALSIM_ASSIGN_OR_RETURN(internal::OpenedFiles opened,
                          internal::OpenForReading(fs, dir, segments, first));
  std::vector<Snapshot> snaps;
  HardState state;
  ReadEnd end;
  Status read = ReadRecords(
      opened.files, internal::DecoderOptionsOf(options),
      [&](const RecordView& record, const RecordPosition& position) -> Status {
        WALSIM_RETURN_IF_ERROR(ValidatePayload(record, position));
        const auto type = static_cast<RecordType>(record.type);
        if (type == RecordType::kState) return DecodeHardState(record.data, &state);
        if (type == RecordType::kSnapshot) {
          snaps.emplace_back();
          return DecodeSnapshot(record.data, &snaps.back());
        }
        return Status::Ok();
      },
      &end, options.recovery_report);
  WALSIM_RETURN_IF_ERROR(read);
  // A snapshot newer than the committed HardState may never have been
  // applied (etcd saves the snapshot record before the HardState).
  std::erase_if(snaps, [&](const Snapshot& s) { return s.index > state.commit; });
  return snaps;
}

Status PurgeSegments(fs::FileSystem& fs, std::string_view dir, size_t keep_count,
                     std::vector<std::string>* removed) {
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(dir));
  WALSIM_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.List(dir));
  std::vector<std::string> segments;
  for (const std::string& name : names) {
    if (ParseSegmentName(name)) segments.push_back(name);
  }
  bool any_removed = false;
  for (size_t i = 0; i + keep_count < segments.size(); i++) {
    const std::string path = fs::Join(dir, segments[i]);
    // A file a Wal still holds locked may be needed; stop at the first one.
    Result<std::unique_ptr<fs::FileLock>> lock = fs.Lock(path);
    if (!lock.ok()) {
      if (lock.status().Is(StatusCode::kBusy)) break;
      return lock.status();
    }
    WALSIM_RETURN_IF_ERROR(fs.Remove(path));
    (void)(*lock)->Unlock();
    any_removed = true;
    if (removed != nullptr) removed->push_back(segments[i]);
  }
  if (!any_removed) return Status::Ok();
  return fs.SyncDir(dir);
}

}  // namespace walsim::wal
