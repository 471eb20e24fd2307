// SegmentStore: the durable raft LogStore, on any fs::FileSystem.
//
// Entries live in zero-filled segment files as checksummed frames grouped in
// batches, each closed by a commit frame (format: logstore/segment_format.h,
// docs/logstore-format.md). StoreLogs encodes a batch into a reused buffer and
// issues ONE write and ONE SyncData; a batch is visible after a crash only if
// all of it reached the disk. An in-memory index holds 8 bytes per entry (the
// frame's offset and length within its segment; the buffers of up to two
// dropped segments are kept for the next ones); GetLog reads one frame and
// verifies its CRC on every read. Head deletes rewrite logstore.meta
// atomically (temp file, sync, rename, sync directory) and then drop whole
// segments; tail deletes create a durable "truncate" segment that supersedes
// the deleted suffix, so stale frames are never read as new ones.
//
// Invariants: the recovered log is always a committed prefix of what was
// written (any crash, any unsynced data persisted partially, reordered, torn
// or zeroed); bytes are never overwritten after they were acknowledged, but
// by Open, which writes the tail's last batch again (a failed fsync may have
// left it in the page cache only) once a durable copy of it exists.
// logstore.meta records the last durable batch, so an acknowledged batch
// lost to an illegal fault before a later head delete is reported
// (kCorruption), never recovered as a log the store did not hold.
// Failure policy: after a failed write, sync or metadata update the store
// fails stop: every later mutating call returns kClosed until it is reopened.
// After Close every call returns kClosed.
// Thread-safe: every method takes an internal mutex. The directory is locked
// (fs.Lock on LOCK) for the lifetime of the store. With options.executor, the
// next segment file is prepared on the executor (segment_preparer.h), which
// then uses the FileSystem from its thread.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/executor.h"
#include "fs/fs.h"
#include "logstore/log_store.h"
#include "logstore/recovery.h"
#include "logstore/segment_format.h"
#include "logstore/segment_preparer.h"

namespace walsim::logstore {

struct SegmentStoreOptions {
  // Size of each preallocated segment (a batch bigger than this gets a
  // segment of its own size). 2 x write_alignment_bytes .. 4 GiB.
  uint64_t segment_size_bytes = uint64_t{64} << 20;
  // Skip the per-batch SyncData (benchmarks only: StoreLogs is then NOT
  // durable on return). Metadata changes are still synced.
  bool no_sync = false;
  // Where repairs and ignored files are reported; null: walsim::DefaultLogger().
  std::shared_ptr<spdlog::logger> logger;
  // Limit on data + extensions of one entry. At most format::kEntrySizeBytesLimit.
  uint64_t entry_size_bytes_max = uint64_t{64} << 20;
  // Batches start at multiples of this (a power of two, 512 .. 1 MiB), so a
  // torn sector never touches acknowledged data. Use the device's atomic
  // write unit: 512 (the logical sector of nearly every disk) by default. At
  // 4096, every small batch starts a new 4 KiB block, and on the work disk a
  // 128-byte StoreLog then took ~190 us against ~86 us at 512 (floor ~75-80
  // us; docs/performance.md). Set 4096 on a 4Kn device whose sector writes
  // may tear.
  uint32_t write_alignment_bytes = kSectorSizeBytesDefault;
  // Open without writing anything (no cleanup, no new store, no lock: a
  // store the caller may read but not write opens); every mutating call
  // returns kFailedPrecondition. A writer working at the same time may leave
  // a torn tail that this reader drops.
  bool read_only = false;
  // Bytes read per I/O during recovery.
  size_t scan_window_bytes = size_t{1} << 20;
  // Segments are zero-filled (not just fallocated: the first write into an
  // unwritten extent costs a journal commit at the next SyncData). nullptr:
  // each segment is created and zero-filled by the call that needs it (the
  // first StoreLogs of an empty store, then the one that fills a segment;
  // about 64 MiB of writes). Non-null: a spare segment is prepared through
  // this executor, submitted at Open and when the active segment is half
  // full, so a roll only writes a header and renames (docs/logstore-format.md,
  // "Segment preparation"). A thread-pool executor takes the zero-filling off
  // the StoreLogs path; an InlineExecutor moves it to Open and to the
  // StoreLogs call that passes half a segment. REQUIRES: outlives the store
  // and runs each task without the caller's help (a roll waits for a pending
  // one); with a non-inline executor the FileSystem must be thread-safe
  // (PosixFs is, SimFs is not).
  Executor* executor = nullptr;
  // When set, Open adds each recovery decision it takes (a row of
  // docs/logstore-format.md's recovery table) to it, also when Open fails.
  // The caller owns it and clears it. REQUIRES: outlives Open.
  RecoveryReport* recovery_report = nullptr;
};

class SegmentStore final : public LogStore {
 public:
  // Opens the store in dir, creating dir and an empty store if missing, and
  // recovers: an uncommitted torn tail is dropped (and never written over),
  // leftover temp files and dead segments are removed, unknown files are
  // logged and left alone. Opened for writing, what it recovered is durable
  // when it returns (docs/logstore-format.md, "Recovery").
  // Failure: kBusy (another store holds the lock); kCorruption (mid-log
  //   corruption, a bad header or meta, a missing segment, a batch the meta
  //   records as durable missing from the log: the message names
  //   the file and the offset); kInvalidArgument (bad options or path);
  //   kIoError, kNoSpace.
  static Result<std::unique_ptr<SegmentStore>> Open(fs::FileSystem& fs, std::string_view dir,
                                                    const SegmentStoreOptions& options = {});

