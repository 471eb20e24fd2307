// One test per durability rule and crash model of the simulated disk
// (DESIGN.md "sim/", docs/simulated-disk.md). Probabilistic rules loop over a
// bounded number of seeds and check both that every allowed outcome occurs
// and that nothing else does.
#include <optional>
#include <set>
#include <vector>

#include "tests/sim/sim_test_util.h"

namespace walsim::sim::testing {
namespace {

constexpr uint64_t kSeedCount = 200;

std::string Repeat(char byte, size_t count) { return std::string(count, byte); }

TEST_F(SimFsTest, WriteIsLiveNotDurable) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "");
  auto file = OpenExisting(disk, "/f");
  ASSERT_TRUE(file->WriteAt(0, Bytes("hello")).ok());
  EXPECT_EQ(Contents(disk, "/f"), "hello");
  EXPECT_EQ(disk.ReadDurable("/f").value(), "");
  disk.Crash();
  EXPECT_EQ(Contents(disk, "/f"), "");
}

TEST_F(SimFsTest, SyncMakesFileDataDurable) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "");
  auto file = OpenExisting(disk, "/f");
  ASSERT_TRUE(file->Append(Bytes("abc")).ok());
  Status synced = file->SyncData();
  EXPECT_TRUE(synced.ok()) << synced.ToString();
  EXPECT_EQ(disk.ReadDurable("/f").value(), "abc");
  ASSERT_TRUE(file->Append(Bytes("def")).ok());
  EXPECT_TRUE(file->Sync().ok());
  disk.Crash();
  EXPECT_EQ(Contents(disk, "/f"), "abcdef");
}

TEST_F(SimFsTest, CreatedFileVanishesWhenDirectoryNotSynced) {
  SimFs disk(Perfect());
  auto file = Create(disk, "/new");
  ASSERT_TRUE(file->Append(Bytes("data")).ok());
  EXPECT_TRUE(Exists(disk, "/new"));
  disk.Crash();
  EXPECT_FALSE(Exists(disk, "/new"));
  auto stat = disk.Stat("/new");
  EXPECT_EQ(stat.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(disk.List("/").value().empty());
}

TEST_F(SimFsTest, FileSyncDoesNotPersistDirectoryEntry) {
  SimFs disk(Perfect());
  ASSERT_TRUE(disk.MkDir("/d").ok());
  ASSERT_TRUE(disk.SyncDir("/").ok());
  auto synced_only = Create(disk, "/d/a");
  ASSERT_TRUE(synced_only->Append(Bytes("a")).ok());
  ASSERT_TRUE(synced_only->Sync().ok());
  EXPECT_EQ(disk.ReadDurable("/d/a").value(), "a");  // the data is durable ...
  disk.Crash();
  EXPECT_EQ(disk.List("/d").value(), std::vector<std::string>{});  // ... its name is not
  WriteDurable(disk, "/d/b", "b", "/d");  // with SyncDir of the parent it survives
  disk.Crash();
  EXPECT_EQ(disk.List("/d").value(), std::vector<std::string>{"b"});
  EXPECT_EQ(Contents(disk, "/d/b"), "b");
}

TEST_F(SimFsTest, RenameIsAtomicAcrossCrash) {
  std::set<std::string> outcomes;
  for (uint64_t seed = 0; seed < kSeedCount; seed++) {
    SimFs disk({.seed = seed, .crash_model = CrashModel::kPrefix});
    ASSERT_TRUE(disk.MkDir("/x").ok());
    ASSERT_TRUE(disk.MkDir("/y").ok());
    ASSERT_TRUE(disk.SyncDir("/").ok());
    WriteDurable(disk, "/x/old", "payload", "/x");
    WriteDurable(disk, "/x/other", "", "/x");
    ASSERT_TRUE(disk.Remove("/x/other").ok());          // an earlier op in /x
    ASSERT_TRUE(disk.Rename("/x/old", "/y/new").ok());  // one op in both directories
    auto extra = Create(disk, "/y/later");              // a later op in /y
    disk.Crash();
    bool at_old = Exists(disk, "/x/old");
    bool at_new = Exists(disk, "/y/new");
    ASSERT_NE(at_old, at_new) << "seed " << seed << ": old=" << at_old << " new=" << at_new;
    EXPECT_EQ(Contents(disk, at_old ? "/x/old" : "/y/new"), "payload");
    // Prefix per directory: the rename persisted only with the earlier remove.
    if (at_new) {
      EXPECT_FALSE(Exists(disk, "/x/other")) << "seed " << seed;
    }
    outcomes.insert(at_old ? "old" : "new");
  }
  EXPECT_EQ(outcomes, (std::set<std::string>{"new", "old"}));
}

TEST_F(SimFsTest, RemoveIsUndoneWithoutDirSync) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "kept");
  ASSERT_TRUE(disk.Remove("/f").ok());
  EXPECT_FALSE(Exists(disk, "/f"));
  disk.Crash();
  EXPECT_EQ(Contents(disk, "/f"), "kept");
  ASSERT_TRUE(disk.Remove("/f").ok());
  ASSERT_TRUE(disk.SyncDir("/").ok());
  disk.Crash();
  EXPECT_FALSE(Exists(disk, "/f"));
}

