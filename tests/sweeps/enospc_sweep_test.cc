// ENOSPC at every point: a WAL workload (Saves that cross three Cuts) and a
// LogStore workload (StoreLogs over several segments) run on SimFs disks of
// every capacity from too small to create the store up to enough for the
// whole workload, in 64-byte steps, so the disk fills at every point of
// Create, Save, Cut and StoreLogs. After the first failure the handle is
// dropped; the store must then reopen (Repair allowed for a WAL torn tail)
// holding every acknowledged entry, in place and after a clean crash.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/log.h"
#include "logstore/segment_store.h"
#include "sim/sim_fs.h"
#include "tests/logstore/logstore_test_util.h"
#include "wal/wal.h"

namespace walsim {
namespace {

constexpr uint64_t kCapacityStepBytes = 64;

wal::WalOptions WalQuiet() {
  wal::WalOptions options;
  options.logger = NullLogger();
  options.segment_size_bytes = 2048;
  return options;
}

// Saves until the first failure; returns the entries acknowledged.
uint64_t RunWal(sim::SimFs& fs) {
  auto created = wal::Wal::Create(fs, "/w", "m", WalQuiet());
  if (!created.ok()) return 0;
  uint64_t acknowledged = 0;
  for (uint64_t index = 1; index <= 60; index += 2) {
    std::vector<wal::Entry> entries = {
        {1, index, wal::EntryType::kNormal, std::string(40, 'e')},
        {1, index + 1, wal::EntryType::kNormal, std::string(40, 'f')}};
    if (!(*created)->Save(wal::HardState{1, 1, index}, entries).ok()) break;
    acknowledged = index + 1;
  }
  (void)(*created)->Close();
  return acknowledged;
}

// The entries a read-only open sees (it writes nothing, so needs no space).
Result<uint64_t> ReadOnlyEntries(sim::SimFs& fs) {
  WALSIM_ASSIGN_OR_RETURN(auto opened, wal::Wal::OpenForRead(fs, "/w", {}, WalQuiet()));
  WALSIM_ASSIGN_OR_RETURN(wal::ReadAllResult read, opened->ReadAll());
  return read.entries.size();
}

// Reopens for writing (repairing a torn tail); returns the entry count or the
// error.
Result<uint64_t> ReopenWal(sim::SimFs& fs) {
  for (int attempt = 0; attempt < 2; attempt++) {
    WALSIM_ASSIGN_OR_RETURN(auto opened, wal::Wal::Open(fs, "/w", {}, WalQuiet()));
    Result<wal::ReadAllResult> read = opened->ReadAll();
    if (read.ok()) {
      WALSIM_RETURN_IF_ERROR(opened->Close());
      return read->entries.size();
    }
    if (wal::WalErrorOf(read.status()) != wal::WalError::kTornTail || attempt > 0) {
      return read.status();
    }
    opened.reset();
    WALSIM_RETURN_IF_ERROR(wal::Repair(fs, "/w", WalQuiet()).status());
  }
  WALSIM_UNREACHABLE();
}

// Reopening for writing rewrites the tail's valid bytes into a copy
// (Wal::ReplaceTail, for fsyncgate): on a disk with less free space than the
// tail's valid bytes it fails with kNoSpace, changing nothing. Then a
// read-only open must still see every acknowledged entry; such capacities are
// counted and reported (docs/reliability.md).
void CheckWalReopens(sim::SimFs& fs, uint64_t acknowledged, uint64_t capacity,
                     uint64_t* no_space_count) {
  Result<uint64_t> reopened = ReopenWal(fs);
  if (!reopened.ok() && reopened.status().Is(StatusCode::kNoSpace)) {
    (*no_space_count)++;
    reopened = ReadOnlyEntries(fs);
  }
  ASSERT_TRUE(reopened.ok()) << "capacity " << capacity << ": " << reopened.status().ToString();
  EXPECT_GE(*reopened, acknowledged) << "capacity " << capacity;
}

TEST(EnospcSweepTest, AWalFullAtAnyPointReopensWithEveryAcknowledgedEntry) {
  uint64_t runs = 0;
  uint64_t never_created = 0;
  uint64_t no_space_count = 0;
  for (uint64_t capacity = 1024; capacity <= 12 * 1024; capacity += kCapacityStepBytes) {
    sim::SimFs fs(sim::SimOptions{.seed = capacity, .capacity_bytes = capacity});
    const uint64_t acknowledged = RunWal(fs);
    if (!wal::Exists(fs, "/w")) {
      never_created++;
      continue;
    }
    runs++;
    CheckWalReopens(fs, acknowledged, capacity, &no_space_count);
    fs.Crash(sim::CrashModel::kClean);
    CheckWalReopens(fs, acknowledged, capacity, &no_space_count);
  }
  std::printf(
      "enospc wal: %lu capacities, %lu too small to create, %lu reopens for writing refused "
      "with kNoSpace (read-only view complete)\n",
      runs, never_created, no_space_count);
  EXPECT_GT(runs, 100u);
}

logstore::SegmentStoreOptions StoreQuiet() {
  logstore::SegmentStoreOptions options;
  options.logger = NullLogger();
  options.segment_size_bytes = 4 * 512;
  options.write_alignment_bytes = 512;
  return options;
}

TEST(EnospcSweepTest, ALogStoreFullAtAnyPointReopensWithEveryAcknowledgedEntry) {
  uint64_t runs = 0;
  for (uint64_t capacity = 512; capacity <= 16 * 1024; capacity += kCapacityStepBytes) {
    sim::SimFs fs(sim::SimOptions{.seed = capacity, .capacity_bytes = capacity});
    uint64_t acknowledged = 0;
    {
      auto store = logstore::SegmentStore::Open(fs, "/log", StoreQuiet());
      if (!store.ok()) continue;
      for (uint64_t first = 1; first <= 40; first += 2) {
        if (!(*store)->StoreLogs(logstore::testing::MakeBatch(first, 2, 1)).ok()) break;
        acknowledged = first + 1;
      }
    }
    runs++;
    for (int round = 0; round < 2; round++) {
      auto store = logstore::SegmentStore::Open(fs, "/log", StoreQuiet());
      ASSERT_TRUE(store.ok()) << "capacity " << capacity << " round " << round << ": "
                              << store.status().ToString();
      EXPECT_GE((*store)->LastIndex().value(), acknowledged) << "capacity " << capacity;
      std::vector<logstore::Log> expected = logstore::testing::MakeBatch(1, acknowledged, 1);
      std::vector<logstore::Log> logs = logstore::testing::ReadAll(**store);
      logs.resize(std::min(logs.size(), expected.size()));
      EXPECT_EQ(logs, expected) << "capacity " << capacity;
      ASSERT_TRUE((*store)->Close().ok());
      fs.Crash(sim::CrashModel::kClean);
    }
  }
  std::printf("enospc logstore: %lu capacities reopened\n", runs);
  EXPECT_GT(runs, 100u);
}

}  // namespace
}  // namespace walsim
