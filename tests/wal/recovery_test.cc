// One test per row of the recovery table in docs/wal-format.md ("Recovery"),
// plus etcd's repair tests, on PosixFs and SimFs.
#include "wal/recovery.h"

#include <gtest/gtest.h>

#include "base/coding.h"
#include "fs/path.h"
#include "tests/wal/wal_test_env.h"
#include "wal/wal.h"

namespace walsim::wal::testing {
namespace {

// Removes a WAL directory and its files (a test starting over). True on success.
bool RemoveAllForTest(fs::FileSystem& fs, const std::string& dir) {
  auto names = fs.List(dir);
  if (!names.ok()) return false;
  for (const std::string& name : *names) {
    if (!fs.Remove(fs::Join(dir, name)).ok()) return false;
  }
  return fs.Remove(dir).ok();
}

template <typename EnvT>
class WalRecoveryTest : public ::testing::Test {
 protected:
  fs::FileSystem& fs() { return env_.fs(); }
  std::string Dir() const { return env_.Root() + "/wal"; }
  std::string PathOf(const std::string& name) const { return Dir() + "/" + name; }

  // Creates a WAL of batches of one entry each (index 1..count), returns the
  // tail path, and records each entry's end offset in offsets_.
  std::string Write(uint64_t count, const std::string& data = {},
                    uint64_t segment_size_bytes = uint64_t{1} << 20) {
    WalOptions options = Options();
    options.segment_size_bytes = segment_size_bytes;
    auto wal = Wal::Create(fs(), Dir(), "", options);
    WALSIM_ASSERT(wal.ok());
    offsets_.clear();
    for (uint64_t i = 1; i <= count; i++) {
      std::vector<Entry> entries = {MakeEntry(i, 1, data)};
      WALSIM_ASSERT((*wal)->Save(HardState{}, entries).ok());
      offsets_.push_back((*wal)->TailOffset());
    }
    std::string tail = (*wal)->TailPath();
    WALSIM_ASSERT((*wal)->Close().ok());
    return tail;
  }
  Result<ReadAllResult> OpenAndRead(bool write) {
    auto wal = write ? Wal::Open(fs(), Dir(), {}, Options())
                     : Wal::OpenForRead(fs(), Dir(), {}, Options());
    if (!wal.ok()) return wal.status();
    auto result = (*wal)->ReadAll();
    WALSIM_ASSERT((*wal)->Close().ok() || !result.ok());
    return result;
  }
  // The etcd repair story: ReadAll after Open fails with a torn tail, Repair
  // fixes it keeping expected entries, and the WAL then takes more writes.
  void ExpectRepairKeeps(size_t expected) {
    auto broken = OpenAndRead(/*write=*/true);
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(WalErrorOf(broken.status()), WalError::kTornTail) << broken.status().ToString();
    auto read_only = OpenAndRead(/*write=*/false);
    ASSERT_TRUE(read_only.ok()) << "readers tolerate a torn tail";
    EXPECT_EQ(read_only->entries.size(), expected);
    const std::string before = ReadWhole(fs(), offsets_path_);
    auto repaired = Repair(fs(), Dir(), Options());
    ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
    EXPECT_TRUE(*repaired);
    ExpectBackupOfTheCutBytes(before);
    auto again = Repair(fs(), Dir(), Options());
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again) << "a sound WAL needs no repair";
    auto wal = Wal::Open(fs(), Dir(), {}, Options());
    ASSERT_TRUE(wal.ok());
    auto result = (*wal)->ReadAll();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(result->entries.size(), expected);
    for (uint64_t i = 1; i <= 10; i++) {
      std::vector<Entry> entries = {MakeEntry(expected + i, 1)};
      ASSERT_TRUE((*wal)->Save(HardState{}, entries).ok());
    }
    ASSERT_TRUE((*wal)->Close().ok());
    auto final_read = OpenAndRead(/*write=*/false);
    ASSERT_TRUE(final_read.ok()) << final_read.status().ToString();
    EXPECT_EQ(final_read->entries.size(), expected + 10);
  }
  // Repair kept the bytes it cut from the tail, up to the last non-zero one,
  // in "<tail>.<cut offset>.broken".
  void ExpectBackupOfTheCutBytes(const std::string& before) {
    const std::string after = ReadWhole(fs(), offsets_path_);
    ASSERT_LT(after.size(), before.size());
    EXPECT_EQ(before.substr(0, after.size()), after) << "Repair only cuts";
    const std::string backup_path = offsets_path_ + "." + std::to_string(after.size()) + ".broken";
    ASSERT_TRUE(fs().Stat(backup_path).ok()) << "a copy of the cut bytes is kept";
    const size_t end = before.find_last_not_of('\0') + 1;
    ASSERT_GT(end, after.size()) << "a torn tail has a non-zero byte";
    EXPECT_EQ(ReadWhole(fs(), backup_path), before.substr(after.size(), end - after.size()))
        << "the backup holds the bytes cut, without the zeros after them";
  }
  void ExpectUnrepairable(WalError error, const std::string& path) {
    for (bool write : {true, false}) {
      auto result = OpenAndRead(write);
      ASSERT_FALSE(result.ok());
      EXPECT_TRUE(result.status().Is(StatusCode::kCorruption)) << result.status().ToString();
      EXPECT_EQ(WalErrorOf(result.status()), error) << result.status().ToString();
      EXPECT_NE(result.status().message().find(path), std::string::npos);
      EXPECT_NE(result.status().message().find("offset"), std::string::npos);
    }
    auto repaired = Repair(fs(), Dir(), Options());
    ASSERT_FALSE(repaired.ok()) << "mid-log damage is never truncated away";
    EXPECT_EQ(WalErrorOf(repaired.status()), error);
  }

