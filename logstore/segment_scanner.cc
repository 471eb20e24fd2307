#include "logstore/segment_scanner.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "base/bytes.h"

namespace walsim::logstore {

namespace {

using format::FrameHeader;
using format::FrameType;

// Serves byte ranges of a source from a window buffer, refilled on a miss.
class WindowReader {
 public:
  WindowReader(ByteSource& source, std::vector<uint8_t>& buffer, size_t window_bytes)
      : source_(source), buffer_(buffer), window_bytes_(window_bytes) {
    WALSIM_ASSERT(window_bytes > 0);
  }

  uint64_t size_bytes() const { return source_.size_bytes(); }

  // The bytes [offset, offset + length) clipped to the source's size. The
  // span stays valid until the next call.
  Result<std::span<const uint8_t>> Get(uint64_t offset, uint64_t length) {
    uint64_t size = source_.size_bytes();
    if (offset >= size) return std::span<const uint8_t>();
    length = std::min(length, size - offset);
    if (offset < window_offset_ || offset + length > window_offset_ + window_length_) {
      uint64_t read_bytes =
          std::min<uint64_t>(std::max<uint64_t>(length, window_bytes_), size - offset);
      if (buffer_.size() < read_bytes) buffer_.resize(read_bytes);
      window_offset_ = offset;
      window_length_ = 0;
      WALSIM_ASSIGN_OR_RETURN(size_t read_count,
                              source_.ReadAt(offset, std::span(buffer_.data(), read_bytes)));
      WALSIM_ASSERT(read_count <= read_bytes);
      window_length_ = read_count;
      length = std::min<uint64_t>(length, read_count);
    }
    return std::span<const uint8_t>(buffer_.data() + (offset - window_offset_), length);
  }

