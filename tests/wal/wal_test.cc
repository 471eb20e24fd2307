// The Wal's behaviours (etcd's wal_test.go and more), on PosixFs and SimFs.
#include "wal/wal.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/coding.h"
#include "base/crc32c.h"
#ifdef WALSIM_HAVE_SIM
#include "faults/fault_fs.h"
#include "faults/plan_text.h"
#endif
#include "tests/wal/wal_test_env.h"
#include "wal/record.h"

namespace walsim::wal::testing {
namespace {

template <typename EnvT>
class WalTest : public ::testing::Test {
 protected:
  fs::FileSystem& fs() { return env_.fs(); }
  std::string Dir() const { return env_.Root() + "/wal"; }
  std::string PathOf(const std::string& name) const { return Dir() + "/" + name; }

  std::unique_ptr<Wal> MustCreate(std::string_view metadata, WalOptions options = QuietOptions()) {
    auto wal = Wal::Create(fs(), Dir(), metadata, options);
    WALSIM_ASSERT(wal.ok());
    return std::move(wal).value();
  }
  // Saves entries first..last of term with HardState{term, vote 1, commit}.
  static void SaveRange(Wal& wal, uint64_t first, uint64_t last, uint64_t term, uint64_t commit) {
    std::vector<Entry> entries;
    for (uint64_t i = first; i <= last; i++) entries.push_back(MakeEntry(i, term, "e"));
    ASSERT_TRUE(wal.Save(HardState{term, 1, commit}, entries).ok());
  }
  std::unique_ptr<Wal> MustOpen(const Snapshot& snap = {}, WalOptions options = QuietOptions()) {
    auto wal = Wal::Open(fs(), Dir(), snap, options);
    EXPECT_TRUE(wal.ok()) << wal.status().ToString();
    WALSIM_ASSERT(wal.ok());
    return std::move(wal).value();
  }
  ReadAllResult MustReadAll(const Snapshot& snap = {}) {
    auto wal = Wal::OpenForRead(fs(), Dir(), snap, QuietOptions());
    WALSIM_ASSERT(wal.ok());
    auto result = (*wal)->ReadAll();
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    WALSIM_ASSERT(result.ok());
    return std::move(result).value();
  }
  static std::vector<uint64_t> Indexes(const std::vector<Entry>& entries) {
    std::vector<uint64_t> indexes;
    for (const Entry& e : entries) indexes.push_back(e.index);
    return indexes;
  }

  EnvT env_;
};

TYPED_TEST_SUITE(WalTest, Envs, EnvNames);

// The 72 bytes etcd's TestNew expects, computed from the format by hand.
std::string GoldenTestNewFile() {
  std::string bytes;
  PutFixed64(&bytes, 0x8400000000000004ull);  // crc record: 4 bytes + 4 pad
  bytes += std::string("\x08\x04\x10\x00", 4) + std::string(4, '\0');
  const uint32_t metadata_crc = Crc32c(AsBytes(std::string("somedata")));
  std::string metadata_record = std::string("\x08\x01\x10", 3);
  PutVarint64(&metadata_record, metadata_crc);
  metadata_record += std::string("\x1a\x08somedata", 10);
  uint64_t pad = (8 - metadata_record.size() % 8) % 8;
  PutFixed64(&bytes, metadata_record.size() | (pad ? (0x80 | pad) << 56 : 0));
  bytes += metadata_record + std::string(pad, '\0');
  const std::string snapshot("\x08\x00\x10\x00", 4);
  std::string snapshot_record = std::string("\x08\x05\x10", 3);
  PutVarint64(&snapshot_record, Crc32cExtend(metadata_crc, AsBytes(snapshot)));
  snapshot_record += std::string("\x1a\x04", 2) + snapshot;
  pad = (8 - snapshot_record.size() % 8) % 8;
  PutFixed64(&bytes, snapshot_record.size() | (pad ? (0x80 | pad) << 56 : 0));
  bytes += snapshot_record + std::string(pad, '\0');
  return bytes;
}

TYPED_TEST(WalTest, CreateWritesEtcdsGoldenFile) {
  WalOptions options = QuietOptions();
  options.segment_size_bytes = 4096;
  auto wal = this->MustCreate("somedata", options);
  EXPECT_EQ(wal->TailPath(), this->PathOf("0000000000000000-0000000000000000.wal"));
  EXPECT_EQ(wal->TailOffset(), 72u);
  const std::string path = wal->TailPath();
  ASSERT_TRUE(wal->Close().ok());
  const std::string golden = GoldenTestNewFile();
  ASSERT_EQ(golden.size(), 72u);
  const std::string file = ReadWhole(this->fs(), path);
  ASSERT_EQ(file.size(), 4096u) << "preallocated to the segment size";
  EXPECT_EQ(file.substr(0, 72), golden);
  EXPECT_EQ(file.substr(72), std::string(4096 - 72, '\0'));
  EXPECT_FALSE(this->fs().Stat(this->Dir() + ".tmp").ok()) << "the .tmp dir was renamed";
}

TYPED_TEST(WalTest, CreateRefusesADirectoryHoldingAWalFile) {
  ASSERT_TRUE(this->fs().MkDir(this->Dir()).ok());
  WriteAt(this->fs(), this->PathOf("test.wal"), 0, "data");
  auto wal = Wal::Create(this->fs(), this->Dir(), "data", QuietOptions());
  EXPECT_TRUE(wal.status().Is(StatusCode::kAlreadyExists)) << wal.status().ToString();
}

TYPED_TEST(WalTest, CreateClobbersAHalfMadeCreate) {
  ASSERT_TRUE(this->fs().MkDir(this->Dir() + ".tmp").ok());
  WriteAt(this->fs(), this->Dir() + ".tmp/test", 0, "junk");
  auto wal = this->MustCreate("abc");
  ASSERT_TRUE(wal->Close().ok());
  EXPECT_FALSE(this->fs().Stat(this->Dir() + ".tmp").ok());
  EXPECT_EQ(this->MustReadAll().metadata, "abc");
}

TYPED_TEST(WalTest, CreateFailsCleanlyWhenTheDiskCannotHoldASegment) {
  WalOptions options = QuietOptions();
  options.segment_size_bytes = uint64_t{1} << 50;
  auto wal = Wal::Create(this->fs(), this->Dir(), "data", options);
  ASSERT_FALSE(wal.ok());
  EXPECT_NE(wal.status().message().find(".tmp"), std::string::npos) << wal.status().ToString();
  EXPECT_FALSE(Exists(this->fs(), this->Dir()));
  EXPECT_FALSE(this->fs().Stat(this->Dir() + ".tmp").ok());
}

TYPED_TEST(WalTest, CreateRejectsMetadataOverItsLimit) {
  WalOptions options = QuietOptions();
  options.metadata_size_bytes_max = 16;
  auto wal = Wal::Create(this->fs(), this->Dir(), std::string(17, 'm'), options);
  EXPECT_TRUE(wal.status().Is(StatusCode::kInvalidArgument)) << wal.status().ToString();
  EXPECT_NE(wal.status().message().find("exceeds the limit"), std::string::npos);
}

TYPED_TEST(WalTest, OpenWithoutAWalIsFileNotFound) {
  auto missing = Wal::Open(this->fs(), this->Dir(), {}, QuietOptions());
  EXPECT_EQ(WalErrorOf(missing.status()), WalError::kFileNotFound) << missing.status().ToString();
  ASSERT_TRUE(this->fs().MkDir(this->Dir()).ok());
  auto empty = Wal::Open(this->fs(), this->Dir(), {}, QuietOptions());
  EXPECT_TRUE(empty.status().Is(StatusCode::kNotFound));
  EXPECT_EQ(WalErrorOf(empty.status()), WalError::kFileNotFound);
}

TYPED_TEST(WalTest, RecoverReturnsMetadataEntriesAndTheLastHardState) {
  auto wal = this->MustCreate("metadata");
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{}).ok());
  std::vector<Entry> entries = {MakeEntry(1, 1, "\x01"), MakeEntry(2, 2, "\x02")};
  ASSERT_TRUE(wal->Save(HardState{}, entries).ok());
  ASSERT_TRUE(wal->Save(HardState{1, 1, 1}, {}).ok());
  ASSERT_TRUE(wal->Save(HardState{2, 2, 2}, {}).ok());
  ASSERT_TRUE(wal->Close().ok());
  auto reopened = this->MustOpen();
  auto result = reopened->ReadAll();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->metadata, "metadata");
  EXPECT_EQ(result->entries, entries);
  EXPECT_EQ(result->hard_state, (HardState{2, 2, 2}));
}

