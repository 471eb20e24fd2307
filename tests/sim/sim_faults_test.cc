// One test per device fault of the simulated disk (legal and illegal), the
// platter damage helpers, and seeded probabilistic faults.
#include <cstdlib>
#include <set>

#include "tests/sim/sim_test_util.h"

namespace walsim::sim::testing {
namespace {

std::string Repeat(char byte, size_t count) { return std::string(count, byte); }

TEST_F(SimFsTest, FsyncEioThenFsyncOkStillLosesDataOnCrash) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "base");
  auto file = OpenExisting(disk, "/f");
  ASSERT_TRUE(file->Append(Bytes("+lost")).ok());
  disk.InjectSyncEio("/f");
  Status failed = file->SyncData();
  EXPECT_EQ(failed.code(), StatusCode::kIoError);
  EXPECT_NE(failed.message().find("/f"), std::string::npos) << failed.message();
  Status retried = file->Sync();  // Linux: the pages are clean now; OK, nothing written
  EXPECT_TRUE(retried.ok()) << retried.ToString();
  EXPECT_EQ(disk.ReadDurable("/f").value(), "base");
  disk.Crash();
  EXPECT_EQ(Contents(disk, "/f"), "base");
}

TEST_F(SimFsTest, FsyncEioKeepsDataLiveVisible) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "base");
  auto file = OpenExisting(disk, "/f");
  ASSERT_TRUE(file->Append(Bytes("+live")).ok());
  disk.InjectSyncEio("/f");
  EXPECT_EQ(file->Sync().code(), StatusCode::kIoError);
  EXPECT_EQ(Contents(disk, "/f"), "base+live");
  EXPECT_EQ(file->Size().value(), 9u);
}

// Early write-back: with sync_eio_writes_back, a failed fsync leaves a
// seeded strict prefix of its pending writes durable, and over many seeds
// every such prefix occurs; the rest is clean and lost at a crash.
TEST_F(SimFsTest, FsyncEioWithEarlyWritebackKeepsASeededStrictPrefixDurable) {
  std::set<std::string> durable_states;
  for (uint64_t seed = 0; seed < 64; seed++) {
    SimOptions options = Perfect();
    options.seed = seed;
    options.sync_eio_writes_back = true;
    SimFs disk(options);
    WriteDurable(disk, "/f", "base");
    auto file = OpenExisting(disk, "/f");
    for (const char* part : {"+a", "+b", "+c"}) ASSERT_TRUE(file->Append(Bytes(part)).ok());
    disk.InjectSyncEio("/f");
    EXPECT_EQ(file->SyncData().code(), StatusCode::kIoError);
    EXPECT_EQ(Contents(disk, "/f"), "base+a+b+c");  // live, as without write-back
    disk.Crash();
    durable_states.insert(Contents(disk, "/f"));
  }
  EXPECT_EQ(durable_states, (std::set<std::string>{"base", "base+a", "base+a+b"}));
}

TEST_F(SimFsTest, LyingFsyncLosesAcknowledgedData) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "base");
  auto file = OpenExisting(disk, "/f");
  ASSERT_TRUE(file->Append(Bytes("+acked")).ok());
  disk.InjectSyncLie("/f");
  Status lied = file->SyncData();
  EXPECT_TRUE(lied.ok()) << lied.ToString();
  EXPECT_EQ(disk.ReadDurable("/f").value(), "base");
  disk.Crash();
  EXPECT_EQ(Contents(disk, "/f"), "base");
}

TEST_F(SimFsTest, WriteEioWritesNothing) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "base");
  auto file = OpenExisting(disk, "/f");
  disk.InjectWriteEio("/f");
  Status failed = file->Append(Bytes("data"));
  EXPECT_EQ(failed.code(), StatusCode::kIoError);
  EXPECT_NE(failed.message().find("wrote 0 of 4 bytes"), std::string::npos) << failed.message();
  EXPECT_EQ(Contents(disk, "/f"), "base");
  EXPECT_TRUE(file->Append(Bytes("data")).ok());  // one-shot
  EXPECT_EQ(Contents(disk, "/f"), "basedata");
}