 private:
  ByteSource& source_;
  std::vector<uint8_t>& buffer_;
  const size_t window_bytes_;
  uint64_t window_offset_ = 0;
  uint64_t window_length_ = 0;
};

bool IsZeroWord(const uint8_t* bytes) {
  uint64_t word = 0;
  std::memcpy(&word, bytes, sizeof(word));
  return word == 0;
}

// A frame at an offset, or why there is none.
struct FrameProbe {
  std::optional<FrameHeader> header;
  std::string reason;
};

// " at offset N", built only on the way out: a scan visits every frame.
std::string At(uint64_t offset) { return " at offset " + std::to_string(offset); }

Result<FrameProbe> ProbeFrame(WindowReader& reader, uint64_t offset) {
  WALSIM_ASSIGN_OR_RETURN(auto head, reader.Get(offset, format::kFrameHeaderSizeBytes));
  if (head.size() < format::kFrameHeaderSizeBytes) {
    return FrameProbe{{}, "end of segment" + At(offset)};
  }
  if (IsAllZero(head)) return FrameProbe{{}, "zeros" + At(offset)};
  std::optional<FrameHeader> header = format::DecodeFrameHeader(head, reader.size_bytes() - offset);
  if (!header) return FrameProbe{{}, "no valid frame header" + At(offset)};
  WALSIM_ASSIGN_OR_RETURN(auto frame, reader.Get(offset, header->length_bytes));
  if (frame.size() != header->length_bytes) return FrameProbe{{}, "short read" + At(offset)};
  if (!format::FrameCrcMatches(*header, frame)) {
    return FrameProbe{{}, "checksum mismatch" + At(offset)};
  }
  return FrameProbe{header, {}};
}

struct BatchCursor {
  uint64_t offset_bytes = 0;  // where the batch starts
  uint64_t batch_seq = 0;     // the sequence it must carry
  uint64_t first_index = 0;   // the index of its first entry
};

// Decodes the batch at cursor into *frames (packed locations). Returns the
// offset just past its commit frame, or std::nullopt with *reason set.
Result<std::optional<uint64_t>> DecodeBatch(WindowReader& reader, const BatchCursor& cursor,
                                            std::vector<uint64_t>* frames, std::string* reason) {
  frames->clear();
  uint64_t offset = cursor.offset_bytes;
  // Each frame advances offset by at least a frame header: bounded by the size.
  while (offset < reader.size_bytes()) {
    WALSIM_ASSIGN_OR_RETURN(FrameProbe probe, ProbeFrame(reader, offset));
    if (!probe.header) {
      *reason = probe.reason;
      return std::optional<uint64_t>();
    }
    const FrameHeader& header = *probe.header;
    uint64_t expected_index = cursor.first_index + frames->size();
    if (header.batch_seq != cursor.batch_seq) {
      *reason = "frame of batch " + std::to_string(header.batch_seq) + At(offset) +
                ", expected batch " + std::to_string(cursor.batch_seq);
      return std::optional<uint64_t>();
    }
    if (header.type == FrameType::kEntry) {
      if (header.index != expected_index) {
        *reason = "entry " + std::to_string(header.index) + At(offset) + ", expected " +
                  std::to_string(expected_index);
        return std::optional<uint64_t>();
      }
      frames->push_back(format::PackFrameLocation(offset, header.length_bytes));
      offset += format::AlignUp(header.length_bytes, format::kFrameAlignmentBytes);
      continue;
    }
    WALSIM_ASSERT(header.type == FrameType::kCommit);
    if (frames->empty() || header.aux != frames->size() || header.index != expected_index - 1) {
      *reason = "commit frame" + At(offset) + " does not match its batch";
      return std::optional<uint64_t>();
    }
    return std::optional<uint64_t>(offset + format::kCommitFrameSizeBytes);
  }
  *reason = "end of segment at offset " + std::to_string(offset);
  return std::optional<uint64_t>();
}

// Looks for non-zero bytes after the end; fails if a later batch is intact.
Status CheckTail(WindowReader& reader, const ScanOptions& options, SegmentScan* out) {
  uint64_t size = reader.size_bytes();
  uint64_t offset = out->end_offset_bytes;
  // Every step advances offset by at least 8 bytes: bounded by the size.
  while (offset + format::kFrameAlignmentBytes <= size) {
    WALSIM_ASSIGN_OR_RETURN(auto chunk, reader.Get(offset, options.window_bytes));
    if (chunk.size() < 8) break;  // the file shrank under us: nothing more to see
    size_t zero_prefix = 0;
    while (zero_prefix + 8 <= chunk.size() && IsZeroWord(chunk.data() + zero_prefix)) {
      zero_prefix += 8;
    }
    offset += zero_prefix;
    if (zero_prefix + 8 > chunk.size()) continue;  // the whole chunk was zeros
    if (out->tail == TailState::kClean) {
      out->tail = TailState::kTorn;
      out->tail_offset_bytes = offset;
    }
    WALSIM_ASSIGN_OR_RETURN(FrameProbe probe, ProbeFrame(reader, offset));
    if (probe.header && probe.header->batch_seq > out->last_batch_seq + 1) {
      RecordCase(options.report, RecoveryCase::kCommittedDataAfterDamage);
      return Status::Corruption("committed data follows a damaged batch: " + out->stop_reason +
                                ", but batch " + std::to_string(probe.header->batch_seq) +
                                " is intact at offset " + std::to_string(offset));
    }
    offset += probe.header ? format::AlignUp(probe.header->length_bytes, 8) : 8;
  }
  return Status::Ok();
}

}  // namespace

Status ScanSegment(ByteSource& source, const ScanOptions& options, SegmentScan* out,
                   std::vector<uint8_t>* window) {
  WALSIM_ASSERT(out != nullptr && window != nullptr);
  WindowReader reader(source, *window, options.window_bytes);
  WALSIM_ASSIGN_OR_RETURN(auto head, reader.Get(0, format::kSegmentHeaderSizeBytes));
  Result<format::SegmentHeader> header = format::DecodeSegmentHeader(head);
  if (!header.ok()) {
    RecordCase(options.report, RecoveryCase::kBadSegmentHeader);
    return header.status();
  }
  out->header = *header;
  out->frames.clear();
  out->batch_count = 0;
  out->last_batch_seq = out->header.prev_batch_seq;
  out->tail = TailState::kClean;
  out->tail_offset_bytes = 0;
  out->last_batch = {};
  uint32_t alignment = out->header.write_alignment_bytes;
  BatchCursor cursor{alignment, out->header.prev_batch_seq + 1, out->header.first_index};
  std::vector<uint64_t> batch_frames;
  // Each batch advances the cursor by at least the alignment: bounded.
  for (;;) {
    WALSIM_ASSIGN_OR_RETURN(std::optional<uint64_t> batch_end,
                            DecodeBatch(reader, cursor, &batch_frames, &out->stop_reason));
    if (!batch_end) break;
    WALSIM_ASSERT(*batch_end > cursor.offset_bytes && !batch_frames.empty());
    // After the read: the batch's frames lie in order inside [offset, end).
    WALSIM_ASSERT(format::FrameOffsetBytes(batch_frames.front()) == cursor.offset_bytes);
    WALSIM_ASSERT(format::FrameOffsetBytes(batch_frames.back()) < *batch_end);
    out->frames.insert(out->frames.end(), batch_frames.begin(), batch_frames.end());
    out->batch_count++;
    out->last_batch_seq = cursor.batch_seq;
    out->last_batch = {cursor.offset_bytes, *batch_end - cursor.offset_bytes, batch_frames.size()};
    cursor = BatchCursor{format::AlignUp(*batch_end, alignment), cursor.batch_seq + 1,
                         cursor.first_index + batch_frames.size()};
  }
  out->end_offset_bytes = cursor.offset_bytes;
  WALSIM_ASSERT(out->end_offset_bytes % alignment == 0 && out->end_offset_bytes >= alignment);
  WALSIM_ASSERT(out->last_batch_seq == out->header.prev_batch_seq + out->batch_count);
  if (options.check_tail) WALSIM_RETURN_IF_ERROR(CheckTail(reader, options, out));
  return Status::Ok();
}

}  // namespace walsim::logstore
