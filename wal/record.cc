#include "wal/record.h"

#include <limits>

#include "base/coding.h"

namespace walsim::wal {
namespace {

Status Malformed(std::string message) {
  return WalStatus(StatusCode::kCorruption, WalError::kMalformedRecord, std::move(message));
}

// Copies bytes into *dst: in place when it has room (a reused decode
// buffer), else into a string built at its size (one allocation, no
// zero-fill; ReadAll moves each entry out, so this is its usual case).
void AssignBytes(std::string* dst, std::span<const uint8_t> bytes) {
  const auto* chars = reinterpret_cast<const char*>(bytes.data());
  if (bytes.size() <= dst->capacity()) {
    dst->assign(chars, bytes.size());
  } else {
    *dst = std::string(chars, bytes.size());
  }
}

// The encoders write at a raw pointer: the writer's hot path places each
// record straight into its page buffer (wal/encoder.cc), with no message
// built in between. Every field number here is below 16, so a tag is one byte.
constexpr uint8_t Tag(uint32_t field, uint8_t wire_type) {
  return static_cast<uint8_t>((field << 3) | wire_type);
}
static_assert(kSnapshotFieldConfState < 16 && kEntryFieldData < 16 && kRecordFieldData < 16,
              "one-byte tags");

size_t EncodeVarintField(uint8_t* dst, uint32_t field, uint64_t value) {
  dst[0] = Tag(field, kWireVarint);
  return 1 + EncodeVarint64(dst + 1, value);
}
// The tag and length of a bytes field; the bytes follow.
size_t EncodeBytesFieldHeader(uint8_t* dst, uint32_t field, size_t size_bytes) {
  dst[0] = Tag(field, kWireLengthDelimited);
  return 1 + EncodeVarint64(dst + 1, size_bytes);
}
size_t BytesFieldSize(size_t size_bytes) { return 1 + VarintLength(size_bytes) + size_bytes; }

// Appends a message made of a header written by encode_header (at most
// header_bytes_max) followed by tail.
template <typename EncodeHeader>
void AppendMessage(std::string* dst, size_t header_bytes_max, EncodeHeader encode_header,
                   std::span<const uint8_t> tail) {
  const size_t before = dst->size();
  dst->resize(before + header_bytes_max);
  const size_t header_bytes = encode_header(reinterpret_cast<uint8_t*>(dst->data() + before));
  WALSIM_ASSERT(header_bytes <= header_bytes_max);
  dst->resize(before + header_bytes);
  dst->append(reinterpret_cast<const char*>(tail.data()), tail.size());
}

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

// Fast paths for the one layout writers produce (gogoproto and ours): each
// field once, in field-number order, one-byte tags, the bytes field last and
// only when non-empty. They accept exactly the inputs on which the general
// field loop below would succeed with that layout, and report false for
// anything else, which the general loop then decodes (or rejects, with its
// message). Reading a WAL thus costs a few compares per field.

// Reads tag then a varint at *offset; false when either is not there. Most
// varints in a WAL (types, terms, small indexes, the data length of a short
// entry) are one byte: those skip the general decoder.
inline bool TakeVarintField(std::span<const uint8_t> bytes, size_t* offset, uint8_t tag,
                            uint64_t* value) {
  WALSIM_ASSERT(*offset <= bytes.size());
  if (bytes.size() - *offset < 2 || bytes[*offset] != tag) return false;
  if (bytes[*offset + 1] < 0x80) {
    *value = bytes[*offset + 1];
    *offset += 2;
    return true;
  }
  size_t after_tag = *offset + 1;
  std::optional<uint64_t> decoded = DecodeVarint64(bytes, &after_tag);
  if (!decoded) return false;
  *value = *decoded;
  *offset = after_tag;
  WALSIM_ASSERT(after_tag <= bytes.size());
  return true;
}

// Reads an optional last bytes field (tag, length, bytes) that must end
// exactly at the end of bytes; an absent field leaves *field empty.
bool TakeLastBytesField(std::span<const uint8_t> bytes, size_t offset, uint8_t tag,
                        std::span<const uint8_t>* field) {
  *field = {};
  if (offset == bytes.size()) return true;
  if (bytes[offset] != tag) return false;
  offset++;
  std::optional<uint64_t> length = DecodeVarint64(bytes, &offset);
  if (!length || *length != bytes.size() - offset) return false;
  *field = bytes.subspan(offset);
  return true;
}

bool DecodeRecordFast(std::span<const uint8_t> bytes, RecordView* record) {
  size_t offset = 0;
  uint64_t type = 0;
  uint64_t crc = 0;
  std::span<const uint8_t> data;
  if (!TakeVarintField(bytes, &offset, Tag(kRecordFieldType, kWireVarint), &type) ||
      !TakeVarintField(bytes, &offset, Tag(kRecordFieldCrc, kWireVarint), &crc) ||
      crc > std::numeric_limits<uint32_t>::max() ||
      !TakeLastBytesField(bytes, offset, Tag(kRecordFieldData, kWireLengthDelimited), &data)) {
    return false;
  }
  record->type = static_cast<int64_t>(type);
  record->crc = static_cast<uint32_t>(crc);
  record->data = data;
  return true;
}

bool DecodeEntryFast(std::span<const uint8_t> bytes, Entry* entry) {
  size_t offset = 0;
  uint64_t type = 0;
  uint64_t term = 0;
  uint64_t index = 0;
  std::span<const uint8_t> data;
  if (!TakeVarintField(bytes, &offset, Tag(kEntryFieldType, kWireVarint), &type) ||
      type > kEntryTypeMax ||
      !TakeVarintField(bytes, &offset, Tag(kEntryFieldTerm, kWireVarint), &term) ||
      !TakeVarintField(bytes, &offset, Tag(kEntryFieldIndex, kWireVarint), &index) ||
      !TakeLastBytesField(bytes, offset, Tag(kEntryFieldData, kWireLengthDelimited), &data)) {
    return false;
  }
  entry->type = static_cast<EntryType>(type);
  entry->term = term;
  entry->index = index;
  AssignBytes(&entry->data, data);
  return true;
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

size_t EncodeRecordHeader(uint8_t* dst, int64_t type, uint32_t crc, size_t data_size_bytes) {
  size_t size = EncodeVarintField(dst, kRecordFieldType, static_cast<uint64_t>(type));
  size += EncodeVarintField(dst + size, kRecordFieldCrc, crc);
  if (data_size_bytes > 0) {
    size += EncodeBytesFieldHeader(dst + size, kRecordFieldData, data_size_bytes);
  }
  WALSIM_ASSERT(size <= kRecordHeaderBytesMax);
  return size;
}

void AppendRecord(std::string* dst, int64_t type, uint32_t crc, std::span<const uint8_t> data) {
  const size_t before = dst->size();
  AppendMessage(
      dst, kRecordHeaderBytesMax,
      [&](uint8_t* header) { return EncodeRecordHeader(header, type, crc, data.size()); }, data);
  WALSIM_ASSERT(dst->size() - before == RecordEncodedSize(type, crc, data.size()));
}

std::optional<uint64_t> RecordSizeFromHeader(std::span<const uint8_t> prefix) {
  size_t offset = 0;
  uint64_t type = 0;
  uint64_t crc = 0;
  if (!TakeVarintField(prefix, &offset, Tag(kRecordFieldType, kWireVarint), &type) ||
      !TakeVarintField(prefix, &offset, Tag(kRecordFieldCrc, kWireVarint), &crc) ||
      crc > std::numeric_limits<uint32_t>::max()) {
    return std::nullopt;
  }
  // No data field: the record ends here, and a frame's padding (zeros), the
  // next frame's length field or the end of the prefix follows.
  if (offset == prefix.size() || prefix[offset] != Tag(kRecordFieldData, kWireLengthDelimited)) {
    return offset;
  }
  offset++;
  std::optional<uint64_t> length = DecodeVarint64(prefix, &offset);
  if (!length || *length > kFrameLengthMask) return std::nullopt;
  return offset + *length;
}

Status DecodeRecord(std::span<const uint8_t> bytes, RecordView* record) {
  if (DecodeRecordFast(bytes, record)) return Status::Ok();
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

size_t EncodeEntryHeader(uint8_t* dst, const Entry& entry) {
  size_t size = EncodeVarintField(dst, kEntryFieldType, static_cast<uint8_t>(entry.type));
  size += EncodeVarintField(dst + size, kEntryFieldTerm, entry.term);
  size += EncodeVarintField(dst + size, kEntryFieldIndex, entry.index);
  if (!entry.data.empty()) {
    size += EncodeBytesFieldHeader(dst + size, kEntryFieldData, entry.data.size());
  }
  WALSIM_ASSERT(size <= kEntryHeaderBytesMax);
  return size;
}

void AppendEntry(std::string* dst, const Entry& entry) {
  AppendMessage(
      dst, kEntryHeaderBytesMax, [&](uint8_t* header) { return EncodeEntryHeader(header, entry); },
      AsBytes(entry.data));
}

Status DecodeEntry(std::span<const uint8_t> bytes, Entry* entry) {
  if (DecodeEntryFast(bytes, entry)) return Status::Ok();
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
      AssignBytes(&entry->data, field.bytes);
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

size_t EncodeHardState(uint8_t* dst, const HardState& state) {
  size_t size = EncodeVarintField(dst, kHardStateFieldTerm, state.term);
  size += EncodeVarintField(dst + size, kHardStateFieldVote, state.vote);
  size += EncodeVarintField(dst + size, kHardStateFieldCommit, state.commit);
  WALSIM_ASSERT(size <= kHardStateBytesMax);
  return size;
}

void AppendHardState(std::string* dst, const HardState& state) {
  AppendMessage(dst, kHardStateBytesMax,
                [&](uint8_t* header) { return EncodeHardState(header, state); }, {});
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

size_t EncodeSnapshotHeader(uint8_t* dst, const Snapshot& snapshot) {
  size_t size = EncodeVarintField(dst, kSnapshotFieldIndex, snapshot.index);
  size += EncodeVarintField(dst + size, kSnapshotFieldTerm, snapshot.term);
  if (!snapshot.conf_state.empty()) {
    size += EncodeBytesFieldHeader(dst + size, kSnapshotFieldConfState, snapshot.conf_state.size());
  }
  WALSIM_ASSERT(size <= kSnapshotHeaderBytesMax);
  return size;
}

void AppendSnapshot(std::string* dst, const Snapshot& snapshot) {
  AppendMessage(
      dst, kSnapshotHeaderBytesMax,
      [&](uint8_t* header) { return EncodeSnapshotHeader(header, snapshot); },
      AsBytes(snapshot.conf_state));
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