  // QuietOptions() that count recovery decisions in report_.
  WalOptions Options() {
    WalOptions options = QuietOptions();
    options.recovery_report = &report_;
    return options;
  }
  // Recovery took expected, and nothing else besides the background rows
  // every read takes (the end of each file's data; the .broken copy a repair
  // leaves behind).
  void ExpectOnly(RecoveryCase expected) {
    EXPECT_TRUE(report_.Took(expected))
        << RecoveryCaseName(expected) << " not taken; report: " << report_.ToString();
    for (size_t i = 0; i < kRecoveryCaseCount; i++) {
      const auto taken = static_cast<RecoveryCase>(i);
      if (taken == expected || taken == RecoveryCase::kEndOfData ||
          taken == RecoveryCase::kStrayFileIgnored) {
        continue;
      }
      EXPECT_FALSE(report_.Took(taken))
          << "unexpected row " << RecoveryCaseName(taken) << "; report: " << report_.ToString();
    }
  }

  EnvT env_;
  RecoveryReport report_;
  std::vector<uint64_t> offsets_;
  std::string offsets_path_;
};

TYPED_TEST_SUITE(WalRecoveryTest, Envs, EnvNames);

// Row: torn tail (the last record runs past the end of the file).
TYPED_TEST(WalRecoveryTest, TornTailIsRepaired) {
  this->offsets_path_ = this->Write(10);
  TruncateAt(this->fs(), this->offsets_path_, this->offsets_.back() - 4);
  this->ExpectRepairKeeps(9);
  this->ExpectOnly(RecoveryCase::kTornLengthField);
}

// Row: zeroed chunk in the last record (etcd's TestRepairWriteTearLast).
TYPED_TEST(WalRecoveryTest, ZeroedChunkInTheLastRecordIsATornTail) {
  this->offsets_path_ = this->Write(50, std::string(20, 'd'));
  ASSERT_GT(this->offsets_.back(), 1024u);
  // Everything from 1024 on reads as zeros: the record straddling 1024 is torn.
  TruncateAt(this->fs(), this->offsets_path_, 1024);
  TruncateAt(this->fs(), this->offsets_path_, this->offsets_.back());
  size_t kept = 0;
  while (this->offsets_[kept] <= 1024) kept++;
  this->ExpectRepairKeeps(kept);
  this->ExpectOnly(RecoveryCase::kZeroedChunkInLastRecord);
}

// Row: garbage length field past the end of the file.
TYPED_TEST(WalRecoveryTest, GarbageLengthPastTheEndIsATornTail) {
  this->offsets_path_ = this->Write(5);
  std::string garbage;
  PutFixed64(&garbage, 0x00ffffffffffff00ull);
  WriteAt(this->fs(), this->offsets_path_, this->offsets_.back(), garbage);
  this->ExpectRepairKeeps(5);
  this->ExpectOnly(RecoveryCase::kTornLengthField);
}

// Row: a tear in the middle (a zeroed sector inside a record that is followed
// by more records) ends the log there, as in etcd's TestRepairWriteTearMiddle:
// Repair keeps the one entry before it. Under legal faults the records after
// a never-written sector were never synced either.
TYPED_TEST(WalRecoveryTest, TearInTheMiddleIsRepairedToTheRecordsBeforeIt) {
  std::string data(4096, '\0');
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<char>(i);
  this->offsets_path_ = this->Write(5, data);
  ZeroRange(this->fs(), this->offsets_path_, 4096 + 512, 512);
  auto broken = this->OpenAndRead(/*write=*/true);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("unsynced records follow it"), std::string::npos)
      << broken.status().ToString();
  this->ExpectRepairKeeps(1);
  this->ExpectOnly(RecoveryCase::kTearInTheMiddle);
}

