// Wal: creating, opening, reading and closing. Writing is in wal_write.cc.
#include "wal/wal.h"

#include <algorithm>

#include "base/coding.h"
#include "base/log.h"
#include "fs/path.h"
#include "wal/internal.h"
#include "wal/reader.h"
#include "wal/record.h"

namespace walsim::wal {

Wal::Wal(fs::FileSystem& fs, std::string dir, const WalOptions& options)
    : fs_(fs), dir_(std::move(dir)), options_(options), logger_(internal::LoggerOf(options)) {}

Wal::~Wal() {
  if (stage_ != Stage::kClosed) (void)Close();
}

Status Wal::ValidateOptions(const WalOptions& options) {
  if (options.segment_size_bytes == 0) return Status::InvalidArgument("segment_size_bytes is 0");
  if (options.record_size_bytes_max < kPageBytes ||
      options.record_size_bytes_max > kFrameLengthMask) {
    return Status::InvalidArgument("record_size_bytes_max out of range");
  }
  if (options.metadata_size_bytes_max > options.record_size_bytes_max - kRecordHeaderBytesMax) {
    return Status::InvalidArgument("metadata_size_bytes_max exceeds the record limit");
  }
  return Status::Ok();
}

fs::AllocateMode Wal::SegmentAllocateMode() const {
  // Zeros written over a preallocated segment spare every later fdatasync an
  // extent conversion (docs/wal-format.md, "Preallocation"). Without syncs
  // there is nothing to spare, and the zeros would only cost.
  return options_.no_sync ? fs::AllocateMode::kExtendSize : fs::AllocateMode::kZeroFill;
}

bool Exists(fs::FileSystem& fs, std::string_view dir) {
  Result<std::vector<std::string>> names = fs.List(dir);
  if (!names.ok()) return false;
  for (const std::string& name : *names) {
    if (name.ends_with(kWalSuffix)) return true;
  }
  return false;
}

namespace {
// Create replaces dir by renaming a finished "<dir>.tmp" over it, so dir
// must be absent or an empty directory: anything else is the user's, and is
// never deleted. One List, as etcd's Exist check (no extra operation in a
// simulated run's trace).
Status CheckCreateTarget(fs::FileSystem& fs, std::string_view dir) {
  Result<std::vector<std::string>> names = fs.List(dir);
  if (!names.ok()) {
    if (names.status().Is(StatusCode::kNotFound)) return Status::Ok();
    Result<fs::FileInfo> info = fs.Stat(dir);
    if (info.ok() && !info->is_directory) {
      return Status::AlreadyExists(std::string(dir) + " exists and is not a directory");
    }
    return Status::AlreadyExists(
        std::string(dir) +
        " exists and cannot be listed as a directory: " + names.status().ToString());
  }
  for (const std::string& name : *names) {
    if (name.ends_with(kWalSuffix))
      return Status::AlreadyExists("a wal exists in " + std::string(dir));
  }
  if (!names->empty()) {
    return Status::AlreadyExists(std::string(dir) + " holds " + std::to_string(names->size()) +
                                 " files that are not a wal (first: " + names->front() + ")");
  }
  return Status::Ok();
}
}  // namespace

Status Wal::CreateInTmp(const std::string& tmp_dir, std::string_view metadata) {
  const std::string path = fs::Join(tmp_dir, FormatSegmentName(0, 0));
  WALSIM_ASSIGN_OR_RETURN(auto file, fs_.Open(path, {.create = true, .exclusive = true}));
  WALSIM_RETURN_IF_ERROR(file->Allocate(0, options_.segment_size_bytes, SegmentAllocateMode())
                             .WithContext("preallocating " + path));
  // etcd's Create: crc(0), metadata, an empty snapshot; then sync.
  encoder_.Reset(file.get(), 0, 0);
  WALSIM_RETURN_IF_ERROR(encoder_.AppendCrcRecord(0));
  WALSIM_RETURN_IF_ERROR(encoder_.AppendRecord(RecordType::kMetadata, AsBytes(metadata)));
  WALSIM_RETURN_IF_ERROR(encoder_.AppendSnapshot(Snapshot{}));
  WALSIM_RETURN_IF_ERROR(encoder_.Flush());
  if (!options_.no_sync) WALSIM_RETURN_IF_ERROR(file->SyncData());
  WALSIM_RETURN_IF_ERROR(file->Close());
  // The file's entry must be durable in the directory before the directory
  // is renamed into place.
  return fs_.SyncDir(tmp_dir);
}

Result<std::unique_ptr<Wal>> Wal::Create(fs::FileSystem& fs, std::string_view dir,
                                         std::string_view metadata, const WalOptions& options) {
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(dir));
  WALSIM_RETURN_IF_ERROR(ValidateOptions(options));
  if (dir == "/") return Status::InvalidArgument("the wal directory cannot be /");
  if (metadata.size() > options.metadata_size_bytes_max) {
    return Status::InvalidArgument("metadata of " + std::to_string(metadata.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(options.metadata_size_bytes_max));
  }
  WALSIM_RETURN_IF_ERROR(CheckCreateTarget(fs, dir));
  const std::string tmp_dir = std::string(dir) + std::string(kTmpSuffix);
  if (fs.Stat(tmp_dir).ok()) WALSIM_RETURN_IF_ERROR(internal::RemoveAll(fs, tmp_dir));
  WALSIM_RETURN_IF_ERROR(fs.MkDir(tmp_dir));
  std::unique_ptr<Wal> wal(new Wal(fs, std::string(dir), options));
  Status created = wal->CreateInTmp(tmp_dir, metadata);
  if (!created.ok()) {
    (void)internal::RemoveAll(fs, tmp_dir);
    return created.WithContext("creating wal in " + tmp_dir);
  }
  if (fs.Stat(dir).ok()) WALSIM_RETURN_IF_ERROR(internal::RemoveAll(fs, std::string(dir)));
  WALSIM_RETURN_IF_ERROR(fs.Rename(tmp_dir, dir));
  Status synced = fs.SyncDir(fs::Dirname(dir));
  if (!synced.ok()) {
    // The rename may or may not be durable: move the WAL aside so that no
    // one builds on it (etcd's cleanupWAL).
    (void)fs.Rename(dir, std::string(dir) + std::string(kBrokenSuffix));
    return synced.WithContext("syncing the parent of " + std::string(dir));
  }
  SegmentName name{0, 0, FormatSegmentName(0, 0)};
  const std::string path = fs::Join(dir, name.name);
  WALSIM_ASSIGN_OR_RETURN(auto lock, fs.Lock(path));
  WALSIM_ASSIGN_OR_RETURN(wal->tail_, fs.Open(path, {}));
  wal->encoder_.Reset(wal->tail_.get(), wal->encoder_.offset(), wal->encoder_.crc());
  wal->segments_.push_back(Segment{std::move(name), std::move(lock), nullptr});
  wal->write_mode_ = true;
  wal->metadata_ = std::string(metadata);
  wal->stage_ = Stage::kAppend;
  wal->pipeline_ = std::make_unique<SegmentPipeline>(fs, wal->dir_, options.segment_size_bytes,
                                                     wal->SegmentAllocateMode(), options.executor);
  wal->pipeline_->Prepare();
  return wal;
}

Result<std::unique_ptr<Wal>> Wal::OpenAt(fs::FileSystem& fs, std::string_view dir,
                                         const Snapshot& snap, const WalOptions& options,
                                         bool write) {
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(dir));
  WALSIM_RETURN_IF_ERROR(ValidateOptions(options));
  std::unique_ptr<Wal> wal(new Wal(fs, std::string(dir), options));
  WALSIM_ASSIGN_OR_RETURN(std::vector<SegmentName> names,
                          ListSegments(fs, dir, wal->logger_.get(), options.recovery_report));
  WALSIM_ASSIGN_OR_RETURN(size_t first,
                          SelectSegments(names, dir, snap.index, options.recovery_report));
  for (size_t i = first; i < names.size(); i++) {
    const std::string path = fs::Join(dir, names[i].name);
    Segment segment{names[i], nullptr, nullptr};
    if (write) {
      Result<std::unique_ptr<fs::FileLock>> lock = fs.Lock(path);
      if (!lock.ok()) {
        if (!lock.status().Is(StatusCode::kBusy)) return lock.status();
        return WalStatus(StatusCode::kBusy, WalError::kLocked,
                         "wal file " + path + " is locked by another handle");
      }
      segment.lock = std::move(lock).value();
    }
    const bool writable = write && i + 1 == names.size();
    WALSIM_ASSIGN_OR_RETURN(segment.file, fs.Open(path, {.read_only = !writable}));
    wal->segments_.push_back(std::move(segment));
  }
  wal->write_mode_ = write;
  wal->start_ = snap;
  return wal;
}

