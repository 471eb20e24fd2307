// The on-disk format of SegmentStore: constants, layouts and codecs.
//
// docs/logstore-format.md is the prose version (grammar, worked example,
// recovery table); this header is the single source of the numbers. A store
// directory holds:
//   LOCK                  taken with FileSystem::Lock while a store is open
//   logstore.meta         StoreMeta: the logical first index and the oldest live segment
//   <seq>-<first>.seg     segments (16 hex digits each): a SegmentHeader, then batches
//   *.tmp                 unfinished creations and the spare segment (removed on open)
// A segment is preallocated by writing zeros. Batches start at multiples of the
// segment's write alignment, so a batch never shares a sector with data that
// was already acknowledged. A batch is: entry frame+, commit frame, zero
// padding. Every frame carries the batch's sequence number, its own CRC-32C
// and is padded to 8 bytes; the commit frame names the batch's last index and
// entry count, so a batch is visible only when every frame of it is intact.
//
// All integers are little-endian. Codecs are pure and thread-safe; decoders
// never read outside the span they are given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "logstore/log_store.h"

namespace walsim::logstore::format {

// ---- Files -----------------------------------------------------------------
inline constexpr std::string_view kLockFileName = "LOCK";
inline constexpr std::string_view kMetaFileName = "logstore.meta";
inline constexpr std::string_view kTempSuffix = ".tmp";
inline constexpr std::string_view kSegmentSuffix = ".seg";
// The next segment, zero-filled ahead of a roll (SegmentStoreOptions::executor);
// renamed to its segment name when used, a leftover like any other *.tmp.
inline constexpr std::string_view kSpareSegmentFileName = "segment.spare.tmp";
static_assert(kSpareSegmentFileName.ends_with(kTempSuffix));
// "<16 hex seq>-<16 hex first index>.seg"
inline constexpr size_t kSegmentNameLength = 16 + 1 + 16 + 4;

std::string SegmentFileName(uint64_t segment_seq, uint64_t first_index);
struct SegmentName {
  uint64_t segment_seq = 0;
  uint64_t first_index = 0;
};
// Parses a segment file name; std::nullopt for any other name.
std::optional<SegmentName> ParseSegmentFileName(std::string_view name);

// ---- Store meta (logstore.meta) --------------------------------------------
// Replaced atomically (write .tmp, sync, rename, sync directory). Segments with
// a sequence below base_segment_seq are deleted; first_index hides the entries
// below it (0: the log starts at the first live segment's first entry).
// durable_batch_seq is the last batch known durable when the meta was written:
// a recovered log that has segments but ends before it lost an acknowledged
// batch (only an illegal fault can do that), which recovery reports instead of
// returning a log that no sequence of operations produced.
inline constexpr char kMetaMagic[8] = {'W', 'S', 'L', 'S', 'M', 'E', 'T', 'A'};
inline constexpr uint32_t kFormatVersion = 1;      // segments; meta version 1 too
inline constexpr uint32_t kMetaFormatVersion = 2;  // version 1 had no durable_batch_seq
inline constexpr size_t kMetaSizeBytes = 48;
inline constexpr size_t kMetaV1SizeBytes = 40;  // still read: durable_batch_seq 0
static_assert(kMetaV1SizeBytes + 8 == kMetaSizeBytes && kMetaFormatVersion > kFormatVersion);

struct StoreMeta {
  uint64_t first_index = 0;
  uint64_t base_segment_seq = 1;
  uint64_t durable_batch_seq = 0;
  friend bool operator==(const StoreMeta&, const StoreMeta&) = default;
};
// Always writes the current version (kMetaFormatVersion, kMetaSizeBytes).
void EncodeMeta(const StoreMeta& meta, std::span<uint8_t, kMetaSizeBytes> out);
// Reads the current version or version 1. kCorruption naming what is wrong
// (the caller adds the file name).
Result<StoreMeta> DecodeMeta(std::span<const uint8_t> bytes);

// ---- Segment header ---------------------------------------------------------
inline constexpr char kSegmentMagic[8] = {'W', 'S', 'L', 'S', 'S', 'E', 'G', '1'};
inline constexpr size_t kSegmentHeaderSizeBytes = 64;

// Why a segment was created; decides how recovery links it to the one before.
enum class SegmentKind : uint32_t {
  kFirst = 1,     // the store was empty: the first live segment, linked to nothing
  kContinue = 2,  // the previous segment was full: continues it exactly
  kTruncate = 3,  // a suffix delete: supersedes every earlier entry >= first_index
};

struct SegmentHeader {
  SegmentKind kind = SegmentKind::kFirst;
  uint64_t segment_seq = 0;
  uint64_t first_index = 0;
  // The sequence of the last batch written before this segment; its first
  // batch has prev_batch_seq + 1.
  uint64_t prev_batch_seq = 0;
  // Batches start at multiples of this; the first one at this offset.
  uint32_t write_alignment_bytes = 0;
  friend bool operator==(const SegmentHeader&, const SegmentHeader&) = default;
};
void EncodeSegmentHeader(const SegmentHeader& header,
                         std::span<uint8_t, kSegmentHeaderSizeBytes> out);
Result<SegmentHeader> DecodeSegmentHeader(std::span<const uint8_t> bytes);

// ---- Limits -----------------------------------------------------------------
inline constexpr uint32_t kWriteAlignmentBytesMin = kSectorSizeBytesDefault;
inline constexpr uint32_t kWriteAlignmentBytesMax = 1u << 20;
// Frame offsets and lengths are packed into 32 bits each in the index.
inline constexpr uint64_t kSegmentSizeBytesMax = uint64_t{1} << 32;
inline constexpr uint64_t kEntrySizeBytesLimit = uint64_t{1} << 30;
static_assert(kSegmentHeaderSizeBytes <= kWriteAlignmentBytesMin);
static_assert((kWriteAlignmentBytesMin & (kWriteAlignmentBytesMin - 1)) == 0);
static_assert(kWriteAlignmentBytesMax <= kSegmentSizeBytesMax / 2);

// ---- Frames -----------------------------------------------------------------
//  0 u32 crc32c of bytes [4, length_bytes)
//  4 u32 length_bytes (unpadded; the next frame starts at AlignUp(length, 8))
//  8 u64 batch_seq
// 16 u64 index       entry: its index; commit: the batch's last index
// 24 u8  frame_type
// 25 u8  log_type    entry only (0 in a commit)
// 26 u16 reserved    0
// 28 u32 aux         entry: data size in bytes; commit: entry count
// 32 entry body: u64 term, i64 appended_at_unix_ns, data, extensions
inline constexpr size_t kFrameHeaderSizeBytes = 32;
inline constexpr size_t kEntryBodyFixedBytes = 16;
inline constexpr size_t kCommitFrameSizeBytes = kFrameHeaderSizeBytes;
inline constexpr size_t kFrameAlignmentBytes = 8;
inline constexpr uint64_t kFrameLengthBytesMax =
    kFrameHeaderSizeBytes + kEntryBodyFixedBytes + kEntrySizeBytesLimit;
static_assert(kFrameLengthBytesMax < (uint64_t{1} << 32));
static_assert(kWriteAlignmentBytesMin % kFrameAlignmentBytes == 0);
static_assert(kFrameHeaderSizeBytes % kFrameAlignmentBytes == 0);

enum class FrameType : uint8_t { kEntry = 1, kCommit = 2 };

struct FrameHeader {
  uint32_t crc = 0;
  uint32_t length_bytes = 0;
  uint64_t batch_seq = 0;
  uint64_t index = 0;
  FrameType type = FrameType::kEntry;
  uint8_t log_type = 0;
  uint32_t aux = 0;
};

constexpr uint64_t AlignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}
inline uint64_t EntryFrameLengthBytes(const Log& log) {
  return kFrameHeaderSizeBytes + kEntryBodyFixedBytes + log.data.size() + log.extensions.size();
}
// Bytes a batch occupies in a segment, padding included.
uint64_t BatchSizeBytes(std::span<const Log> logs, uint32_t write_alignment_bytes);