// Row: mid-log CRC mismatch.
TYPED_TEST(WalRecoveryTest, MidLogCrcMismatchIsAnError) {
  const std::string tail = this->Write(10, "payload");
  FlipByte(this->fs(), tail, this->offsets_[4] - 10, 0x10);  // inside entry 5's data
  this->ExpectUnrepairable(WalError::kCrcMismatch, tail);
  this->ExpectOnly(RecoveryCase::kMidLogDamage);
}

// Row: a last record that fails its CRC with nothing after it is a write that
// never completed (a short write, a sector torn into random bytes): a torn
// tail. The same damage with a record after it is corruption (the row above).
TYPED_TEST(WalRecoveryTest, DamagedLastRecordIsATornTail) {
  this->offsets_path_ = this->Write(3, "payload");
  FlipByte(this->fs(), this->offsets_path_, this->offsets_.back() - 10, 0x10);
  this->ExpectRepairKeeps(2);
  this->ExpectOnly(RecoveryCase::kDamagedLastRecord);
}

// A record that the end of the file cuts inside its zero padding is not
// intact (a crash that persists a shorter size can leave that): a damaged
// length field in front of it is a torn tail, not corruption. The payload is
// chosen so that the last frame has padding (etcd's length field carries the
// pad count in its top byte, 0x80 | pad).
TYPED_TEST(WalRecoveryTest, RecordCutInsideItsPaddingIsNotIntactBehindADamagedLength) {
  for (size_t payload_bytes = 1; payload_bytes <= 8; payload_bytes++) {
    this->offsets_path_ = this->Write(2, std::string(payload_bytes, 'p'));
    const std::string bytes = ReadWhole(this->fs(), this->offsets_path_);
    const auto top_byte = static_cast<uint8_t>(bytes[this->offsets_[0] + 7]);
    if ((top_byte & 0x80) == 0 || (top_byte & 0x07) == 0) {
      ASSERT_TRUE(RemoveAllForTest(this->fs(), this->Dir()));
      continue;
    }
    FlipByte(this->fs(), this->offsets_path_, this->offsets_[0] + 5, 0x01);  // runs past the end
    TruncateAt(this->fs(), this->offsets_path_, this->offsets_[1] - 1);      // inside its padding
    this->ExpectRepairKeeps(1);
    return;
  }
  FAIL() << "no payload of 1..8 bytes gave the last frame padding";
}

// Row: damage to one field of a record in the last file, with intact records
// after it, is corruption, never a torn tail: ending the log there would drop
// synced records silently. One test per field of the frame (length, type,
// crc, data); each damaged value is tried on a fresh WAL.
TYPED_TEST(WalRecoveryTest, DamagedLengthFieldBeforeIntactRecordsIsCorruption) {
  // Bit 40 (runs past the end), bit 59 (malformed top byte), bit 14 (a frame
  // that ends in the preallocated zeros, so it looks torn).
  for (const auto& [byte, mask] :
       std::vector<std::pair<uint64_t, uint8_t>>{{5, 0x01}, {7, 0x08}, {1, 0x40}}) {
    const std::string tail = this->Write(10, "payload");
    FlipByte(this->fs(), tail, this->offsets_[3] + byte, mask);
    this->ExpectUnrepairable(WalError::kMalformedRecord, tail);
    auto result = this->OpenAndRead(/*write=*/false);
    EXPECT_NE(result.status().message().find("damaged length field"), std::string::npos)
        << result.status().ToString();
    ASSERT_TRUE(RemoveAllForTest(this->fs(), this->Dir()));
  }
  this->ExpectOnly(RecoveryCase::kDamagedLengthField);
}