Result<std::unique_ptr<Wal>> Wal::Open(fs::FileSystem& fs, std::string_view dir,
                                       const Snapshot& snap, const WalOptions& options) {
  return OpenAt(fs, dir, snap, options, /*write=*/true);
}

Result<std::unique_ptr<Wal>> Wal::OpenForRead(fs::FileSystem& fs, std::string_view dir,
                                              const Snapshot& snap, const WalOptions& options) {
  return OpenAt(fs, dir, snap, options, /*write=*/false);
}

namespace {

// ReadAll pushes entries one at a time. Growing by doubling touches (and so
// faults in) about twice the final vector and copies it log2(n) times. Once
// kEntriesSampleCountMin entries show how densely the files hold entries,
// the vector is reserved for the whole run of files at that density, taking
// each file not yet read to be a full segment (no file is asked its size
// early: that would add filesystem operations to every ReadAll's trace). The
// estimate runs high when the last segment is preallocated: the unused part of
// a reservation costs address space, not memory, as its pages are never
// touched. Each reservation grows the vector by 1.5x to 8x, so pushes stay
// amortized O(1) and no reservation is more than 8x what is in use.
constexpr size_t kEntriesSampleCountMin = 4096;
constexpr size_t kEntriesGrowthFactorMax = 8;

void ReserveEntries(std::vector<Entry>* entries, const RecordPosition& position, size_t file_count,
                    uint64_t segment_size_bytes) {
  const size_t count = entries->size();
  if (count < entries->capacity() || count < kEntriesSampleCountMin) return;
  WALSIM_ASSERT(position.file_position < file_count && position.offset < position.file_size_bytes);
  const uint64_t read_bytes = position.earlier_files_bytes + position.offset + 1;
  const uint64_t later_files_bytes = (file_count - position.file_position - 1) *
                                     std::max(segment_size_bytes, position.file_size_bytes);
  const uint64_t total_bytes =
      position.earlier_files_bytes + position.file_size_bytes + later_files_bytes;
  // Bounded in floating point first, so the conversion below is defined.
  const double estimate = std::min(static_cast<double>(count) * static_cast<double>(total_bytes) /
                                       static_cast<double>(read_bytes),
                                   static_cast<double>(count * kEntriesGrowthFactorMax));
  const auto capacity = std::clamp<size_t>(static_cast<size_t>(estimate) + count / 16,
                                           count + count / 2, count * kEntriesGrowthFactorMax);
  entries->reserve(capacity);
  WALSIM_ASSERT(entries->capacity() > count);
}

}  // namespace