// Where a batch goes: its sequence, its segment's alignment and its offset
// in the segment (for the index entries EncodeBatch fills).
struct BatchPlacement {
  uint64_t batch_seq = 0;
  uint32_t write_alignment_bytes = 0;
  uint64_t offset_bytes = 0;
};

// Where a committed batch lies in its segment.
struct BatchExtent {
  uint64_t offset_bytes = 0;  // its first frame (a multiple of the write alignment)
  uint64_t size_bytes = 0;    // to the end of its commit frame (padding excluded)
  uint64_t entry_count = 0;
};

// Encodes logs as one batch (entry frames, commit frame, zero padding) into
// out, in one pass, and sets locations[i] to PackFrameLocation(offset of
// logs[i]'s frame in the segment, its length): the in-memory index entries.
// REQUIRES: out.size() == BatchSizeBytes(logs, placement.write_alignment_bytes),
// locations.size() == logs.size(), logs non-empty and contiguous
// (ValidateAppend passed), placement.offset_bytes + out.size() < 4 GiB.
void EncodeBatch(std::span<const Log> logs, const BatchPlacement& placement, std::span<uint8_t> out,
                 std::span<uint64_t> locations);

// Decodes the 32-byte header at bytes[0..) without checking the CRC: returns
// std::nullopt when the fields cannot belong to a frame (bad type, reserved
// bits set, length out of range or past available_bytes). Cheap: used to
// skip garbage.
std::optional<FrameHeader> DecodeFrameHeader(std::span<const uint8_t> bytes,
                                             uint64_t available_bytes);
// True when bytes (exactly header.length_bytes long) carry a matching CRC.
bool FrameCrcMatches(const FrameHeader& header, std::span<const uint8_t> bytes);

// Decodes a whole entry frame, CRC included, into *out (reusing its string
// capacity). kCorruption naming what is wrong (the caller adds file + offset).
Status DecodeEntryFrame(std::span<const uint8_t> bytes, uint64_t expected_index, Log* out);

// The in-memory index of one entry: its frame's offset and unpadded length,
// 8 bytes per entry.
constexpr uint64_t PackFrameLocation(uint64_t offset_bytes, uint64_t length_bytes) {
  return (offset_bytes << 32) | length_bytes;
}
constexpr uint64_t FrameOffsetBytes(uint64_t packed) { return packed >> 32; }
constexpr uint64_t FrameLengthBytes(uint64_t packed) { return packed & 0xFFFFFFFFu; }

}  // namespace walsim::logstore::format