// A length field off by 8 bytes with a non-zero frame after it fails as
// mid-log damage (the frame it delimits fails its checks).
TYPED_TEST(WalRecoveryTest, LengthFieldOffByOneWordIsMidLogDamage) {
  const std::string tail = this->Write(10, "payload");
  FlipByte(this->fs(), tail, this->offsets_[3], 0x08);
  this->ExpectUnrepairable(WalError::kMalformedRecord, tail);
  this->ExpectOnly(RecoveryCase::kMidLogDamage);
}

TYPED_TEST(WalRecoveryTest, ZeroedLengthFieldBeforeIntactRecordsIsCorruption) {
  const std::string tail = this->Write(10, "payload");
  ASSERT_NE((this->offsets_[3] + 8) % 512, 0u) << "not the sector-boundary exception";
  ZeroRange(this->fs(), tail, this->offsets_[3], 8);
  this->ExpectUnrepairable(WalError::kMalformedRecord, tail);
  auto result = this->OpenAndRead(/*write=*/false);
  EXPECT_NE(result.status().message().find("damaged length field"), std::string::npos)
      << result.status().ToString();
  EXPECT_NE(result.status().message().find("offset " + std::to_string(this->offsets_[3])),
            std::string::npos)
      << result.status().ToString();
  this->ExpectOnly(RecoveryCase::kDamagedLengthField);
}

// Row: a zero length field that ends exactly on a sector boundary is the end of
// the data even with an intact record behind it: a reorder crash loses the
// sector holding it while the record's own sectors persist, and the two are
// byte for byte the same.
TYPED_TEST(WalRecoveryTest, ZeroLengthFieldEndingOnASectorBoundaryEndsTheLog) {
  const std::string tail = this->Write(200, "payload");
  size_t k = 0;
  while (k < this->offsets_.size() && (this->offsets_[k] + 8) % 512 != 0) k++;
  ASSERT_LT(k + 1, this->offsets_.size()) << "no frame starts 8 bytes before a sector boundary";
  ZeroRange(this->fs(), tail, this->offsets_[k], 8);
  auto result = this->OpenAndRead(/*write=*/false);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->entries.size(), k + 1);
  this->ExpectOnly(RecoveryCase::kZeroLengthOnSectorBoundary);
}

TYPED_TEST(WalRecoveryTest, DamagedTypeFieldBeforeIntactRecordsIsCorruption) {
  // The type varint is the 10th byte of the frame (length field, tag 0x08).
  for (const uint8_t type : {0x00, 0x03, 0x06, 0x82}) {
    const std::string tail = this->Write(10, "payload");
    ASSERT_EQ(ReadWhole(this->fs(), tail)[this->offsets_[3] + 9], 2);
    WriteAt(this->fs(), tail, this->offsets_[3] + 9, std::string(1, static_cast<char>(type)));
    auto result = this->OpenAndRead(/*write=*/false);
    ASSERT_FALSE(result.ok()) << "type " << int{type};
    EXPECT_TRUE(result.status().Is(StatusCode::kCorruption)) << result.status().ToString();
    EXPECT_NE(WalErrorOf(result.status()), WalError::kTornTail) << result.status().ToString();
    this->ExpectUnrepairable(WalErrorOf(result.status()), tail);
    ASSERT_TRUE(RemoveAllForTest(this->fs(), this->Dir()));
  }
}

TYPED_TEST(WalRecoveryTest, DamagedCrcFieldBeforeIntactRecordsIsCorruption) {
  const std::string tail = this->Write(10, "payload");
  // Tag 0x10 at byte 10, the crc varint from byte 11.
  FlipByte(this->fs(), tail, this->offsets_[3] + 11, 0x01);
  this->ExpectUnrepairable(WalError::kCrcMismatch, tail);
  this->ExpectOnly(RecoveryCase::kMidLogDamage);
}

