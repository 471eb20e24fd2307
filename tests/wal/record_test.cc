// The record codec and the frame decoder, byte for byte (no filesystem).
#include "wal/record.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/crc32c.h"
#include "wal/decoder.h"
#include "wal/encoder.h"
#include "wal/record_format.h"

namespace walsim::wal {
namespace {

std::string Hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// One frame, built from the format's rules (not by Encoder).
std::string Frame(int64_t type, uint32_t crc, const std::string& data) {
  std::string record;
  AppendRecord(&record, type, crc, AsBytes(data));
  uint64_t pad_bytes = 0;
  std::string frame;
  PutFixed64(&frame, EncodeFrameLength(record.size(), &pad_bytes));
  frame += record;
  frame.append(pad_bytes, '\0');
  return frame;
}

struct Decoded {
  std::vector<FrameKind> kinds;
  std::vector<int64_t> types;
  WalError error = WalError::kNone;
  uint64_t end_offset = 0;
};

Decoded DecodeAll(const std::string& file, uint32_t crc = 0) {
  fs::SpanByteSource source(AsBytes(file));
  FrameDecoder decoder(&source, crc, DecoderOptions{});
  Decoded decoded;
  for (size_t round = 0; round <= file.size() / 8; round++) {
    wal::Frame frame;
    EXPECT_TRUE(decoder.Next(&frame).ok());
    decoded.kinds.push_back(frame.kind);
    if (frame.kind != FrameKind::kRecord) {
      decoded.error = frame.error;
      break;
    }
    decoded.types.push_back(frame.record.type);
  }
  decoded.end_offset = decoder.offset();
  return decoded;
}

// A file as etcd writes it: crc, metadata, empty snapshot, then entries.
std::string SmallWal(int entry_count, size_t data_bytes, uint32_t* crc_out = nullptr) {
  std::string file = Frame(4, 0, "");
  uint32_t crc = Crc32c(AsBytes(std::string("meta")));
  file += Frame(1, crc, "meta");
  std::string snap;
  AppendSnapshot(&snap, Snapshot{});
  crc = Crc32cExtend(crc, AsBytes(snap));
  file += Frame(5, crc, snap);
  for (int i = 1; i <= entry_count; i++) {
    std::string entry;
    AppendEntry(&entry, Entry{1, static_cast<uint64_t>(i), EntryType::kNormal,
                              std::string(data_bytes, static_cast<char>('a' + i % 26))});
    crc = Crc32cExtend(crc, AsBytes(entry));
    file += Frame(2, crc, entry);
  }
  if (crc_out != nullptr) *crc_out = crc;
  return file;
}

TEST(WalRecordTest, FrameLengthPadsToEightBytes) {
  uint64_t pad_bytes = 0;
  EXPECT_EQ(EncodeFrameLength(4, &pad_bytes), 0x8400000000000004ull);
  EXPECT_EQ(pad_bytes, 4u);
  EXPECT_EQ(EncodeFrameLength(16, &pad_bytes), 16u);
  EXPECT_EQ(pad_bytes, 0u);
  uint64_t record_bytes = 0;
  EXPECT_TRUE(DecodeFrameLength(0x8400000000000004ull, &record_bytes, &pad_bytes));
  EXPECT_EQ(record_bytes, 4u);
  EXPECT_EQ(pad_bytes, 4u);
  EXPECT_FALSE(DecodeFrameLength(0x4100000000000010ull, &record_bytes, &pad_bytes));
  EXPECT_FALSE(DecodeFrameLength(5, &record_bytes, &pad_bytes)) << "unpadded frame must align";
}

TEST(WalRecordTest, EncodingMatchesGogoproto) {
  std::string bytes;
  AppendRecord(&bytes, 4, 0, {});
  EXPECT_EQ(Hex(bytes), "08041000");
  bytes.clear();
  AppendEntry(&bytes, Entry{1, 2, EntryType::kNormal, "x"});
  EXPECT_EQ(Hex(bytes), "080010011802220178");
  bytes.clear();
  AppendEntry(&bytes, Entry{});
  EXPECT_EQ(Hex(bytes), "080010001800") << "non-nullable fields are always present";
  bytes.clear();
  AppendHardState(&bytes, HardState{1, 2, 3});
  EXPECT_EQ(Hex(bytes), "080110021803");
  bytes.clear();
  AppendSnapshot(&bytes, Snapshot{});
  EXPECT_EQ(Hex(bytes), "08001000");
  bytes.clear();
  AppendEntry(&bytes, Entry{300, 1, EntryType::kConfChange, ""});
  EXPECT_EQ(Hex(bytes), "080110ac021801") << "300 is varint ac 02";
}

TEST(WalRecordTest, UnknownFieldsAreSkipped) {
  std::string bytes;
  AppendEntry(&bytes, Entry{7, 9, EntryType::kNormal, "data"});
  bytes += std::string("\x48\x05", 2);                       // field 9, varint
  bytes += std::string("\x52\x02zz", 4);                     // field 10, bytes
  bytes += std::string("\x59", 1) + std::string(8, '\x01');  // field 11, fixed64
  bytes += std::string("\x65", 1) + std::string(4, '\x02');  // field 12, fixed32
  Entry entry;
  ASSERT_TRUE(DecodeEntry(AsBytes(bytes), &entry).ok());
  EXPECT_EQ(entry, (Entry{7, 9, EntryType::kNormal, "data"}));
}

TEST(WalRecordTest, MalformedProtobufIsReportedAsMalformed) {
  const std::vector<std::string> bad = {
      std::string("\x12\x01x", 3),   // term (field 2) as bytes: wrong wire type
      std::string("\x08", 1),        // truncated varint
      std::string("\x22\x05xy", 4),  // data longer than the input
      std::string("\x00\x00", 2),    // field number 0
      std::string("\x0b\x0c", 2),    // a group
      std::string("\x08\x07", 2),    // EntryType 7 does not exist
  };
  for (const std::string& bytes : bad) {
    Entry entry;
    Status status = DecodeEntry(AsBytes(bytes), &entry);
    EXPECT_TRUE(status.Is(StatusCode::kCorruption)) << Hex(bytes);
    EXPECT_EQ(WalErrorOf(status), WalError::kMalformedRecord) << status.ToString();
  }
  RecordView record;
  Status crc_too_big = DecodeRecord(AsBytes(std::string("\x10\xff\xff\xff\xff\x1f", 6)), &record);
  EXPECT_EQ(WalErrorOf(crc_too_big), WalError::kMalformedRecord) << crc_too_big.ToString();
}

RC_GTEST_PROP(WalRecordTest, EntryRoundTrips,
              (uint64_t term, uint64_t index, const std::string& data)) {
  const Entry entry{term, index, EntryType::kConfChangeV2, data};
  std::string bytes;
  AppendEntry(&bytes, entry);
  RC_ASSERT(bytes.size() == EntryEncodedSize(entry));
  Entry decoded;
  RC_ASSERT(DecodeEntry(AsBytes(bytes), &decoded).ok());
  RC_ASSERT(decoded == entry);
}

RC_GTEST_PROP(WalRecordTest, DecodersNeverFailUncleanlyOnArbitraryBytes,
              (const std::string& bytes)) {
  Entry entry;
  HardState state;
  Snapshot snap;
  RecordView record;
  for (const Status& status :
       {DecodeEntry(AsBytes(bytes), &entry), DecodeHardState(AsBytes(bytes), &state),
        DecodeSnapshot(AsBytes(bytes), &snap), DecodeRecord(AsBytes(bytes), &record)}) {
    RC_ASSERT(status.ok() || WalErrorOf(status) == WalError::kMalformedRecord);
  }
}

// Raw protobuf fields, to lay out messages the way other writers may.
std::string VarintField(uint32_t field, uint64_t value) {
  std::string bytes;
  PutVarint64(&bytes, (uint64_t{field} << 3) | 0);
  PutVarint64(&bytes, value);
  return bytes;
}
std::string BytesField(uint32_t field, const std::string& value) {
  std::string bytes;
  PutVarint64(&bytes, (uint64_t{field} << 3) | 2);
  PutVarint64(&bytes, value.size());
  return bytes + value;
}

// The decoders take a fast path for the layout writers produce; any other
// valid layout (fields reordered or repeated, the last value winning, as in
// protobuf) must decode to the same values through the general field loop.
RC_GTEST_PROP(WalRecordTest, EveryFieldLayoutDecodesAlike,
              (uint64_t term, uint64_t index, const std::string& data, uint32_t crc)) {
  const auto type = *rc::gen::inRange<uint64_t>(0, kEntryTypeMax + 1);
  std::vector<std::string> fields = {VarintField(kEntryFieldType, type),
                                     VarintField(kEntryFieldTerm, term),
                                     VarintField(kEntryFieldIndex, index)};
  if (!data.empty()) fields.push_back(BytesField(kEntryFieldData, data));
  // A stale earlier value of a field that the real one then overrides.
  fields.insert(fields.begin(), VarintField(kEntryFieldTerm, term + 1));
  const auto order = *rc::gen::inRange<size_t>(0, fields.size());
  std::swap(fields[order], fields.back());
  std::string bytes;
  for (const std::string& field : fields) bytes += field;
  Entry decoded;
  RC_ASSERT(DecodeEntry(AsBytes(bytes), &decoded).ok());
  const bool stale_last = fields.back() == VarintField(kEntryFieldTerm, term + 1);
  RC_ASSERT(decoded ==
            (Entry{stale_last ? term + 1 : term, index, static_cast<EntryType>(type), data}));

  const std::string record = BytesField(kRecordFieldData, data) +
                             VarintField(kRecordFieldCrc, crc) + VarintField(kRecordFieldType, 2);
  RecordView view;
  RC_ASSERT(DecodeRecord(AsBytes(record), &view).ok());
  RC_ASSERT(view.type == 2 && view.crc == crc);
  RC_ASSERT(std::string(view.data.begin(), view.data.end()) == data);
}

// A file that keeps what is written at offsets (the encoder's only need).
class StringFile final : public fs::File {
 public:
  Result<size_t> ReadAt(uint64_t, std::span<uint8_t>) override { return Unsupported(); }
  Status WriteAt(uint64_t offset, std::span<const uint8_t> data) override {
    if (bytes_.size() < offset + data.size()) bytes_.resize(offset + data.size());
    std::copy(data.begin(), data.end(), bytes_.begin() + static_cast<ptrdiff_t>(offset));
    return Status::Ok();
  }
  Status Append(std::span<const uint8_t> data) override { return WriteAt(bytes_.size(), data); }
  Status Truncate(uint64_t) override { return Unsupported(); }
  Status Allocate(uint64_t, uint64_t, fs::AllocateMode) override { return Unsupported(); }
  Status Sync() override { return Status::Ok(); }
  Status SyncData() override { return Status::Ok(); }
  Result<uint64_t> Size() override { return uint64_t{bytes_.size()}; }
  Status Close() override { return Status::Ok(); }
  const std::string& path() const override { return path_; }
  const std::string& bytes() const { return bytes_; }