Result<ReadAllResult> Wal::ReadAll() {
  if (stage_ != Stage::kNeedsReadAll) {
    return Status::FailedPrecondition("wal " + dir_ + ": ReadAll is only valid once, after Open");
  }
  WALSIM_ASSERT(!segments_.empty());
  stage_ = Stage::kFailed;  // until it succeeds
  failure_ = Status::FailedPrecondition("ReadAll did not succeed");
  std::vector<ReadFile> files;
  for (Segment& segment : segments_) {
    files.push_back(ReadFile{segment.file.get(), fs::Join(dir_, segment.name.name)});
  }
  internal::Replay replay;
  replay.start = start_;
  ReadEnd end;
  WALSIM_RETURN_IF_ERROR(ReadRecords(
      files, internal::DecoderOptionsOf(options_),
      [&](const RecordView& record, const RecordPosition& position) {
        if (record.type == static_cast<int64_t>(RecordType::kEntry)) {
          ReserveEntries(&replay.result.entries, position, files.size(),
                         options_.segment_size_bytes);
        }
        return replay.Visit(record, position);
      },
      &end, options_.recovery_report));
  if (end.torn && write_mode_) return end.torn_status;  // etcd: repair first
  if (!replay.snapshot_matched && end.torn) return internal::NoSnapshotBeforeDamage(start_, end);
  if (!replay.snapshot_matched) {
    return WalStatus(StatusCode::kNotFound, WalError::kSnapshotNotFound,
                     "wal " + dir_ + ": no snapshot record at index " +
                         std::to_string(start_.index) + " term " + std::to_string(start_.term));
  }
  if (end.torn) logger_->info("wal: {}; reading stops before it", end.torn_status.message());
  metadata_ = replay.result.metadata;
  state_ = replay.result.hard_state;
  // The log continues after the snapshot even when no entry follows it, as
  // after SaveSnapshot: a Cut must never name a segment below the snapshot it
  // was opened from, or the next Open from that snapshot skips its record.
  last_index_ = std::max(replay.last_index, start_.index);
  const std::vector<Entry>& entries = replay.result.entries;
  // After the read: what ReadAll returns starts right after the snapshot and
  // (slow) runs in consecutive index order, whatever the files held.
  WALSIM_ASSERT(entries.empty() || entries.front().index == start_.index + 1);
  if constexpr (kSlowAssertsOn) {
    for (size_t i = 1; i < entries.size(); i++) {
      WALSIM_ASSERT_SLOW(entries[i].index == entries[i - 1].index + 1);
    }
  }
  if (write_mode_) {
    WALSIM_RETURN_IF_ERROR(FinishReadAll(end.last_valid_offset, end.crc));
  } else {
    for (Segment& segment : segments_) (void)segment.file->Close();
    stage_ = Stage::kReadDone;
  }
  failure_ = Status::Ok();
  return std::move(replay.result);
}

