// Encoder: frames records into a reusable buffer and writes them to one WAL
// file at the offset it knows.
//
// Invariant: offset() is the file offset just past the last appended record;
// unwritten bytes start at file offset flushed_offset(). Writes follow etcd's
// PageWriter exactly (so segments are cut at the same records as etcd's): up
// to a 128 KiB watermark, records only accumulate; past it, the buffer is
// topped up to a 4 KiB page boundary of the *file* (the encoder knows where in
// the file it started, which etcd once got wrong), written, and whole pages
// of the record follow in a second write. Flush writes the rest with one
// WriteAt. So a small Save costs exactly one write. The running
// CRC-32C covers the data of every record appended, chained from the value the
// encoder was reset with. Each record is encoded straight into the buffer
// (its payload, e.g. an entry's data, is copied once, there), and the buffer
// is reserved once and reused: appending a record allocates nothing unless
// the buffer must hold more than ever before.
// Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/status.h"
#include "fs/fs.h"
#include "wal/record_format.h"
#include "wal/types.h"

namespace walsim::wal {

class Encoder {
 public:
  static constexpr size_t kFlushWatermarkBytes = size_t{128} << 10;  // etcd's defaultBufferBytes
  static constexpr size_t kBufferBytesReserved = kFlushWatermarkBytes + 2 * kPageBytes;
  static_assert(kFlushWatermarkBytes % kPageBytes == 0);

  Encoder();

  // Starts writing to file at file_offset with running CRC crc. Drops
  // anything buffered. REQUIRES: file_offset is 8-byte aligned.
  void Reset(fs::File* file, uint64_t file_offset, uint32_t crc);

  // Append*: frame one record; bytes are written only past the watermark.
  // Failure: a write failed; what reached the file is unknown and the caller
  // must fail stop.
  [[nodiscard]] Status AppendCrcRecord(uint32_t previous_crc);
  [[nodiscard]] Status AppendRecord(RecordType type, std::span<const uint8_t> data);
  [[nodiscard]] Status AppendEntry(const Entry& entry);
  [[nodiscard]] Status AppendHardState(const HardState& state);
  [[nodiscard]] Status AppendSnapshot(const Snapshot& snapshot);

  // Writes every unwritten byte (one WriteAt). Failure: as Append*.
  [[nodiscard]] Status Flush();

  uint64_t offset() const { return flushed_offset_ + buffer_size_bytes_; }
  uint64_t flushed_offset() const { return flushed_offset_; }
  uint32_t crc() const { return crc_; }
  size_t buffered_bytes() const { return buffer_size_bytes_; }

  // Size of the frame for a record of record_bytes (header + record + pad).
  static uint64_t FrameSizeBytes(uint64_t record_bytes);

 private:
  // Frames one record whose data is head followed by tail (a message's
  // fields, then its payload bytes): writes the length field, the walpb.Record
  // header, head, tail and the padding straight into the buffer (no message
  // is built first), then runs etcd's two page writes.
  Status AppendFrame(int64_t type, uint32_t crc, std::span<const uint8_t> head,
                     std::span<const uint8_t> tail);
  // The largest head AppendFrame takes: an entry's, HardState's or
  // snapshot's fields before their payload.
  static constexpr size_t kFrameHeadBytesMax =
      std::max({kEntryHeaderBytesMax, kHardStateBytesMax, kSnapshotHeaderBytesMax});
  static_assert(kFrameHeadBytesMax == kEntryHeaderBytesMax);

  // Makes room for size_bytes past the buffered bytes and returns where they
  // start; the caller writes them and then counts what it used.
  uint8_t* Reserve(size_t size_bytes);
  // etcd's PageWriter.Write for the last size_bytes appended to the buffer.
  Status PageWrite(size_t size_bytes);
  Status WritePrefix(size_t size_bytes);

  fs::File* file_ = nullptr;
  uint64_t flushed_offset_ = 0;
  uint32_t crc_ = 0;
  // Framed bytes not yet written: buffer_[0, buffer_size_bytes_). A raw
  // array, not a std::string, so that growing it for a frame does not zero
  // bytes that are overwritten at once.
  std::unique_ptr<uint8_t[]> buffer_;
  size_t buffer_size_bytes_ = 0;
  size_t buffer_capacity_bytes_ = 0;
  size_t page_buffered_bytes_ = 0;  // prefix of the buffer in etcd's page buffer
};

}  // namespace walsim::wal
