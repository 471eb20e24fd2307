// SegmentStore: Open and recovery (the recovery table of
// docs/logstore-format.md, in code).
#include <algorithm>
#include <array>
#include <optional>

#include "fs/path.h"
#include "logstore/segment_scanner.h"
#include "logstore/segment_store.h"

namespace walsim::logstore {

using format::SegmentKind;

namespace {

Status ValidateOptions(const SegmentStoreOptions& options) {
  uint32_t alignment = options.write_alignment_bytes;
  if (alignment < format::kWriteAlignmentBytesMin || alignment > format::kWriteAlignmentBytesMax ||
      (alignment & (alignment - 1)) != 0) {
    return Status::InvalidArgument("write_alignment_bytes must be a power of two in [512, 1 MiB]");
  }
  if (options.segment_size_bytes < 2 * uint64_t{alignment} ||
      options.segment_size_bytes > format::kSegmentSizeBytesMax) {
    return Status::InvalidArgument("segment_size_bytes must be in [2 * write alignment, 4 GiB]");
  }
  if (options.entry_size_bytes_max > format::kEntrySizeBytesLimit) {
    return Status::InvalidArgument("entry_size_bytes_max is over 1 GiB");
  }
  if (options.scan_window_bytes < format::kFrameHeaderSizeBytes) {
    return Status::InvalidArgument("scan_window_bytes is too small");
  }
  return Status::Ok();
}

}  // namespace

// The directory's entries, sorted by kind.
struct SegmentStore::Listing {
  bool has_meta = false;
  std::vector<format::SegmentName> segments;  // sorted by segment_seq
  std::vector<std::string> temp_names;
  std::vector<std::string> unknown_names;
};

Result<std::unique_ptr<SegmentStore>> SegmentStore::Open(fs::FileSystem& fs, std::string_view dir,
                                                         const SegmentStoreOptions& options) {
  WALSIM_RETURN_IF_ERROR(ValidateOptions(options));
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(dir));
  std::unique_ptr<SegmentStore> store(new SegmentStore(fs, std::string(dir), options));
  Status status = store->Recover();
  if (!status.ok()) {
    (void)store->Close();
    return status;
  }
  store->AssertInvariantsLocked(/*wrote_tail=*/false);
  return store;
}

Result<bool> SegmentStore::EnsureDirectory() {
  Result<fs::FileInfo> info = fs_.Stat(dir_);
  if (info.ok()) {
    if (!info->is_directory) return Status::InvalidArgument(dir_ + " is not a directory");
    return false;
  }
  if (!info.status().Is(StatusCode::kNotFound) || options_.read_only) return info.status();
  WALSIM_RETURN_IF_ERROR(fs_.MkDir(dir_));
  WALSIM_RETURN_IF_ERROR(fs_.SyncDir(fs::Dirname(dir_)));
  return true;
}

Status SegmentStore::AcquireLock() {
  std::string path = fs::Join(dir_, format::kLockFileName);
  // A read-only open takes no lock: the lock needs a writable descriptor,
  // and a reader (dump, verify) must work on a store it may not write.
  if (options_.read_only) {
    return Status::Ok();
  } else {
    WALSIM_ASSIGN_OR_RETURN(auto file, fs_.Open(path, {.create = true}));
    WALSIM_RETURN_IF_ERROR(file->Close());
  }
  Result<std::unique_ptr<fs::FileLock>> lock = fs_.Lock(path);
  if (!lock.ok()) return lock.status().WithContext("locking log store " + dir_);
  lock_ = std::move(lock).value();
  return Status::Ok();
}

