#include "wal/record.h"

#include <limits>

#include "base/coding.h"

namespace walsim::wal {
namespace {

Status Malformed(std::string message) {
  return WalStatus(StatusCode::kCorruption, WalError::kMalformedRecord, std::move(message));
}

void PutTag(std::string* dst, uint32_t field, uint8_t wire_type) {
  PutVarint64(dst, (uint64_t{field} << 3) | wire_type);
}
void PutVarintField(std::string* dst, uint32_t field, uint64_t value) {
  PutTag(dst, field, kWireVarint);
  PutVarint64(dst, value);
}
void PutBytesField(std::string* dst, uint32_t field, std::span<const uint8_t> bytes) {
  PutTag(dst, field, kWireLengthDelimited);
  PutVarint64(dst, bytes.size());
  dst->append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
size_t BytesFieldSize(size_t size_bytes) { return 1 + VarintLength(size_bytes) + size_bytes; }

// One field as read from the wire: a varint value or a byte range.
struct Field {
  uint32_t number = 0;
  uint8_t wire_type = 0;
  uint64_t varint = 0;
  std::span<const uint8_t> bytes;
};

// Reads the field at *offset. Every field occupies at least one byte, so a
// loop over ReadField ends after at most input.size() iterations.
Status ReadField(std::span<const uint8_t> input, size_t* offset, Field* field) {
  const size_t start = *offset;
  std::optional<uint64_t> tag = DecodeVarint64(input, offset);
  if (!tag) return Malformed("truncated field tag at byte " + std::to_string(start));
  if ((*tag >> 3) == 0 || (*tag >> 3) > std::numeric_limits<int32_t>::max()) {
    return Malformed("invalid field number at byte " + std::to_string(start));
  }
  field->number = static_cast<uint32_t>(*tag >> 3);
  field->wire_type = static_cast<uint8_t>(*tag & 7);
  switch (field->wire_type) {
    case kWireVarint: {
      std::optional<uint64_t> value = DecodeVarint64(input, offset);
      if (!value) return Malformed("truncated varint at byte " + std::to_string(*offset));
      field->varint = *value;
      break;
    }
    case kWireFixed64:
    case kWireFixed32: {
      const size_t width = field->wire_type == kWireFixed64 ? 8 : 4;
      if (input.size() - *offset < width) return Malformed("truncated fixed-width field");
      field->bytes = input.subspan(*offset, width);
      *offset += width;
      break;
    }
    case kWireLengthDelimited: {
      std::optional<uint64_t> length = DecodeVarint64(input, offset);
      if (!length || *length > input.size() - *offset) {
        return Malformed("length-delimited field past the end at byte " + std::to_string(start));
      }
      field->bytes = input.subspan(*offset, static_cast<size_t>(*length));
      *offset += static_cast<size_t>(*length);
      break;
    }
    default:
      return Malformed("unsupported wire type " + std::to_string(field->wire_type) + " at byte " +
                       std::to_string(start));
  }
  WALSIM_ASSERT(*offset > start && *offset <= input.size());
  return Status::Ok();
}

Status ExpectWire(const Field& field, uint8_t wire_type, const char* message_name) {
  if (field.wire_type == wire_type) return Status::Ok();
  return Malformed(std::string("wrong wire type ") + std::to_string(field.wire_type) +
                   " for field " + std::to_string(field.number) + " of " + message_name);
}

}  // namespace

size_t RecordEncodedSize(int64_t type, uint32_t crc, size_t data_size_bytes) {
  size_t size = 1 + VarintLength(static_cast<uint64_t>(type)) + 1 + VarintLength(crc);
  if (data_size_bytes > 0) size += BytesFieldSize(data_size_bytes);
  return size;
}

void AppendRecord(std::string* dst, int64_t type, uint32_t crc, std::span<const uint8_t> data) {
  const size_t before = dst->size();
  PutVarintField(dst, kRecordFieldType, static_cast<uint64_t>(type));
  PutVarintField(dst, kRecordFieldCrc, crc);
  if (!data.empty()) PutBytesField(dst, kRecordFieldData, data);
  WALSIM_ASSERT(dst->size() - before == RecordEncodedSize(type, crc, data.size()));
}

Status DecodeRecord(std::span<const uint8_t> bytes, RecordView* record) {
  *record = RecordView{};
  size_t offset = 0;
  while (offset < bytes.size()) {
    Field field;
    WALSIM_RETURN_IF_ERROR(ReadField(bytes, &offset, &field));
    if (field.number == kRecordFieldType) {
      WALSIM_RETURN_IF_ERROR(ExpectWire(field, kWireVarint, "walpb.Record"));
      record->type = static_cast<int64_t>(field.varint);
    } else if (field.number == kRecordFieldCrc) {
      WALSIM_RETURN_IF_ERROR(ExpectWire(field, kWireVarint, "walpb.Record"));
      if (field.varint > std::numeric_limits<uint32_t>::max()) {
        return Malformed("walpb.Record crc does not fit 32 bits");
      }
      record->crc = static_cast<uint32_t>(field.varint);
    } else if (field.number == kRecordFieldData) {
      WALSIM_RETURN_IF_ERROR(ExpectWire(field, kWireLengthDelimited, "walpb.Record"));
      record->data = field.bytes;
    }
  }
  WALSIM_ASSERT(offset == bytes.size());
  return Status::Ok();
}

size_t EntryEncodedSize(const Entry& entry) {
  size_t size = 1 + VarintLength(static_cast<uint8_t>(entry.type)) + 1 + VarintLength(entry.term) +
                1 + VarintLength(entry.index);
  if (!entry.data.empty()) size += BytesFieldSize(entry.data.size());
  return size;
}

void AppendEntry(std::string* dst, const Entry& entry) {
  const size_t before = dst->size();
  PutVarintField(dst, kEntryFieldType, static_cast<uint8_t>(entry.type));
  PutVarintField(dst, kEntryFieldTerm, entry.term);
  PutVarintField(dst, kEntryFieldIndex, entry.index);
  if (!entry.data.empty()) PutBytesField(dst, kEntryFieldData, AsBytes(entry.data));
  WALSIM_ASSERT(dst->size() - before == EntryEncodedSize(entry));
}

Status DecodeEntry(std::span<const uint8_t> bytes, Entry* entry) {
  entry->term = 0;
  entry->index = 0;
  entry->type = EntryType::kNormal;
  entry->data.clear();
  size_t offset = 0;
  while (offset < bytes.size()) {
    Field field;
    WALSIM_RETURN_IF_ERROR(ReadField(bytes, &offset, &field));
    if (field.number == kEntryFieldData) {
      WALSIM_RETURN_IF_ERROR(ExpectWire(field, kWireLengthDelimited, "raftpb.Entry"));
      entry->data.assign(reinterpret_cast<const char*>(field.bytes.data()), field.bytes.size());
      continue;
    }
    if (field.number > kEntryFieldData) continue;  // unknown field: skipped
    WALSIM_RETURN_IF_ERROR(ExpectWire(field, kWireVarint, "raftpb.Entry"));
    if (field.number == kEntryFieldType) {
      if (field.varint > kEntryTypeMax) {
        return Malformed("unknown raftpb.EntryType " + std::to_string(field.varint));
      }
      entry->type = static_cast<EntryType>(field.varint);
    } else if (field.number == kEntryFieldTerm) {
      entry->term = field.varint;
    } else {
      WALSIM_ASSERT(field.number == kEntryFieldIndex);
      entry->index = field.varint;
    }
  }
  return Status::Ok();
}

void AppendHardState(std::string* dst, const HardState& state) {
  PutVarintField(dst, kHardStateFieldTerm, state.term);
  PutVarintField(dst, kHardStateFieldVote, state.vote);
  PutVarintField(dst, kHardStateFieldCommit, state.commit);
}

Status DecodeHardState(std::span<const uint8_t> bytes, HardState* state) {
  *state = HardState{};
  size_t offset = 0;
  while (offset < bytes.size()) {
    Field field;
    WALSIM_RETURN_IF_ERROR(ReadField(bytes, &offset, &field));
    if (field.number > kHardStateFieldCommit) continue;
    WALSIM_RETURN_IF_ERROR(ExpectWire(field, kWireVarint, "raftpb.HardState"));
    if (field.number == kHardStateFieldTerm) state->term = field.varint;
    if (field.number == kHardStateFieldVote) state->vote = field.varint;
    if (field.number == kHardStateFieldCommit) state->commit = field.varint;
  }
  return Status::Ok();
}

void AppendSnapshot(std::string* dst, const Snapshot& snapshot) {
  PutVarintField(dst, kSnapshotFieldIndex, snapshot.index);
  PutVarintField(dst, kSnapshotFieldTerm, snapshot.term);
  if (!snapshot.conf_state.empty()) {
    PutBytesField(dst, kSnapshotFieldConfState, AsBytes(snapshot.conf_state));
  }
}

Status DecodeSnapshot(std::span<const uint8_t> bytes, Snapshot* snapshot) {
  snapshot->index = 0;
  snapshot->term = 0;
  snapshot->conf_state.clear();
  size_t offset = 0;
  while (offset < bytes.size()) {
    Field field;
    WALSIM_RETURN_IF_ERROR(ReadField(bytes, &offset, &field));
    if (field.number == kSnapshotFieldConfState) {
      WALSIM_RETURN_IF_ERROR(ExpectWire(field, kWireLengthDelimited, "walpb.Snapshot"));
      snapshot->conf_state.assign(reinterpret_cast<const char*>(field.bytes.data()),
                                  field.bytes.size());
      continue;
    }
    if (field.number > kSnapshotFieldConfState) continue;
    WALSIM_RETURN_IF_ERROR(ExpectWire(field, kWireVarint, "walpb.Snapshot"));
    if (field.number == kSnapshotFieldIndex) snapshot->index = field.varint;
    if (field.number == kSnapshotFieldTerm) snapshot->term = field.varint;
  }
  return Status::Ok();
}

std::string_view WalErrorName(WalError error) {
  switch (error) {
    case WalError::kNone:
      return "none";
    case WalError::kSnapshotNotFound:
      return "snapshot not found";
    case WalError::kMetadataConflict:
      return "metadata conflict";
    case WalError::kSnapshotMismatch:
      return "snapshot mismatch";
    case WalError::kCrcMismatch:
      return "crc mismatch";
    case WalError::kTornTail:
      return "torn tail";
    case WalError::kFileNotFound:
      return "file not found";
    case WalError::kSliceOutOfRange:
      return "slice out of range";
    case WalError::kSequenceGap:
      return "sequence gap";
    case WalError::kLocked:
      return "locked";
    case WalError::kFailedStop:
      return "failed stop";
    case WalError::kMalformedRecord:
      return "malformed record";
    case WalError::kUnexpectedType:
      return "unexpected record type";
  }
  return "unknown";
}

}  // namespace walsim::wal
