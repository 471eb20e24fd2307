#include "wal/encoder.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "base/bytes.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "wal/decoder.h"
#include "wal/record.h"

namespace walsim::wal {

Encoder::Encoder()
    : buffer_(new uint8_t[kBufferBytesReserved]), buffer_capacity_bytes_(kBufferBytesReserved) {}

void Encoder::Reset(fs::File* file, uint64_t file_offset, uint32_t crc) {
  WALSIM_ASSERT(file != nullptr);
  WALSIM_ASSERT(file_offset % kFrameAlignBytes == 0);
  file_ = file;
  flushed_offset_ = file_offset;
  crc_ = crc;
  buffer_size_bytes_ = 0;
  page_buffered_bytes_ = 0;
}

uint64_t Encoder::FrameSizeBytes(uint64_t record_bytes) {
  uint64_t pad_bytes = 0;
  (void)EncodeFrameLength(record_bytes, &pad_bytes);
  return kFrameHeaderBytes + record_bytes + pad_bytes;
}

namespace {
// The length field, stored with one move where the machine is little-endian.
void StoreLengthField(uint8_t* dst, uint64_t length_field) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(dst, &length_field, sizeof(length_field));
  } else {
    EncodeFixed64(dst, length_field);
  }
}
}  // namespace

namespace {
// The slow check before a write: the frame at frame decodes (length field,
// walpb.Record, zero padding) to type, crc and the data head + tail, and for
// a data record the running CRC covers exactly that data.
void AssertFrameDecodesBack(const uint8_t* frame, int64_t type, uint32_t crc,
                            std::span<const uint8_t> head, std::span<const uint8_t> tail) {
  uint64_t record_bytes = 0;
  uint64_t pad_bytes = 0;
  WALSIM_ASSERT_SLOW(DecodeFrameLength(DecodeFixed64(frame), &record_bytes, &pad_bytes));
  const std::span<const uint8_t> record(frame + kFrameHeaderBytes, record_bytes + pad_bytes);
  WALSIM_ASSERT_SLOW(IsAllZero(record.subspan(record_bytes)));
  RecordView decoded;
  WALSIM_ASSERT_SLOW(DecodeRecord(record.first(record_bytes), &decoded).ok());
  WALSIM_ASSERT_SLOW(decoded.type == type && decoded.crc == crc);
  WALSIM_ASSERT_SLOW(decoded.data.size() == head.size() + tail.size());
  WALSIM_ASSERT_SLOW(std::equal(head.begin(), head.end(), decoded.data.begin()));
  WALSIM_ASSERT_SLOW(std::equal(tail.begin(), tail.end(), decoded.data.begin() + head.size()));
}

// The slow check of an entry's encoding: head + entry.data decodes to entry.
void AssertEntryDecodesBack(std::span<const uint8_t> head, const Entry& entry) {
  std::string encoded(reinterpret_cast<const char*>(head.data()), head.size());
  encoded += entry.data;
  Entry decoded;
  WALSIM_ASSERT_SLOW(DecodeEntry(AsBytes(encoded), &decoded).ok() && decoded == entry);
}
}  // namespace

uint8_t* Encoder::Reserve(size_t size_bytes) {
  const size_t needed_bytes = buffer_size_bytes_ + size_bytes;
  if (needed_bytes > buffer_capacity_bytes_) {
    // Only a record larger than the reserve gets here; grow geometrically so
    // a run of them costs amortized constant copies.
    const size_t capacity_bytes = std::max(needed_bytes, 2 * buffer_capacity_bytes_);
    std::unique_ptr<uint8_t[]> grown(new uint8_t[capacity_bytes]);
    std::memcpy(grown.get(), buffer_.get(), buffer_size_bytes_);
    buffer_ = std::move(grown);
    buffer_capacity_bytes_ = capacity_bytes;
  }
  WALSIM_ASSERT(needed_bytes <= buffer_capacity_bytes_);
  return buffer_.get() + buffer_size_bytes_;
}

Status Encoder::AppendFrame(int64_t type, uint32_t crc, std::span<const uint8_t> head,
                            std::span<const uint8_t> tail) {
  WALSIM_ASSERT(head.size() <= kFrameHeadBytesMax);
  // Room for the largest frame these parts can make, written in place: the
  // record header's size depends on the CRC's varint, so the frame's size is
  // known only once it is written. Padding is written as a whole word.
  uint8_t* const frame = Reserve(kFrameHeaderBytes + kRecordHeaderBytesMax + kFrameHeadBytesMax +
                                 tail.size() + kFrameAlignBytes);
  uint8_t* const record = frame + kFrameHeaderBytes;
  uint8_t* out = record + EncodeRecordHeader(record, type, crc, head.size() + tail.size());
  if (!head.empty()) std::memcpy(out, head.data(), head.size());
  out += head.size();
  if (!tail.empty()) std::memcpy(out, tail.data(), tail.size());
  out += tail.size();
  const auto record_bytes = static_cast<uint64_t>(out - record);
  uint64_t pad_bytes = 0;
  StoreLengthField(frame, EncodeFrameLength(record_bytes, &pad_bytes));
  std::memset(out, 0, kFrameAlignBytes);
  const size_t frame_bytes = static_cast<size_t>(kFrameHeaderBytes + record_bytes + pad_bytes);
  // Before the write: the frame is aligned, its record is as long as the
  // codec says, and (slow) it decodes back to what was encoded.
  WALSIM_ASSERT(record_bytes == RecordEncodedSize(type, crc, head.size() + tail.size()));
  WALSIM_ASSERT(frame_bytes % kFrameAlignBytes == 0 && pad_bytes < kFrameAlignBytes);
  WALSIM_ASSERT(offset() % kFrameAlignBytes == 0);
  if constexpr (kSlowAssertsOn) AssertFrameDecodesBack(frame, type, crc, head, tail);
  buffer_size_bytes_ += frame_bytes;
  WALSIM_ASSERT(buffer_size_bytes_ <= buffer_capacity_bytes_);
  // etcd writes the length field and the padded record as two Writes.
  WALSIM_RETURN_IF_ERROR(PageWrite(kFrameHeaderBytes));
  return PageWrite(frame_bytes - kFrameHeaderBytes);
}

