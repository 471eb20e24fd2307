// The segment format codecs (logstore/segment_format.h) and the scanner
// (logstore/segment_scanner.h) on in-memory bytes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <cstring>

#include "base/coding.h"
#include "base/crc32c.h"
#include "logstore/segment_format.h"
#include "logstore/segment_scanner.h"
#include "tests/logstore/logstore_test_util.h"

namespace walsim::logstore {
namespace {

using ::testing::HasSubstr;
using testing::MakeBatch;
using testing::MakeLog;

constexpr uint32_t kAlignment = 512;

// A segment image: header, then batches of the given sizes (first index 1).
std::vector<uint8_t> BuildSegment(const std::vector<size_t>& batch_sizes, size_t size_bytes) {
  std::vector<uint8_t> bytes(size_bytes, 0);
  format::SegmentHeader header{format::SegmentKind::kFirst, 1, 1, 0, kAlignment};
  format::EncodeSegmentHeader(header, std::span<uint8_t, 64>(bytes.data(), 64));
  uint64_t offset = kAlignment;
  uint64_t index = 1;
  uint64_t seq = 1;
  for (size_t count : batch_sizes) {
    std::vector<Log> logs = MakeBatch(index, count, seq);
    uint64_t batch_bytes = format::BatchSizeBytes(logs, kAlignment);
    std::vector<uint64_t> locations(count);
    format::EncodeBatch(logs, {seq, kAlignment, offset},
                        std::span<uint8_t>(bytes.data() + offset, batch_bytes), locations);
    offset += batch_bytes;
    index += count;
    seq++;
  }
  return bytes;
}

Result<SegmentScan> Scan(const std::vector<uint8_t>& bytes, bool check_tail = true) {
  fs::SpanByteSource source(bytes);
  SegmentScan scan;
  std::vector<uint8_t> window;
  WALSIM_RETURN_IF_ERROR(
      ScanSegment(source, {.check_tail = check_tail, .window_bytes = 700}, &scan, &window));
  return scan;
}

TEST(SegmentFormatTest, SegmentNamesRoundTrip) {
  std::string name = format::SegmentFileName(0x1f, 123456);
  EXPECT_EQ(name, "000000000000001f-000000000001e240.seg");
  auto parsed = format::ParseSegmentFileName(name);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->segment_seq, 0x1fu);
  EXPECT_EQ(parsed->first_index, 123456u);
  EXPECT_FALSE(format::ParseSegmentFileName("000000000000001F-000000000001e240.seg"));
  EXPECT_FALSE(format::ParseSegmentFileName(name + ".tmp"));
  EXPECT_FALSE(format::ParseSegmentFileName("LOCK"));
}

TEST(SegmentFormatTest, MetaRoundTripsAndRejectsDamage) {
  std::array<uint8_t, format::kMetaSizeBytes> bytes{};
  format::EncodeMeta({42, 7, 9}, bytes);
  EXPECT_EQ(format::DecodeMeta(bytes).value(), (format::StoreMeta{42, 7, 9}));
  bytes[33] ^= 1;  // durable_batch_seq is covered by the checksum too
  Result<format::StoreMeta> damaged = format::DecodeMeta(bytes);
  EXPECT_EQ(damaged.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(damaged.status().message(), HasSubstr("checksum"));
}

// A version-1 meta (40 bytes, no durable_batch_seq) still opens, as "no batch
// is known durable"; a version-2 meta cut to 40 bytes does not.
TEST(SegmentFormatTest, MetaVersion1IsStillRead) {
  std::array<uint8_t, format::kMetaV1SizeBytes> v1{};
  std::memcpy(v1.data(), format::kMetaMagic, 8);
  EncodeFixed32(v1.data() + 8, 1);
  EncodeFixed64(v1.data() + 16, 42);
  EncodeFixed64(v1.data() + 24, 7);
  EncodeFixed32(v1.data() + 36, Crc32c(std::span<const uint8_t>(v1.data(), 36)));
  EXPECT_EQ(format::DecodeMeta(v1).value(), (format::StoreMeta{42, 7, 0}));
  std::array<uint8_t, format::kMetaSizeBytes> v2{};
  format::EncodeMeta({42, 7, 9}, v2);
  EncodeFixed32(v2.data() + 36, Crc32c(std::span<const uint8_t>(v2.data(), 36)));
  Result<format::StoreMeta> cut = format::DecodeMeta(std::span<const uint8_t>(v2.data(), 40));
  EXPECT_EQ(cut.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(cut.status().message(), HasSubstr("unsupported meta format version 2"));
}

RC_GTEST_PROP(SegmentFormatTest, EntryFramesRoundTrip,
              (uint64_t index, uint64_t term, std::string data, std::string extensions,
               int64_t appended_at)) {
  RC_PRE(index > 0);
  Log log = MakeLog(index, term, data, static_cast<LogType>(index % 6));
  log.extensions = extensions;
  log.appended_at_unix_ns = appended_at;
  std::vector<uint8_t> bytes(format::BatchSizeBytes(std::span(&log, 1), kAlignment));
  uint64_t location = 0;
  format::EncodeBatch(std::span(&log, 1), {9, kAlignment, 0}, bytes, std::span(&location, 1));
  RC_ASSERT(location == format::PackFrameLocation(0, format::EntryFrameLengthBytes(log)));
  Log decoded;
  uint64_t length = format::EntryFrameLengthBytes(log);
  RC_ASSERT(format::DecodeEntryFrame(std::span(bytes.data(), length), index, &decoded).ok());
  RC_ASSERT(decoded == log);
}

TEST(SegmentFormatTest, ScanFindsEveryCommittedBatch) {
  std::vector<uint8_t> bytes = BuildSegment({3, 1, 5}, 8192);
  SegmentScan scan = Scan(bytes).value();
  EXPECT_EQ(scan.frames.size(), 9u);
  EXPECT_EQ(scan.batch_count, 3u);
  EXPECT_EQ(scan.last_batch_seq, 3u);
  EXPECT_EQ(scan.end_offset_bytes, 4u * kAlignment);
  EXPECT_EQ(scan.tail, TailState::kClean);
  EXPECT_THAT(scan.stop_reason, HasSubstr("zeros at offset 2048"));
  EXPECT_EQ(format::FrameOffsetBytes(scan.frames[3]), 1024u);
}

TEST(SegmentFormatTest, EncodedLocationsAreTheOnesTheScanFinds) {
  std::vector<Log> logs = MakeBatch(1, 5, 1);
  std::vector<uint8_t> bytes(4096, 0);
  format::SegmentHeader header{format::SegmentKind::kFirst, 1, 1, 0, kAlignment};
  format::EncodeSegmentHeader(header, std::span<uint8_t, 64>(bytes.data(), 64));
  uint64_t batch_bytes = format::BatchSizeBytes(logs, kAlignment);
  std::vector<uint64_t> locations(logs.size());
  format::EncodeBatch(logs, {1, kAlignment, kAlignment},
                      std::span<uint8_t>(bytes.data() + kAlignment, batch_bytes), locations);
  SegmentScan scan = Scan(bytes).value();
  EXPECT_EQ(scan.frames, locations);
  EXPECT_EQ(format::FrameOffsetBytes(locations[0]), kAlignment);
  EXPECT_EQ(scan.tail, TailState::kClean);
}

TEST(SegmentFormatTest, BatchWithoutItsCommitFrameIsTorn) {
  std::vector<uint8_t> bytes = BuildSegment({2, 4}, 4096);
  // Zero the commit frame of the second batch (the last 32 bytes it wrote).
  std::vector<Log> second = MakeBatch(3, 4, 2);
  uint64_t commit_offset = 1024 + format::BatchSizeBytes(second, 8) - 32;
  std::fill(bytes.begin() + static_cast<long>(commit_offset),
            bytes.begin() + static_cast<long>(commit_offset + 32), 0);
  SegmentScan scan = Scan(bytes).value();
  EXPECT_EQ(scan.frames.size(), 2u);
  EXPECT_EQ(scan.tail, TailState::kTorn);
  EXPECT_EQ(scan.tail_offset_bytes, 1024u);
}

TEST(SegmentFormatTest, DamagedBatchFollowedByACommittedOneIsCorruption) {
  std::vector<uint8_t> bytes = BuildSegment({2, 2, 2}, 4096);
  bytes[1024 + 45] ^= 0x10;
  Result<SegmentScan> scan = Scan(bytes);
  EXPECT_EQ(scan.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(scan.status().message(), HasSubstr("checksum mismatch at offset 1024"));
  EXPECT_THAT(scan.status().message(), HasSubstr("batch 3 is intact at offset 1536"));
  // Without the tail check (an older segment) the scan just stops there.
  SegmentScan stopped = Scan(bytes, /*check_tail=*/false).value();
  EXPECT_EQ(stopped.frames.size(), 2u);
}

TEST(SegmentFormatTest, FrameFromAnotherBatchDoesNotComplete) {
  // Batch 2's frames carry sequence 2; a copy placed where batch 3 should
  // start is stale, not a continuation.
  std::vector<uint8_t> bytes = BuildSegment({2, 2}, 4096);
  std::copy(bytes.begin() + 1024, bytes.begin() + 1536, bytes.begin() + 1536);
  SegmentScan scan = Scan(bytes).value();
  EXPECT_EQ(scan.batch_count, 2u);
  EXPECT_THAT(scan.stop_reason, HasSubstr("frame of batch 2 at offset 1536, expected batch 3"));
}

TEST(SegmentFormatTest, BadHeaderIsCorruption) {
  std::vector<uint8_t> bytes = BuildSegment({1}, 2048);
  bytes[20] ^= 1;
  Result<SegmentScan> scan = Scan(bytes);
  EXPECT_EQ(scan.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(scan.status().message(), HasSubstr("segment header checksum mismatch"));
}

RC_GTEST_PROP(SegmentFormatTest, ArbitraryDamageNeverYieldsABadEntry,
              (std::vector<std::pair<uint16_t, uint8_t>> damage)) {
  std::vector<uint8_t> bytes = BuildSegment({2, 3, 1, 4}, 4096);
  for (auto [offset, mask] : damage) bytes[512 + offset % 3584] ^= mask;
  Result<SegmentScan> scan = Scan(bytes);
  if (!scan.ok()) {
    RC_ASSERT(scan.status().code() == StatusCode::kCorruption);
    return;
  }
  // Every entry the scan accepts decodes and is the one that was written.
  std::vector<Log> written = MakeBatch(1, 2, 1);
  for (uint64_t seq = 2; seq <= 4; seq++) {
    size_t counts[] = {0, 2, 3, 1, 4};
    std::vector<Log> batch = MakeBatch(written.size() + 1, counts[seq], seq);
    written.insert(written.end(), batch.begin(), batch.end());
  }
  for (size_t i = 0; i < scan->frames.size(); i++) {
    Log log;
    uint64_t offset = format::FrameOffsetBytes(scan->frames[i]);
    uint64_t length = format::FrameLengthBytes(scan->frames[i]);
    RC_ASSERT(format::DecodeEntryFrame(std::span(bytes.data() + offset, length), i + 1, &log).ok());
    RC_ASSERT(log == written[i]);
  }
}

}  // namespace
}  // namespace walsim::logstore
