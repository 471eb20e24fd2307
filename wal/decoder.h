// FrameDecoder: reads the frames of one WAL file, checks each record's
// protobuf and running CRC, and classifies what it finds.
//
// Every call to Next() yields one of:
//   kRecord   a well-framed record whose CRC matches the running CRC (crc
//             records are returned unchecked: their value is the chain itself,
//             which the caller validates);
//   kEnd      no more data: the end of the file, or a zero length field (the
//             preallocated rest of a segment);
//   kTorn     a frame that may be a torn write: its length field is malformed
//             or runs past the end of the file, or its bytes fail (protobuf or
//             CRC) and one of its 512-byte-aligned chunks is all zeros;
//   kCorrupt  a frame that fails validation and is not torn (a CRC mismatch,
//             a malformed record, a length over the limit).
// Only kRecord advances offset(). Whether a kTorn frame is a repairable torn
// tail depends on where it is (last file, nothing after it); the caller
// decides (wal/reader.h). The decoder never reads outside [0, file size) and
// every loop is bounded by the file size. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/assert.h"
#include "base/status.h"
#include "fs/byte_source.h"
#include "wal/record.h"
#include "wal/record_format.h"

namespace walsim::wal {

using fs::ByteSource;

enum class FrameKind : uint8_t { kRecord, kEnd, kTorn, kCorrupt };

struct Frame {
  FrameKind kind = FrameKind::kEnd;
  uint64_t offset = 0;      // file offset of the frame's length field
  uint64_t size_bytes = 0;  // header + record + padding; 0 when unknown
  RecordView record;        // kRecord (and a decodable kCorrupt/kTorn): valid until Next()
  bool record_decoded = false;
  bool zero_chunk = false;  // kTorn: torn because a 512-byte chunk is zeros
  bool over_limit = false;  // kCorrupt: the length exceeds record_size_bytes_max (always an error)
  WalError error = WalError::kNone;  // kTorn/kCorrupt: kCrcMismatch or kMalformedRecord
  std::string reason;                // kTorn/kCorrupt: what failed
};

struct DecoderOptions {
  uint64_t record_size_bytes_max = kRecordSizeBytesMaxDefault;
  // Bytes read ahead per read call: a call is amortized over about a
  // thousand 1 KiB records. (ReadAll of 256 MB measured the same, within
  // noise, with chunks of 128 KiB to 1 MiB.)
  uint64_t read_chunk_bytes = uint64_t{1} << 20;
};

class FrameDecoder {
 public:
  // REQUIRES: source is not null and outlives the decoder; its size_bytes()
  // is the file's size.
  FrameDecoder(ByteSource* source, uint32_t crc, const DecoderOptions& options);

  // Starts over on another file, keeping the read buffer (a run of files
  // then reads through one buffer). REQUIRES: as the constructor.
  void Reset(ByteSource* source, uint32_t crc);

  // Decodes the frame at offset() into *frame. Failure: only the source's
  // read errors (the frame's classification is in frame->kind).
  [[nodiscard]] Status Next(Frame* frame);

  // True when a non-zero length field starts right after frame (a frame
  // whose size is known): then the frame is not the last one in the file.
  [[nodiscard]] Result<bool> FrameFollows(const Frame& frame);

  // Reads the record of the frame at frame_offset delimited by its own
  // protobuf fields, ignoring the frame's length field. Returns the frame's
  // true size when that record decodes, its padding is zero and its CRC
  // verifies against the running CRC: proof that the record was written
  // whole and only its length field is damaged (a torn write never leaves an
  // intact record behind a bad length field). nullopt otherwise. Failure:
  // the source's read errors. REQUIRES: frame_offset is 8-byte aligned.
  [[nodiscard]] Result<std::optional<uint64_t>> IntactFrameSizeAt(uint64_t frame_offset);

  // Moves past a kCorrupt frame of known size; the running CRC becomes the
  // frame's stored CRC when it decoded (for dump --raw, which goes on).
  void SkipCorrupt(const Frame& frame);

  uint64_t offset() const { return offset_; }  // end of the last valid frame
  uint32_t crc() const { return crc_; }
  void set_crc(uint32_t crc) { crc_ = crc; }

 private:
  // Makes [offset, offset + size) readable in buffer_; returns a view of it.
  // Inline for the usual case, a range already in the buffer (a 1 MiB chunk
  // holds about a thousand 1 KiB records); Refill reads the next chunk.
  // REQUIRES: offset + size <= file_size_bytes_.
  Result<std::span<const uint8_t>> Fetch(uint64_t offset, uint64_t size) {
    WALSIM_ASSERT(offset <= file_size_bytes_ && size <= file_size_bytes_ - offset);
    if (offset >= buffer_offset_ && offset + size <= buffer_offset_ + buffer_size_) [[likely]] {
      return std::span<const uint8_t>(buffer_.get() + (offset - buffer_offset_), size);
    }
    return Refill(offset, size);
  }
  Result<std::span<const uint8_t>> Refill(uint64_t offset, uint64_t size);
  bool HasZeroSector(uint64_t data_offset, std::span<const uint8_t> data) const;
  void Classify(Frame* frame, uint64_t data_offset, std::span<const uint8_t> data, WalError error,
                std::string reason) const;

  ByteSource* source_;
  uint64_t file_size_bytes_;
  uint32_t crc_;
  DecoderOptions options_;
  uint64_t offset_ = 0;
  // Not zero-filled: only the buffer_size_ bytes a read wrote are used.
  std::unique_ptr<uint8_t[]> buffer_;
  uint64_t buffer_capacity_bytes_ = 0;
  uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  uint64_t buffer_size_ = 0;    // valid bytes in buffer_
};

// Splits a length field into (record bytes, pad bytes). Returns false when the
// field is malformed: a top byte other than 0 or 0x80|pad, or a length whose
// frame does not end 8-byte aligned.
bool DecodeFrameLength(uint64_t length_field, uint64_t* record_bytes, uint64_t* pad_bytes);
// The length field for a record of record_bytes (etcd's encodeFrameSize).
uint64_t EncodeFrameLength(uint64_t record_bytes, uint64_t* pad_bytes);

}  // namespace walsim::wal