TEST_F(SimFsTest, ReadEioReadsNothing) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "abcdef");
  auto file = OpenExisting(disk, "/f");
  disk.InjectReadEio("/f");
  std::string buffer(6, '-');
  auto failed = file->ReadAt(0, {reinterpret_cast<uint8_t*>(buffer.data()), buffer.size()});
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_EQ(buffer, "------");
  auto read = file->ReadAt(0, {reinterpret_cast<uint8_t*>(buffer.data()), buffer.size()});
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, 6u);
  EXPECT_EQ(buffer, "abcdef");
}

TEST_F(SimFsTest, NoSpaceAtCapacity) {
  SimFs disk({.seed = 1, .capacity_bytes = 1024});
  auto file = Create(disk, "/f");
  ASSERT_TRUE(file->WriteAt(0, Bytes(Repeat('a', 1000))).ok());
  Status full = file->Append(Bytes(Repeat('b', 100)));
  EXPECT_EQ(full.code(), StatusCode::kNoSpace);
  EXPECT_NE(full.message().find("/f"), std::string::npos) << full.message();
  EXPECT_EQ(file->Size().value(), 1000u);
  EXPECT_EQ(file->Allocate(0, 2048, fs::AllocateMode::kKeepSize).code(), StatusCode::kNoSpace);
  EXPECT_EQ(file->Truncate(4096).code(), StatusCode::kNoSpace);
  EXPECT_EQ(disk.used_bytes(), 1000u);
  // Removing the file and closing its handle frees its space.
  ASSERT_TRUE(file->Close().ok());
  ASSERT_TRUE(disk.Remove("/f").ok());
  EXPECT_EQ(disk.used_bytes(), 0u);
  auto other = Create(disk, "/g");
  EXPECT_TRUE(other->Append(Bytes(Repeat('c', 1024))).ok());
  // An injected ENOSPC fails the next write even with room to spare.
  disk.InjectNoSpace("/g");
  ASSERT_TRUE(other->Truncate(0).ok());
  EXPECT_EQ(other->Append(Bytes("x")).code(), StatusCode::kNoSpace);
  EXPECT_EQ(other->Size().value(), 0u);
}

// The WAL's reopen shrinks its segment to the last valid record and then
// preallocates it back to the segment size: the space it gave back is the
// space it takes again, so a disk that held the segment still holds it.
TEST_F(SimFsTest, TruncateThenReallocateNeedsNoExtraCapacity) {
  constexpr uint64_t kSegmentBytes = 8192;
  SimFs disk({.seed = 1, .capacity_bytes = kSegmentBytes + 4096});
  auto file = Create(disk, "/wal");
  ASSERT_TRUE(file->Allocate(0, kSegmentBytes, fs::AllocateMode::kExtendSize).ok());
  EXPECT_EQ(disk.used_bytes(), kSegmentBytes);
  ASSERT_TRUE(file->Truncate(64).ok());
  EXPECT_EQ(disk.used_bytes(), 64u);
  Status reallocated = file->Allocate(64, kSegmentBytes - 64, fs::AllocateMode::kExtendSize);
  EXPECT_TRUE(reallocated.ok()) << reallocated.ToString();
  EXPECT_EQ(disk.used_bytes(), kSegmentBytes);
  // Growing by truncate is charged once, like any other growth.
  ASSERT_TRUE(file->Truncate(64).ok());
  ASSERT_TRUE(file->Truncate(kSegmentBytes).ok());
  EXPECT_EQ(disk.used_bytes(), kSegmentBytes);
  // The rest of the disk is still there for another file, and not a byte more.
  auto other = Create(disk, "/other");
  EXPECT_TRUE(other->Allocate(0, 4096, fs::AllocateMode::kKeepSize).ok());
  EXPECT_EQ(disk.used_bytes(), kSegmentBytes + 4096);
  Status full = other->Append(Bytes(Repeat('x', 4097)));
  EXPECT_EQ(full.code(), StatusCode::kNoSpace);
  EXPECT_NE(full.message().find("/other: no space: needs 1 more bytes"), std::string::npos)
      << full.message();
}

TEST_F(SimFsTest, ShortWriteWritesStrictPrefix) {
  for (uint64_t seed = 0; seed < 20; seed++) {
    SimFs disk(Perfect(seed));
    WriteDurable(disk, "/f", "");
    auto file = OpenExisting(disk, "/f");
    disk.InjectShortWrite("/f");
    std::string data = "0123456789abcdefghij";
    Status status = file->WriteAt(0, Bytes(data));
    ASSERT_EQ(status.code(), StatusCode::kIoError);
    size_t wrote_at = status.message().find("wrote ");
    ASSERT_NE(wrote_at, std::string::npos) << status.message();
    size_t written = std::strtoull(status.message().c_str() + wrote_at + 6, nullptr, 10);
    EXPECT_LT(written, data.size());
    EXPECT_NE(status.message().find("of 20 bytes"), std::string::npos) << status.message();
    EXPECT_EQ(Contents(disk, "/f"), data.substr(0, written)) << "seed " << seed;
  }
}

