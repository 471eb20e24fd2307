// Hand-written protobuf codec for the four messages an etcd WAL holds:
// walpb.Record {type, crc, data}, raftpb.Entry, raftpb.HardState and
// walpb.Snapshot.
//
// Encoding matches gogoproto's output byte for byte: fields in ascending
// field-number order, non-nullable scalars always present (even when zero),
// bytes fields present only when non-empty (Go's nil). Decoding is strict and
// bounded: it never reads outside the given span, rejects a wrong wire type
// for a known field, a field number 0, groups, truncated varints or lengths,
// and out-of-range values; unknown fields with a valid wire type are skipped
// (as gogoproto does). A failed decode is kCorruption with subcode
// kMalformedRecord and a message saying what was wrong; callers add the file
// and offset. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/status.h"
#include "wal/record_format.h"
#include "wal/types.h"

namespace walsim::wal {

// A decoded walpb.Record; data aliases the decoded bytes.
struct RecordView {
  int64_t type = 0;
  uint32_t crc = 0;
  std::span<const uint8_t> data;
};

// Size of the encoded walpb.Record with these fields.
size_t RecordEncodedSize(int64_t type, uint32_t crc, size_t data_size_bytes);
// Writes the walpb.Record fields that come before the data bytes (type, crc,
// and the data field's tag and length when data_size_bytes > 0) at dst, so
// that a writer can place the data itself without building the message
// first. Returns the bytes written (at most kRecordHeaderBytesMax).
// REQUIRES: dst has kRecordHeaderBytesMax bytes.
size_t EncodeRecordHeader(uint8_t* dst, int64_t type, uint32_t crc, size_t data_size_bytes);
// Appends the encoded walpb.Record to dst (data omitted when empty).
void AppendRecord(std::string* dst, int64_t type, uint32_t crc, std::span<const uint8_t> data);
[[nodiscard]] Status DecodeRecord(std::span<const uint8_t> bytes, RecordView* record);
// The encoded size of the walpb.Record whose first bytes are prefix, read from
// its own fields as a writer lays them out (type, crc, then the data field's
// tag and length, or no data field), without a frame's length field. nullopt
// when prefix does not start that way. Recovery uses it to tell a damaged
// length field from a torn write (docs/wal-format.md, "Recovery").
std::optional<uint64_t> RecordSizeFromHeader(std::span<const uint8_t> prefix);

size_t EntryEncodedSize(const Entry& entry);
// Writes the raftpb.Entry fields before entry.data's bytes (type, term, index,
// and data's tag and length when non-empty) at dst; the encoded entry is these
// bytes followed by entry.data. Returns the bytes written.
// REQUIRES: dst has kEntryHeaderBytesMax bytes.
size_t EncodeEntryHeader(uint8_t* dst, const Entry& entry);
void AppendEntry(std::string* dst, const Entry& entry);
// Decodes into *entry (its data buffer is reused).
[[nodiscard]] Status DecodeEntry(std::span<const uint8_t> bytes, Entry* entry);

// Writes the whole raftpb.HardState at dst; returns the bytes written.
// REQUIRES: dst has kHardStateBytesMax bytes.
size_t EncodeHardState(uint8_t* dst, const HardState& state);
void AppendHardState(std::string* dst, const HardState& state);
[[nodiscard]] Status DecodeHardState(std::span<const uint8_t> bytes, HardState* state);

// Writes the walpb.Snapshot fields before conf_state's bytes (index, term,
// and conf_state's tag and length when non-empty) at dst; returns the bytes
// written. REQUIRES: dst has kSnapshotHeaderBytesMax bytes.
size_t EncodeSnapshotHeader(uint8_t* dst, const Snapshot& snapshot);
void AppendSnapshot(std::string* dst, const Snapshot& snapshot);
[[nodiscard]] Status DecodeSnapshot(std::span<const uint8_t> bytes, Snapshot* snapshot);

}  // namespace walsim::wal