TYPED_TEST(WalTest, SaveCutsAtTheSegmentSize) {
  WalOptions options = QuietOptions();
  options.segment_size_bytes = 2048;
  auto wal = this->MustCreate("metadata", options);
  ASSERT_TRUE(wal->Save(HardState{1, 0, 0}, {}).ok());
  const std::string data = std::string("Hello World!!") + std::string(487, '\0');
  uint64_t index = 0;
  for (uint64_t total_bytes = 0; total_bytes < 2048; total_bytes += 500) {
    std::vector<Entry> entries = {MakeEntry(index, 1, data)};
    ASSERT_TRUE(wal->Save(HardState{1, 0, 0}, entries).ok());
    index++;
  }
  ASSERT_TRUE(wal->Close().ok());
  EXPECT_EQ(WalFiles(this->fs(), this->Dir()).back(), FormatSegmentName(1, index));
  auto reopened = this->MustOpen({}, options);
  auto result = reopened->ReadAll();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->hard_state, (HardState{1, 0, 0}));
  ASSERT_EQ(result->entries.size(), 4u) << "index 0 is at the snapshot and skipped";
  for (const Entry& e : result->entries) EXPECT_EQ(e.data, data);
}

TYPED_TEST(WalTest, CutNamesTheNextSegmentAfterTheLastIndex) {
  auto wal = this->MustCreate("");
  ASSERT_TRUE(wal->Save(HardState{1, 0, 0}, {}).ok());
  ASSERT_TRUE(wal->Cut().ok());
  EXPECT_EQ(wal->TailPath(), this->PathOf(FormatSegmentName(1, 1)));
  std::vector<Entry> entries = {MakeEntry(1, 1, "\x01")};
  ASSERT_TRUE(wal->Save(HardState{}, entries).ok());
  ASSERT_TRUE(wal->Cut().ok());
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{2, 1, {}}).ok());
  EXPECT_EQ(wal->TailPath(), this->PathOf(FormatSegmentName(2, 2)));
  // The new segment carries the HardState: read from it alone, before Close.
  ReadAllResult result = this->MustReadAll(Snapshot{2, 1, {}});
  EXPECT_EQ(result.hard_state, (HardState{1, 0, 0}));
  EXPECT_TRUE(result.entries.empty());
  ASSERT_TRUE(wal->Close().ok());
}

TYPED_TEST(WalTest, RecoveryAfterCutNeedsEveryFileFromTheSnapshotOn) {
  auto wal = this->MustCreate("metadata");
  for (uint64_t i = 0; i < 10; i++) {
    ASSERT_TRUE(wal->SaveSnapshot(Snapshot{i, 0, {}}).ok());
    std::vector<Entry> entries = {MakeEntry(i, 0)};
    ASSERT_TRUE(wal->Save(HardState{}, entries).ok());
    ASSERT_TRUE(wal->Cut().ok());
  }
  ASSERT_TRUE(wal->Close().ok());
  ASSERT_TRUE(this->fs().Remove(this->PathOf(FormatSegmentName(4, 4))).ok());
  for (uint64_t i = 0; i < 10; i++) {
    auto opened = Wal::Open(this->fs(), this->Dir(), Snapshot{i, 0, {}}, QuietOptions());
    if (i <= 4) {
      EXPECT_EQ(WalErrorOf(opened.status()), WalError::kSequenceGap) << i;
      EXPECT_NE(opened.status().message().find(FormatSegmentName(5, 5)), std::string::npos)
          << opened.status().ToString();
      continue;
    }
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    auto result = (*opened)->ReadAll();
    ASSERT_TRUE(result.ok()) << i << ": " << result.status().ToString();
    EXPECT_EQ(result->metadata, "metadata");
    for (size_t j = 0; j < result->entries.size(); j++) {
      EXPECT_EQ(result->entries[j].index, i + j + 1);
    }
  }
}

TYPED_TEST(WalTest, ReleaseLockToKeepsTheNewestFileBelowTheIndex) {
  auto wal = this->MustCreate("");
  ASSERT_TRUE(wal->ReleaseLockTo(10).ok()) << "nothing to release";
  for (uint64_t i = 0; i < 10; i++) {
    std::vector<Entry> entries = {MakeEntry(i, 0)};
    ASSERT_TRUE(wal->Save(HardState{}, entries).ok());
    ASSERT_TRUE(wal->Cut().ok());
  }
  ASSERT_TRUE(wal->ReleaseLockTo(5).ok());
  EXPECT_EQ(wal->LockedSegmentIndexes(), (std::vector<uint64_t>{4, 5, 6, 7, 8, 9, 10}));
  ASSERT_TRUE(wal->ReleaseLockTo(15).ok());
  EXPECT_EQ(wal->LockedSegmentIndexes(), (std::vector<uint64_t>{10}));
  // Released files may be purged; the locked tail may not.
  std::vector<std::string> removed;
  ASSERT_TRUE(PurgeSegments(this->fs(), this->Dir(), 0, &removed).ok());
  EXPECT_EQ(removed.size(), 10u);
  EXPECT_EQ(WalFiles(this->fs(), this->Dir()),
            (std::vector<std::string>{FormatSegmentName(10, 10)}));
  ASSERT_TRUE(wal->Close().ok());
}