TYPED_TEST(WalRecoveryTest, DamagedDataBeforeIntactRecordsIsCorruption) {
  const std::string tail = this->Write(10, "payload");
  FlipByte(this->fs(), tail, this->offsets_[3] + 24, 0x01);  // entry 4's data
  this->ExpectUnrepairable(WalError::kCrcMismatch, tail);
  this->ExpectOnly(RecoveryCase::kMidLogDamage);
}

// Row: a record over the size limit is an error even as the last record
// (etcd's ErrMaxWALEntrySizeLimitExceeded), never a torn tail.
TYPED_TEST(WalRecoveryTest, RecordOverTheSizeLimitIsAnErrorEvenAtTheEnd) {
  const std::string tail = this->Write(2, std::string(8192, 'x'));
  WalOptions options = this->Options();
  options.record_size_bytes_max = 4096;
  options.metadata_size_bytes_max = 1024;
  auto wal = Wal::OpenForRead(this->fs(), this->Dir(), {}, options);
  ASSERT_TRUE(wal.ok());
  auto result = (*wal)->ReadAll();
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().Is(StatusCode::kCorruption)) << result.status().ToString();
  EXPECT_NE(WalErrorOf(result.status()), WalError::kTornTail) << result.status().ToString();
  EXPECT_NE(result.status().message().find("exceeds the limit"), std::string::npos);
  auto repaired = Repair(this->fs(), this->Dir(), options);
  EXPECT_FALSE(repaired.ok()) << "an oversized record is never truncated away";
  this->ExpectOnly(RecoveryCase::kRecordOverSizeLimit);
}

// Row: a zero length field ends the log; non-zero stale bytes after it (an
// unsynced write that partly reached the disk) are zeroed on open for write
// (etcd's TestOpenOnTornWrite).
TYPED_TEST(WalRecoveryTest, StaleBytesAfterAZeroRecordAreZeroedOnOpen) {
  const std::string tail = this->Write(40);
  ZeroRange(this->fs(), tail, this->offsets_[19], this->offsets_[20] - this->offsets_[19]);
  auto wal = Wal::Open(this->fs(), this->Dir(), {}, this->Options());
  ASSERT_TRUE(wal.ok());
  auto result = (*wal)->ReadAll();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->entries.size(), 20u);
  for (uint64_t i = 0; i < 5; i++) {
    std::vector<Entry> entries = {MakeEntry(21 + i, 1, "new")};
    ASSERT_TRUE((*wal)->Save(HardState{}, entries).ok());
  }
  ASSERT_TRUE((*wal)->Close().ok());
  auto reread = this->OpenAndRead(/*write=*/false);
  ASSERT_TRUE(reread.ok()) << "old frames were zeroed: " << reread.status().ToString();
  EXPECT_EQ(reread->entries.size(), 25u);
  EXPECT_EQ(reread->entries.back().data, "new");
  this->ExpectOnly(RecoveryCase::kEndOfData);
}

// Row: missing file.
TYPED_TEST(WalRecoveryTest, MissingFileIsASequenceGap) {
  this->Write(24, std::string(40, 'x'), /*segment_size_bytes=*/256);
  const auto files = WalFiles(this->fs(), this->Dir());
  ASSERT_GE(files.size(), 4u);
  ASSERT_TRUE(this->fs().Remove(this->PathOf(files[2])).ok());
  auto result = this->OpenAndRead(/*write=*/true);
  EXPECT_TRUE(result.status().Is(StatusCode::kCorruption));
  EXPECT_EQ(WalErrorOf(result.status()), WalError::kSequenceGap) << result.status().ToString();
  EXPECT_NE(result.status().message().find(files[3]), std::string::npos);
  EXPECT_EQ(WalErrorOf(Repair(this->fs(), this->Dir(), this->Options()).status()),
            WalError::kSequenceGap);
  auto snaps = ValidSnapshotEntries(this->fs(), this->Dir(), this->Options());
  EXPECT_EQ(WalErrorOf(snaps.status()), WalError::kSequenceGap) << snaps.status().ToString();
  EXPECT_NE(snaps.status().message().find(files[3]), std::string::npos);
  this->ExpectOnly(RecoveryCase::kMissingFile);
}

