// SegmentStore: reads and mutations. Recovery is in segment_store_open.cc.
#include "logstore/segment_store.h"

#include <algorithm>
#include <array>
#include <optional>

#include "base/coding.h"
#include "base/log.h"
#include "fs/path.h"

namespace walsim::logstore {

using format::SegmentKind;

SegmentStore::SegmentStore(fs::FileSystem& fs, std::string dir, const SegmentStoreOptions& options)
    : fs_(fs),
      dir_(std::move(dir)),
      options_(options),
      logger_(options.logger ? options.logger : DefaultLogger()) {}

SegmentStore::~SegmentStore() {
  if (!closed_) (void)Close();
}

Status SegmentStore::Close() {
  std::lock_guard lock(mutex_);
  if (closed_) return Status::Closed("log store " + dir_ + " is already closed");
  closed_ = true;
  Status first_error;
  if (preparer_) {
    first_error = preparer_->Close();
    preparer_.reset();
  }
  for (Segment& segment : segments_) {
    Status status = segment.file->Close();
    if (!status.ok() && first_error.ok()) first_error = status;
  }
  segments_.clear();
  if (lock_) {
    Status status = lock_->Unlock();
    if (!status.ok() && first_error.ok()) first_error = status;
    lock_.reset();
  }
  return first_error;
}

Status SegmentStore::CheckWritable() const {
  if (closed_) return Status::Closed("log store " + dir_ + " is closed");
  if (!failed_.ok()) {
    return Status::Closed("log store " + dir_ + " failed stop after: " + failed_.ToString() +
                          "; reopen it");
  }
  if (options_.read_only) {
    return Status::FailedPrecondition("log store " + dir_ + " was opened read-only");
  }
  return Status::Ok();
}

Status SegmentStore::FailStop(const Status& status) {
  WALSIM_ASSERT(!status.ok());
  if (failed_.ok()) {
    failed_ = status;
    logger_->error("log store {} fails stop: {}", dir_, status.ToString());
  }
  return status;
}

Result<uint64_t> SegmentStore::FirstIndex() {
  std::lock_guard lock(mutex_);
  if (closed_) return Status::Closed("log store " + dir_ + " is closed");
  return first_index_;
}

Result<uint64_t> SegmentStore::LastIndex() {
  std::lock_guard lock(mutex_);
  if (closed_) return Status::Closed("log store " + dir_ + " is closed");
  return last_index_;
}

size_t SegmentStore::FindSegment(uint64_t index) const {
  WALSIM_ASSERT(!segments_.empty() && index >= segments_.front().header.first_index);
  // Raft reads mostly near the tail: the active segment first.
  if (index >= segments_.back().header.first_index) return segments_.size() - 1;
  // The last segment whose first index is <= index (an empty segment sharing
  // its first index with the next one is skipped by taking the last).
  auto after = std::upper_bound(
      segments_.begin(), segments_.end(), index,
      [](uint64_t value, const Segment& segment) { return value < segment.header.first_index; });
  size_t position = static_cast<size_t>(after - segments_.begin()) - 1;
  WALSIM_ASSERT(position < segments_.size());
  return position;
}

Status SegmentStore::GetLog(uint64_t index, Log* out) {
  WALSIM_ASSERT(out != nullptr);
  std::lock_guard lock(mutex_);
  if (closed_) return Status::Closed("log store " + dir_ + " is closed");
  if (last_index_ == 0 || index < first_index_ || index > last_index_) {
    return Status::NotFound("log index " + std::to_string(index) + " not found");
  }
  Segment& segment = segments_[FindSegment(index)];
  uint64_t position = index - segment.header.first_index;
  WALSIM_ASSERT(position < segment.frames.size());
  uint64_t offset = format::FrameOffsetBytes(segment.frames[position]);
  uint64_t length = format::FrameLengthBytes(segment.frames[position]);
  if (read_buffer_.size() < length) read_buffer_.resize(length);
  std::span<uint8_t> frame(read_buffer_.data(), length);
  Result<size_t> read = segment.file->ReadAt(offset, frame);
  if (!read.ok()) return read.status().WithContext("reading log index " + std::to_string(index));
  Status decoded = *read == length
                       ? format::DecodeEntryFrame(frame, index, out)
                       : Status::Corruption("short read of " + std::to_string(*read) + " bytes");
  if (!decoded.ok()) [[unlikely]] {
    return Status::Corruption("log index " + std::to_string(index) + ": " + segment.path +
                              " at offset " + std::to_string(offset) + ": " + decoded.message());
  }
  WALSIM_ASSERT(out->index == index);
  return Status::Ok();
}

namespace {

// The slow half of AssertInvariantsLocked: segments form a chain (rising
// sequence numbers, each starting where the one before ends), and the last
// frames_to_check frames of each segment lie in rising order after its header
// block and before its write offset (the last segment) or its size. Checking
// only the frames a call wrote keeps a StoreLogs O(batch + segments), not
// O(store): the whole-store walk made StoreLogs 18-31x slower.
template <typename Segments>
void AssertSegmentChain(const Segments& segments, uint64_t write_offset_bytes,
                        size_t frames_to_check) {
  for (size_t i = 0; i < segments.size(); i++) {
    const auto& segment = segments[i];
    if (i > 0) {
      WALSIM_ASSERT_SLOW(segments[i - 1].header.segment_seq < segment.header.segment_seq);
      WALSIM_ASSERT_SLOW(segments[i - 1].next_index() == segment.header.first_index);
    }
    const bool is_tail = i + 1 == segments.size();
    if (!is_tail && frames_to_check != SIZE_MAX) continue;
    const uint64_t end_bytes = is_tail ? write_offset_bytes : segment.size_bytes;
    const size_t first = segment.frames.size() - std::min(frames_to_check, segment.frames.size());
    uint64_t previous_end_bytes = segment.header.write_alignment_bytes;
    if (first > 0) {
      const uint64_t before = segment.frames[first - 1];
      previous_end_bytes = format::FrameOffsetBytes(before) + format::FrameLengthBytes(before);
    }
    for (size_t f = first; f < segment.frames.size(); f++) {
      const uint64_t offset = format::FrameOffsetBytes(segment.frames[f]);
      WALSIM_ASSERT_SLOW(offset >= previous_end_bytes &&
                         offset % format::kFrameAlignmentBytes == 0);
      previous_end_bytes = offset + format::FrameLengthBytes(segment.frames[f]);
      WALSIM_ASSERT_SLOW(previous_end_bytes <= end_bytes);
    }
  }
}

}  // namespace

Status SegmentStore::StoreLog(const Log& log) { return StoreLogs(std::span<const Log>(&log, 1)); }

Status SegmentStore::StoreLogs(std::span<const Log> logs) {
  std::lock_guard lock(mutex_);
  WALSIM_RETURN_IF_ERROR(CheckWritable());
  WALSIM_RETURN_IF_ERROR(ValidateAppend(RangeLocked(), logs, options_.entry_size_bytes_max));
  if (logs.empty()) return Status::Ok();
  uint64_t alignment = options_.write_alignment_bytes;
  uint64_t batch_size_bytes = format::BatchSizeBytes(logs, options_.write_alignment_bytes);
  if (batch_size_bytes > format::kSegmentSizeBytesMax - alignment) {
    return Status::InvalidArgument("a batch of " + std::to_string(batch_size_bytes) +
                                   " bytes does not fit in a segment");
  }
  if (last_index_ == 0) {
    WALSIM_RETURN_IF_ERROR(StartLog(logs[0].index, batch_size_bytes));
  } else if (must_roll_ || write_offset_bytes_ + batch_size_bytes > segments_.back().size_bytes) {
    WALSIM_RETURN_IF_ERROR(RollSegment(SegmentKind::kContinue, last_index_ + 1, batch_size_bytes));
  }
  Status appended = AppendBatch(logs, batch_size_bytes);
  if (appended.ok()) AssertInvariantsLocked(/*wrote_tail=*/true, logs.size());
  return appended;
}

Status SegmentStore::AppendBatch(std::span<const Log> logs, uint64_t batch_size_bytes) {
  Segment& segment = segments_.back();
  WALSIM_ASSERT(!must_roll_ && segment.next_index() == logs[0].index);
  WALSIM_ASSERT(write_offset_bytes_ + batch_size_bytes <= segment.size_bytes);
  if (write_buffer_.size() < batch_size_bytes) write_buffer_.resize(batch_size_bytes);
  std::span<uint8_t> batch(write_buffer_.data(), batch_size_bytes);
  uint64_t batch_seq = last_batch_seq_ + 1;
  // The encoder fills the index entries as it goes (one pass over the batch);
  // they count only once the batch is durable.
  const size_t frame_count = segment.frames.size();
  segment.frames.resize(frame_count + logs.size());
  format::EncodeBatch(logs, {batch_seq, options_.write_alignment_bytes, write_offset_bytes_}, batch,
                      std::span(segment.frames).subspan(frame_count));
  Status status = segment.file->WriteAt(write_offset_bytes_, batch);
  if (status.ok() && !options_.no_sync) status = segment.file->SyncData();
  if (!status.ok()) {
    segment.frames.resize(frame_count);
    InvalidateFailedBatch(segment);
    return FailStop(status.WithContext("appending batch " + std::to_string(batch_seq) + " to " +
                                       segment.path + " at offset " +
                                       std::to_string(write_offset_bytes_)));
  }
  if (first_index_ == 0) first_index_ = logs[0].index;
  last_index_ = logs.back().index;
  last_batch_seq_ = batch_seq;
  if (!options_.no_sync) durable_batch_seq_ = batch_seq;
  write_offset_bytes_ += batch_size_bytes;
  // The next spare is requested once this segment is half full: early
  // enough for a background executor to finish it before the roll, and its
  // 64 MiB write does not compete with the roll's syncs.
  if (preparer_ && 2 * write_offset_bytes_ >= segment.size_bytes) preparer_->Prepare();
  WALSIM_ASSERT(segment.next_index() == last_index_ + 1);
  return Status::Ok();
}

// A batch whose write or sync failed may still be readable from the page
// cache while not being durable (Linux marks pages clean after a failed
// fsync). Spoiling its first frame's CRC keeps a reopen in this process from
// accepting it, and leaves non-zero bytes behind, so recovery sees a torn
// tail and starts a new segment instead of writing over bytes whose durable
// state is unknown.
void SegmentStore::InvalidateFailedBatch(Segment& segment) {
  std::array<uint8_t, 8> spoiled{};
  std::copy_n(write_buffer_.begin(), spoiled.size(), spoiled.begin());
  for (size_t i = 0; i < 4; i++) spoiled[i] = static_cast<uint8_t>(~spoiled[i]);
  // The length field stays: the spoiled frame is non-zero, so it reads as torn.
  WALSIM_ASSERT(DecodeFixed32(spoiled.data() + 4) >= format::kFrameHeaderSizeBytes);
  Status status = segment.file->WriteAt(write_offset_bytes_, spoiled);
  if (!status.ok()) {
    logger_->error("log store {}: could not invalidate the failed batch at {} offset {}: {}", dir_,
                   segment.path, write_offset_bytes_, status.ToString());
  }
}

Status SegmentStore::WriteMeta(const format::StoreMeta& meta) {
  std::string path = fs::Join(dir_, format::kMetaFileName);
  std::string temp_path = path + std::string(format::kTempSuffix);
  WALSIM_ASSERT(meta.durable_batch_seq <= last_batch_seq_);
  std::array<uint8_t, format::kMetaSizeBytes> bytes{};
  format::EncodeMeta(meta, bytes);
  Status status = [&]() -> Status {
    WALSIM_ASSIGN_OR_RETURN(auto file, fs_.Open(temp_path, {.create = true, .truncate = true}));
    WALSIM_RETURN_IF_ERROR(file->WriteAt(0, bytes));
    WALSIM_RETURN_IF_ERROR(file->Sync());
    WALSIM_RETURN_IF_ERROR(file->Close());
    WALSIM_RETURN_IF_ERROR(fs_.Rename(temp_path, path));
    return fs_.SyncDir(dir_);
  }();
  if (!status.ok()) return FailStop(status.WithContext("writing " + path));
  meta_ = meta;
  return Status::Ok();
}

Result<bool> SegmentStore::CreateSegmentFromSpare(const format::SegmentHeader& header,
                                                  const std::string& path, uint64_t size_bytes) {
  if (!preparer_ || preparer_->size_bytes() != size_bytes) return false;
  std::optional<Result<std::unique_ptr<fs::File>>> spare = preparer_->Take();
  if (!spare.has_value()) return false;
  if (!spare->ok()) {
    // The inline path retries the same work and reports its own error.
    logger_->warn("log store {}: {}; creating the segment inline", dir_,
                  spare->status().ToString());
    return false;
  }
  std::unique_ptr<fs::File> file = std::move(*spare).value();
  std::array<uint8_t, format::kSegmentHeaderSizeBytes> bytes{};
  format::EncodeSegmentHeader(header, bytes);
  WALSIM_ASSERT(bytes[0] != 0);
  // The spare holds durable zeros: only the header block changes.
  WALSIM_RETURN_IF_ERROR(file->WriteAt(0, bytes));
  WALSIM_RETURN_IF_ERROR(file->Sync());
  WALSIM_RETURN_IF_ERROR(file->Close());
  WALSIM_RETURN_IF_ERROR(fs_.Rename(preparer_->path(), path));
  WALSIM_RETURN_IF_ERROR(fs_.SyncDir(dir_));
  return true;
}

Status SegmentStore::CreateSegmentFile(const format::SegmentHeader& header, const std::string& path,
                                       uint64_t size_bytes) {
  WALSIM_ASSIGN_OR_RETURN(bool from_spare, CreateSegmentFromSpare(header, path, size_bytes));
  if (from_spare) return Status::Ok();
  std::string temp_path = path + std::string(format::kTempSuffix);
  std::array<uint8_t, format::kSegmentHeaderSizeBytes> bytes{};
  format::EncodeSegmentHeader(header, bytes);
  WALSIM_ASSIGN_OR_RETURN(auto file, fs_.Open(temp_path, {.create = true, .truncate = true}));
  // Zeros, written: appends into them then need no extent conversion, so
  // SyncData writes data only. See SegmentStoreOptions::executor.
  WALSIM_RETURN_IF_ERROR(file->Allocate(0, size_bytes, fs::AllocateMode::kZeroFill));
  WALSIM_RETURN_IF_ERROR(file->WriteAt(0, bytes));
  WALSIM_RETURN_IF_ERROR(file->Sync());
  WALSIM_RETURN_IF_ERROR(file->Close());
  WALSIM_RETURN_IF_ERROR(fs_.Rename(temp_path, path));
  return fs_.SyncDir(dir_);
}

Status SegmentStore::RollSegment(SegmentKind kind, uint64_t first_index,
                                 uint64_t batch_size_bytes) {
  uint64_t alignment = options_.write_alignment_bytes;
  uint64_t size_bytes = format::AlignUp(
      std::max(options_.segment_size_bytes, alignment + batch_size_bytes), alignment);
  WALSIM_ASSERT(size_bytes <= format::kSegmentSizeBytesMax);
  format::SegmentHeader header{kind, next_segment_seq_, first_index, last_batch_seq_,
                               options_.write_alignment_bytes};
  std::string path = fs::Join(dir_, format::SegmentFileName(header.segment_seq, first_index));
  Status created = CreateSegmentFile(header, path, size_bytes);
  if (!created.ok()) return FailStop(created.WithContext("creating segment " + path));
  Result<std::unique_ptr<fs::File>> file = fs_.Open(path, {});
  if (!file.ok()) return FailStop(file.status().WithContext("opening new segment " + path));
  size_t reserve_count = segments_.empty() ? size_t{4096} : segments_.back().frames.size();
  next_segment_seq_++;
  Segment& segment = segments_.emplace_back();
  segment.header = header;
  segment.path = std::move(path);
  segment.file = std::move(file).value();
  segment.size_bytes = size_bytes;
  segment.frames = TakeIndexBuffer();
  segment.frames.reserve(std::max<size_t>(reserve_count, 64));
  write_offset_bytes_ = alignment;
  must_roll_ = false;
  return Status::Ok();
}

// The store is empty: make every existing segment dead before the first
// segment of the new log exists, so no old entry can reappear.
Status SegmentStore::StartLog(uint64_t first_index, uint64_t batch_size_bytes) {
  WALSIM_ASSERT(first_index_ == 0 && last_index_ == 0);
  format::StoreMeta meta{0, next_segment_seq_, durable_batch_seq_};
  if (!segments_.empty() || meta_ != meta) {
    WALSIM_RETURN_IF_ERROR(WriteMeta(meta));
    DropSegments(0, segments_.size());
  }
  return RollSegment(SegmentKind::kFirst, first_index, batch_size_bytes);
}

std::vector<uint64_t> SegmentStore::TakeIndexBuffer() {
  if (recycled_indexes_.empty()) return {};
  std::vector<uint64_t> frames = std::move(recycled_indexes_.back());
  recycled_indexes_.pop_back();
  frames.clear();  // trivially destructible: O(1), the capacity stays
  WALSIM_ASSERT(frames.empty());
  return frames;
}

void SegmentStore::DropSegments(size_t begin, size_t end) {
  WALSIM_ASSERT(begin <= end && end <= segments_.size());
  // Newest first: if a crash persists only some removals, the survivors are
  // still a chain (a segment is never left without the one it continues).
  for (size_t i = end; i > begin; i--) {
    Segment& segment = segments_[i - 1];
    Status status = segment.file->Close();
    if (status.ok()) status = fs_.Remove(segment.path);
    if (!status.ok()) {
      logger_->warn("log store {}: could not remove {}: {} (removed on next open)", dir_,
                    segment.path, status.ToString());
    }
    // Freeing a large index returns its pages one by one (munmap): kept for
    // the next segments instead, so the delete does no per-entry work.
    if (recycled_indexes_.size() < kRecycledIndexCountMax) {
      recycled_indexes_.push_back(std::move(segment.frames));
    }
  }
  WALSIM_ASSERT(recycled_indexes_.size() <= kRecycledIndexCountMax);
  segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(begin),
                  segments_.begin() + static_cast<std::ptrdiff_t>(end));
}