  ~SegmentStore() override;
  SegmentStore(const SegmentStore&) = delete;
  SegmentStore& operator=(const SegmentStore&) = delete;

  // Releases the files and the lock. Does not sync (every acknowledged change
  // already is). Afterwards every call returns kClosed, Close included.
  Status Close();

  Result<uint64_t> FirstIndex() override;
  Result<uint64_t> LastIndex() override;
  Status GetLog(uint64_t index, Log* out) override;
  Status StoreLog(const Log& log) override;
  Status StoreLogs(std::span<const Log> logs) override;
  Status DeleteRange(uint64_t min_index, uint64_t max_index) override;
  bool IsMonotonic() const override { return true; }

  // What a reader of the directory sees, for tools and tests.
  struct Info {
    uint64_t first_index = 0;
    uint64_t last_index = 0;
    uint64_t segment_count = 0;
    uint64_t last_batch_seq = 0;
    // True when recovery dropped a torn tail (the next batch starts a new segment).
    bool torn_tail_dropped = false;
    std::vector<std::string> segment_paths;  // live segments, oldest first
  };
  Info GetInfo();

 private:
  struct Segment {
    format::SegmentHeader header;
    std::string path;
    std::unique_ptr<fs::File> file;
    uint64_t size_bytes = 0;
    // Packed frame locations: entry header.first_index + i is frames[i].
    std::vector<uint64_t> frames;
    uint64_t next_index() const { return header.first_index + frames.size(); }
  };

  SegmentStore(fs::FileSystem& fs, std::string dir, const SegmentStoreOptions& options);

  // Recovery (segment_store_open.cc).
  Status Recover();
  // Creates dir_ (and makes its entry durable) when missing; true if it did.
  Result<bool> EnsureDirectory();
  Status AcquireLock();
  struct Listing;
  Status LoadMeta(const Listing& listing);
  Status RecoverSegments(const Listing& listing, std::vector<std::string>* superseded_paths);
  Status LinkSegment(const Segment& segment, uint64_t prev_segment_seq,
                     uint64_t prev_last_batch_seq, const std::string& prev_stop_reason,
                     std::vector<std::string>* superseded_paths);
  Status CheckDurableBatches(const std::string& stop_reason);
  Result<uint64_t> FrameBatchSeq(const Segment& segment, uint64_t index);
  Result<bool> CutUnacknowledgedBatches(const format::SegmentHeader& header,
                                        uint64_t prev_last_batch_seq);
  Status ApplyFirstIndex();
  void RemoveLeftovers(const Listing& listing, std::vector<std::string> superseded_paths);
  // Makes the tail as recovered durable, its last batch included when only
  // the page cache may hold it (after a failed SyncData), without writing
  // over it unprotected. REQUIRES: opened for writing, segments_ non-empty.
  Status MakeTailDurable();
  Result<std::span<uint8_t>> ReadTailBatchImage();
  format::SegmentHeader CopySegmentHeader() const;
  // Creates, durably, the segment of image (ReadTailBatchImage): it
  // continues the tail just before its last batch and holds a copy of it.
  // Returns its path; on failure no temporary file is left.
  Result<std::string> CreateTailBatchCopy(std::span<const uint8_t> image);
  Result<uint64_t> BorrowTailZeros(uint64_t wanted_bytes);
  void ReturnTailZeros(uint64_t borrowed_bytes);

