#include "wal/encoder.h"

#include "base/coding.h"
#include "base/crc32c.h"
#include "wal/decoder.h"
#include "wal/record.h"

namespace walsim::wal {

Encoder::Encoder() {
  buffer_.reserve(kBufferBytesReserved);
  scratch_.reserve(kPageBytes);
}

void Encoder::Reset(fs::File* file, uint64_t file_offset, uint32_t crc) {
  WALSIM_ASSERT(file != nullptr);
  WALSIM_ASSERT(file_offset % kFrameAlignBytes == 0);
  file_ = file;
  flushed_offset_ = file_offset;
  crc_ = crc;
  buffer_.clear();
  page_buffered_bytes_ = 0;
}

uint64_t Encoder::FrameSizeBytes(uint64_t record_bytes) {
  uint64_t pad_bytes = 0;
  (void)EncodeFrameLength(record_bytes, &pad_bytes);
  return kFrameHeaderBytes + record_bytes + pad_bytes;
}

Status Encoder::AppendFrame(int64_t type, uint32_t crc, std::span<const uint8_t> data) {
  const size_t frame_start = buffer_.size();
  buffer_.append(kFrameHeaderBytes, '\0');
  wal::AppendRecord(&buffer_, type, crc, data);
  const uint64_t record_bytes = buffer_.size() - frame_start - kFrameHeaderBytes;
  uint64_t pad_bytes = 0;
  const uint64_t length_field = EncodeFrameLength(record_bytes, &pad_bytes);
  buffer_.append(pad_bytes, '\0');
  EncodeFixed64(reinterpret_cast<uint8_t*>(buffer_.data() + frame_start), length_field);
  WALSIM_ASSERT((buffer_.size() - frame_start) % kFrameAlignBytes == 0);
  WALSIM_ASSERT(buffer_.size() - frame_start == FrameSizeBytes(record_bytes));
  // etcd writes the length field and the padded record as two Writes.
  WALSIM_RETURN_IF_ERROR(PageWrite(kFrameHeaderBytes));
  return PageWrite(buffer_.size() - frame_start - kFrameHeaderBytes);
}

Status Encoder::PageWrite(size_t size_bytes) {
  WALSIM_ASSERT(page_buffered_bytes_ + size_bytes <= buffer_.size());
  // At most two rounds: after a flush the rest is under a page.
  for (int round = 0; round < 3; round++) {
    if (page_buffered_bytes_ + size_bytes <= kFlushWatermarkBytes) {
      page_buffered_bytes_ += size_bytes;
      return Status::Ok();
    }
    // Top the buffer up to a file page boundary, unless the data runs out.
    size_t slack = kPageBytes - (flushed_offset_ + page_buffered_bytes_) % kPageBytes;
    if (slack != kPageBytes) {
      const bool partial = slack > size_bytes;
      if (partial) slack = size_bytes;
      page_buffered_bytes_ += slack;
      size_bytes -= slack;
      if (partial) return Status::Ok();
    }
    WALSIM_RETURN_IF_ERROR(WritePrefix(page_buffered_bytes_));
    WALSIM_ASSERT(flushed_offset_ % kPageBytes == 0);
    if (size_bytes > kPageBytes) {
      const size_t pages_bytes = size_bytes / kPageBytes * kPageBytes;
      WALSIM_RETURN_IF_ERROR(WritePrefix(pages_bytes));
      size_bytes -= pages_bytes;
    }
  }
  WALSIM_UNREACHABLE();
}

Status Encoder::AppendCrcRecord(uint32_t previous_crc) {
  // etcd's saveCrc: the record's crc field is the chain value so far; it
  // carries no data, so it does not extend the chain.
  WALSIM_ASSERT(previous_crc == crc_);
  return AppendFrame(static_cast<int64_t>(RecordType::kCrc), previous_crc, {});
}

Status Encoder::AppendRecord(RecordType type, std::span<const uint8_t> data) {
  WALSIM_ASSERT(type != RecordType::kCrc);
  crc_ = Crc32cExtend(crc_, data);
  return AppendFrame(static_cast<int64_t>(type), crc_, data);
}

Status Encoder::AppendEntry(const Entry& entry) {
  scratch_.clear();
  wal::AppendEntry(&scratch_, entry);
  return AppendRecord(RecordType::kEntry, AsBytes(scratch_));
}

Status Encoder::AppendHardState(const HardState& state) {
  scratch_.clear();
  wal::AppendHardState(&scratch_, state);
  return AppendRecord(RecordType::kState, AsBytes(scratch_));
}

Status Encoder::AppendSnapshot(const Snapshot& snapshot) {
  scratch_.clear();
  wal::AppendSnapshot(&scratch_, snapshot);
  return AppendRecord(RecordType::kSnapshot, AsBytes(scratch_));
}

Status Encoder::WritePrefix(size_t size_bytes) {
  WALSIM_ASSERT(file_ != nullptr && size_bytes <= buffer_.size());
  if (size_bytes == 0) return Status::Ok();
  Status written = file_->WriteAt(
      flushed_offset_,
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(buffer_.data()), size_bytes));
  if (!written.ok()) return written;
  flushed_offset_ += size_bytes;
  buffer_.erase(0, size_bytes);
  page_buffered_bytes_ -= std::min(page_buffered_bytes_, size_bytes);
  return Status::Ok();
}

Status Encoder::Flush() {
  WALSIM_ASSERT(page_buffered_bytes_ == buffer_.size());
  return WritePrefix(buffer_.size());
}

}  // namespace walsim::wal
