// Wal: appending (Save, SaveSnapshot, Cut) and the fail-stop rule.
#include <chrono>

#include "base/coding.h"
#include "fs/path.h"
#include "wal/record.h"
#include "wal/wal.h"

namespace walsim::wal {

Status Wal::CheckWritable() const {
  switch (stage_) {
    case Stage::kAppend:
      return Status::Ok();
    case Stage::kFailed:
      return WalStatus(StatusCode::kClosed, WalError::kFailedStop,
                       "wal " + dir_ + " refuses writes after an earlier failure (" +
                           failure_.ToString() + "); reopen it");
    case Stage::kClosed:
      return Status::Closed("wal " + dir_ + " is closed");
    case Stage::kNeedsReadAll:
    case Stage::kReadDone:
      break;
  }
  return Status::FailedPrecondition("wal " + dir_ +
                                    " is not in append mode (ReadAll after Open first)");
}

Status Wal::FailStop(Status cause) {
  WALSIM_ASSERT(!cause.ok());
  logger_->error("wal {}: failing stop: {}", dir_, cause.ToString());
  stage_ = Stage::kFailed;
  failure_ = cause;
  return cause;
}

Status Wal::ValidateBatch(std::span<const Entry> entries) const {
  if (entries.size() > options_.save_entries_max) {
    return Status::InvalidArgument("a Save of " + std::to_string(entries.size()) +
                                   " entries exceeds the limit of " +
                                   std::to_string(options_.save_entries_max));
  }
  for (size_t i = 0; i < entries.size(); i++) {
    const Entry& entry = entries[i];
    // The exact size is needed only near the limit: headers add at most
    // kRecordHeaderBytesMax + kEntryHeaderBytesMax to the data.
    if (entry.data.size() + kRecordHeaderBytesMax + kEntryHeaderBytesMax >
            options_.record_size_bytes_max &&
        RecordEncodedSize(static_cast<int64_t>(RecordType::kEntry), UINT32_MAX,
                          EntryEncodedSize(entry)) > options_.record_size_bytes_max) {
      return Status::InvalidArgument(
          "entry " + std::to_string(entry.index) + " of " + std::to_string(entry.data.size()) +
          " bytes exceeds the record limit of " + std::to_string(options_.record_size_bytes_max));
    }
    if (i == 0) {
      if (last_index_ != UINT64_MAX && entry.index > last_index_ + 1) {
        return Status::InvalidArgument("entry index " + std::to_string(entry.index) +
                                       " leaves a gap after the last index " +
                                       std::to_string(last_index_));
      }
      continue;
    }
    if (entry.index != entries[i - 1].index + 1 || entry.term < entries[i - 1].term) {
      return Status::InvalidArgument(
          "entries must have consecutive indexes and non-decreasing terms: entry " +
          std::to_string(i) + " is (index " + std::to_string(entry.index) + ", term " +
          std::to_string(entry.term) + ") after (index " + std::to_string(entries[i - 1].index) +
          ", term " + std::to_string(entries[i - 1].term) + ")");
    }
  }
  return Status::Ok();
}

Status Wal::SyncTail() {
  WALSIM_ASSERT(stage_ == Stage::kAppend && tail_ != nullptr);
  Status flushed = encoder_.Flush();
  if (!flushed.ok()) return FailStop(flushed.WithContext("writing " + TailPath()));
  WALSIM_ASSERT(encoder_.buffered_bytes() == 0 && encoder_.flushed_offset() == encoder_.offset());
  if (options_.no_sync) return Status::Ok();
  // The clock is read only when a threshold is set, so simulations (0) stay
  // clock-free.
  const bool timed = options_.sync_warn_threshold_us > 0;
  const auto start =
      timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  Status synced = tail_->SyncData();
  if (!synced.ok()) return FailStop(synced.WithContext("syncing " + TailPath()));
  if (timed) {
    const auto took_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    if (static_cast<uint64_t>(took_us) > options_.sync_warn_threshold_us) {
      logger_->warn("wal: slow fdatasync of {}: {} us (threshold {} us)", TailPath(), took_us,
                    options_.sync_warn_threshold_us);
    }
  }
  return Status::Ok();
}

Status Wal::Save(const HardState& hard_state, std::span<const Entry> entries) {
  WALSIM_RETURN_IF_ERROR(CheckWritable());
  WALSIM_ASSERT(stage_ == Stage::kAppend);
  const uint64_t offset_before = encoder_.offset();
  if (hard_state.IsEmpty() && entries.empty()) return Status::Ok();
  WALSIM_RETURN_IF_ERROR(ValidateBatch(entries));
  // raft.MustSync: new entries, or a changed term or vote, must be durable
  // before raft acts on them; a commit-only change need not be.
  const bool must_sync =
      !entries.empty() || hard_state.vote != state_.vote || hard_state.term != state_.term;
  for (const Entry& entry : entries) {
    Status appended = encoder_.AppendEntry(entry);
    if (!appended.ok()) return FailStop(appended.WithContext("writing " + TailPath()));
    last_index_ = entry.index;
  }
  if (!hard_state.IsEmpty()) {
    Status appended = encoder_.AppendHardState(hard_state);
    if (!appended.ok()) return FailStop(appended.WithContext("writing " + TailPath()));
    state_ = hard_state;
  }
  // Each frame holds at least a length field and one aligned word.
  WALSIM_ASSERT(entries.empty() || last_index_ == entries.back().index);
  WALSIM_ASSERT(encoder_.offset() >= offset_before + entries.size() * kFrameAlignBytes * 2);
  // etcd compares the file position, which excludes what is still buffered:
  // the same records end a segment here as in etcd.
  if (encoder_.flushed_offset() >= options_.segment_size_bytes) return Cut();
  if (must_sync) return SyncTail();
  return Status::Ok();
}

Status Wal::SaveSnapshot(const Snapshot& snap) {
  WALSIM_RETURN_IF_ERROR(CheckWritable());
  if (snap.conf_state.size() > options_.record_size_bytes_max - kRecordHeaderBytesMax * 2) {
    return Status::InvalidArgument("snapshot conf_state exceeds the record limit");
  }
  Status appended = encoder_.AppendSnapshot(snap);
  if (!appended.ok()) return FailStop(appended.WithContext("writing " + TailPath()));
  if (last_index_ < snap.index) last_index_ = snap.index;
  return SyncTail();
}

Status Wal::Cut() {
  WALSIM_RETURN_IF_ERROR(CheckWritable());
  Status cut = CutSteps();
  if (!cut.ok() && stage_ != Stage::kFailed) return FailStop(cut);
  return cut;
}

Status Wal::CutSteps() {
  // 1. Finish the current file: write, drop the unused preallocation, sync.
  const std::string old_path = TailPath();
  WALSIM_RETURN_IF_ERROR(encoder_.Flush().WithContext("writing " + old_path));
  WALSIM_RETURN_IF_ERROR(tail_->Truncate(encoder_.offset()).WithContext("truncating " + old_path));
  if (!options_.no_sync) WALSIM_RETURN_IF_ERROR(tail_->Sync().WithContext("syncing " + old_path));
  // 2. Fill a preallocated .tmp file: crc chain, metadata, HardState.
  WALSIM_ASSIGN_OR_RETURN(PreparedSegment next, pipeline_->Take());
  SegmentName name{segments_.back().name.seq + 1, last_index_ + 1, {}};
  name.name = FormatSegmentName(name.seq, name.index);
  const std::string path = fs::Join(dir_, name.name);
  const uint32_t crc = encoder_.crc();
  encoder_.Reset(next.file.get(), 0, crc);
  WALSIM_RETURN_IF_ERROR(encoder_.AppendCrcRecord(crc));
  WALSIM_RETURN_IF_ERROR(encoder_.AppendRecord(RecordType::kMetadata, AsBytes(metadata_)));
  if (!state_.IsEmpty()) WALSIM_RETURN_IF_ERROR(encoder_.AppendHardState(state_));
  WALSIM_RETURN_IF_ERROR(encoder_.Flush().WithContext("writing " + next.path));
  if (!options_.no_sync) {
    WALSIM_RETURN_IF_ERROR(next.file->SyncData().WithContext("syncing " + next.path));
  }
  // 3. Publish it atomically and durably: rename, then sync the directory.
  WALSIM_RETURN_IF_ERROR(fs_.Rename(next.path, path));
  WALSIM_RETURN_IF_ERROR(fs_.SyncDir(dir_).WithContext("syncing directory " + dir_));
  WALSIM_ASSIGN_OR_RETURN(auto lock, fs_.Lock(path));
  (void)tail_->Close();
  tail_ = std::move(next.file);
  WALSIM_ASSERT(encoder_.buffered_bytes() == 0 && encoder_.offset() % kFrameAlignBytes == 0);
  WALSIM_ASSERT(segments_.back().name.seq + 1 == name.seq && name.index == last_index_ + 1);
  segments_.push_back(Segment{std::move(name), std::move(lock), nullptr});
  WALSIM_ASSERT(TailPath() == path);
  logger_->info("wal: created a new segment {}", path);
  pipeline_->Prepare();
  return Status::Ok();
}

}  // namespace walsim::wal