Status SegmentStore::Recover() {
  WALSIM_ASSIGN_OR_RETURN(const bool created_directory, EnsureDirectory());
  WALSIM_RETURN_IF_ERROR(AcquireLock());
  WALSIM_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_.List(dir_));
  Listing listing;
  for (const std::string& name : names) {
    if (name == format::kLockFileName) continue;
    if (name == format::kMetaFileName) {
      listing.has_meta = true;
    } else if (std::optional<format::SegmentName> segment = format::ParseSegmentFileName(name)) {
      listing.segments.push_back(*segment);
    } else if (name.ends_with(format::kTempSuffix)) {
      RecordCase(options_.recovery_report, RecoveryCase::kLeftoverTempFile);
      listing.temp_names.push_back(name);
    } else {
      RecordCase(options_.recovery_report, RecoveryCase::kUnknownFileIgnored);
      listing.unknown_names.push_back(name);
    }
  }
  std::sort(listing.segments.begin(), listing.segments.end(),
            [](const auto& a, const auto& b) { return a.segment_seq < b.segment_seq; });
  if (!options_.read_only && !created_directory && !listing.has_meta && listing.segments.empty()) {
    // No store here yet, so this open creates it, in a directory an earlier
    // open made and may have failed to make durable: its parent's sync
    // failed (a legal fsync EIO) and that open returned the error. Batches
    // acknowledged in a directory whose own entry a crash can undo are lost
    // with it (torture seed 28311), so the entry is made durable first.
    WALSIM_RETURN_IF_ERROR(fs_.SyncDir(fs::Dirname(dir_)));
  }
  WALSIM_RETURN_IF_ERROR(LoadMeta(listing));
  std::vector<std::string> superseded_paths;
  WALSIM_RETURN_IF_ERROR(RecoverSegments(listing, &superseded_paths));
  if (!options_.read_only) {
    // First: the files it removes make room for the copy MakeTailDurable writes.
    RemoveLeftovers(listing, superseded_paths);
    if (!segments_.empty()) WALSIM_RETURN_IF_ERROR(MakeTailDurable());
    // The caller builds on what this open found, so it must survive a crash
    // even when it is not yet durable: a rename (head deletion, roll) whose
    // directory sync failed is live but would be undone by the next crash,
    // bringing deleted entries back (torture seed 5238). One SyncDir makes
    // the directory as recovered durable.
    WALSIM_RETURN_IF_ERROR(fs_.SyncDir(dir_));
  }
  if (!options_.read_only && options_.executor != nullptr) {
    // After RemoveLeftovers, which would remove a spare prepared earlier.
    uint64_t spare_size_bytes =
        format::AlignUp(options_.segment_size_bytes, options_.write_alignment_bytes);
    preparer_ = std::make_unique<SegmentPreparer>(
        fs_, fs::Join(dir_, format::kSpareSegmentFileName), spare_size_bytes, options_.executor);
    preparer_->Prepare();
  }
  for (const std::string& name : listing.unknown_names) {
    logger_->warn("log store {}: ignoring unknown file {}", dir_, name);
  }
  return Status::Ok();
}

Status SegmentStore::LoadMeta(const Listing& listing) {
  std::string path = fs::Join(dir_, format::kMetaFileName);
  if (!listing.has_meta) {
    if (!listing.segments.empty()) {
      RecordCase(options_.recovery_report, RecoveryCase::kMissingMeta);
      return Status::Corruption(path + " is missing but the directory holds " +
                                std::to_string(listing.segments.size()) + " segments");
    }
    // A new store (or one whose creation crashed before its meta existed).
    if (options_.read_only) return Status::Ok();
    return WriteMeta(format::StoreMeta{});
  }
  WALSIM_ASSIGN_OR_RETURN(auto file, fs_.Open(path, {.read_only = true}));
  std::array<uint8_t, format::kMetaSizeBytes + 1> bytes{};  // + 1: a longer file is corrupt
  WALSIM_ASSIGN_OR_RETURN(size_t read_count, file->ReadAt(0, bytes));
  WALSIM_RETURN_IF_ERROR(file->Close());
  Result<format::StoreMeta> meta = format::DecodeMeta(std::span(bytes.data(), read_count));
  if (!meta.ok()) {
    RecordCase(options_.recovery_report, RecoveryCase::kCorruptMeta);
    return meta.status().WithContext(path);
  }
  meta_ = *meta;
  next_segment_seq_ = meta_.base_segment_seq;
  return Status::Ok();
}