Status Encoder::PageWrite(size_t size_bytes) {
  WALSIM_ASSERT(page_buffered_bytes_ + size_bytes <= buffer_size_bytes_);
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
  return AppendFrame(static_cast<int64_t>(RecordType::kCrc), previous_crc, {}, {});
}

Status Encoder::AppendRecord(RecordType type, std::span<const uint8_t> data) {
  WALSIM_ASSERT(type != RecordType::kCrc);
  crc_ = Crc32cExtend(crc_, data);
  return AppendFrame(static_cast<int64_t>(type), crc_, {}, data);
}

Status Encoder::AppendEntry(const Entry& entry) {
  // The record's data is the entry's fields then its data bytes; the CRC runs
  // over both pieces in place, so the entry is never assembled elsewhere.
  uint8_t header[kEntryHeaderBytesMax];
  const std::span<const uint8_t> head(header, EncodeEntryHeader(header, entry));
  const std::span<const uint8_t> data = AsBytes(entry.data);
  WALSIM_ASSERT(head.size() + data.size() == EntryEncodedSize(entry));
  if constexpr (kSlowAssertsOn) AssertEntryDecodesBack(head, entry);
  crc_ = Crc32cExtend(Crc32cExtend(crc_, head), data);
  return AppendFrame(static_cast<int64_t>(RecordType::kEntry), crc_, head, data);
}

Status Encoder::AppendHardState(const HardState& state) {
  uint8_t encoded[kHardStateBytesMax];
  const std::span<const uint8_t> head(encoded, EncodeHardState(encoded, state));
  WALSIM_ASSERT(head.size() <= kHardStateBytesMax);
  if constexpr (kSlowAssertsOn) {
    HardState decoded;
    WALSIM_ASSERT_SLOW(DecodeHardState(head, &decoded).ok() && decoded == state);
  }
  crc_ = Crc32cExtend(crc_, head);
  return AppendFrame(static_cast<int64_t>(RecordType::kState), crc_, head, {});
}

Status Encoder::AppendSnapshot(const Snapshot& snapshot) {
  uint8_t header[kSnapshotHeaderBytesMax];
  const std::span<const uint8_t> head(header, EncodeSnapshotHeader(header, snapshot));
  const std::span<const uint8_t> conf_state = AsBytes(snapshot.conf_state);
  WALSIM_ASSERT(head.size() <= kSnapshotHeaderBytesMax);
  if constexpr (kSlowAssertsOn) {
    std::string encoded(reinterpret_cast<const char*>(head.data()), head.size());
    encoded += snapshot.conf_state;
    Snapshot decoded;
    WALSIM_ASSERT_SLOW(DecodeSnapshot(AsBytes(encoded), &decoded).ok() && decoded == snapshot);
  }
  crc_ = Crc32cExtend(Crc32cExtend(crc_, head), conf_state);
  return AppendFrame(static_cast<int64_t>(RecordType::kSnapshot), crc_, head, conf_state);
}

Status Encoder::WritePrefix(size_t size_bytes) {
  WALSIM_ASSERT(file_ != nullptr && size_bytes <= buffer_size_bytes_);
  if (size_bytes == 0) return Status::Ok();
  Status written =
      file_->WriteAt(flushed_offset_, std::span<const uint8_t>(buffer_.get(), size_bytes));
  if (!written.ok()) return written;
  WALSIM_ASSERT(flushed_offset_ + size_bytes > flushed_offset_);
  flushed_offset_ += size_bytes;
  // Past the watermark the rest is under a page (see PageWrite); after a
  // Flush nothing is left to move.
  buffer_size_bytes_ -= size_bytes;
  if (buffer_size_bytes_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + size_bytes, buffer_size_bytes_);
  }
  page_buffered_bytes_ -= std::min(page_buffered_bytes_, size_bytes);
  WALSIM_ASSERT(page_buffered_bytes_ <= buffer_size_bytes_);
  return Status::Ok();
}

Status Encoder::Flush() {
  WALSIM_ASSERT(page_buffered_bytes_ == buffer_size_bytes_);
  const uint64_t end_offset = offset();
  WALSIM_RETURN_IF_ERROR(WritePrefix(buffer_size_bytes_));
  WALSIM_ASSERT(buffer_size_bytes_ == 0 && flushed_offset_ == end_offset);
  WALSIM_ASSERT(flushed_offset_ % kFrameAlignBytes == 0);
  return Status::Ok();
}

}  // namespace walsim::wal