TEST_F(SimFsTest, LatentSectorErrorIsSticky) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", Repeat('a', 512) + Repeat('b', 512));
  ASSERT_TRUE(disk.AddLatentSectorError("/f", 1).ok());
  auto file = OpenExisting(disk, "/f");
  std::string buffer(512, '\0');
  std::span<uint8_t> dst{reinterpret_cast<uint8_t*>(buffer.data()), buffer.size()};
  EXPECT_TRUE(file->ReadAt(0, dst).ok());  // sector 0 is fine
  EXPECT_EQ(buffer, Repeat('a', 512));
  for (int attempt = 0; attempt < 3; attempt++) {
    auto failed = file->ReadAt(500, dst);  // touches sector 1
    ASSERT_EQ(failed.status().code(), StatusCode::kIoError);
    EXPECT_NE(failed.status().message().find("sector 1"), std::string::npos);
  }
  disk.Crash();
  auto reopened = OpenExisting(disk, "/f");
  EXPECT_EQ(reopened->ReadAt(512, dst).status().code(), StatusCode::kIoError);
  EXPECT_EQ(disk.AddLatentSectorError("/missing", 0).code(), StatusCode::kNotFound);
}

TEST_F(SimFsTest, BitRotFlipsOneDurableBit) {
  SimFs disk(Perfect());
  std::string original = Repeat('\0', 16);
  WriteDurable(disk, "/f", original);
  ASSERT_TRUE(disk.FlipBit("/f", 8 * 3 + 5).ok());
  std::string durable = disk.ReadDurable("/f").value();
  std::string expected = original;
  expected[3] = static_cast<char>(1 << 5);
  EXPECT_EQ(durable, expected);
  EXPECT_EQ(Contents(disk, "/f"), expected);  // reads see the rot
  disk.Crash();
  EXPECT_EQ(Contents(disk, "/f"), expected);
  Status past = disk.FlipBit("/f", 16 * 8);
  EXPECT_EQ(past.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(past.message().find("past the durable size 16"), std::string::npos) << past.message();
}

TEST_F(SimFsTest, MisdirectedWriteLandsElsewhereInSameFile) {
  std::set<size_t> landed_sectors;
  for (uint64_t seed = 0; seed < 40; seed++) {
    SimFs disk(Perfect(seed));
    std::string original =
        Repeat('0', 512) + Repeat('1', 512) + Repeat('2', 512) + Repeat('3', 512);
    WriteDurable(disk, "/f", original);
    WriteDurable(disk, "/other", "untouched");
    auto file = OpenExisting(disk, "/f");
    disk.InjectMisdirectedWrite("/f");
    Status status = file->WriteAt(512, Bytes(Repeat('E', 512)));
    EXPECT_TRUE(status.ok()) << status.ToString();  // the device does not know
    std::string after = Contents(disk, "/f");
    EXPECT_EQ(after.substr(512, 512), Repeat('1', 512)) << "seed " << seed;
    size_t landed = after.find(Repeat('E', 512));
    ASSERT_NE(landed, std::string::npos) << "seed " << seed;
    EXPECT_EQ(landed % 512, 0u);
    landed_sectors.insert(landed / 512);
    EXPECT_EQ(Contents(disk, "/other"), "untouched");
  }
  EXPECT_FALSE(landed_sectors.contains(1));
  EXPECT_GE(landed_sectors.size(), 3u);
}

TEST_F(SimFsTest, ProbabilisticFaultsFollowSeed) {
  auto failure_pattern = [](uint64_t seed) {
    SimFs disk({.seed = seed, .write_eio_probability = 0.3, .sync_eio_probability = 0.2});
    auto file = disk.Open("/f", {.create = true});
    std::string pattern;
    for (int index = 0; index < 64; index++) {
      Status write = (*file)->Append(Bytes("x"));
      Status sync = (*file)->SyncData();
      EXPECT_TRUE(write.ok() || write.Is(StatusCode::kIoError)) << write.ToString();
      EXPECT_TRUE(sync.ok() || sync.Is(StatusCode::kIoError)) << sync.ToString();
      pattern += write.ok() ? (sync.ok() ? '.' : 's') : 'w';
    }
    return pattern;
  };
  std::string first = failure_pattern(7);
  EXPECT_EQ(first, failure_pattern(7));
  EXPECT_NE(first, failure_pattern(8));
  size_t write_failures = std::count(first.begin(), first.end(), 'w');
  EXPECT_GT(write_failures, 5u) << first;
  EXPECT_LT(write_failures, 40u) << first;
  EXPECT_NE(first.find('s'), std::string::npos) << first;
}

TEST_F(SimFsTest, FaultArmedOnMissingPathHitsTheFileCreatedThere) {
  SimFs disk(Perfect());
  disk.InjectWriteEio("/later");
  auto file = Create(disk, "/later");
  EXPECT_EQ(file->Append(Bytes("x")).code(), StatusCode::kIoError);
  EXPECT_TRUE(file->Append(Bytes("x")).ok());
}

TEST_F(SimFsTest, DamageHelpersChangeBothCopies) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "abcdefgh");
  auto file = OpenExisting(disk, "/f");
  ASSERT_TRUE(file->Append(Bytes("ijkl")).ok());  // pending: settled by the helpers
  ASSERT_TRUE(disk.CorruptByte("/f", 0, 0x20).ok());
  EXPECT_EQ(Contents(disk, "/f"), "Abcdefghijkl");
  EXPECT_EQ(disk.ReadDurable("/f").value(), "Abcdefghijkl");
  ASSERT_TRUE(disk.ZeroRange("/f", 2, 3).ok());
  EXPECT_EQ(disk.ReadDurable("/f").value(), std::string("Ab\0\0\0fghijkl", 12));
  ASSERT_TRUE(disk.TruncateStored("/f", 4).ok());
  disk.Crash();
  EXPECT_EQ(Contents(disk, "/f"), std::string("Ab\0\0", 4));
  EXPECT_EQ(disk.CorruptByte("/f", 4, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(disk.ZeroRange("/f", 2, 3).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(disk.CorruptByte("/nope", 0, 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(disk.ReadDurable("/").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SimFsTest, UnsettledFilesNamesEachFileACleanCrashWouldChange) {
  SimFs disk(Perfect());
  ASSERT_TRUE(disk.MkDir("/d").ok());
  ASSERT_TRUE(disk.SyncDir("/").ok());
  WriteDurable(disk, "/d/settled", "durable", "/d");
  WriteDurable(disk, "/d/truncated", "long tail", "/d");
  WriteDurable(disk, "/d/synced-after-eio", "base", "/d");
  ASSERT_TRUE(disk.MkDir("/d/sub").ok());
  const uint64_t ops_before = disk.op_count();
  const uint64_t hash_before = disk.trace_hash();
  EXPECT_EQ(disk.UnsettledFiles("/d").value(), std::vector<std::string>{});
  EXPECT_EQ(disk.op_count(), ops_before) << "inspection is no operation";
  EXPECT_EQ(disk.trace_hash(), hash_before) << "inspection leaves no trace line";

  auto truncated = OpenExisting(disk, "/d/truncated");
  ASSERT_TRUE(truncated->Truncate(4).ok());  // a truncate is live until a sync
  auto eio = OpenExisting(disk, "/d/synced-after-eio");
  ASSERT_TRUE(eio->Append(Bytes("+lost")).ok());
  disk.InjectSyncEio("/d/synced-after-eio");
  EXPECT_FALSE(eio->Sync().ok());
  ASSERT_TRUE(eio->Sync().ok());          // OK, and still not durable
  auto fresh = Create(disk, "/d/fresh");  // nothing written: only its entry is new
  ASSERT_TRUE(fresh->Sync().ok());
  EXPECT_EQ(disk.UnsettledFiles("/d").value(),
            (std::vector<std::string>{"fresh", "synced-after-eio", "truncated"}));

  ASSERT_TRUE(truncated->Sync().ok());
  ASSERT_TRUE(disk.SyncDir("/d").ok());
  EXPECT_EQ(disk.UnsettledFiles("/d").value(), std::vector<std::string>{"synced-after-eio"});
  EXPECT_EQ(disk.UnsettledFiles("/nowhere").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(disk.UnsettledFiles("/d/settled").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace walsim::sim::testing