// Checks that segment may follow the live segments recovered so far and
// applies it: a truncate segment cuts the log back to its first index.
Status SegmentStore::LinkSegment(const Segment& segment, uint64_t prev_segment_seq,
                                 uint64_t prev_last_batch_seq, const std::string& prev_stop_reason,
                                 std::vector<std::string>* superseded_paths) {
  const format::SegmentHeader& header = segment.header;
  const Segment& prev = segments_.back();
  uint64_t next_index = prev.next_index();
  switch (header.kind) {
    case SegmentKind::kFirst:
      RecordCase(options_.recovery_report, RecoveryCase::kSegmentLinksOutsideLog);
      return Status::Corruption(segment.path + " starts a new log but follows " + prev.path);
    case SegmentKind::kContinue: {
      if (header.segment_seq != prev_segment_seq + 1) {
        RecordCase(options_.recovery_report, RecoveryCase::kMissingContinuedSegment);
        return Status::Corruption("missing segment: " + segment.path + " (sequence " +
                                  std::to_string(header.segment_seq) + ") continues sequence " +
                                  std::to_string(header.segment_seq - 1) + ", but " + prev.path +
                                  " is sequence " + std::to_string(prev_segment_seq));
      }
      if (header.prev_batch_seq == prev_last_batch_seq && header.first_index == next_index) {
        return Status::Ok();
      }
      WALSIM_ASSIGN_OR_RETURN(bool cut, CutUnacknowledgedBatches(header, prev_last_batch_seq));
      RecordCase(options_.recovery_report, cut ? RecoveryCase::kUnacknowledgedBatchesCut
                                               : RecoveryCase::kOlderSegmentEndsEarly);
      if (!cut) {
        return Status::Corruption(
            prev.path + ": log ends with batch " + std::to_string(prev_last_batch_seq) +
            " before index " + std::to_string(next_index) + " (" + prev_stop_reason + "), but " +
            segment.path + " continues after batch " + std::to_string(header.prev_batch_seq) +
            " at index " + std::to_string(header.first_index));
      }
      return Status::Ok();
    }
    case SegmentKind::kTruncate:
      if (header.first_index > next_index ||
          header.first_index <= segments_.front().header.first_index) {
        RecordCase(options_.recovery_report, RecoveryCase::kSegmentLinksOutsideLog);
        return Status::Corruption(
            segment.path + " truncates the log to index " + std::to_string(header.first_index) +
            ", outside the recovered log before it (ending at index " +
            std::to_string(next_index - 1) + " in " + prev.path + ", " + prev_stop_reason + ")");
      }
      // Bounded by the number of live segments; the first one always stays.
      while (segments_.size() > 1 && segments_.back().header.first_index >= header.first_index) {
        superseded_paths->push_back(segments_.back().path);
        WALSIM_RETURN_IF_ERROR(segments_.back().file->Close());
        segments_.pop_back();
      }
      RecordCase(options_.recovery_report, RecoveryCase::kSupersededSegmentsCut);
      Segment& kept = segments_.back();
      if (kept.next_index() > header.first_index) {
        kept.frames.resize(header.first_index - kept.header.first_index);
      }
      WALSIM_ASSERT(kept.next_index() == header.first_index);
      return Status::Ok();
  }
  WALSIM_UNREACHABLE();
}

Result<uint64_t> SegmentStore::FrameBatchSeq(const Segment& segment, uint64_t index) {
  WALSIM_ASSERT(index >= segment.header.first_index && index < segment.next_index());
  uint64_t location = segment.frames[index - segment.header.first_index];
  uint64_t offset = format::FrameOffsetBytes(location);
  std::array<uint8_t, format::kFrameHeaderSizeBytes> head{};
  WALSIM_ASSIGN_OR_RETURN(size_t read_count, segment.file->ReadAt(offset, head));
  std::optional<format::FrameHeader> frame =
      read_count == head.size()
          ? format::DecodeFrameHeader(head, format::FrameLengthBytes(location))
          : std::nullopt;
  if (!frame || frame->index != index) {
    return Status::Corruption(segment.path + ": frame of index " + std::to_string(index) +
                              " at offset " + std::to_string(offset) + " changed since the scan");
  }
  return frame->batch_seq;
}