Status SegmentStore::DeleteRange(uint64_t min_index, uint64_t max_index) {
  std::lock_guard lock(mutex_);
  WALSIM_RETURN_IF_ERROR(CheckWritable());
  LogRange range = RangeLocked();
  DeleteKind kind = ClassifyDelete(range, min_index, max_index);
  switch (kind) {
    case DeleteKind::kNoop:
      return Status::Ok();
    case DeleteKind::kMiddle:
      return MiddleDeleteError(range, min_index, max_index);
    case DeleteKind::kWhole:
      return DeleteAll();
    case DeleteKind::kPrefix:
      return DeletePrefix(max_index + 1);
    case DeleteKind::kSuffix:
      return DeleteSuffix(min_index - 1);
  }
  WALSIM_UNREACHABLE();
}

Status SegmentStore::DeleteAll() {
  WALSIM_RETURN_IF_ERROR(WriteMeta(format::StoreMeta{0, next_segment_seq_, durable_batch_seq_}));
  DropSegments(0, segments_.size());
  first_index_ = 0;
  last_index_ = 0;
  must_roll_ = false;
  AssertInvariantsLocked(/*wrote_tail=*/false);
  return Status::Ok();
}

Status SegmentStore::DeletePrefix(uint64_t new_first_index) {
  WALSIM_ASSERT(new_first_index > first_index_ && new_first_index <= last_index_);
  size_t keep = FindSegment(new_first_index);
  WALSIM_RETURN_IF_ERROR(WriteMeta(
      format::StoreMeta{new_first_index, segments_[keep].header.segment_seq, durable_batch_seq_}));
  DropSegments(0, keep);
  first_index_ = new_first_index;
  WALSIM_ASSERT(segments_.front().header.first_index <= first_index_);
  AssertInvariantsLocked(/*wrote_tail=*/false, /*frames_to_check=*/0);  // no frame moved
  return Status::Ok();
}