TYPED_TEST(WalTest, ASecondOpenOfTheSameDirectoryIsBusy) {
  this->MustCreate("m").reset();
  auto first = this->MustOpen();
  auto second = Wal::Open(this->fs(), this->Dir(), {}, QuietOptions());
  EXPECT_TRUE(second.status().Is(StatusCode::kBusy)) << second.status().ToString();
  EXPECT_EQ(WalErrorOf(second.status()), WalError::kLocked);
  EXPECT_EQ(this->MustReadAll().metadata, "m") << "OpenForRead takes no lock";
  auto repaired = Repair(this->fs(), this->Dir(), QuietOptions());
  EXPECT_TRUE(repaired.status().Is(StatusCode::kBusy)) << "no repair under a live writer";
  ASSERT_TRUE(first->Close().ok());
  EXPECT_TRUE(Wal::Open(this->fs(), this->Dir(), {}, QuietOptions()).ok());
}

TYPED_TEST(WalTest, TailWithNoSlackSpaceIsAppendedTo) {
  auto wal = this->MustCreate("metadata");
  for (uint64_t i = 1; i <= 5; i++) {
    std::vector<Entry> entries = {MakeEntry(i, 1, std::string(1, static_cast<char>(i)))};
    ASSERT_TRUE(wal->Save(HardState{1, 0, 0}, entries).ok());
  }
  const std::string tail = wal->TailPath();
  const uint64_t offset = wal->TailOffset();
  ASSERT_TRUE(wal->Close().ok());
  TruncateAt(this->fs(), tail, offset);
  auto reopened = this->MustOpen();
  auto first = reopened->ReadAll();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->entries.size(), 5u);
  for (uint64_t i = 6; i <= 10; i++) {
    std::vector<Entry> entries = {MakeEntry(i, 1, std::string(1, static_cast<char>(i)))};
    ASSERT_TRUE(reopened->Save(HardState{1, 0, 0}, entries).ok());
  }
  ASSERT_TRUE(reopened->Close().ok());
  EXPECT_EQ(this->MustReadAll().entries.size(), 10u);
}

TYPED_TEST(WalTest, OverwritingAnIndexReplacesTheSuffix) {
  auto wal = this->MustCreate("");
  std::vector<Entry> first = {MakeEntry(1, 1, "a"), MakeEntry(2, 1, "b"), MakeEntry(3, 1, "c"),
                              MakeEntry(4, 1, "d")};
  ASSERT_TRUE(wal->Save(HardState{1, 1, 1}, first).ok());
  std::vector<Entry> second = {MakeEntry(3, 2, "C"), MakeEntry(4, 2, "D")};
  ASSERT_TRUE(wal->Save(HardState{2, 1, 2}, second).ok());
  ASSERT_TRUE(wal->Close().ok());
  ReadAllResult result = this->MustReadAll();
  EXPECT_EQ(result.entries, (std::vector<Entry>{first[0], first[1], second[0], second[1]}));
}

TYPED_TEST(WalTest, SaveRejectsBadBatchesAndWritesNothing) {
  WalOptions options = QuietOptions();
  options.record_size_bytes_max = 8192;
  options.metadata_size_bytes_max = 1024;
  auto wal = this->MustCreate("", options);
  std::vector<Entry> good = {MakeEntry(1, 1)};
  ASSERT_TRUE(wal->Save(HardState{}, good).ok());
  const uint64_t offset = wal->TailOffset();
  const std::vector<std::vector<Entry>> bad = {
      {MakeEntry(5, 1)},                          // a gap after index 1
      {MakeEntry(2, 1), MakeEntry(4, 1)},         // not consecutive
      {MakeEntry(2, 2), MakeEntry(3, 1)},         // term goes down
      {MakeEntry(2, 1, std::string(8192, 'x'))},  // over the record limit
  };
  for (const auto& batch : bad) {
    Status status = wal->Save(HardState{}, batch);
    EXPECT_TRUE(status.Is(StatusCode::kInvalidArgument)) << status.ToString();
    EXPECT_EQ(wal->TailOffset(), offset);
  }
  std::vector<Entry> next = {MakeEntry(2, 1)};
  EXPECT_TRUE(wal->Save(HardState{}, next).ok()) << "the handle stays usable";
  ASSERT_TRUE(wal->Close().ok());
  EXPECT_EQ(this->Indexes(this->MustReadAll().entries), (std::vector<uint64_t>{1, 2}));
}

TYPED_TEST(WalTest, ReadAllIsOnlyValidOnceAfterOpen) {
  auto created = this->MustCreate("");
  EXPECT_TRUE(created->ReadAll().status().Is(StatusCode::kFailedPrecondition));
  ASSERT_TRUE(created->Close().ok());
  auto wal = this->MustOpen();
  std::vector<Entry> entries = {MakeEntry(1, 1)};
  EXPECT_TRUE(wal->Save(HardState{}, entries).Is(StatusCode::kFailedPrecondition))
      << "no append before ReadAll";
  ASSERT_TRUE(wal->ReadAll().ok());
  EXPECT_TRUE(wal->ReadAll().status().Is(StatusCode::kFailedPrecondition));
  EXPECT_TRUE(wal->Save(HardState{}, entries).ok());
}

TYPED_TEST(WalTest, SnapshotNotFoundAndSnapshotMismatchAreDistinct) {
  auto wal = this->MustCreate("");
  std::vector<Entry> entries = {MakeEntry(1, 1), MakeEntry(2, 1)};
  ASSERT_TRUE(wal->Save(HardState{1, 0, 2}, entries).ok());
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{2, 1, {}}).ok());
  ASSERT_TRUE(wal->Close().ok());
  auto missing = Wal::OpenForRead(this->fs(), this->Dir(), Snapshot{1, 1, {}}, QuietOptions());
  ASSERT_TRUE(missing.ok());
  auto not_found = (*missing)->ReadAll();
  EXPECT_TRUE(not_found.status().Is(StatusCode::kNotFound));
  EXPECT_EQ(WalErrorOf(not_found.status()), WalError::kSnapshotNotFound);
  auto wrong = Wal::OpenForRead(this->fs(), this->Dir(), Snapshot{2, 7, {}}, QuietOptions());
  ASSERT_TRUE(wrong.ok());
  auto mismatch = (*wrong)->ReadAll();
  EXPECT_EQ(WalErrorOf(mismatch.status()), WalError::kSnapshotMismatch);
  EXPECT_NE(mismatch.status().message().find("offset"), std::string::npos);
  auto verified = Verify(this->fs(), this->Dir(), Snapshot{2, 1, {}}, QuietOptions());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(*verified, (HardState{1, 0, 2}));
}