// A continue segment records where the log ended when it was created. Batches
// of the segment before it past that point are superseded, like a truncate
// segment's: either never acknowledged (a batch whose write or sync failed,
// which a reopen then dropped as torn: the store spoils a failed batch,
// unsynced; its bytes reached the disk after all, as an fsync error does not
// undo writes the device already took, and a crash kept them while losing the
// spoiling write), or the tail's last batch, which the successor holds a copy
// of (an open making it durable crashed, MakeTailDurable). Returns false
// (nothing cut) unless the cut falls exactly between batch
// header.prev_batch_seq and the next one.
Result<bool> SegmentStore::CutUnacknowledgedBatches(const format::SegmentHeader& header,
                                                    uint64_t prev_last_batch_seq) {
  Segment& prev = segments_.back();
  const uint64_t cut_index = header.first_index;
  if (header.prev_batch_seq >= prev_last_batch_seq || cut_index >= prev.next_index() ||
      cut_index < prev.header.first_index || header.prev_batch_seq < prev.header.prev_batch_seq) {
    return false;
  }
  WALSIM_ASSIGN_OR_RETURN(uint64_t first_cut_seq, FrameBatchSeq(prev, cut_index));
  uint64_t kept_seq = prev.header.prev_batch_seq;
  if (cut_index > prev.header.first_index) {
    WALSIM_ASSIGN_OR_RETURN(kept_seq, FrameBatchSeq(prev, cut_index - 1));
  }
  if (kept_seq != header.prev_batch_seq || first_cut_seq != header.prev_batch_seq + 1) return false;
  logger_->warn(
      "log store {}: {} holds batches {}..{} (indexes {}..{}) past the point its "
      "successor continues from; they are superseded",
      dir_, prev.path, first_cut_seq, prev_last_batch_seq, cut_index, prev.next_index() - 1);
  prev.frames.resize(cut_index - prev.header.first_index);
  WALSIM_ASSERT(prev.next_index() == cut_index);
  return true;
}

Status SegmentStore::RecoverSegments(const Listing& listing,
                                     std::vector<std::string>* superseded_paths) {
  std::vector<uint8_t> window;
  SegmentScan scan;
  uint64_t prev_segment_seq = 0;
  std::string prev_stop_reason;
  std::vector<format::SegmentName> live;
  for (const format::SegmentName& name : listing.segments) {
    if (name.segment_seq >= meta_.base_segment_seq) {
      live.push_back(name);
    } else {
      RecordCase(options_.recovery_report, RecoveryCase::kDeadSegment);
    }
  }
  for (size_t i = 0; i < live.size(); i++) {
    Segment segment;
    segment.path =
        fs::Join(dir_, format::SegmentFileName(live[i].segment_seq, live[i].first_index));
    WALSIM_ASSIGN_OR_RETURN(segment.file,
                            fs_.Open(segment.path, {.read_only = options_.read_only}));
    WALSIM_ASSIGN_OR_RETURN(segment.size_bytes, segment.file->Size());
    fs::FileByteSource source(*segment.file, segment.size_bytes);
    bool is_last = i + 1 == live.size();
    ScanOptions scan_options{.check_tail = is_last,
                             .report = options_.recovery_report,
                             .window_bytes = options_.scan_window_bytes};
    Status scanned = ScanSegment(source, scan_options, &scan, &window);
    if (!scanned.ok()) return scanned.WithContext(segment.path);
    segment.header = scan.header;
    if (scan.header.segment_seq != live[i].segment_seq ||
        scan.header.first_index != live[i].first_index) {
      RecordCase(options_.recovery_report, RecoveryCase::kSegmentNameMismatch);
      return Status::Corruption(
          segment.path + ": header names segment " +
          format::SegmentFileName(scan.header.segment_seq, scan.header.first_index));
    }
    if (i == 0 && live[i].segment_seq != meta_.base_segment_seq) {
      RecordCase(options_.recovery_report, RecoveryCase::kMissingOldestSegment);
      return Status::Corruption("missing segment: the log starts at segment sequence " +
                                std::to_string(meta_.base_segment_seq) + " but the oldest is " +
                                segment.path);
    }
    if (i > 0) {
      WALSIM_RETURN_IF_ERROR(LinkSegment(segment, prev_segment_seq, last_batch_seq_,
                                         prev_stop_reason, superseded_paths));
    }
    segment.frames = std::move(scan.frames);
    scan.frames = {};
    segments_.push_back(std::move(segment));
    prev_segment_seq = live[i].segment_seq;
    tail_batch_ = scan.last_batch;
    prev_stop_reason = scan.stop_reason;
    last_batch_seq_ = scan.last_batch_seq;
    write_offset_bytes_ = scan.end_offset_bytes;
    must_roll_ = scan.tail == TailState::kTorn;
    next_segment_seq_ = std::max(next_segment_seq_, live[i].segment_seq + 1);
  }
  if (!live.empty()) {
    RecordCase(options_.recovery_report,
               must_roll_ ? RecoveryCase::kTornTail : RecoveryCase::kCleanEnd);
  }
  WALSIM_RETURN_IF_ERROR(CheckDurableBatches(prev_stop_reason));
  if (must_roll_) {
    torn_tail_dropped_ = true;
    logger_->warn("log store {}: dropped a torn tail at offset {} of {} ({})", dir_,
                  scan.tail_offset_bytes, segments_.back().path, scan.stop_reason);
  }
  return ApplyFirstIndex();
}