  // Mutations (segment_store.cc). Each fails stop on an I/O error.
  Status CheckWritable() const;
  Status FailStop(const Status& status);
  Status StartLog(uint64_t first_index, uint64_t batch_size_bytes);
  Status RollSegment(format::SegmentKind kind, uint64_t first_index, uint64_t batch_size_bytes);
  Status CreateSegmentFile(const format::SegmentHeader& header, const std::string& path,
                           uint64_t size_bytes);
  Status WriteMeta(const format::StoreMeta& meta);
  Status AppendBatch(std::span<const Log> logs, uint64_t batch_size_bytes);
  void InvalidateFailedBatch(Segment& segment);
  // Renames the prepared spare file to path as a new segment; false when no
  // spare of size_bytes is ready (the caller creates the file itself).
  Result<bool> CreateSegmentFromSpare(const format::SegmentHeader& header, const std::string& path,
                                      uint64_t size_bytes);
  // An empty index for a new segment, reusing a dropped segment's buffer.
  std::vector<uint64_t> TakeIndexBuffer();
  // Removes the files of segments_[begin, end), newest first, and erases them.
  void DropSegments(size_t begin, size_t end);
  Status DeletePrefix(uint64_t new_first_index);
  Status DeleteSuffix(uint64_t new_last_index);
  Status DeleteAll();
  size_t FindSegment(uint64_t index) const;
  // Aborts unless the index and offset invariants hold: the range matches
  // the segments, the write offset is aligned and, after a write into the
  // tail (wrote_tail), inside it; durable <= last batch; with slow asserts
  // also the chain of segments and the location of the last frames_to_check
  // frames of the last segment (SIZE_MAX: every frame of every segment).
  // Called after each successful StoreLogs (its batch's frames), DeleteRange
  // (the chain only) and Open (everything). REQUIRES: not failed.
  void AssertInvariantsLocked(bool wrote_tail, size_t frames_to_check = SIZE_MAX) const;
  LogRange RangeLocked() const { return LogRange{first_index_, last_index_}; }

  fs::FileSystem& fs_;
  const std::string dir_;
  const SegmentStoreOptions options_;
  const std::shared_ptr<spdlog::logger> logger_;

  std::mutex mutex_;
  std::unique_ptr<fs::FileLock> lock_;
  bool closed_ = false;
  Status failed_;  // non-OK after fail-stop
  format::StoreMeta meta_;
  // Live segments, oldest first; first_index is non-decreasing (an empty
  // segment may share it with the next). The last one takes new batches.
  // A vector, not a deque: GetLog searches and indexes it on every call
  // (through deque iterators that cost ~130 of GetLog's ~1,030 instructions,
  // a vector ~50; callgrind), and dropping head segments moves only the few
  // Segment handles after them. Adding a segment invalidates references to
  // the others: no code holds one across an addition.
  std::vector<Segment> segments_;
  uint64_t first_index_ = 0;  // 0 when empty
  uint64_t last_index_ = 0;   // 0 when empty
  uint64_t last_batch_seq_ = 0;
  // The last batch known durable (synced, or recovered); logstore.meta records
  // it so that recovery can tell an acknowledged batch lost before a later
  // meta change from a torn tail. <= last_batch_seq_.
  uint64_t durable_batch_seq_ = 0;
  uint64_t next_segment_seq_ = 1;
  uint64_t write_offset_bytes_ = 0;  // in segments_.back()
  bool must_roll_ = false;           // the last segment has a torn tail
  bool torn_tail_dropped_ = false;
  // The last batch recovered in the tail segment (entry_count 0: none).
  format::BatchExtent tail_batch_;
  std::vector<uint8_t> write_buffer_;
  std::vector<uint8_t> read_buffer_;
  // Index buffers of dropped segments, reused by the next segments: a head
  // delete then frees no per-entry memory (its cost stays independent of
  // the entry count). At most kRecycledIndexCountMax buffers.
  static constexpr size_t kRecycledIndexCountMax = 2;
  std::vector<std::vector<uint64_t>> recycled_indexes_;
  std::unique_ptr<SegmentPreparer> preparer_;  // null without options.executor or read-only
};

}  // namespace walsim::logstore