Status Wal::FinishReadAll(uint64_t last_valid_offset, uint32_t crc) {
  WALSIM_ASSERT(write_mode_ && !segments_.empty() && last_valid_offset % kFrameAlignBytes == 0);
  for (size_t i = 0; i + 1 < segments_.size(); i++) (void)segments_[i].file->Close();
  tail_ = std::move(segments_.back().file);
  WALSIM_RETURN_IF_ERROR(ReplaceTail(last_valid_offset));
  encoder_.Reset(tail_.get(), last_valid_offset, crc);
  WALSIM_ASSERT(encoder_.offset() == last_valid_offset && encoder_.crc() == crc);
  pipeline_ = std::make_unique<SegmentPipeline>(fs_, dir_, options_.segment_size_bytes,
                                                SegmentAllocateMode(), options_.executor);
  pipeline_->Prepare();
  stage_ = Stage::kAppend;
  return Status::Ok();
}

Status Wal::ReplaceTail(uint64_t offset) {
  // fsyncgate: after a failed fsync, Linux marks the dirty pages clean. Their
  // data stays readable in the page cache but may never reach the disk, and
  // a later fsync returns OK without writing it. ReadAll may just have read
  // such a record (the previous handle failed stop in this process, or the
  // process restarted while the page cache survived). Appending after it
  // would put acknowledged records behind a record a crash can erase, so the
  // valid bytes we build on are made durable first. Earlier files need no
  // such care: a Cut only moves on after the previous file's sync succeeded.
  //
  // They are copied into a new file that replaces the tail by rename, never
  // rewritten in place: on a disk whose sectors are not atomic, a crash
  // tearing an in-place rewrite destroys records that were durable and
  // acknowledged (`walsim explore` found that). Bytes after the last valid
  // record were never acknowledged (a torn or unsynced write, possibly
  // non-zero records after a zero one); the copy holds zeros there (etcd's
  // ZeroToEnd), so new records never sit next to stale frames.
  //
  // The old file is first cut to its valid bytes: what it loses was never
  // acknowledged, and the preallocation it frees makes room for the copy, so
  // a full disk needs no more space than before (`walsim explore` found a
  // reopen that failed for want of 184 bytes on a disk with one preallocated
  // segment). The copy holds only the valid bytes until the old file is
  // gone; the preallocation comes after, and without room for it the tail
  // just grows.
  const std::string path = TailPath();
  const std::string temp_path = path + ".tmp";
  WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, tail_->Size());
  const std::string where = "replacing " + path + " with its first " + std::to_string(offset) +
                            " bytes through " + temp_path;
  if (size_bytes > offset) WALSIM_RETURN_IF_ERROR(tail_->Truncate(offset).WithContext(where));
  WALSIM_ASSIGN_OR_RETURN(auto copy, fs_.Open(temp_path, {.create = true, .truncate = true}));
  // The lock follows the file through the rename.
  Result<std::unique_ptr<fs::FileLock>> lock = fs_.Lock(temp_path);
  if (!lock.ok()) return lock.status().WithContext(where);
  WALSIM_RETURN_IF_ERROR(CopyPrefix(*tail_, *copy, offset).WithContext(where));
  if (!options_.no_sync) WALSIM_RETURN_IF_ERROR(copy->Sync().WithContext(where));
  WALSIM_RETURN_IF_ERROR(fs_.Rename(temp_path, path).WithContext(where));
  if (!options_.no_sync) WALSIM_RETURN_IF_ERROR(fs_.SyncDir(dir_).WithContext(where));
  // The replaced file's space is freed once its last handle is gone.
  (void)copy->Close();
  (void)tail_->Close();
  tail_.reset();
  Segment& tail = segments_.back();
  if (tail.lock != nullptr) (void)tail.lock->Unlock();
  tail.lock = std::move(lock).value();
  // Written through a handle opened by the file's own name, so that errors
  // and fault rules name the segment, not the temporary name.
  WALSIM_ASSIGN_OR_RETURN(tail_, fs_.Open(path, {}));
  if (size_bytes <= offset) return Status::Ok();
  Status allocated = tail_->Allocate(offset, size_bytes - offset, SegmentAllocateMode());
  if (allocated.ok() && !options_.no_sync) allocated = tail_->Sync();
  if (allocated.code() == StatusCode::kNoSpace) {
    logger_->warn("wal {}: no room to preallocate {} again ({}); it grows with each append", dir_,
                  path, allocated.ToString());
    return Status::Ok();
  }
  return allocated.WithContext("preallocating " + path + " after offset " + std::to_string(offset));
}