TEST_F(SimFsTest, CleanCrashKeepsExactlyDurableState) {
  for (uint64_t seed = 0; seed < 20; seed++) {
    SimFs disk({.seed = seed,
                .atomic_sector = false,
                .crash_model = CrashModel::kClean,
                .size_before_data = true});
    WriteDurable(disk, "/f", Repeat('a', 1000));
    auto file = OpenExisting(disk, "/f");
    ASSERT_TRUE(file->WriteAt(100, Bytes(Repeat('b', 700))).ok());
    ASSERT_TRUE(file->Truncate(600).ok());
    ASSERT_TRUE(file->Append(Bytes(Repeat('c', 2000))).ok());
    std::string durable = disk.ReadDurable("/f").value();
    ASSERT_EQ(durable, Repeat('a', 1000));
    disk.Crash();
    EXPECT_EQ(Contents(disk, "/f"), durable) << "seed " << seed;
    EXPECT_EQ(disk.List("/").value(), std::vector<std::string>{"f"});
  }
}

TEST_F(SimFsTest, PrefixCrashKeepsIssueOrderPrefix) {
  // Four one-sector writes issued in the order sectors 3, 1, 0, 2: what
  // survives must be the first k of them, for some k.
  const uint64_t order[4] = {3, 1, 0, 2};
  std::set<size_t> kept_counts;
  for (uint64_t seed = 0; seed < kSeedCount; seed++) {
    SimFs disk({.seed = seed, .crash_model = CrashModel::kPrefix});
    WriteDurable(disk, "/f", Repeat('.', 4 * 512));
    auto file = OpenExisting(disk, "/f");
    for (uint64_t sector : order) {
      ASSERT_TRUE(file->WriteAt(sector * 512, Bytes(Repeat('#', 512))).ok());
    }
    disk.Crash();
    std::string after = Contents(disk, "/f");
    ASSERT_EQ(after.size(), 4u * 512);
    size_t kept = 0;
    while (kept < 4 && after[order[kept] * 512] == '#') kept++;
    for (size_t index = 0; index < 4; index++) {
      char expected = index < kept ? '#' : '.';
      EXPECT_EQ(after.substr(order[index] * 512, 512), Repeat(expected, 512))
          << "seed " << seed << " kept " << kept;
    }
    kept_counts.insert(kept);
  }
  EXPECT_EQ(kept_counts, (std::set<size_t>{0, 1, 2, 3, 4}));
}

