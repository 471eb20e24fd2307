#include "logstore/segment_format.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "base/bytes.h"
#include "base/coding.h"
#include "base/crc32c.h"

namespace walsim::logstore::format {
namespace {

uint32_t CrcOf(std::span<const uint8_t> bytes) { return Crc32c(bytes); }

const uint8_t* AsBytes(const std::string& text) {
  return reinterpret_cast<const uint8_t*>(text.data());
}

// Sets text to size bytes at bytes, reusing its capacity (no allocation when
// its capacity is at least size). std::string::assign goes through
// _M_replace, which also handles a source inside the string: its two calls
// cost ~140 of GetLog's ~1,030 instructions (callgrind); clear + append is a
// capacity check and a memcpy, ~75 for both. REQUIRES: bytes does not point
// into text.
void CopyInto(std::string& text, const uint8_t* bytes, size_t size) {
  text.clear();
  if (size > 0) text.append(reinterpret_cast<const char*>(bytes), size);
  WALSIM_ASSERT(text.size() == size);
}

}  // namespace

std::string SegmentFileName(uint64_t segment_seq, uint64_t first_index) {
  char name[kSegmentNameLength + 1];
  int length = std::snprintf(name, sizeof(name), "%016" PRIx64 "-%016" PRIx64 ".seg", segment_seq,
                             first_index);
  WALSIM_ASSERT(length == static_cast<int>(kSegmentNameLength));
  return std::string(name, kSegmentNameLength);
}

std::optional<SegmentName> ParseSegmentFileName(std::string_view name) {
  if (name.size() != kSegmentNameLength || name[16] != '-') return std::nullopt;
  if (name.substr(33) != kSegmentSuffix) return std::nullopt;
  std::optional<uint64_t> seq = DecodeHex64(name.substr(0, 16));
  std::optional<uint64_t> first = DecodeHex64(name.substr(17, 16));
  if (!seq || !first) return std::nullopt;
  return SegmentName{*seq, *first};
}

void EncodeMeta(const StoreMeta& meta, std::span<uint8_t, kMetaSizeBytes> out) {
  WALSIM_ASSERT(meta.base_segment_seq > 0);
  std::memset(out.data(), 0, out.size());
  std::memcpy(out.data(), kMetaMagic, 8);
  EncodeFixed32(out.data() + 8, kMetaFormatVersion);
  EncodeFixed64(out.data() + 16, meta.first_index);
  EncodeFixed64(out.data() + 24, meta.base_segment_seq);
  EncodeFixed64(out.data() + 32, meta.durable_batch_seq);
  EncodeFixed32(out.data() + 44, CrcOf(std::span<const uint8_t>(out.data(), 44)));
  WALSIM_ASSERT(DecodeMeta(out).value() == meta);
}

Result<StoreMeta> DecodeMeta(std::span<const uint8_t> bytes) {
  if (bytes.size() != kMetaSizeBytes && bytes.size() != kMetaV1SizeBytes) {
    return Status::Corruption("meta is " + std::to_string(bytes.size()) + " bytes, expected " +
                              std::to_string(kMetaSizeBytes));
  }
  if (std::memcmp(bytes.data(), kMetaMagic, 8) != 0) return Status::Corruption("bad meta magic");
  const size_t crc_offset = bytes.size() - 4;
  if (DecodeFixed32(bytes.data() + crc_offset) != CrcOf(bytes.first(crc_offset))) {
    return Status::Corruption("meta checksum mismatch");
  }
  uint32_t version = DecodeFixed32(bytes.data() + 8);
  uint32_t expected_version = bytes.size() == kMetaSizeBytes ? kMetaFormatVersion : kFormatVersion;
  if (version != expected_version) {
    return Status::Corruption("unsupported meta format version " + std::to_string(version) +
                              " in " + std::to_string(bytes.size()) + " bytes");
  }
  StoreMeta meta{DecodeFixed64(bytes.data() + 16), DecodeFixed64(bytes.data() + 24),
                 version == kMetaFormatVersion ? DecodeFixed64(bytes.data() + 32) : 0};
  if (meta.base_segment_seq == 0) return Status::Corruption("meta base segment sequence is 0");
  return meta;
}

void EncodeSegmentHeader(const SegmentHeader& header,
                         std::span<uint8_t, kSegmentHeaderSizeBytes> out) {
  std::memset(out.data(), 0, out.size());
  std::memcpy(out.data(), kSegmentMagic, 8);
  EncodeFixed32(out.data() + 8, kFormatVersion);
  EncodeFixed32(out.data() + 12, static_cast<uint32_t>(header.kind));
  EncodeFixed64(out.data() + 16, header.segment_seq);
  EncodeFixed64(out.data() + 24, header.first_index);
  EncodeFixed64(out.data() + 32, header.prev_batch_seq);
  EncodeFixed32(out.data() + 40, header.write_alignment_bytes);
  EncodeFixed32(out.data() + 60, CrcOf(std::span<const uint8_t>(out.data(), 60)));
  WALSIM_ASSERT(DecodeSegmentHeader(out).ok());
}

Result<SegmentHeader> DecodeSegmentHeader(std::span<const uint8_t> bytes) {
  if (bytes.size() < kSegmentHeaderSizeBytes) {
    return Status::Corruption("segment header truncated: " + std::to_string(bytes.size()) +
                              " bytes");
  }
  if (IsAllZero(bytes.first(kSegmentHeaderSizeBytes))) {
    return Status::Corruption("segment header is all zeros");
  }
  if (std::memcmp(bytes.data(), kSegmentMagic, 8) != 0) {
    return Status::Corruption("bad segment magic");
  }
  if (DecodeFixed32(bytes.data() + 60) != CrcOf(bytes.first(60))) {
    return Status::Corruption("segment header checksum mismatch");
  }
  uint32_t version = DecodeFixed32(bytes.data() + 8);
  if (version != kFormatVersion) {
    return Status::Corruption("unsupported segment format version " + std::to_string(version));
  }
  SegmentHeader header;
  uint32_t kind = DecodeFixed32(bytes.data() + 12);
  if (kind < 1 || kind > 3) return Status::Corruption("bad segment kind " + std::to_string(kind));
  header.kind = static_cast<SegmentKind>(kind);
  header.segment_seq = DecodeFixed64(bytes.data() + 16);
  header.first_index = DecodeFixed64(bytes.data() + 24);
  header.prev_batch_seq = DecodeFixed64(bytes.data() + 32);
  header.write_alignment_bytes = DecodeFixed32(bytes.data() + 40);
  uint32_t alignment = header.write_alignment_bytes;
  if (alignment < kWriteAlignmentBytesMin || alignment > kWriteAlignmentBytesMax ||
      (alignment & (alignment - 1)) != 0) {
    return Status::Corruption("bad write alignment " + std::to_string(alignment));
  }
  if (header.first_index == 0 || header.segment_seq == 0) {
    return Status::Corruption("segment header has a zero first index or sequence");
  }
  return header;
}

uint64_t BatchSizeBytes(std::span<const Log> logs, uint32_t write_alignment_bytes) {
  uint64_t size_bytes = kCommitFrameSizeBytes;
  for (const Log& log : logs) {
    size_bytes += AlignUp(EntryFrameLengthBytes(log), kFrameAlignmentBytes);
  }
  return AlignUp(size_bytes, write_alignment_bytes);
}

namespace {

void EncodeFrameHeader(const FrameHeader& header, uint8_t* out) {
  EncodeFixed32(out + 4, header.length_bytes);
  EncodeFixed64(out + 8, header.batch_seq);
  EncodeFixed64(out + 16, header.index);
  out[24] = static_cast<uint8_t>(header.type);
  out[25] = header.log_type;
  out[26] = 0;
  out[27] = 0;
  EncodeFixed32(out + 28, header.aux);
}

// Seals a frame written at out[0, length): the CRC covers everything after it.
void SealFrame(uint8_t* out, uint64_t length_bytes) {
  EncodeFixed32(out, CrcOf(std::span<const uint8_t>(out + 4, length_bytes - 4)));
}

size_t EncodeEntryFrame(const Log& log, uint64_t batch_seq, uint8_t* out) {
  uint64_t length_bytes = EntryFrameLengthBytes(log);
  WALSIM_ASSERT(length_bytes <= kFrameLengthBytesMax);
  FrameHeader header{0,
                     static_cast<uint32_t>(length_bytes),
                     batch_seq,
                     log.index,
                     FrameType::kEntry,
                     static_cast<uint8_t>(log.type),
                     static_cast<uint32_t>(log.data.size())};
  EncodeFrameHeader(header, out);
  uint8_t* body = out + kFrameHeaderSizeBytes;
  EncodeFixed64(body, log.term);
  EncodeFixed64(body + 8, static_cast<uint64_t>(log.appended_at_unix_ns));
  body += kEntryBodyFixedBytes;
  // Raw bytes, not C strings (no terminator is wanted). Copied as uint8_t to
  // uint8_t, which std::copy turns into memmove; char to uint8_t iterators
  // were a byte loop (half of StoreLogs' instructions, callgrind).
  body = std::copy_n(AsBytes(log.data), log.data.size(), body);
  std::copy_n(AsBytes(log.extensions), log.extensions.size(), body);
  SealFrame(out, length_bytes);
  size_t padded_bytes = AlignUp(length_bytes, kFrameAlignmentBytes);
  std::memset(out + length_bytes, 0, padded_bytes - length_bytes);
  return padded_bytes;
}

}  // namespace

namespace {

// The slow check before a batch is written: every entry frame decodes back to
// its log at the location the index will hold, and the commit frame seals
// the batch's sequence, last index and entry count.
void AssertBatchDecodesBack(std::span<const Log> logs, const BatchPlacement& placement,
                            std::span<const uint8_t> out, std::span<const uint64_t> locations) {
  Log decoded;
  for (size_t i = 0; i < logs.size(); i++) {
    const uint64_t offset = FrameOffsetBytes(locations[i]) - placement.offset_bytes;
    const auto frame = out.subspan(offset, FrameLengthBytes(locations[i]));
    WALSIM_ASSERT_SLOW(DecodeEntryFrame(frame, logs[i].index, &decoded).ok());
    WALSIM_ASSERT_SLOW(decoded == logs[i]);
    WALSIM_ASSERT_SLOW(DecodeFixed64(frame.data() + 8) == placement.batch_seq);
  }
  const uint64_t last = FrameOffsetBytes(locations.back()) - placement.offset_bytes;
  const uint64_t commit_offset =
      last + AlignUp(FrameLengthBytes(locations.back()), kFrameAlignmentBytes);
  const auto commit_bytes = out.subspan(commit_offset, kCommitFrameSizeBytes);
  const std::optional<FrameHeader> commit = DecodeFrameHeader(commit_bytes, kCommitFrameSizeBytes);
  WALSIM_ASSERT_SLOW(commit && commit->type == FrameType::kCommit);
  WALSIM_ASSERT_SLOW(FrameCrcMatches(*commit, commit_bytes));
  WALSIM_ASSERT_SLOW(commit->batch_seq == placement.batch_seq &&
                     commit->index == logs.back().index && commit->aux == logs.size());
  WALSIM_ASSERT_SLOW(IsAllZero(out.subspan(commit_offset + kCommitFrameSizeBytes)));
}

}  // namespace

void EncodeBatch(std::span<const Log> logs, const BatchPlacement& placement, std::span<uint8_t> out,
                 std::span<uint64_t> locations) {
  WALSIM_ASSERT(!logs.empty() && locations.size() == logs.size());
  WALSIM_ASSERT(out.size() % placement.write_alignment_bytes == 0);
  WALSIM_ASSERT(placement.offset_bytes % placement.write_alignment_bytes == 0);
  WALSIM_ASSERT_SLOW(out.size() == BatchSizeBytes(logs, placement.write_alignment_bytes));
  WALSIM_ASSERT(placement.offset_bytes + out.size() <= kSegmentSizeBytesMax);
  size_t offset = 0;
  for (size_t i = 0; i < logs.size(); i++) {
    // Bounded by out: BatchSizeBytes counted every padded frame below.
    WALSIM_ASSERT(offset + AlignUp(EntryFrameLengthBytes(logs[i]), kFrameAlignmentBytes) +
                      kCommitFrameSizeBytes <=
                  out.size());
    WALSIM_ASSERT(offset % kFrameAlignmentBytes == 0);
    WALSIM_ASSERT(i == 0 || logs[i].index == logs[i - 1].index + 1);
    locations[i] =
        PackFrameLocation(placement.offset_bytes + offset, EntryFrameLengthBytes(logs[i]));
    offset += EncodeEntryFrame(logs[i], placement.batch_seq, out.data() + offset);
  }
  FrameHeader commit{0,
                     static_cast<uint32_t>(kCommitFrameSizeBytes),
                     placement.batch_seq,
                     logs.back().index,
                     FrameType::kCommit,
                     0,
                     static_cast<uint32_t>(logs.size())};
  EncodeFrameHeader(commit, out.data() + offset);
  SealFrame(out.data() + offset, kCommitFrameSizeBytes);
  offset += kCommitFrameSizeBytes;
  // The padding is less than one alignment unit: out was exactly the batch.
  WALSIM_ASSERT(offset <= out.size() && out.size() - offset < placement.write_alignment_bytes);
  std::memset(out.data() + offset, 0, out.size() - offset);
  if constexpr (kSlowAssertsOn) AssertBatchDecodesBack(logs, placement, out, locations);
}

namespace {

// DecodeFrameHeader's body, inlined into DecodeEntryFrame: GetLog then keeps
// the fields in registers instead of returning an optional through memory
// (a call and ~20 instructions per GetLog, callgrind).
[[gnu::always_inline]] inline std::optional<FrameHeader> ParseFrameHeader(
    std::span<const uint8_t> bytes, uint64_t available_bytes) {
  if (bytes.size() < kFrameHeaderSizeBytes) return std::nullopt;
  FrameHeader header;
  header.crc = DecodeFixed32(bytes.data());
  header.length_bytes = DecodeFixed32(bytes.data() + 4);
  header.batch_seq = DecodeFixed64(bytes.data() + 8);
  header.index = DecodeFixed64(bytes.data() + 16);
  uint8_t type = bytes[24];
  header.log_type = bytes[25];
  header.aux = DecodeFixed32(bytes.data() + 28);
  if (bytes[26] != 0 || bytes[27] != 0 || header.index == 0) return std::nullopt;
  if (header.length_bytes > available_bytes) return std::nullopt;
  if (type == static_cast<uint8_t>(FrameType::kEntry)) {
    uint64_t fixed_bytes = kFrameHeaderSizeBytes + kEntryBodyFixedBytes;
    if (header.length_bytes < fixed_bytes || header.length_bytes > kFrameLengthBytesMax) {
      return std::nullopt;
    }
    if (header.aux > header.length_bytes - fixed_bytes) return std::nullopt;
    if (header.log_type > kLogTypeMax) return std::nullopt;
  } else if (type == static_cast<uint8_t>(FrameType::kCommit)) {
    if (header.length_bytes != kCommitFrameSizeBytes || header.log_type != 0) return std::nullopt;
    if (header.aux == 0) return std::nullopt;
  } else {
    return std::nullopt;
  }
  header.type = static_cast<FrameType>(type);
  return header;
}

}  // namespace

std::optional<FrameHeader> DecodeFrameHeader(std::span<const uint8_t> bytes,
                                             uint64_t available_bytes) {
  return ParseFrameHeader(bytes, available_bytes);
}

bool FrameCrcMatches(const FrameHeader& header, std::span<const uint8_t> bytes) {
  WALSIM_ASSERT(bytes.size() == header.length_bytes);
  WALSIM_ASSERT(bytes.size() >= kFrameHeaderSizeBytes);
  return CrcOf(bytes.subspan(4)) == header.crc;
}

Status DecodeEntryFrame(std::span<const uint8_t> bytes, uint64_t expected_index, Log* out) {
  WALSIM_ASSERT(out != nullptr);
  std::optional<FrameHeader> header = ParseFrameHeader(bytes, bytes.size());
  if (!header || header->type != FrameType::kEntry || header->length_bytes != bytes.size()) {
    return Status::Corruption("not an entry frame");
  }
  // FrameCrcMatches without its asserts, which repeat the checks just made.
  if (CrcOf(bytes.subspan(4)) != header->crc) {
    return Status::Corruption("entry frame checksum mismatch");
  }
  if (header->index != expected_index) {
    return Status::Corruption("entry frame holds index " + std::to_string(header->index) +
                              ", expected " + std::to_string(expected_index));
  }
  const uint8_t* body = bytes.data() + kFrameHeaderSizeBytes;
  out->index = header->index;
  out->type = static_cast<LogType>(header->log_type);
  out->term = DecodeFixed64(body);
  out->appended_at_unix_ns = static_cast<int64_t>(DecodeFixed64(body + 8));
  const uint8_t* data = body + kEntryBodyFixedBytes;
  size_t extensions_size =
      header->length_bytes - kFrameHeaderSizeBytes - kEntryBodyFixedBytes - header->aux;
  CopyInto(out->data, data, header->aux);
  CopyInto(out->extensions, data + header->aux, extensions_size);
  // After the read: the log fills exactly the frame it came from.
  WALSIM_ASSERT(out->index == expected_index && EntryFrameLengthBytes(*out) == bytes.size());
  return Status::Ok();
}

}  // namespace walsim::logstore::format