// The caller builds on what an open for writing recovered, so the tail as
// recovered must survive a crash. SyncData makes durable what the page cache
// holds dirty: a batch whose sync failed for want of space and could not be
// spoiled (torture seed 74424), the spoiled frame of a failed batch the open
// dropped (seed 1386). It does nothing for a batch whose own SyncData failed
// with EIO: Linux marked its pages clean, so when the spoiling write failed
// too, a restart that kept the page cache (this process or a new one) reads
// it back intact, a new SyncData writes nothing, and the next crash takes it
// back (seeds 129350 and 147395; in seed 156316 a tail delete was built on
// it). Only the tail's last batch can be in that state: the store writes a
// batch only after the previous one synced, and after a failed one nothing
// but the spoiling write at that batch, so a batch followed by anything (a
// later batch, a torn tail) synced. That one batch is written again, which
// dirties its pages, before the SyncData: the cost is a batch, not a segment.
//
// Never written over unprotected: if the batch was durable and acknowledged,
// a crash tearing the rewrite on a disk whose sectors are not atomic would
// destroy it (the WAL's in-place rewrite lost records that way, and `walsim
// explore` of log-torn-batch.scn finds it here too). A copy goes first into
// a small segment, created durably, that continues the tail just before the
// batch: while it exists, recovery takes the batch from it (row 5b cuts the
// tail's copy, or the copy links plainly when the tail's is lost), so every
// crash keeps one intact copy. It is removed once the rewrite is synced; the
// open's SyncDir makes that durable before anything is appended after the
// batch (a copy coming back then would cut the appended batches off).
Status SegmentStore::MakeTailDurable() {
  Segment& tail = segments_.back();
  if (must_roll_ || tail_batch_.entry_count == 0) return tail.file->SyncData();
  WALSIM_ASSIGN_OR_RETURN(const std::span<uint8_t> image, ReadTailBatchImage());
  const std::span<uint8_t> batch = image.subspan(options_.write_alignment_bytes);
  uint64_t borrowed_bytes = 0;
  Result<std::string> copy = CreateTailBatchCopy(image);
  if (copy.status().Is(StatusCode::kNoSpace)) {
    WALSIM_ASSIGN_OR_RETURN(borrowed_bytes, BorrowTailZeros(image.size()));
    if (borrowed_bytes > 0) copy = CreateTailBatchCopy(image);
  }
  if (!copy.ok()) {
    if (!copy.status().Is(StatusCode::kNoSpace)) return copy.status();
    // Opening beats refusing to open a full disk: the rewrite is then
    // unprotected, which only a crash during it on a disk whose sectors
    // are not atomic can turn into a loss (docs/logstore-format.md).
    logger_->warn("log store {}: no room for a copy of the last batch of {}; rewriting it in place",
                  dir_, tail.path);
  }
  WALSIM_RETURN_IF_ERROR(tail.file->WriteAt(tail_batch_.offset_bytes, batch));
  WALSIM_RETURN_IF_ERROR(tail.file->SyncData());
  if (copy.ok()) WALSIM_RETURN_IF_ERROR(fs_.Remove(*copy));
  if (borrowed_bytes > 0) ReturnTailZeros(borrowed_bytes);
  return Status::Ok();
}

