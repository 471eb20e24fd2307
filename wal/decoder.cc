#include "wal/decoder.h"

#include <algorithm>
#include <cstring>

#include "base/bytes.h"
#include "base/coding.h"
#include "base/crc32c.h"

namespace walsim::wal {

bool DecodeFrameLength(uint64_t length_field, uint64_t* record_bytes, uint64_t* pad_bytes) {
  const auto top = static_cast<uint8_t>(length_field >> kFramePadShift);
  *record_bytes = length_field & kFrameLengthMask;
  *pad_bytes = 0;
  if (top != 0) {
    // Bits 3..6 of the top byte are never set by a writer.
    if ((top & kFramePadFlag) == 0 || (top & ~(kFramePadFlag | kFramePadMask)) != 0) return false;
    *pad_bytes = top & kFramePadMask;
  }
  return (*record_bytes + *pad_bytes) % kFrameAlignBytes == 0;
}

uint64_t EncodeFrameLength(uint64_t record_bytes, uint64_t* pad_bytes) {
  WALSIM_ASSERT(record_bytes <= kFrameLengthMask);
  *pad_bytes = (kFrameAlignBytes - record_bytes % kFrameAlignBytes) % kFrameAlignBytes;
  uint64_t field = record_bytes;
  if (*pad_bytes != 0) field |= uint64_t{kFramePadFlag | *pad_bytes} << kFramePadShift;
  return field;
}

FrameDecoder::FrameDecoder(ByteSource* source, uint32_t crc, const DecoderOptions& options)
    : source_(source), file_size_bytes_(source->size_bytes()), crc_(crc), options_(options) {
  WALSIM_ASSERT(options.read_chunk_bytes >= kPageBytes);
}

void FrameDecoder::Reset(ByteSource* source, uint32_t crc) {
  WALSIM_ASSERT(source != nullptr);
  source_ = source;
  file_size_bytes_ = source->size_bytes();
  crc_ = crc;
  offset_ = 0;
  buffer_offset_ = 0;
  buffer_size_ = 0;
  WALSIM_ASSERT(buffer_capacity_bytes_ == 0 || buffer_ != nullptr);
}

Result<std::span<const uint8_t>> FrameDecoder::Refill(uint64_t offset, uint64_t size) {
  WALSIM_ASSERT(offset <= file_size_bytes_ && size <= file_size_bytes_ - offset);
  // Read ahead a chunk so that small frames cost one read per chunk.
  const uint64_t want =
      std::min(std::max(size, options_.read_chunk_bytes), file_size_bytes_ - offset);
  if (buffer_capacity_bytes_ < want) {
    // Nothing in the old buffer is needed: the read below refills it.
    buffer_ = std::make_unique_for_overwrite<uint8_t[]>(want);
    buffer_capacity_bytes_ = want;
  }
  buffer_offset_ = offset;
  buffer_size_ = 0;
  // Each round reads at least one byte or stops, so the loop is bounded by want.
  while (buffer_size_ < want) {
    std::span<uint8_t> dst(buffer_.get() + buffer_size_, want - buffer_size_);
    WALSIM_ASSIGN_OR_RETURN(size_t count, source_->ReadAt(offset + buffer_size_, dst));
    if (count == 0) break;
    buffer_size_ += count;
  }
  WALSIM_ASSERT(buffer_size_ <= want && want <= buffer_capacity_bytes_);
  if (buffer_size_ < size) {
    return Status::IoError("short read at offset " + std::to_string(offset + buffer_size_) +
                           ": the file is shorter than its size " +
                           std::to_string(file_size_bytes_));
  }
  return std::span<const uint8_t>(buffer_.get(), size);
}

bool FrameDecoder::HasZeroSector(uint64_t data_offset, std::span<const uint8_t> data) const {
  // etcd's isTornEntry: split on absolute 512-byte boundaries; a chunk of all
  // zeros is a sector the device never wrote.
  size_t position = 0;
  uint64_t file_offset = data_offset;
  while (position < data.size()) {
    const size_t chunk = static_cast<size_t>(
        std::min<uint64_t>(kSectorBytes - file_offset % kSectorBytes, data.size() - position));
    WALSIM_ASSERT(chunk > 0);
    const auto sector = data.subspan(position, chunk);
    if (IsAllZero(sector)) return true;
    position += chunk;
    file_offset += chunk;
  }
  return false;
}

void FrameDecoder::Classify(Frame* frame, uint64_t data_offset, std::span<const uint8_t> data,
                            WalError error, std::string reason) const {
  frame->zero_chunk = HasZeroSector(data_offset, data);
  frame->kind = frame->zero_chunk ? FrameKind::kTorn : FrameKind::kCorrupt;
  frame->error = error;
  frame->reason = std::move(reason);
}

Status FrameDecoder::Next(Frame* frame) {
  *frame = Frame{};
  frame->offset = offset_;
  if (offset_ >= file_size_bytes_) return Status::Ok();  // kEnd: end of file
  const uint64_t remaining = file_size_bytes_ - offset_;
  if (remaining < kFrameHeaderBytes) {
    WALSIM_ASSIGN_OR_RETURN(auto tail, Fetch(offset_, remaining));
    if (IsAllZero(tail)) {
      return Status::Ok();
    }
    frame->kind = FrameKind::kTorn;
    frame->error = WalError::kMalformedRecord;
    frame->reason = "a partial length field at the end of the file";
    return Status::Ok();
  }
  WALSIM_ASSIGN_OR_RETURN(auto header, Fetch(offset_, kFrameHeaderBytes));
  const uint64_t length_field = DecodeFixed64(header.data());
  if (length_field == 0) return Status::Ok();  // kEnd: preallocated zeros
  uint64_t record_bytes = 0;
  uint64_t pad_bytes = 0;
  frame->error = WalError::kMalformedRecord;
  if (!DecodeFrameLength(length_field, &record_bytes, &pad_bytes)) {
    frame->kind = FrameKind::kTorn;
    frame->reason = "malformed length field " + std::to_string(length_field);
    return Status::Ok();
  }
  if (record_bytes + pad_bytes > remaining - kFrameHeaderBytes) {
    frame->kind = FrameKind::kTorn;
    frame->reason =
        "record length " + std::to_string(record_bytes) + " runs past the end of the file";
    return Status::Ok();
  }
  frame->size_bytes = kFrameHeaderBytes + record_bytes + pad_bytes;
  if (record_bytes > options_.record_size_bytes_max) {
    frame->kind = FrameKind::kCorrupt;
    frame->over_limit = true;
    frame->reason = "record length " + std::to_string(record_bytes) + " exceeds the limit " +
                    std::to_string(options_.record_size_bytes_max);
    return Status::Ok();
  }
  const uint64_t data_offset = offset_ + kFrameHeaderBytes;
  WALSIM_ASSIGN_OR_RETURN(auto data, Fetch(data_offset, record_bytes + pad_bytes));
  Status decoded = DecodeRecord(data.first(record_bytes), &frame->record);
  if (!decoded.ok()) {
    Classify(frame, data_offset, data, WalError::kMalformedRecord, decoded.message());
    return Status::Ok();
  }
  frame->record_decoded = true;
  if (frame->record.type != static_cast<int64_t>(RecordType::kCrc)) {
    const uint32_t crc = Crc32cExtend(crc_, frame->record.data);
    if (crc != frame->record.crc) {
      Classify(frame, data_offset, data, WalError::kCrcMismatch,
               "crc mismatch: record holds " + std::to_string(frame->record.crc) +
                   ", running crc is " + std::to_string(crc));
      return Status::Ok();
    }
    crc_ = crc;
  }
  frame->kind = FrameKind::kRecord;
  frame->error = WalError::kNone;
  offset_ += frame->size_bytes;
  // After the read: what the decoder returns lies inside the frame, within
  // the limit, and a data record continues the CRC chain it was checked on.
  WALSIM_ASSERT(offset_ <= file_size_bytes_ && offset_ % kFrameAlignBytes == frame->offset % 8);
  WALSIM_ASSERT(frame->size_bytes % kFrameAlignBytes == 0 && pad_bytes < kFrameAlignBytes);
  WALSIM_ASSERT(frame->record.data.size() < record_bytes || record_bytes == 0);
  WALSIM_ASSERT(record_bytes <= options_.record_size_bytes_max);
  WALSIM_ASSERT(frame->record.type == static_cast<int64_t>(RecordType::kCrc) ||
                frame->record.crc == crc_);
  return Status::Ok();
}

Result<bool> FrameDecoder::FrameFollows(const Frame& frame) {
  WALSIM_ASSERT(frame.size_bytes > 0);
  const uint64_t next = frame.offset + frame.size_bytes;
  WALSIM_ASSERT(next <= file_size_bytes_);
  const uint64_t length = std::min<uint64_t>(kFrameHeaderBytes, file_size_bytes_ - next);
  WALSIM_ASSIGN_OR_RETURN(auto header, Fetch(next, length));
  return !IsAllZero(header);
}

Result<std::optional<uint64_t>> FrameDecoder::IntactFrameSizeAt(uint64_t frame_offset) {
  WALSIM_ASSERT(frame_offset % kFrameAlignBytes == 0);
  const uint64_t record_offset = frame_offset + kFrameHeaderBytes;
  if (record_offset >= file_size_bytes_) return std::optional<uint64_t>();
  const uint64_t remaining = file_size_bytes_ - record_offset;
  WALSIM_ASSIGN_OR_RETURN(
      auto prefix, Fetch(record_offset, std::min<uint64_t>(kRecordHeaderBytesMax, remaining)));
  const std::optional<uint64_t> record_bytes = RecordSizeFromHeader(prefix);
  if (!record_bytes || *record_bytes == 0 || *record_bytes > options_.record_size_bytes_max ||
      *record_bytes > remaining) {
    return std::optional<uint64_t>();
  }
  // A frame whose padding runs past the end of the file is cut short, so it
  // is not intact (etcd's decoder reads record and padding in one ReadFull).
  const uint64_t pad_bytes =
      (kFrameAlignBytes - *record_bytes % kFrameAlignBytes) % kFrameAlignBytes;
  if (pad_bytes > remaining - *record_bytes) return std::optional<uint64_t>();
  WALSIM_ASSIGN_OR_RETURN(auto bytes, Fetch(record_offset, *record_bytes + pad_bytes));
  if (!IsAllZero(bytes.subspan(*record_bytes))) {
    return std::optional<uint64_t>();
  }
  RecordView record;
  if (!DecodeRecord(bytes.first(*record_bytes), &record).ok() || record.type < kRecordTypeMin ||
      record.type > kRecordTypeMax) {
    return std::optional<uint64_t>();
  }
  const bool chained = record.type == static_cast<int64_t>(RecordType::kCrc)
                           ? record.crc == crc_
                           : Crc32cExtend(crc_, record.data) == record.crc;
  if (!chained) return std::optional<uint64_t>();
  WALSIM_ASSERT((*record_bytes + pad_bytes) % kFrameAlignBytes == 0);
  return std::optional<uint64_t>(kFrameHeaderBytes + *record_bytes + pad_bytes);
}

void FrameDecoder::SkipCorrupt(const Frame& frame) {
  WALSIM_ASSERT(frame.kind == FrameKind::kCorrupt && frame.size_bytes > 0);
  WALSIM_ASSERT(frame.offset == offset_);
  if (frame.record_decoded) crc_ = frame.record.crc;
  offset_ += frame.size_bytes;
  WALSIM_ASSERT(offset_ <= file_size_bytes_);
}

}  // namespace walsim::wal