TEST_F(SimFsTest, ReorderKeepsLaterSectorWithoutEarlierOne) {
  std::set<std::string> outcomes;
  for (uint64_t seed = 0; seed < kSeedCount; seed++) {
    SimFs disk({.seed = seed, .crash_model = CrashModel::kReorder});
    WriteDurable(disk, "/f", Repeat('.', 1024));
    auto file = OpenExisting(disk, "/f");
    ASSERT_TRUE(file->WriteAt(0, Bytes(Repeat('A', 512))).ok());    // issued first
    ASSERT_TRUE(file->WriteAt(512, Bytes(Repeat('B', 512))).ok());  // issued second
    disk.Crash();
    std::string after = Contents(disk, "/f");
    std::string first = after.substr(0, 512), second = after.substr(512);
    ASSERT_TRUE(first == Repeat('A', 512) || first == Repeat('.', 512)) << "seed " << seed;
    ASSERT_TRUE(second == Repeat('B', 512) || second == Repeat('.', 512)) << "seed " << seed;
    outcomes.insert(std::string{first[0], second[0]});
  }
  EXPECT_EQ(outcomes, (std::set<std::string>{"..", "A.", ".B", "AB"}));
}

class SimTearTest : public SimFsTest {
 protected:
  // The fills a torn one-sector overwrite of durable bytes shows over many seeds.
  std::set<std::string> TornSectorFills(bool random_tear_fill) {
    std::set<std::string> fills;
    for (uint64_t seed = 0; seed < kSeedCount; seed++) {
      SimFs disk({.seed = seed,
                  .atomic_sector = false,
                  .random_tear_fill = random_tear_fill,
                  .crash_model = CrashModel::kPrefix});
      WriteDurable(disk, "/f", Repeat('\xAA', 512));
      auto file = OpenExisting(disk, "/f");
      EXPECT_TRUE(file->WriteAt(0, Bytes(Repeat('\x55', 512))).ok());
      disk.Crash();
      std::string after = Contents(disk, "/f");
      EXPECT_EQ(after.size(), 512u);
      // New bytes form a prefix; the rest is one kind of filler.
      size_t cut = after.find_first_not_of('\x55');
      if (cut == std::string::npos) {
        fills.insert("whole");
        continue;
      }
      std::string rest = after.substr(cut);
      if (rest == Repeat('\xAA', rest.size())) {
        fills.insert("old");
      } else if (rest == Repeat('\0', rest.size())) {
        fills.insert("zero");
      } else {
        fills.insert("random");
      }
    }
    return fills;
  }
};

TEST_F(SimTearTest, TornSectorHoldsOldZeroOrRandomBytes) {
  // The one-sector write persisted whole, or not at all (old), or was torn:
  // a prefix of it, then old bytes, zeros or random bytes.
  EXPECT_EQ(TornSectorFills(true), (std::set<std::string>{"old", "random", "whole", "zero"}));
}

TEST_F(SimTearTest, TornSectorWithoutRandomFillHoldsOldOrZeroBytes) {
  EXPECT_EQ(TornSectorFills(false), (std::set<std::string>{"old", "whole", "zero"}));
}

TEST_F(SimFsTest, AtomicSectorNeverTears) {
  for (CrashModel model : {CrashModel::kPrefix, CrashModel::kReorder}) {
    std::set<char> seen;
    for (uint64_t seed = 0; seed < kSeedCount; seed++) {
      SimFs disk({.seed = seed, .atomic_sector = true, .crash_model = model});
      WriteDurable(disk, "/f", Repeat('o', 8 * 512));
      auto file = OpenExisting(disk, "/f");
      ASSERT_TRUE(file->WriteAt(0, Bytes(Repeat('n', 8 * 512))).ok());
      disk.Crash();
      std::string after = Contents(disk, "/f");
      ASSERT_EQ(after.size(), 8u * 512);
      for (size_t sector = 0; sector < 8; sector++) {
        std::string bytes = after.substr(sector * 512, 512);
        ASSERT_TRUE(bytes == Repeat('o', 512) || bytes == Repeat('n', 512))
            << CrashModelName(model) << " seed " << seed << " sector " << sector;
        seen.insert(bytes[0]);
      }
    }
    EXPECT_EQ(seen, (std::set<char>{'n', 'o'})) << CrashModelName(model);
  }
}