// Found by torture (seed 45): reopened from a snapshot with no entry after
// it, a Cut named the next segment below the snapshot, and the next Open from
// that snapshot no longer read the file holding its record.
TYPED_TEST(WalTest, CutAfterReopeningFromASnapshotNamesASegmentPastIt) {
  {
    auto wal = this->MustCreate("m");
    ASSERT_TRUE(wal->SaveSnapshot(Snapshot{20, 1, {}}).ok());
    ASSERT_TRUE(wal->Close().ok());
  }
  {
    auto wal = this->MustOpen(Snapshot{20, 1, {}});
    auto result = wal->ReadAll();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_TRUE(result->entries.empty());
    ASSERT_TRUE(wal->Cut().ok());
    EXPECT_NE(wal->TailPath().find("0000000000000001-0000000000000015.wal"), std::string::npos)
        << wal->TailPath();
    ASSERT_TRUE(wal->Close().ok());
  }
  auto wal = this->MustOpen(Snapshot{20, 1, {}});
  auto result = wal->ReadAll();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->metadata, "m");
}

TYPED_TEST(WalTest, ValidSnapshotEntriesOmitsSnapshotsPastTheCommit) {
  auto wal = this->MustCreate("");
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{1, 1, {}}).ok());
  ASSERT_TRUE(wal->Save(HardState{1, 0, 1}, {}).ok());
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{2, 1, {}}).ok());
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{3, 2, {}}).ok());
  ASSERT_TRUE(wal->Save(HardState{2, 0, 3}, {}).ok());
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{4, 2, {}}).ok());  // not committed yet
  ASSERT_TRUE(wal->Close().ok());
  auto snaps = ValidSnapshotEntries(this->fs(), this->Dir(), QuietOptions());
  ASSERT_TRUE(snaps.ok()) << snaps.status().ToString();
  EXPECT_EQ(*snaps, (std::vector<Snapshot>{{0, 0, {}}, {1, 1, {}}, {2, 1, {}}, {3, 2, {}}}));
}

TYPED_TEST(WalTest, CrcChainSurvivesPurgedSegments) {
  WalOptions options = QuietOptions();
  options.segment_size_bytes = 64;  // every Save cuts
  auto wal = this->MustCreate("", options);
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{1, 1, {}}).ok());
  ASSERT_TRUE(wal->Save(HardState{1, 0, 1}, {}).ok());
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{2, 1, {}}).ok());
  for (uint64_t i = 1; i <= 20; i++) {
    std::vector<Entry> entries = {MakeEntry(i, 2, "e")};
    ASSERT_TRUE(wal->Save(HardState{2, 0, i}, entries).ok());
    if (i == 15) {
      ASSERT_TRUE(wal->SaveSnapshot(Snapshot{15, 2, {}}).ok());
    }
  }
  ASSERT_TRUE(wal->ReleaseLockTo(12).ok());
  ASSERT_TRUE(PurgeSegments(this->fs(), this->Dir(), 3).ok());
  ASSERT_TRUE(wal->Close().ok());
  const auto files = WalFiles(this->fs(), this->Dir());
  ASSERT_GT(files.size(), 3u) << "purge stops at the first locked file";
  ASSERT_NE(files.front(), FormatSegmentName(0, 0));
  // The first remaining file's crc record chains from a purged file: a
  // reader starting there must accept it, and the chain after it must hold.
  auto snaps = ValidSnapshotEntries(this->fs(), this->Dir(), QuietOptions());
  ASSERT_TRUE(snaps.ok()) << snaps.status().ToString();
  EXPECT_EQ(snaps->back(), (Snapshot{15, 2, {}}));
  ReadAllResult result = this->MustReadAll(Snapshot{15, 2, {}});
  EXPECT_EQ(result.hard_state.commit, 20u);
  EXPECT_EQ(this->Indexes(result.entries), (std::vector<uint64_t>{16, 17, 18, 19, 20}));
}

// Found by walsim torture (a legal workload the WAL refused to reopen): a
// raft overwrite of uncommitted entries reaching below the start of a later
// file, then a purge of the files before it, leaves a later file named below
// the first file. The read starts at the last file named at or below the
// snapshot (etcd's searchIndex), which holds the overwrite.
TYPED_TEST(WalTest, ARaftOverwriteBelowALaterFileStillReadsAfterAPurge) {
  auto wal = this->MustCreate("");
  this->SaveRange(*wal, 1, 10, 1, 4);
  ASSERT_TRUE(wal->Cut().ok());  // file 1 starts at index 11
  this->SaveRange(*wal, 11, 20, 1, 4);
  ASSERT_TRUE(wal->Cut().ok());       // file 2 at 21
  this->SaveRange(*wal, 5, 8, 2, 4);  // a new leader overwrites 5.. (uncommitted)
  ASSERT_TRUE(wal->Cut().ok());       // file 3 at 9: below files 1 and 2
  this->SaveRange(*wal, 9, 30, 2, 30);
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{25, 2, {}}).ok());
  ASSERT_TRUE(wal->Cut().ok());  // file 4 at 31
  this->SaveRange(*wal, 31, 35, 2, 30);
  ASSERT_TRUE(wal->ReleaseLockTo(16).ok());  // file 2 (21) is the first at or past 16
  ASSERT_TRUE(PurgeSegments(this->fs(), this->Dir(), 0).ok());
  ASSERT_TRUE(wal->Close().ok());
  const auto files = WalFiles(this->fs(), this->Dir());
  ASSERT_EQ(files.front(), FormatSegmentName(1, 11)) << "file 0 is purged";
  ReadAllResult result = this->MustReadAll(Snapshot{25, 2, {}});
  EXPECT_EQ(result.hard_state.commit, 30u);
  EXPECT_EQ(this->Indexes(result.entries),
            (std::vector<uint64_t>{26, 27, 28, 29, 30, 31, 32, 33, 34, 35}));
  auto snaps = ValidSnapshotEntries(this->fs(), this->Dir(), QuietOptions());
  ASSERT_TRUE(snaps.ok()) << snaps.status().ToString();
  EXPECT_EQ(snaps->back(), (Snapshot{25, 2, {}}));
}

