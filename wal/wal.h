// Wal: the etcd-compatible write-ahead log (etcd v3.4/v3.5 `wal` package,
// byte for byte; format in wal/record_format.h and docs/wal-format.md).
//
// A Wal is in read mode or append mode. Create returns it in append mode.
// Open and OpenForRead return it in read mode: ReadAll must be called once,
// and (after Open) switches it to append mode. Open locks every file it reads
// (a second Open of the same directory is kBusy/kLocked); OpenForRead takes no
// lock and never writes.
//
// Durability: Save makes its records durable (one fdatasync; one write when
// the batch is under the encoder's 128 KiB watermark) when
// raft's MustSync rule says so: entries non-empty, or the term or vote
// changed. SaveSnapshot and Cut always sync. An acknowledged record survives
// any crash that does not damage synced data.
//
// Fail-stop: after any failed write, sync or step of a Cut, every later
// Save, SaveSnapshot and Cut returns kClosed/kFailedStop without touching the
// disk; a failed fsync is never retried. Reopen (Open + ReadAll) to continue.
//
// Threading: a Wal is used by one thread at a time. Background preallocation
// of the next segment goes through options.executor and touches only a
// ".tmp" file.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/executor.h"
#include "base/status.h"
#include "fs/fs.h"
#include "wal/encoder.h"
#include "wal/names.h"
#include "wal/record_format.h"
#include "wal/recovery.h"
#include "wal/segment_pipeline.h"
#include "wal/types.h"

namespace walsim::wal {

struct WalOptions {
  uint64_t segment_size_bytes = kSegmentSizeBytesDefault;
  bool no_sync = false;                    // UNSAFE: nothing is synced; for benchmarks only
  Executor* executor = nullptr;            // background preallocation; nullptr = inline at Cut
  std::shared_ptr<spdlog::logger> logger;  // nullptr = DefaultLogger()
  // Syncs slower than this are logged (steady clock). 0 = never measured,
  // which keeps simulations free of any clock.
  uint64_t sync_warn_threshold_us = 1'000'000;
  uint64_t record_size_bytes_max = kRecordSizeBytesMaxDefault;  // one encoded record
  uint64_t metadata_size_bytes_max = kMetadataSizeBytesMaxDefault;
  // Entries in one Save call (a bound on the loop and the buffer).
  uint64_t save_entries_max = 1'000'000;
  // When set, Open, OpenForRead, ReadAll, Repair, Verify and
  // ValidSnapshotEntries add each recovery decision they take (a row of
  // docs/wal-format.md's recovery table) to it, also when they fail. The
  // caller owns it, clears it, and reads it after the call. REQUIRES:
  // outlives every call given these options.
  RecoveryReport* recovery_report = nullptr;
};

// Opening for write copies the tail file's valid bytes in chunks of this size
// (see Wal::ReplaceTail).
inline constexpr uint64_t kTailCopyChunkBytes = uint64_t{1} << 20;

class Wal {
 public:
  // Creates a WAL in dir holding metadata: builds it in "<dir>.tmp", syncs
  // it, renames it to dir and syncs the parent. Returns it in append mode.
  // dir must be absent or an empty directory; nothing else there is deleted.
  // Failure: kAlreadyExists (dir holds a .wal file, other files, or is not a
  // directory), kInvalidArgument
  // (metadata over its limit, bad path), kNoSpace (segment preallocation),
  // fs errors. Nothing is left at dir on failure before the rename; after
  // a failed parent sync the directory is moved to "<dir>.broken".
  static Result<std::unique_ptr<Wal>> Create(fs::FileSystem& fs, std::string_view dir,
                                             std::string_view metadata,
                                             const WalOptions& options = {});

  // Opens dir for appending from snap (a snapshot previously saved): locks
  // the files from the one covering snap.index onward. Call ReadAll next.
  // Failure: kNotFound/kFileNotFound, kCorruption/kSequenceGap,
  // kBusy/kLocked, fs errors.
  static Result<std::unique_ptr<Wal>> Open(fs::FileSystem& fs, std::string_view dir,
                                           const Snapshot& snap, const WalOptions& options = {});
  // As Open, read-only and without locks. ReadAll tolerates a torn tail.
  static Result<std::unique_ptr<Wal>> OpenForRead(fs::FileSystem& fs, std::string_view dir,
                                                  const Snapshot& snap,
                                                  const WalOptions& options = {});

  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Reads every record after the snapshot: the metadata, the last HardState,
  // and the entries after snap.index with raft's overwrite rule (an entry at
  // an existing index replaces that entry and everything after it).
  // REQUIRES: called once, on a Wal from Open or OpenForRead.
  // After Open, on success, the last file's valid records have been written
  // again and synced (a failed fsync may have left them only in the page
  // cache), everything after them is zeroed, and the Wal is ready to append.
  // Failure (the Wal then accepts no write): kNotFound/kSnapshotNotFound,
  // kCorruption with kMetadataConflict, kSnapshotMismatch, kCrcMismatch,
  // kSliceOutOfRange, kMalformedRecord, kUnexpectedType, or kTornTail (after
  // Open only: run Repair), each naming file and offset;
  // kFailedPrecondition when called twice or on a created Wal.
  Result<ReadAllResult> ReadAll();

  // Appends the entries and (unless empty) the HardState; syncs by the
  // MustSync rule; cuts a new segment when the file reaches the segment size.
  // REQUIRES: append mode. entries have consecutive indexes, non-decreasing
  // terms, and the first index is at most the last saved index + 1.
  // Failure: kInvalidArgument (bad batch, record over its limit; nothing
  // written), kClosed/kFailedStop, kFailedPrecondition (not in append mode),
  // or the fs error that made this handle fail stop.
  Status Save(const HardState& hard_state, std::span<const Entry> entries);