// The tail's last batch as a copy segment's image: a header block (filled
// by CreateTailBatchCopy), then the batch, read back from the tail and
// checked to be the batch the scan found.
Result<std::span<uint8_t>> SegmentStore::ReadTailBatchImage() {
  const Segment& tail = segments_.back();
  WALSIM_ASSERT(tail_batch_.entry_count <= tail.frames.size() && tail_batch_.size_bytes > 0);
  const uint64_t alignment = options_.write_alignment_bytes;
  const uint64_t image_size_bytes = alignment + tail_batch_.size_bytes;
  if (write_buffer_.size() < image_size_bytes) write_buffer_.resize(image_size_bytes);
  const std::span<uint8_t> image(write_buffer_.data(), image_size_bytes);
  std::fill_n(image.begin(), alignment, uint8_t{0});
  WALSIM_ASSIGN_OR_RETURN(size_t read_count,
                          tail.file->ReadAt(tail_batch_.offset_bytes, image.subspan(alignment)));
  format::SegmentHeader header = CopySegmentHeader();
  format::EncodeSegmentHeader(header, image.first<format::kSegmentHeaderSizeBytes>());
  fs::SpanByteSource source(image);
  SegmentScan scan;
  std::vector<uint8_t> window;
  Status scanned =
      read_count + alignment != image.size()
          ? Status::Corruption("short read")
          : ScanSegment(source, {.window_bytes = options_.scan_window_bytes}, &scan, &window);
  if (!scanned.ok() || scan.batch_count != 1 || scan.last_batch_seq != last_batch_seq_ ||
      scan.frames.size() != tail_batch_.entry_count) {
    return Status::Corruption(tail.path + ": batch " + std::to_string(last_batch_seq_) +
                              " at offset " + std::to_string(tail_batch_.offset_bytes) +
                              " changed since the scan");
  }
  return image;
}

// The copy continues the tail just before its last batch. The tail is the
// newest segment, so the copy takes the next sequence, which a later roll
// takes again once the copy is gone.
format::SegmentHeader SegmentStore::CopySegmentHeader() const {
  const Segment& tail = segments_.back();
  WALSIM_ASSERT(next_segment_seq_ == tail.header.segment_seq + 1);
  const format::SegmentHeader header{SegmentKind::kContinue, next_segment_seq_,
                                     tail.next_index() - tail_batch_.entry_count,
                                     last_batch_seq_ - 1, options_.write_alignment_bytes};
  WALSIM_ASSERT(header.first_index >= tail.header.first_index &&
                header.prev_batch_seq >= tail.header.prev_batch_seq);
  return header;
}

Result<std::string> SegmentStore::CreateTailBatchCopy(std::span<const uint8_t> image) {
  const format::SegmentHeader header = CopySegmentHeader();
  const std::string path =
      fs::Join(dir_, format::SegmentFileName(header.segment_seq, header.first_index));
  const std::string temp_path = path + std::string(format::kTempSuffix);
  Status status = [&]() -> Status {
    WALSIM_ASSIGN_OR_RETURN(auto file, fs_.Open(temp_path, {.create = true, .truncate = true}));
    WALSIM_RETURN_IF_ERROR(file->WriteAt(0, image));
    WALSIM_RETURN_IF_ERROR(file->Sync());
    WALSIM_RETURN_IF_ERROR(file->Close());
    WALSIM_RETURN_IF_ERROR(fs_.Rename(temp_path, path));
    return fs_.SyncDir(dir_);
  }();
  if (status.ok()) return path;
  // Removed before anything else happens (a copy left behind would supersede
  // batches appended to the tail later), and for its room, for a retry.
  for (const std::string& leftover : {temp_path, path}) {
    Status removed = fs_.Remove(leftover);
    if (!removed.ok() && !removed.Is(StatusCode::kNotFound)) return removed;
  }
  return status.WithContext("copying the last batch of " + segments_.back().path + " to " + path);
}

// On a full disk the copy takes its room from the zeros at the end of the
// tail's preallocation (past its last batch they hold nothing: the tail is
// clean), and ReturnTailZeros gives it back. Returns the bytes taken.
Result<uint64_t> SegmentStore::BorrowTailZeros(uint64_t wanted_bytes) {
  Segment& tail = segments_.back();
  if (tail.size_bytes <= write_offset_bytes_) return uint64_t{0};
  const uint64_t borrowed_bytes = std::min(wanted_bytes, tail.size_bytes - write_offset_bytes_);
  WALSIM_RETURN_IF_ERROR(tail.file->Truncate(tail.size_bytes - borrowed_bytes));
  tail.size_bytes -= borrowed_bytes;
  WALSIM_ASSERT(tail.size_bytes >= write_offset_bytes_);
  return borrowed_bytes;
}