// Found by walsim torture (seed 108275): an overwrite whose entries come back
// up to the first file's index names a later file after it again (files at
// 22, 15, 22). Once the files before the first one at 22 are purged, the
// oldest file starts above the snapshot and holds only a superseded entry
// (22 of term 2): the read starts where etcd's searchIndex does, at the last
// file at or below the snapshot, not at the oldest file ("entry index 22
// leaves a gap after index 15"). From a snapshot at 22 it may start at the
// oldest file (a copy of the first file is then caught by the CRC chain),
// and reads the same entries.
TYPED_TEST(WalTest, AnOverwriteBackUpToTheFirstFilesIndexStillReadsAfterAPurge) {
  auto wal = this->MustCreate("");
  this->SaveRange(*wal, 1, 21, 1, 7);
  ASSERT_TRUE(wal->Cut().ok());  // file 1 at 22
  this->SaveRange(*wal, 22, 22, 2, 7);
  this->SaveRange(*wal, 10, 14, 3, 7);  // a new leader overwrites 10.. (uncommitted)
  ASSERT_TRUE(wal->Cut().ok());         // file 2 at 15
  this->SaveRange(*wal, 15, 21, 3, 15);
  ASSERT_TRUE(wal->Cut().ok());  // file 3 at 22, the first file's index again
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{15, 3, {}}).ok());
  this->SaveRange(*wal, 22, 25, 3, 22);
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{22, 3, {}}).ok());
  ASSERT_TRUE(wal->Close().ok());
  ASSERT_TRUE(PurgeSegments(this->fs(), this->Dir(), 3).ok());
  ASSERT_EQ(WalFiles(this->fs(), this->Dir()),
            (std::vector<std::string>{FormatSegmentName(1, 22), FormatSegmentName(2, 15),
                                      FormatSegmentName(3, 22)}));
  const std::vector<std::pair<Snapshot, std::vector<uint64_t>>> reads = {
      {Snapshot{15, 3, {}}, {16, 17, 18, 19, 20, 21, 22, 23, 24, 25}},
      {Snapshot{22, 3, {}}, {23, 24, 25}},
  };
  for (const auto& [snap, indexes] : reads) {
    auto opened = Wal::Open(this->fs(), this->Dir(), snap, QuietOptions());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    auto result = (*opened)->ReadAll();
    ASSERT_TRUE(result.ok()) << "from snapshot " << snap.index << ": "
                             << result.status().ToString();
    EXPECT_EQ(this->Indexes(result->entries), indexes) << "from snapshot " << snap.index;
    for (const Entry& entry : result->entries) EXPECT_EQ(entry.term, 3u) << entry.index;
    EXPECT_EQ(result->hard_state.commit, 22u);
    ASSERT_TRUE((*opened)->Close().ok());
  }
  auto snaps = ValidSnapshotEntries(this->fs(), this->Dir(), QuietOptions());
  ASSERT_TRUE(snaps.ok()) << snaps.status().ToString();
  EXPECT_EQ(snaps->back(), (Snapshot{22, 3, {}}));
}

// The same shape, with entries of the old term past the snapshot: the
// overwrite below the snapshot drops them although the new log, which ends
// at the snapshot, never reaches their positions.
TYPED_TEST(WalTest, AnOverwriteBelowTheSnapshotDropsTheOlderEntriesAfterIt) {
  auto wal = this->MustCreate("");
  this->SaveRange(*wal, 1, 10, 1, 4);
  ASSERT_TRUE(wal->Cut().ok());  // file 1 at 11
  this->SaveRange(*wal, 11, 20, 1, 4);
  ASSERT_TRUE(wal->Cut().ok());  // file 2 at 21
  this->SaveRange(*wal, 5, 8, 2, 4);
  ASSERT_TRUE(wal->Cut().ok());  // file 3 at 9
  this->SaveRange(*wal, 9, 12, 2, 12);
  ASSERT_TRUE(wal->SaveSnapshot(Snapshot{12, 2, {}}).ok());
  ASSERT_TRUE(wal->ReleaseLockTo(16).ok());
  ASSERT_TRUE(PurgeSegments(this->fs(), this->Dir(), 0).ok());
  ASSERT_TRUE(wal->Close().ok());
  ReadAllResult result = this->MustReadAll(Snapshot{12, 2, {}});
  EXPECT_EQ(this->Indexes(result.entries), (std::vector<uint64_t>{}))
      << "entries 13..20 of term 1 were overwritten";
}

TYPED_TEST(WalTest, AGapInTheLogIsSliceOutOfRange) {
  // Save refuses gaps, so build the file by hand (etcd's TestOpenWithMaxIndex).
  ASSERT_TRUE(this->fs().MkDir(this->Dir()).ok());
  const std::string path = this->PathOf(FormatSegmentName(0, 0));
  auto file = this->fs().Open(path, {.create = true});
  ASSERT_TRUE(file.ok());
  Encoder encoder;
  encoder.Reset(file->get(), 0, 0);
  ASSERT_TRUE(encoder.AppendCrcRecord(0).ok());
  ASSERT_TRUE(encoder.AppendRecord(RecordType::kMetadata, {}).ok());
  ASSERT_TRUE(encoder.AppendSnapshot(Snapshot{}).ok());
  ASSERT_TRUE(encoder.AppendEntry(MakeEntry(1, 1)).ok());
  ASSERT_TRUE(encoder.AppendEntry(MakeEntry(uint64_t{1} << 62, 1)).ok());
  ASSERT_TRUE(encoder.Flush().ok());
  ASSERT_TRUE((*file)->Close().ok());
  auto wal = this->MustOpen();
  auto result = wal->ReadAll();
  EXPECT_TRUE(result.status().Is(StatusCode::kCorruption));
  EXPECT_EQ(WalErrorOf(result.status()), WalError::kSliceOutOfRange) << result.status().ToString();
  EXPECT_NE(result.status().message().find(path), std::string::npos);
  // Verify applies ReadAll's rules: the same gap is the same error.
  auto verified = Verify(this->fs(), this->Dir(), Snapshot{});
  EXPECT_EQ(WalErrorOf(verified.status()), WalError::kSliceOutOfRange)
      << verified.status().ToString();
}

TYPED_TEST(WalTest, ConflictingMetadataIsAnError) {
  auto wal = this->MustCreate("one");
  ASSERT_TRUE(wal->Close().ok());
  // Append a second metadata record with other bytes, chained correctly.
  auto opened = this->MustOpen();
  ASSERT_TRUE(opened->ReadAll().ok());
  const std::string tail = opened->TailPath();
  const uint64_t offset = opened->TailOffset();
  ASSERT_TRUE(opened->Close().ok());
  uint32_t crc = Crc32cExtend(Crc32c(AsBytes(std::string("one"))),
                              AsBytes(std::string("\x08\x00\x10\x00", 4)));
  auto file = this->fs().Open(tail, {});
  ASSERT_TRUE(file.ok());
  Encoder encoder;
  encoder.Reset(file->get(), offset, crc);
  ASSERT_TRUE(encoder.AppendRecord(RecordType::kMetadata, AsBytes(std::string("two"))).ok());
  ASSERT_TRUE(encoder.Flush().ok());
  ASSERT_TRUE((*file)->Close().ok());
  auto reader = Wal::OpenForRead(this->fs(), this->Dir(), {}, QuietOptions());
  ASSERT_TRUE(reader.ok());
  auto result = (*reader)->ReadAll();
  EXPECT_EQ(WalErrorOf(result.status()), WalError::kMetadataConflict) << result.status().ToString();
}