 private:
  static Status Unsupported() { return Status::InvalidArgument("not used by the encoder"); }
  std::string bytes_;
  std::string path_ = "/string-file";
};

// The encoder writes each record straight into its page buffer; what reaches
// the file must be exactly the frames built from the format's rules, with
// the CRC chained over each record's data.
RC_GTEST_PROP(WalRecordTest, EncoderWritesTheReferenceFrames,
              (uint32_t first_crc, const std::string& metadata, uint64_t term, uint64_t commit,
               const std::string& conf_state)) {
  const HardState state{term, 1, commit};
  const auto entry_count = *rc::gen::inRange<size_t>(0, 40);
  StringFile file;
  Encoder encoder;
  encoder.Reset(&file, 0, first_crc);
  std::string expected = Frame(static_cast<int64_t>(RecordType::kCrc), first_crc, "");
  uint32_t crc = first_crc;
  const auto add = [&](RecordType type, const std::string& data) {
    crc = Crc32cExtend(crc, AsBytes(data));
    expected += Frame(static_cast<int64_t>(type), crc, data);
  };
  RC_ASSERT(encoder.AppendCrcRecord(first_crc).ok());
  RC_ASSERT(encoder.AppendRecord(RecordType::kMetadata, AsBytes(metadata)).ok());
  add(RecordType::kMetadata, metadata);
  for (size_t i = 0; i < entry_count; i++) {
    const Entry entry{*rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>(),
                      static_cast<EntryType>(*rc::gen::inRange<int>(0, kEntryTypeMax + 1)),
                      std::string(*rc::gen::inRange<size_t>(0, 9000), static_cast<char>(i))};
    RC_ASSERT(encoder.AppendEntry(entry).ok());
    std::string encoded;
    AppendEntry(&encoded, entry);
    add(RecordType::kEntry, encoded);
  }
  RC_ASSERT(encoder.AppendHardState(state).ok());
  std::string encoded_state;
  AppendHardState(&encoded_state, state);
  add(RecordType::kState, encoded_state);
  const Snapshot snap{state.commit, state.term, conf_state};
  RC_ASSERT(encoder.AppendSnapshot(snap).ok());
  std::string encoded_snap;
  AppendSnapshot(&encoded_snap, snap);
  add(RecordType::kSnapshot, encoded_snap);
  RC_ASSERT(encoder.Flush().ok());
  RC_ASSERT(encoder.offset() == expected.size());
  RC_ASSERT(encoder.crc() == crc);
  RC_ASSERT(Hex(file.bytes()) == Hex(expected));
}

TEST(WalDecoderTest, ReadsRecordsUntilAZeroLengthField) {
  std::string file = SmallWal(3, 10) + std::string(4096, '\0');
  Decoded decoded = DecodeAll(file);
  EXPECT_EQ(decoded.types, (std::vector<int64_t>{4, 1, 5, 2, 2, 2}));
  EXPECT_EQ(decoded.kinds.back(), FrameKind::kEnd);
  EXPECT_EQ(decoded.end_offset, file.size() - 4096);
}

TEST(WalDecoderTest, FramePastTheEndOfTheFileIsTorn) {
  std::string file = SmallWal(3, 10);
  file.resize(file.size() - 4);
  Decoded decoded = DecodeAll(file);
  EXPECT_EQ(decoded.kinds.back(), FrameKind::kTorn);
  EXPECT_EQ(decoded.types.size(), 5u);
}

TEST(WalDecoderTest, ZeroSectorInsideARecordIsTorn) {
  std::string file = SmallWal(2, 2000);
  // The last entry spans several sectors; zero one in its middle.
  const size_t sector = (file.size() - 600) / kSectorBytes * kSectorBytes;
  file.replace(sector, kSectorBytes, std::string(kSectorBytes, '\0'));
  Decoded decoded = DecodeAll(file);
  EXPECT_EQ(decoded.kinds.back(), FrameKind::kTorn);
  EXPECT_EQ(decoded.error, WalError::kCrcMismatch);
}

TEST(WalDecoderTest, FlippedByteWithoutZeroSectorIsCorrupt) {
  std::string file = SmallWal(2, 100);
  file[file.size() - 20] ^= 0x40;
  Decoded decoded = DecodeAll(file);
  EXPECT_EQ(decoded.kinds.back(), FrameKind::kCorrupt);
  EXPECT_EQ(decoded.error, WalError::kCrcMismatch);
}

TEST(WalDecoderTest, MalformedLengthFieldIsTorn) {
  std::string file = SmallWal(1, 10);
  PutFixed64(&file, 0x4142434445464748ull);
  file += std::string(64, 'x');
  Decoded decoded = DecodeAll(file);
  EXPECT_EQ(decoded.kinds.back(), FrameKind::kTorn);
  EXPECT_EQ(decoded.types.size(), 4u);
}

TEST(WalDecoderTest, LengthOverTheLimitInsideTheFileIsCorrupt) {
  std::string file = SmallWal(1, 10);
  PutFixed64(&file, 64);
  file += std::string(64, 'x');
  fs::SpanByteSource source(AsBytes(file));
  DecoderOptions options;
  options.record_size_bytes_max = 32;
  FrameDecoder decoder(&source, 0, options);
  wal::Frame frame;
  for (int i = 0; i < 5; i++) ASSERT_TRUE(decoder.Next(&frame).ok());
  EXPECT_EQ(frame.kind, FrameKind::kCorrupt);
  EXPECT_NE(frame.reason.find("exceeds the limit"), std::string::npos) << frame.reason;
}

TEST(WalDecoderTest, PartialLengthFieldIsTornUnlessZero) {
  std::string file = SmallWal(1, 10);
  EXPECT_EQ(DecodeAll(file + std::string(4, '\0')).kinds.back(), FrameKind::kEnd);
  EXPECT_EQ(DecodeAll(file + std::string("\x01\x02\x03", 3)).kinds.back(), FrameKind::kTorn);
}

TEST(WalDecoderTest, ChainedCrcValidatesAcrossARestart) {
  uint32_t crc = 0;
  std::string first = SmallWal(2, 10, &crc);
  // A second file starts with a crc record holding the chain value.
  std::string second = Frame(4, crc, "");
  std::string entry;
  AppendEntry(&entry, Entry{1, 3, EntryType::kNormal, "z"});
  second += Frame(2, Crc32cExtend(crc, AsBytes(entry)), entry);
  Decoded decoded = DecodeAll(second, crc);
  EXPECT_EQ(decoded.types, (std::vector<int64_t>{4, 2}));
  Decoded wrong_chain = DecodeAll(second, crc ^ 1);
  EXPECT_EQ(wrong_chain.kinds.back(), FrameKind::kCorrupt);
}

}  // namespace
}  // namespace walsim::wal