// Row: out-of-sequence file.
TYPED_TEST(WalRecoveryTest, OutOfSequenceFileIsASequenceGap) {
  this->Write(24, std::string(40, 'x'), /*segment_size_bytes=*/256);
  const auto files = WalFiles(this->fs(), this->Dir());
  auto last = ParseSegmentName(files.back());
  // The same sequence as its predecessor: it sorts after it (a higher index)
  // but does not follow it.
  ASSERT_TRUE(this->fs()
                  .Rename(this->PathOf(files.back()),
                          this->PathOf(FormatSegmentName(last->seq - 1, last->index)))
                  .ok());
  auto result = this->OpenAndRead(/*write=*/false);
  EXPECT_EQ(WalErrorOf(result.status()), WalError::kSequenceGap) << result.status().ToString();
  this->ExpectOnly(RecoveryCase::kOutOfSequenceFile);
}

// A copy of the first file under the next sequence number starts at index 0
// again. SearchIndex would pick it and read it alone (a silent shorter log,
// found by tests/sweeps); a later file named below the first one makes the
// reader start at the oldest file, and the copy then breaks the CRC chain.
TYPED_TEST(WalRecoveryTest, ACopyOfTheFirstFileUnderTheNextSequenceBreaksTheCrcChain) {
  this->Write(24, std::string(40, 'x'), /*segment_size_bytes=*/256);
  const auto files = WalFiles(this->fs(), this->Dir());
  auto last = ParseSegmentName(files.back());
  WriteAt(this->fs(), this->PathOf(FormatSegmentName(last->seq + 1, 0)), 0,
          ReadWhole(this->fs(), this->PathOf(files.front())));
  auto result = this->OpenAndRead(/*write=*/false);
  EXPECT_EQ(WalErrorOf(result.status()), WalError::kCrcMismatch) << result.status().ToString();
  this->ExpectOnly(RecoveryCase::kMidLogDamage);
}

// Not a row of damage: two Cuts with no entry between them name two files
// after the same index, and the WAL reads them both.
TYPED_TEST(WalRecoveryTest, TwoFilesStartingAtTheSameIndexAreRead) {
  auto created = Wal::Create(this->fs(), this->Dir(), "", this->Options());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<Wal> wal = std::move(created).value();
  const std::vector<Entry> first = {MakeEntry(1, 1, "a")};
  const std::vector<Entry> second = {MakeEntry(2, 1, "b")};
  ASSERT_TRUE(wal->Save(HardState{1, 1, 0}, first).ok());
  ASSERT_TRUE(wal->Cut().ok());
  ASSERT_TRUE(wal->Cut().ok());
  ASSERT_TRUE(wal->Save(HardState{}, second).ok());
  ASSERT_TRUE(wal->Close().ok());
  ASSERT_EQ(WalFiles(this->fs(), this->Dir()).size(), 3u);
  auto result = this->OpenAndRead(/*write=*/false);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->entries.size(), 2u);
  EXPECT_EQ(result->entries[1].data, "b");
}

// Row: a torn record in a file that is not the last one.
TYPED_TEST(WalRecoveryTest, TornRecordInAnEarlierFileIsCorruption) {
  this->Write(24, std::string(40, 'x'), /*segment_size_bytes=*/256);
  const auto files = WalFiles(this->fs(), this->Dir());
  ASSERT_GE(files.size(), 3u);
  const std::string path = this->PathOf(files[0]);
  const std::string bytes = ReadWhole(this->fs(), path);
  TruncateAt(this->fs(), path, bytes.size() - 4);
  auto result = this->OpenAndRead(/*write=*/false);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().Is(StatusCode::kCorruption)) << result.status().ToString();
  EXPECT_NE(result.status().message().find("not the last one"), std::string::npos);
  this->ExpectOnly(RecoveryCase::kTornRecordInEarlierFile);
}