Status Wal::CopyPrefix(fs::File& from, fs::File& to, uint64_t size_bytes) {
  std::vector<uint8_t> buffer(std::min<uint64_t>(size_bytes, kTailCopyChunkBytes));
  uint64_t done = 0;
  // Each round moves at least one byte, so this is bounded by size_bytes.
  while (done < size_bytes) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(size_bytes - done, buffer.size()));
    WALSIM_ASSIGN_OR_RETURN(size_t read, from.ReadAt(done, std::span(buffer.data(), chunk)));
    if (read != chunk) {
      return Status::IoError("short read of " + std::to_string(read) + " bytes at offset " +
                             std::to_string(done));
    }
    WALSIM_RETURN_IF_ERROR(to.WriteAt(done, std::span(buffer.data(), chunk)));
    done += chunk;
  }
  WALSIM_ASSERT(done == size_bytes);
  return Status::Ok();
}

Status Wal::ReleaseLockTo(uint64_t index) {
  if (stage_ == Stage::kClosed) return Status::Closed("wal " + dir_ + " is closed");
  if (segments_.empty()) return Status::Ok();
  // Keep the newest file whose first index is below index: it may still
  // hold entries at or after index.
  size_t release_count = segments_.size() - 1;
  for (size_t i = 0; i < segments_.size(); i++) {
    if (segments_[i].name.index >= index) {
      release_count = i == 0 ? 0 : i - 1;
      break;
    }
  }
  for (size_t i = 0; i < release_count; i++) {
    if (segments_[i].lock != nullptr) (void)segments_[i].lock->Unlock();
    if (segments_[i].file != nullptr) (void)segments_[i].file->Close();
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(release_count));
  WALSIM_ASSERT(!segments_.empty());
  return Status::Ok();
}

Status Wal::Close() {
  if (stage_ == Stage::kClosed) return Status::Closed("wal " + dir_ + " is already closed");
  Status result;
  if (pipeline_ != nullptr) result = pipeline_->Close();
  if (stage_ == Stage::kAppend) {
    Status synced = SyncTail();
    if (result.ok()) result = synced;
  }
  if (tail_ != nullptr) (void)tail_->Close();
  for (Segment& segment : segments_) {
    if (segment.file != nullptr) (void)segment.file->Close();
    if (segment.lock != nullptr) (void)segment.lock->Unlock();
  }
  segments_.clear();
  stage_ = Stage::kClosed;
  return result;
}

std::string Wal::TailPath() const {
  if (!write_mode_ || segments_.empty()) return {};
  return fs::Join(dir_, segments_.back().name.name);
}

std::vector<uint64_t> Wal::LockedSegmentIndexes() const {
  std::vector<uint64_t> indexes;
  for (const Segment& segment : segments_) {
    if (segment.lock != nullptr) indexes.push_back(segment.name.index);
  }
  return indexes;
}

}  // namespace walsim::wal