void SegmentStore::ReturnTailZeros(uint64_t borrowed_bytes) {
  Segment& tail = segments_.back();
  Status status = tail.file->Allocate(tail.size_bytes, borrowed_bytes, fs::AllocateMode::kZeroFill);
  if (!status.ok()) {
    // The tail stays short: a batch that no longer fits rolls a new segment.
    logger_->warn("log store {}: could not give back {} bytes of {}: {}", dir_, borrowed_bytes,
                  tail.path, status.ToString());
    return;
  }
  tail.size_bytes += borrowed_bytes;
}

// A log that ends before a batch logstore.meta records as durable lost an
// acknowledged batch: only an illegal fault (a misdirected or lost write, a
// lying fsync) does that, and the head delete written after it survived, so
// the log is no state the store ever acknowledged. Without segments (after a
// whole delete) the meta carries the batch sequence on instead.
Status SegmentStore::CheckDurableBatches(const std::string& stop_reason) {
  const uint64_t recorded_seq = meta_.durable_batch_seq;
  if (segments_.empty()) {
    if (recorded_seq > 0) {
      RecordCase(options_.recovery_report, RecoveryCase::kWholeDeleteKeepsSequence);
    }
    last_batch_seq_ = std::max(last_batch_seq_, recorded_seq);
  } else if (last_batch_seq_ < recorded_seq) {
    RecordCase(options_.recovery_report, RecoveryCase::kAcknowledgedDataLost);
    return Status::DataLoss("acknowledged data lost: " + fs::Join(dir_, format::kMetaFileName) +
                            " records batch " + std::to_string(recorded_seq) +
                            " as durable, but the log ends with batch " +
                            std::to_string(last_batch_seq_) + " in " + segments_.back().path +
                            " (" + stop_reason + ")");
  }
  // no_sync (benchmarks) leaves recovered batches possibly unsynced.
  durable_batch_seq_ = options_.no_sync ? std::min(last_batch_seq_, recorded_seq) : last_batch_seq_;
  WALSIM_ASSERT(durable_batch_seq_ <= last_batch_seq_);
  return Status::Ok();
}

// Sets the log's bounds from the recovered segments and logstore.meta.
Status SegmentStore::ApplyFirstIndex() {
  std::string meta_path = fs::Join(dir_, format::kMetaFileName);
  uint64_t recorded_first = meta_.first_index;
  bool has_entries =
      !segments_.empty() && segments_.back().next_index() > segments_.front().header.first_index;
  if (!has_entries) {
    if (recorded_first != 0) {
      RecordCase(options_.recovery_report, RecoveryCase::kFirstIndexOutsideLog);
      return Status::Corruption(meta_path + " records first index " +
                                std::to_string(recorded_first) + " but no segment holds it");
    }
    first_index_ = 0;
    last_index_ = 0;
    return Status::Ok();
  }
  uint64_t segment_first = segments_.front().header.first_index;
  last_index_ = segments_.back().next_index() - 1;
  first_index_ = recorded_first != 0 ? recorded_first : segment_first;
  if (first_index_ < segment_first || first_index_ > last_index_) {
    RecordCase(options_.recovery_report, RecoveryCase::kFirstIndexOutsideLog);
    return Status::Corruption(meta_path + " records first index " + std::to_string(first_index_) +
                              ", outside the recovered log [" + std::to_string(segment_first) +
                              ", " + std::to_string(last_index_) + "]");
  }
  return Status::Ok();
}

void SegmentStore::RemoveLeftovers(const Listing& listing,
                                   std::vector<std::string> superseded_paths) {
  std::vector<std::string> paths;
  for (const std::string& name : listing.temp_names) paths.push_back(fs::Join(dir_, name));
  for (const format::SegmentName& name : listing.segments) {
    if (name.segment_seq >= meta_.base_segment_seq) continue;
    paths.push_back(fs::Join(dir_, format::SegmentFileName(name.segment_seq, name.first_index)));
  }
  // Newest first (names sort by sequence): survivors of a crash stay a chain.
  std::sort(superseded_paths.begin(), superseded_paths.end(), std::greater<>());
  paths.insert(paths.end(), superseded_paths.begin(), superseded_paths.end());
  for (const std::string& path : paths) {
    Status status = fs_.Remove(path);
    if (status.ok()) {
      logger_->info("log store {}: removed leftover {}", dir_, path);
    } else {
      logger_->warn("log store {}: could not remove leftover {}: {}", dir_, path,
                    status.ToString());
    }
  }
}

}  // namespace walsim::logstore
