// The etcd WAL on-disk format: every constant, and the relations between them.
//
// A WAL file is a sequence of frames. A frame is an 8-byte little-endian
// length field, a walpb.Record (protobuf) of `length` bytes, then zero padding
// to the next 8-byte boundary. The length field's lower 56 bits hold the
// record's length; when there is padding its top byte is 0x80 | pad_bytes
// (1..7), otherwise it is zero. A zero length field marks the end of written
// data (the preallocated rest of a segment). docs/wal-format.md has the grammar,
// a worked example and the recovery policy. These facts are etcd's (v3.4/v3.5:
// wal/encoder.go, wal/decoder.go, wal/walpb/record.proto); the values must not
// change. Header only, constants only: thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/bytes.h"

namespace walsim::wal {

// walpb.Record.type values.
enum class RecordType : int64_t {
  kMetadata = 1,
  kEntry = 2,
  kState = 3,
  kCrc = 4,
  kSnapshot = 5,
};
inline constexpr int64_t kRecordTypeMin = 1;
inline constexpr int64_t kRecordTypeMax = 5;

// Frame layout.
inline constexpr uint64_t kFrameHeaderBytes = 8;  // the length field
inline constexpr uint64_t kFrameAlignBytes = 8;   // frames start and end 8-byte aligned
inline constexpr uint64_t kFrameLengthMask = (uint64_t{1} << 56) - 1;  // lower 56 bits
inline constexpr uint8_t kFramePadFlag = 0x80;  // top byte = kFramePadFlag | pad_bytes
inline constexpr uint8_t kFramePadMask = 0x07;
inline constexpr int kFramePadShift = 56;

static_assert(kFrameHeaderBytes == kFrameAlignBytes, "a header keeps a frame aligned");
static_assert(kFramePadMask + 1 == kFrameAlignBytes, "pad bytes fit the pad field");
static_assert((kFrameLengthMask >> (kFramePadShift - 1)) == 1, "56-bit length field");

// Torn-write detection works on 512-byte sectors (etcd's minSectorSize); the
// writer flushes whole 4 KiB pages where it can (etcd's walPageBytes).
inline constexpr uint64_t kSectorBytes = kSectorSizeBytesDefault;
inline constexpr uint64_t kPageBytes = 8 * kSectorBytes;
static_assert(kPageBytes % kSectorBytes == 0);
static_assert(kSectorBytes % kFrameAlignBytes == 0, "a sector holds whole length fields");

// Protobuf field numbers (walpb.Record, raftpb.Entry, raftpb.HardState,
// walpb.Snapshot).
inline constexpr uint32_t kRecordFieldType = 1;
inline constexpr uint32_t kRecordFieldCrc = 2;
inline constexpr uint32_t kRecordFieldData = 3;
inline constexpr uint32_t kEntryFieldType = 1;
inline constexpr uint32_t kEntryFieldTerm = 2;
inline constexpr uint32_t kEntryFieldIndex = 3;
inline constexpr uint32_t kEntryFieldData = 4;
inline constexpr uint32_t kHardStateFieldTerm = 1;
inline constexpr uint32_t kHardStateFieldVote = 2;
inline constexpr uint32_t kHardStateFieldCommit = 3;
inline constexpr uint32_t kSnapshotFieldIndex = 1;
inline constexpr uint32_t kSnapshotFieldTerm = 2;
inline constexpr uint32_t kSnapshotFieldConfState = 3;  // v3.5; kept as raw bytes

// Protobuf wire types.
inline constexpr uint8_t kWireVarint = 0;
inline constexpr uint8_t kWireFixed64 = 1;
inline constexpr uint8_t kWireLengthDelimited = 2;
inline constexpr uint8_t kWireStartGroup = 3;
inline constexpr uint8_t kWireEndGroup = 4;
inline constexpr uint8_t kWireFixed32 = 5;

// Segment files: "%016x-%016x.wal" (sequence, first raft index).
inline constexpr std::string_view kWalSuffix = ".wal";
inline constexpr std::string_view kTmpSuffix = ".tmp";
inline constexpr std::string_view kBrokenSuffix = ".broken";
inline constexpr size_t kWalNameHexDigits = 16;
inline constexpr size_t kWalNameLength = 2 * kWalNameHexDigits + 1 + kWalSuffix.size();
static_assert(kWalNameLength == 37);

inline constexpr uint64_t kSegmentSizeBytesDefault = 64'000'000;  // etcd SegmentSizeBytes
// Decoding refuses records longer than this unless the caller raises it
// (etcd v3.4 refuses above 10 MiB; walsim is more generous).
inline constexpr uint64_t kRecordSizeBytesMaxDefault = 32ull << 20;
inline constexpr uint64_t kMetadataSizeBytesMaxDefault = 1ull << 20;
static_assert(kMetadataSizeBytesMaxDefault < kRecordSizeBytesMaxDefault);
static_assert(kRecordSizeBytesMaxDefault < kFrameLengthMask);

// The largest encoded walpb.Record header before `data`: type (1 + 10),
// crc (1 + 5), data tag and length (1 + 10).
inline constexpr size_t kRecordHeaderBytesMax = 28;
// The largest encoded raftpb.Entry before its data bytes: type (1 + 1: the
// type is at most 2), term and index (1 + 10 each), data tag and length
// (1 + 10).
inline constexpr size_t kEntryHeaderBytesMax = 2 + 3 * 11;
// The largest encoded raftpb.HardState: three varint fields (1 + 10 each).
inline constexpr size_t kHardStateBytesMax = 3 * 11;
// The largest encoded walpb.Snapshot before conf_state's bytes: index and
// term (1 + 10 each), conf_state tag and length (1 + 10).
inline constexpr size_t kSnapshotHeaderBytesMax = 3 * 11;
static_assert(kRecordHeaderBytesMax == 3 + 10 + 5 + 10, "three tags, type, crc, data length");

}  // namespace walsim::wal