TEST_F(SimFsTest, AppendSizeCanPersistWithoutData) {
  for (bool size_before_data : {true, false}) {
    std::set<std::string> outcomes;
    for (uint64_t seed = 0; seed < kSeedCount; seed++) {
      SimFs disk(
          {.seed = seed, .crash_model = CrashModel::kPrefix, .size_before_data = size_before_data});
      WriteDurable(disk, "/f", Repeat('d', 512));
      auto file = OpenExisting(disk, "/f");
      ASSERT_TRUE(file->Append(Bytes(Repeat('x', 512))).ok());
      disk.Crash();
      std::string after = Contents(disk, "/f");
      ASSERT_EQ(after.substr(0, 512), Repeat('d', 512)) << "seed " << seed;
      std::string tail = after.substr(512);
      if (tail.empty()) {
        outcomes.insert("lost");
      } else if (tail == Repeat('x', 512)) {
        outcomes.insert("kept");
      } else {
        ASSERT_EQ(tail, Repeat('\0', 512)) << "seed " << seed;
        outcomes.insert("size_only");
      }
    }
    std::set<std::string> expected{"kept", "lost"};
    if (size_before_data) expected.insert("size_only");
    EXPECT_EQ(outcomes, expected) << "size_before_data=" << size_before_data;
  }
}

TEST_F(SimFsTest, DirectoryEntriesPersistAsPrefix) {
  const std::vector<std::string> names = {"c", "a", "d", "b"};  // creation order
  std::set<size_t> kept_counts;
  for (uint64_t seed = 0; seed < kSeedCount; seed++) {
    SimFs disk({.seed = seed, .crash_model = CrashModel::kPrefix});
    for (const std::string& name : names) ASSERT_NE(Create(disk, "/" + name), nullptr);
    disk.Crash();
    size_t kept = 0;
    while (kept < names.size() && Exists(disk, "/" + names[kept])) kept++;
    for (size_t index = kept; index < names.size(); index++) {
      EXPECT_FALSE(Exists(disk, "/" + names[index])) << "seed " << seed;
    }
    kept_counts.insert(kept);
  }
  EXPECT_EQ(kept_counts, (std::set<size_t>{0, 1, 2, 3, 4}));
}

TEST_F(SimFsTest, OpenHandleFollowsRename) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/a", "");
  auto file = OpenExisting(disk, "/a");
  ASSERT_TRUE(disk.Rename("/a", "/b").ok());
  EXPECT_TRUE(file->Append(Bytes("moved")).ok());
  EXPECT_TRUE(file->SyncData().ok());
  EXPECT_EQ(Contents(disk, "/b"), "moved");
  EXPECT_EQ(Contents(disk, "/a"), "<missing>");
  ASSERT_TRUE(disk.SyncDir("/").ok());
  disk.Crash();
  EXPECT_EQ(Contents(disk, "/b"), "moved");
}

TEST_F(SimFsTest, RemovedOpenFileIsUnreachable) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "old");
  auto file = OpenExisting(disk, "/f");
  ASSERT_TRUE(disk.Remove("/f").ok());
  ASSERT_TRUE(disk.SyncDir("/").ok());
  EXPECT_TRUE(file->WriteAt(0, Bytes("new")).ok());  // goes to the orphan
  EXPECT_TRUE(file->SyncData().ok());
  EXPECT_FALSE(Exists(disk, "/f"));
  disk.Crash();
  EXPECT_FALSE(Exists(disk, "/f"));
  EXPECT_TRUE(disk.List("/").value().empty());
}