TYPED_TEST(WalTest, VerifyFindsATruncatedMiddleFile) {
  auto wal = this->MustCreate("");
  for (uint64_t i = 0; i < 5; i++) {
    std::vector<Entry> entries = {MakeEntry(i, 0, "waldata")};
    ASSERT_TRUE(wal->Save(HardState{}, entries).ok());
    ASSERT_TRUE(wal->Cut().ok());
  }
  ASSERT_TRUE(Verify(this->fs(), this->Dir(), {}, QuietOptions()).ok());
  const auto files = WalFiles(this->fs(), this->Dir());
  TruncateAt(this->fs(), this->PathOf(files[2]), 0);
  auto verified = Verify(this->fs(), this->Dir(), {}, QuietOptions());
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(WalErrorOf(verified.status()), WalError::kCrcMismatch) << verified.status().ToString();
  EXPECT_NE(verified.status().message().find(files[3]), std::string::npos);
  ASSERT_TRUE(wal->Close().ok());
}

TYPED_TEST(WalTest, ClosedWalRefusesEverything) {
  auto wal = this->MustCreate("");
  ASSERT_TRUE(wal->Close().ok());
  std::vector<Entry> entries = {MakeEntry(1, 1)};
  EXPECT_TRUE(wal->Save(HardState{}, entries).Is(StatusCode::kClosed));
  EXPECT_TRUE(wal->Cut().Is(StatusCode::kClosed));
  EXPECT_TRUE(wal->Close().Is(StatusCode::kClosed));
}

TYPED_TEST(WalTest, ARenameFailureDuringCutFailsStop) {
  auto wal = this->MustCreate("");
  std::vector<Entry> entries = {MakeEntry(1, 1, "kept")};
  ASSERT_TRUE(wal->Save(HardState{1, 0, 1}, entries).ok());
  // The next segment's name is taken by a non-empty directory.
  const std::string blocker = this->PathOf(FormatSegmentName(1, 2));
  ASSERT_TRUE(this->fs().MkDir(blocker).ok());
  WriteAt(this->fs(), blocker + "/x", 0, "x");
  Status cut = wal->Cut();
  ASSERT_FALSE(cut.ok());
  Status refused = wal->Save(HardState{}, entries);
  EXPECT_TRUE(refused.Is(StatusCode::kClosed)) << refused.ToString();
  EXPECT_EQ(WalErrorOf(refused), WalError::kFailedStop);
  EXPECT_NE(refused.message().find(cut.message()), std::string::npos) << "names the cause";
  ASSERT_TRUE(wal->Close().ok());
  ASSERT_TRUE(this->fs().Remove(blocker + "/x").ok());
  ASSERT_TRUE(this->fs().Remove(blocker).ok());
  ReadAllResult result = this->MustReadAll();
  EXPECT_EQ(result.entries, entries) << "nothing acknowledged is lost";
}

#ifdef WALSIM_HAVE_SIM
// Fault-injection behaviours need the simulated disk.
class WalSimTest : public WalTest<SimEnv> {
 protected:
  sim::SimFs& sim() { return env_.sim(); }
};

TEST_F(WalSimTest, SaveOfOneEntryIsOneWriteAndOneSync) {
  auto wal = MustCreate("");
  std::vector<Entry> entries = {MakeEntry(1, 1, std::string(128, 'x'))};
  const uint64_t before = sim().op_count();
  ASSERT_TRUE(wal->Save(HardState{1, 0, 0}, entries).ok());
  EXPECT_EQ(sim().op_count() - before, 2u) << "one pwrite, one fdatasync";
  const uint64_t commit_only = sim().op_count();
  ASSERT_TRUE(wal->Save(HardState{1, 0, 1}, {}).ok());
  EXPECT_EQ(sim().op_count(), commit_only) << "a commit-only change need not be synced";
  ASSERT_TRUE(wal->Close().ok());
  EXPECT_EQ(MustReadAll().hard_state.commit, 1u) << "Close syncs the buffered tail";
}

TEST_F(WalSimTest, AFailedSyncFailsStopUntilReopened) {
  auto wal = MustCreate("");
  std::vector<Entry> first = {MakeEntry(1, 1, "acked")};
  ASSERT_TRUE(wal->Save(HardState{1, 0, 0}, first).ok());
  sim().InjectSyncEio(wal->TailPath());
  std::vector<Entry> second = {MakeEntry(2, 1, "failed")};
  Status failed = wal->Save(HardState{}, second);
  EXPECT_TRUE(failed.Is(StatusCode::kIoError)) << failed.ToString();
  std::vector<Entry> third = {MakeEntry(3, 1, "refused")};
  Status refused = wal->Save(HardState{}, third);
  EXPECT_TRUE(refused.Is(StatusCode::kClosed));
  EXPECT_EQ(WalErrorOf(refused), WalError::kFailedStop);
  EXPECT_EQ(WalErrorOf(wal->SaveSnapshot(Snapshot{1, 1, {}})), WalError::kFailedStop);
  EXPECT_EQ(WalErrorOf(wal->Cut()), WalError::kFailedStop);
  ASSERT_TRUE(wal->Close().ok()) << "Close does not retry the failed sync";
  sim().Crash(sim::CrashModel::kClean);
  auto reopened = MustOpen();
  auto result = reopened->ReadAll();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_GE(result->entries.size(), 1u);
  EXPECT_EQ(result->entries[0], first[0]) << "the acknowledged entry survives";
  EXPECT_LE(result->entries.size(), 2u);
}

// fsyncgate: a failed fsync marks the dirty pages clean, so the failed
// record stays visible in the page cache without being durable. A reopen in
// the same process (no crash) must not build on it: a later acknowledged save
// would sit after a record that never reaches the disk, and a crash would
// then cut the log before the acknowledged save.
TEST_F(WalSimTest, ReopenAfterAFailedSyncMakesWhatItReadDurable) {
  auto wal = MustCreate("");
  std::vector<Entry> first = {MakeEntry(1, 1, "acked")};
  ASSERT_TRUE(wal->Save(HardState{1, 0, 0}, first).ok());
  sim().InjectSyncEio(wal->TailPath());
  std::vector<Entry> second = {MakeEntry(2, 1, std::string(600, 'f'))};
  ASSERT_TRUE(wal->Save(HardState{}, second).Is(StatusCode::kIoError));
  ASSERT_TRUE(wal->Close().ok());
  auto reopened = MustOpen();
  auto seen = reopened->ReadAll();
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  ASSERT_EQ(seen->entries.size(), 2u) << "the page cache still shows the failed save";
  std::vector<Entry> third = {MakeEntry(3, 1, "acked after reopen")};
  ASSERT_TRUE(reopened->Save(HardState{}, third).ok());
  sim().Crash(sim::CrashModel::kClean);
  auto recovered = MustOpen();
  auto result = recovered->ReadAll();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->entries.size(), 3u) << "the acknowledged third save is lost";
  EXPECT_EQ(result->entries[2], third[0]);
}

// Reopening for write on a SimFs: a WAL at /w/wal in test-sized segments.
class WalReopenTest : public ::testing::Test {
 protected:
  WalReopenTest() { options_.segment_size_bytes = kTestSegmentSizeBytes; }

  // Creates the WAL on sim (its parent made durable first).
  static Result<std::unique_ptr<Wal>> CreateOn(sim::SimFs& sim, const WalOptions& options) {
    WALSIM_RETURN_IF_ERROR(sim.MkDir("/w"));
    WALSIM_RETURN_IF_ERROR(sim.SyncDir("/"));
    return Wal::Create(sim, "/w/wal", "", options);
  }