  // Appends a snapshot record and syncs. Same failures as Save.
  Status SaveSnapshot(const Snapshot& snap);

  // Closes the current segment (truncated to its data, synced) and starts
  // the next one: "<seq+1>-<last index+1>.wal" holding a crc, the metadata
  // and the HardState, made durable by a file sync, a rename and a
  // directory sync. Same failures as Save.
  Status Cut();

  // Releases the locks of files that hold only entries below index, except
  // the newest of them (etcd's ReleaseLockTo), so PurgeSegments may remove
  // them. Never fails for a valid Wal.
  Status ReleaseLockTo(uint64_t index);

  // Syncs the tail (unless failed stop or read mode), releases every lock
  // and file. Afterwards every method returns kClosed. Failure: the sync's
  // error (locks are released anyway).
  Status Close();

  // The path of the file appended to (empty in read mode).
  std::string TailPath() const;
  // File offset just past the last record appended (including unflushed).
  uint64_t TailOffset() const { return encoder_.offset(); }
  // The first index of each locked file, oldest first.
  std::vector<uint64_t> LockedSegmentIndexes() const;
  const std::string& dir() const { return dir_; }

 private:
  enum class Stage : uint8_t { kNeedsReadAll, kAppend, kReadDone, kFailed, kClosed };
  struct Segment {
    SegmentName name;
    std::unique_ptr<fs::FileLock> lock;  // null when released or read-only
    std::unique_ptr<fs::File> file;      // kept open until ReadAll
  };

  Wal(fs::FileSystem& fs, std::string dir, const WalOptions& options);
  static Result<std::unique_ptr<Wal>> OpenAt(fs::FileSystem& fs, std::string_view dir,
                                             const Snapshot& snap, const WalOptions& options,
                                             bool write);
  static Status ValidateOptions(const WalOptions& options);
  Status CreateInTmp(const std::string& tmp_dir, std::string_view metadata);
  Status CheckWritable() const;
  Status ValidateBatch(std::span<const Entry> entries) const;
  Status FailStop(Status cause);
  Status SyncTail();
  Status FinishReadAll(uint64_t last_valid_offset, uint32_t crc);
  Status CutSteps();
  // Makes the tail's first offset bytes durable in a copy that replaces it.
  Status ReplaceTail(uint64_t offset);
  static Status CopyPrefix(fs::File& from, fs::File& to, uint64_t size_bytes);
  // How segments are preallocated: kZeroFill, or kExtendSize when nothing is
  // synced.
  fs::AllocateMode SegmentAllocateMode() const;

  fs::FileSystem& fs_;
  std::string dir_;
  WalOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  Stage stage_ = Stage::kNeedsReadAll;
  bool write_mode_ = false;
  Snapshot start_;
  std::vector<Segment> segments_;   // oldest first; the last one is the tail
  std::unique_ptr<fs::File> tail_;  // append mode: the file written
  Encoder encoder_;
  std::unique_ptr<SegmentPipeline> pipeline_;
  std::string metadata_;
  HardState state_;
  uint64_t last_index_ = 0;  // etcd's enti: index of the last entry saved
  Status failure_;           // why the handle failed stop
};

// Truncates a torn tail of the last file so the WAL opens. Returns true when
// it repaired, false when the WAL was already sound. A torn tail ends at a
// torn frame (a zeroed sector, even with frames after it, as etcd) or at a
// damaged last frame; everything after it is cut off and logged. The bytes
// cut, from the cut offset up to the last non-zero byte, are first saved in
// "<file>.<cut offset>.broken" (etcd copies the whole file to
// "<file>.broken"). On success the backup and the truncation are durable.
// Failure: damage a repair must not hide (a CRC or framing error with
// records after it, a missing file): that error, with file and offset;
// kBusy when the WAL is open for writing; kNoSpace when the backup does not
// fit (nothing is cut then); fs errors.
Result<bool> Repair(fs::FileSystem& fs, std::string_view dir, const WalOptions& options = {});

// Reads the WAL from snap without locking or writing and checks it: CRCs,
// framing, metadata, that snap is present. Returns the last HardState.
// A torn tail is tolerated (as etcd does for read-only use).
// Failure: as ReadAll.
Result<HardState> Verify(fs::FileSystem& fs, std::string_view dir, const Snapshot& snap,
                         const WalOptions& options = {});

// Every snapshot record in the WAL whose index is at most the last
// HardState's commit (etcd's ValidSnapshotEntries). Reads from the oldest file
// present, so it works after purges. Failure: as ReadAll.
Result<std::vector<Snapshot>> ValidSnapshotEntries(fs::FileSystem& fs, std::string_view dir,
                                                   const WalOptions& options = {});

// Removes the oldest segment files until at most keep_count remain, stopping
// at the first one that is still locked (by a Wal that has not released it),
// then syncs dir. Appends the names removed, oldest first, to *removed when
// given. Failure: fs errors (files removed before the error stay removed).
Status PurgeSegments(fs::FileSystem& fs, std::string_view dir, size_t keep_count,
                     std::vector<std::string>* removed = nullptr);

// True when dir exists and holds at least one .wal file (etcd's wal.Exist).
bool Exists(fs::FileSystem& fs, std::string_view dir);

}  // namespace walsim::wal