TEST_F(SimFsTest, PendingLimitWritesBackOldestHalf) {
  SimFs disk(Perfect());
  disk.set_trace_enabled(true);
  WriteDurable(disk, "/f", "");
  auto file = OpenExisting(disk, "/f");
  for (size_t index = 0; index <= SimFs::kPendingOpsMax; index++) {
    ASSERT_TRUE(file->Append(Bytes("x")).ok());
  }
  // The page cache wrote back on its own: half of the appends are durable.
  EXPECT_EQ(disk.ReadDurable("/f").value().size(), (SimFs::kPendingOpsMax + 2) / 2);
  bool traced = false;
  for (const std::string& line : disk.trace())
    traced |= line.find(" writeback ") != std::string::npos;
  EXPECT_TRUE(traced);
}

// Inspection: the first non-zero live byte, with no operation issued.
TEST_F(SimFsTest, FirstNonZeroLiveByteSeesUnsyncedBytesAndIssuesNoOperation) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", std::string(9000, '\0'));
  auto file = OpenExisting(disk, "/f");
  ASSERT_TRUE(file->WriteAt(8193, Bytes("x")).ok());  // live only, third page
  const uint64_t ops = disk.op_count();
  EXPECT_EQ(disk.FirstNonZeroLiveByte("/f", 0).value(), std::optional<uint64_t>(8193));
  EXPECT_EQ(disk.FirstNonZeroLiveByte("/f", 8194).value(), std::nullopt);
  EXPECT_EQ(disk.FirstNonZeroLiveByte("/f", 20000).value(), std::nullopt) << "past the end";
  EXPECT_EQ(disk.op_count(), ops);
  EXPECT_TRUE(disk.FirstNonZeroLiveByte("/missing", 0).status().Is(StatusCode::kNotFound));
}

// Write-unit audit: a write that continues one ending inside a unit, with no
// sync between, is recorded; an aligned end, a sync or a truncate end the run.
TEST_F(SimFsTest, WriteUnitAuditRecordsAContinuationOfASplitUnit) {
  SimFs disk(Perfect());
  disk.set_write_unit_audit(4096);
  auto file = Create(disk, "/f");
  ASSERT_TRUE(file->WriteAt(0, Bytes(std::string(100, 'a'))).ok());
  ASSERT_TRUE(file->WriteAt(100, Bytes(std::string(3996, 'b'))).ok());  // continues at 100
  ASSERT_TRUE(file->WriteAt(4096, Bytes(std::string(10, 'c'))).ok());   // after an aligned end
  std::vector<SimFs::UnitSplit> splits = disk.TakeUnitSplits();
  ASSERT_EQ(splits.size(), 1u);
  EXPECT_EQ(splits[0].path, "/f");
  EXPECT_EQ(splits[0].earlier_end_offset, 100u);
  EXPECT_EQ(splits[0].next_offset, 100u);
  ASSERT_TRUE(file->SyncData().ok());
  ASSERT_TRUE(file->WriteAt(4106, Bytes("d")).ok());  // after a sync: a new run
  ASSERT_TRUE(file->Truncate(4107).ok());
  ASSERT_TRUE(file->WriteAt(4107, Bytes("e")).ok());  // after a truncate: a new run
  ASSERT_TRUE(file->WriteAt(0, Bytes("f")).ok());     // not a continuation
  EXPECT_TRUE(disk.TakeUnitSplits().empty());
}

TEST_F(SimFsTest, WriteUnitAuditIsOffByDefault) {
  SimFs disk(Perfect());
  auto file = Create(disk, "/f");
  ASSERT_TRUE(file->WriteAt(0, Bytes("ab")).ok());
  ASSERT_TRUE(file->WriteAt(2, Bytes("cd")).ok());
  EXPECT_TRUE(disk.TakeUnitSplits().empty());
}

}  // namespace
}  // namespace walsim::sim::testing