  WalOptions options_ = QuietOptions();
};

// Opening for write replaces the tail with a copy of its valid records and
// only then preallocates the rest of the segment again. Without room for
// that (here every allocate of a segment fails with ENOSPC), the WAL opens
// anyway and the tail grows with each append.
TEST_F(WalReopenTest, WithoutRoomToPreallocateTheTailGrowsWithEachAppend) {
  sim::SimFs sim(sim::SimOptions{});
  auto wal = CreateOn(sim, options_);
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  std::vector<Entry> first = {MakeEntry(1, 1, "acked")};
  ASSERT_TRUE((*wal)->Save(HardState{1, 0, 0}, first).ok());
  const std::string tail = (*wal)->TailPath();
  ASSERT_TRUE((*wal)->Close().ok());
  Result<faults::FaultPlan> plan = faults::ParsePlan("allocate /w/wal/*.wal enospc\n");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto full = faults::FaultFs::Create(sim, *std::move(plan), Rng(1));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  auto reopened = Wal::Open(**full, "/w/wal", {}, options_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto seen = (*reopened)->ReadAll();
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->entries, first);
  EXPECT_EQ((*full)->fired_counts()[0], 1u) << "the preallocation was refused";
  Result<fs::FileInfo> info = sim.Stat(tail);
  ASSERT_TRUE(info.ok());
  EXPECT_LT(info->size_bytes, kTestSegmentSizeBytes) << "the segment was not preallocated again";
  std::vector<Entry> second = {MakeEntry(2, 1, std::string(3000, 'g'))};
  ASSERT_TRUE((*reopened)->Save(HardState{1, 0, 2}, second).ok());
  sim.Crash(sim::CrashModel::kClean);
  auto recovered = Wal::Open(sim, "/w/wal", {}, options_);
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  auto result = (*recovered)->ReadAll();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->entries.size(), 2u) << "every acknowledged entry survives";
  EXPECT_EQ(result->entries[1], second[0]);
}

// Found by `walsim explore` (scn/wal-enospc-save): on a disk that one
// preallocated segment fills, reopening for write must not need room for a
// second copy of the valid records. The old tail is first cut to its valid
// bytes, which frees the preallocation the copy then uses.
TEST_F(WalReopenTest, OnADiskItsSegmentFillsTheReopenStillFitsTheCopy) {
  constexpr uint64_t kSlackBytes = 64;
  sim::SimFs sim(sim::SimOptions{.capacity_bytes = kTestSegmentSizeBytes + kSlackBytes});
  auto wal = CreateOn(sim, options_);
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  std::vector<Entry> acked = {MakeEntry(1, 1, std::string(4 * kSlackBytes, 'a'))};
  ASSERT_TRUE((*wal)->Save(HardState{1, 0, 1}, acked).ok());
  ASSERT_GT((*wal)->TailOffset(), kSlackBytes) << "the valid bytes must not fit in the slack";
  sim.Crash(sim::CrashModel::kClean);
  for (int reopen = 0; reopen < 2; reopen++) {  // the second reopen finds the replaced tail
    auto reopened = Wal::Open(sim, "/w/wal", {}, options_);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    auto seen = (*reopened)->ReadAll();
    ASSERT_TRUE(seen.ok()) << "reopen " << reopen << ": " << seen.status().ToString();
    EXPECT_EQ(seen->entries, acked);
    EXPECT_LE(sim.used_bytes(), kTestSegmentSizeBytes + kSlackBytes);
    ASSERT_TRUE((*reopened)->Close().ok());
  }
}

// Found by torture (seed 131): a short write leaves a prefix of the last
// record followed by preallocated zeros; no sector of it is all zeros, yet it
// is a write that never completed, so recovery is the torn-tail repair. The
// prefix length is seeded, so several disks are tried: every one must recover
// the acknowledged entry, and some must need the repair.
TEST(WalShortWriteTest, AShortWriteLeavesARepairableTornTail) {
  int repaired_count = 0;
  for (uint64_t seed = 0; seed < 32; seed++) {
    sim::SimFs sim(sim::SimOptions{.seed = seed});
    ASSERT_TRUE(sim.MkDir("/w").ok());
    auto wal = Wal::Create(sim, "/w/wal", "", QuietOptions());
    ASSERT_TRUE(wal.ok());
    std::vector<Entry> first = {MakeEntry(1, 1, "acked")};
    ASSERT_TRUE((*wal)->Save(HardState{1, 0, 0}, first).ok());
    sim.InjectShortWrite((*wal)->TailPath());
    std::vector<Entry> second = {MakeEntry(2, 1, std::string(300, 's'))};
    ASSERT_TRUE((*wal)->Save(HardState{1, 0, 1}, second).Is(StatusCode::kIoError));
    ASSERT_TRUE((*wal)->Close().ok());
    // No crash: the partial record is in the page cache, as a restarted
    // process would find it.
    auto broken = Wal::Open(sim, "/w/wal", {}, QuietOptions());
    ASSERT_TRUE(broken.ok());
    auto read = (*broken)->ReadAll();
    broken->reset();
    if (!read.ok()) {
      ASSERT_EQ(WalErrorOf(read.status()), WalError::kTornTail) << read.status().ToString();
      auto repaired = Repair(sim, "/w/wal", QuietOptions());
      ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
      EXPECT_TRUE(*repaired);
      repaired_count++;
    }
    auto reopened = Wal::Open(sim, "/w/wal", {}, QuietOptions());
    ASSERT_TRUE(reopened.ok());
    auto result = (*reopened)->ReadAll();
    ASSERT_TRUE(result.ok()) << "seed " << seed << ": " << result.status().ToString();
    // The failed save may have landed whole (the prefix ended at a record
    // boundary): a prefix of what was issued, never anything else.
    ASSERT_GE(result->entries.size(), 1u) << "seed " << seed;
    ASSERT_LE(result->entries.size(), 2u) << "seed " << seed;
    EXPECT_EQ(result->entries[0], first[0]) << "the acknowledged entry survives";
    if (result->entries.size() == 2) {
      EXPECT_EQ(result->entries[1], second[0]);
    }
  }
  EXPECT_GT(repaired_count, 0) << "no seed left a partial record";
}