Status SegmentStore::DeleteSuffix(uint64_t new_last_index) {
  WALSIM_ASSERT(new_last_index >= first_index_ && new_last_index < last_index_);
  size_t keep = FindSegment(new_last_index);
  // Durable before anything else changes: the truncate segment supersedes
  // every entry > new_last_index in the segments before it.
  WALSIM_RETURN_IF_ERROR(RollSegment(SegmentKind::kTruncate, new_last_index + 1, 0));
  size_t truncate_position = segments_.size() - 1;
  WALSIM_ASSERT(keep < truncate_position);
  DropSegments(keep + 1, truncate_position);
  Segment& kept = segments_[keep];
  kept.frames.resize(new_last_index + 1 - kept.header.first_index);
  last_index_ = new_last_index;
  WALSIM_ASSERT(segments_.back().header.kind == SegmentKind::kTruncate);
  AssertInvariantsLocked(/*wrote_tail=*/true, /*frames_to_check=*/0);  // a new tail
  return Status::Ok();
}

void SegmentStore::AssertInvariantsLocked(bool wrote_tail, size_t frames_to_check) const {
  WALSIM_ASSERT(failed_.ok() && !closed_);
  WALSIM_ASSERT((first_index_ == 0) == (last_index_ == 0));
  WALSIM_ASSERT(durable_batch_seq_ <= last_batch_seq_);
  if (last_index_ != 0) {
    WALSIM_ASSERT(!segments_.empty() && first_index_ <= last_index_);
    WALSIM_ASSERT(segments_.front().header.first_index <= first_index_);
    WALSIM_ASSERT(segments_.back().next_index() == last_index_ + 1);
  }
  if (segments_.empty()) return;
  const Segment& tail = segments_.back();
  WALSIM_ASSERT(next_segment_seq_ > tail.header.segment_seq);
  // After a write into the tail the offset lies inside it. Open may leave
  // it past a tail file cut short (the end of its last batch, or a torn tail
  // a read-only open keeps): the next StoreLogs then rolls a new segment.
  WALSIM_ASSERT(!wrote_tail || write_offset_bytes_ <= tail.size_bytes);
  WALSIM_ASSERT(must_roll_ || options_.read_only ||
                write_offset_bytes_ % options_.write_alignment_bytes == 0);
  if constexpr (kSlowAssertsOn) AssertSegmentChain(segments_, write_offset_bytes_, frames_to_check);
}

SegmentStore::Info SegmentStore::GetInfo() {
  std::lock_guard lock(mutex_);
  Info info{first_index_, last_index_, segments_.size(), last_batch_seq_, torn_tail_dropped_, {}};
  for (const Segment& segment : segments_) info.segment_paths.push_back(segment.path);
  return info;
}

}  // namespace walsim::logstore