// Row: stray .tmp and .broken files are ignored.
TYPED_TEST(WalRecoveryTest, StrayTmpAndBrokenFilesAreIgnored) {
  const std::string tail = this->Write(3);
  WriteAt(this->fs(), this->PathOf("0.tmp"), 0, std::string(100, 'g'));
  WriteAt(this->fs(), tail + ".broken", 0, std::string(100, 'g'));
  auto result = this->OpenAndRead(/*write=*/true);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->entries.size(), 3u);
  auto repaired = Repair(this->fs(), this->Dir(), this->Options());
  ASSERT_TRUE(repaired.ok());
  EXPECT_FALSE(*repaired);
  this->ExpectOnly(RecoveryCase::kStrayFileIgnored);
}

// A WAL whose first frame is damaged reports the damage, not a missing
// snapshot record at index 0.
TYPED_TEST(WalRecoveryTest, DamagedFirstFrameIsReportedNotAMissingSnapshot) {
  const std::string tail = this->Write(3);
  TruncateAt(this->fs(), tail, 4);  // half of the first length field
  auto verified = Verify(this->fs(), this->Dir(), {}, this->Options());
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(verified.status().Is(StatusCode::kCorruption)) << verified.status().ToString();
  EXPECT_NE(verified.status().message().find("partial length field"), std::string::npos)
      << verified.status().ToString();
  auto read = this->OpenAndRead(/*write=*/false);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("damaged frame"), std::string::npos)
      << read.status().ToString();
}

// The recovery table (docs/wal-format.md): each row, the test named after it.
struct RowTest {
  RecoveryCase recovery_case;
  const char* test_name;
};
constexpr RowTest kRowTests[] = {
    {RecoveryCase::kEndOfData, "StaleBytesAfterAZeroRecordAreZeroedOnOpen"},
    {RecoveryCase::kTornLengthField, "TornTailIsRepaired"},
    {RecoveryCase::kZeroedChunkInLastRecord, "ZeroedChunkInTheLastRecordIsATornTail"},
    {RecoveryCase::kTearInTheMiddle, "TearInTheMiddleIsRepairedToTheRecordsBeforeIt"},
    {RecoveryCase::kDamagedLastRecord, "DamagedLastRecordIsATornTail"},
    {RecoveryCase::kDamagedLengthField, "DamagedLengthFieldBeforeIntactRecordsIsCorruption"},
    {RecoveryCase::kZeroLengthOnSectorBoundary, "ZeroLengthFieldEndingOnASectorBoundaryEndsTheLog"},
    {RecoveryCase::kRecordOverSizeLimit, "RecordOverTheSizeLimitIsAnErrorEvenAtTheEnd"},
    {RecoveryCase::kMidLogDamage, "MidLogCrcMismatchIsAnError"},
    {RecoveryCase::kTornRecordInEarlierFile, "TornRecordInAnEarlierFileIsCorruption"},
    {RecoveryCase::kMissingFile, "MissingFileIsASequenceGap"},
    {RecoveryCase::kOutOfSequenceFile, "OutOfSequenceFileIsASequenceGap"},
    {RecoveryCase::kStrayFileIgnored, "StrayTmpAndBrokenFilesAreIgnored"},
};

// True when a test named name is registered in a suite whose name starts
// with suite_prefix (typed tests: "WalRecoveryTest/Posix", ...).
bool TestRegistered(const std::string& suite_prefix, const std::string& name) {
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); i++) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
    if (!std::string(suite.name()).starts_with(suite_prefix)) continue;
    for (int j = 0; j < suite.total_test_count(); j++) {
      if (suite.GetTestInfo(j)->name() == name) return true;
    }
  }
  return false;
}

TEST(WalRecoveryTableTest, EveryRowHasItsNamedTest) {
  for (size_t i = 0; i < kRecoveryCaseCount; i++) {
    const auto recovery_case = static_cast<RecoveryCase>(i);
    const RowTest* row = nullptr;
    for (const RowTest& candidate : kRowTests) {
      if (candidate.recovery_case == recovery_case) row = &candidate;
    }
    ASSERT_NE(row, nullptr) << "no test for row " << RecoveryCaseName(recovery_case);
    EXPECT_TRUE(TestRegistered("WalRecoveryTest/", row->test_name))
        << RecoveryCaseName(recovery_case) << ": " << row->test_name << " is not a test";
  }
  EXPECT_EQ(std::size(kRowTests), kRecoveryCaseCount) << "one entry per row";
}

}  // namespace
}  // namespace walsim::wal::testing