// Repair on a disk with little or no free space (found by torture: seeds
// 70102, 115139 and 151361). The tail is a preallocated segment with a torn
// record in it, and another file takes all of the disk but free_bytes.
class WalRepairSpaceTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kCapacityBytes = 3 * kTestSegmentSizeBytes;

  // One acknowledged entry, then a short write of the next Save. Returns the
  // tail's path.
  std::string TearTheTailAndFillTheDisk(uint64_t free_bytes) {
    WALSIM_ASSERT(sim_.MkDir("/w").ok() && sim_.SyncDir("/").ok());
    auto wal = Wal::Create(sim_, "/w/wal", "", QuietOptions());
    WALSIM_ASSERT(wal.ok());
    WALSIM_ASSERT((*wal)->Save(HardState{1, 0, 1}, acked_).ok());
    sim_.InjectShortWrite((*wal)->TailPath());
    const std::vector<Entry> torn = {MakeEntry(2, 1, std::string(600, 't'))};
    WALSIM_ASSERT((*wal)->Save(HardState{}, torn).Is(StatusCode::kIoError));  // one frame
    std::string tail = (*wal)->TailPath();
    WALSIM_ASSERT((*wal)->Close().ok());
    auto filler = sim_.Open("/filler", {.create = true});
    WALSIM_ASSERT(filler.ok() && sim_.used_bytes() + free_bytes <= kCapacityBytes);
    const uint64_t filler_bytes = kCapacityBytes - sim_.used_bytes() - free_bytes;
    WALSIM_ASSERT((*filler)->Allocate(0, filler_bytes, fs::AllocateMode::kExtendSize).ok());
    WALSIM_ASSERT(sim_.used_bytes() + free_bytes == kCapacityBytes);
    return tail;
  }
  std::vector<std::string> BackupNames() {
    auto names = sim_.List("/w/wal");
    WALSIM_ASSERT(names.ok());
    std::erase_if(*names, [](const std::string& name) { return !name.ends_with(".broken"); });
    return *names;
  }
  void ExpectTornTailOnOpen() {
    auto broken = Wal::Open(sim_, "/w/wal", {}, QuietOptions());
    ASSERT_TRUE(broken.ok()) << broken.status().ToString();
    EXPECT_EQ(WalErrorOf((*broken)->ReadAll().status()), WalError::kTornTail);
  }
  void ExpectOpensWithTheAcknowledgedEntry() {
    auto reopened = Wal::Open(sim_, "/w/wal", {}, QuietOptions());
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    auto result = (*reopened)->ReadAll();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->entries, acked_);
  }

  sim::SimFs sim_{sim::SimOptions{.seed = 1, .capacity_bytes = kCapacityBytes}};
  std::vector<Entry> acked_ = {MakeEntry(1, 1, "acked")};
};

// A backup of the whole segment (etcd's) does not fit in less than a segment
// of free space; the bytes Repair cuts do, named by the offset they came from.
TEST_F(WalRepairSpaceTest, ATornTailIsRepairedWithLessThanASegmentFree) {
  const std::string tail = TearTheTailAndFillTheDisk(kTestSegmentSizeBytes / 16);
  ExpectTornTailOnOpen();
  const std::string before = ReadWhole(sim_, tail);
  auto repaired = Repair(sim_, "/w/wal", QuietOptions());
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_TRUE(*repaired);
  const uint64_t cut_offset = ReadWhole(sim_, tail).size();
  const std::string segment = tail.substr(tail.rfind('/') + 1);
  ASSERT_EQ(BackupNames(), (std::vector<std::string>{FormatBrokenName(segment, cut_offset)}));
  const std::string backup = ReadWhole(sim_, "/w/wal/" + BackupNames()[0]);
  EXPECT_EQ(backup, before.substr(cut_offset, backup.size())) << "the bytes cut, from the cut on";
  EXPECT_LT(backup.size(), kPageBytes) << "without the preallocated zeros";
  EXPECT_NE(backup.back(), '\0') << "up to the last non-zero byte";
  ExpectOpensWithTheAcknowledgedEntry();
}

// With no room even for the bytes to cut, Repair says so and changes
// nothing: the tail keeps every byte, and no partial backup is left behind.
// Once there is room, it repairs.
TEST_F(WalRepairSpaceTest, OnAFullDiskRepairFailsWithNoSpaceAndCutsNothing) {
  const std::string tail = TearTheTailAndFillTheDisk(0);
  const std::string before = ReadWhole(sim_, tail);
  auto refused = Repair(sim_, "/w/wal", QuietOptions());
  ASSERT_TRUE(refused.status().Is(StatusCode::kNoSpace)) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("nothing was cut"), std::string::npos)
      << refused.status().ToString();
  EXPECT_EQ(ReadWhole(sim_, tail), before);
  EXPECT_EQ(BackupNames(), std::vector<std::string>{});
  ExpectTornTailOnOpen();
  ASSERT_TRUE(sim_.Remove("/filler").ok());
  auto repaired = Repair(sim_, "/w/wal", QuietOptions());
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_TRUE(*repaired);
  EXPECT_EQ(BackupNames().size(), 1u);
  ExpectOpensWithTheAcknowledgedEntry();
}

TEST_F(WalSimTest, AFailedWriteFailsStop) {
  auto wal = MustCreate("");
  sim().InjectWriteEio(wal->TailPath());
  std::vector<Entry> entries = {MakeEntry(1, 1, "x")};
  EXPECT_TRUE(wal->Save(HardState{}, entries).Is(StatusCode::kIoError));
  EXPECT_EQ(WalErrorOf(wal->Save(HardState{}, entries)), WalError::kFailedStop);
  ASSERT_TRUE(wal->Close().ok());
}

TEST_F(WalSimTest, AcknowledgedSavesSurviveACrash) {
  WalOptions options = QuietOptions();
  options.segment_size_bytes = 1024;
  auto wal = MustCreate("m", options);
  for (uint64_t i = 1; i <= 30; i++) {
    std::vector<Entry> entries = {MakeEntry(i, 1, std::string(40, 'a'))};
    ASSERT_TRUE(wal->Save(HardState{1, 0, i}, entries).ok());
  }
  sim().Crash(sim::CrashModel::kClean);
  auto reopened = MustOpen({}, options);
  auto result = reopened->ReadAll();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->entries.size(), 30u);
  EXPECT_EQ(result->metadata, "m");
}
#endif

// A FIFO named like the next segment makes Verify, ReadAll and Repair fail
// with an error naming it, never hang (PosixFs refuses non-regular files).
TEST(WalPosixTest, AFifoNamedLikeASegmentIsRefusedNotWaitedOn) {
  PosixEnv env;
  const std::string dir = env.Root() + "/wal";
  auto wal = Wal::Create(env.fs(), dir, "", QuietOptions());
  ASSERT_TRUE(wal.ok());
  ASSERT_TRUE((*wal)->Close().ok());
  const std::string fifo = dir + "/" + FormatSegmentName(1, 1);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ::alarm(10);
  auto verified = Verify(env.fs(), dir, {}, QuietOptions());
  ASSERT_FALSE(verified.ok());
  EXPECT_NE(verified.status().message().find("not a regular file"), std::string::npos)
      << verified.status().ToString();
  EXPECT_NE(verified.status().message().find(fifo), std::string::npos);
  auto repaired = Repair(env.fs(), dir, QuietOptions());
  EXPECT_FALSE(repaired.ok());
  ::alarm(0);
}

}  // namespace
}  // namespace walsim::wal::testing
