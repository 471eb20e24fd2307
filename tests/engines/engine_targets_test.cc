// The engine crash loops (scenarios/targets/): with the safe settings a
// short fixed seed range finds no violation; with synchronous=OFF the SQLite
// loop finds a lost commit or corruption (the loop has the power to fail).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <span>

#include "faults/crash_point_fs.h"
#include "scenarios/targets/leveldb_target.h"
#include "scenarios/targets/sqlite_target.h"
#include "sim/sim_fs.h"

namespace walsim::targets {
namespace {

constexpr uint64_t kSafeSeedCount = 12;

std::span<const uint8_t> Bytes(const char* text) {
  return {reinterpret_cast<const uint8_t*>(text), std::strlen(text)};
}

// After the trip point nothing reaches the inner disk, through the wrapper
// or through files opened before; Reset restores the power.
TEST(CrashPointFsTest, AfterTheTripNothingReachesTheInnerDisk) {
  sim::SimFs disk(sim::SimOptions{});
  faults::CrashPointFs power(disk);
  auto file = power.Open("/f", {.create = true});
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append(Bytes("before")).ok());
  power.set_trip_at_op_index(power.op_index() + 1);  // the op after next fails
  ASSERT_TRUE((*file)->Append(Bytes("-last")).ok());
  const uint64_t inner_ops = disk.op_count();
  EXPECT_TRUE((*file)->Append(Bytes("-lost")).Is(StatusCode::kIoError));
  EXPECT_TRUE(power.tripped());
  EXPECT_TRUE(power.Remove("/f").Is(StatusCode::kIoError));
  EXPECT_TRUE(power.SyncDir("/").Is(StatusCode::kIoError));
  EXPECT_FALSE(power.Open("/g", {.create = true}).ok());
  EXPECT_EQ(disk.op_count(), inner_ops);
  power.Reset();
  auto size = disk.Stat("/f");
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->size_bytes, std::strlen("before-last"));
  EXPECT_TRUE(power.Stat("/f").ok());
}

void ExpectNoViolation(const EngineOutcome& outcome, const std::string& setting) {
  EXPECT_NE(outcome.verdict, EngineVerdict::kViolation)
      << setting << " seed " << outcome.seed << ": " << outcome.detail;
  EXPECT_NE(outcome.verdict, EngineVerdict::kHarnessError)
      << setting << " seed " << outcome.seed << ": " << outcome.detail;
}

TEST(SqliteTargetTest, FullSyncInEveryJournalModeKeepsItsPromise) {
  for (SqliteJournalMode mode : {SqliteJournalMode::kDelete, SqliteJournalMode::kTruncate,
                                 SqliteJournalMode::kPersist, SqliteJournalMode::kWal}) {
    SqliteTargetOptions options;
    options.journal_mode = mode;
    options.synchronous = SqliteSynchronous::kFull;
    uint64_t acked = 0, crashes = 0;
    for (uint64_t seed = 1; seed <= kSafeSeedCount; seed++) {
      const EngineOutcome outcome = RunSqliteSeed(seed, options);
      ExpectNoViolation(outcome, SqliteJournalModeName(mode));
      acked += outcome.acked_unit_count;
      crashes += outcome.crash_count;
    }
    EXPECT_EQ(crashes, kSafeSeedCount * options.crash_count);
    EXPECT_GT(acked, kSafeSeedCount);  // the workload did commit
  }
}

TEST(SqliteTargetTest, SameSeedSameTraceHash) {
  SqliteTargetOptions options;
  options.journal_mode = SqliteJournalMode::kWal;
  const EngineOutcome first = RunSqliteSeed(3, options);
  const EngineOutcome again = RunSqliteSeed(3, options);
  EXPECT_EQ(first.trace_hash, again.trace_hash);
  EXPECT_EQ(first.acked_unit_count, again.acked_unit_count);
  EXPECT_NE(RunSqliteSeed(4, options).trace_hash, first.trace_hash);
}

TEST(SqliteTargetTest, SynchronousOffLosesCommitsOrCorruptsWithinAThousandSeeds) {
  for (SqliteJournalMode mode : {SqliteJournalMode::kDelete, SqliteJournalMode::kTruncate,
                                 SqliteJournalMode::kPersist, SqliteJournalMode::kWal}) {
    SqliteTargetOptions options;
    options.journal_mode = mode;
    options.synchronous = SqliteSynchronous::kOff;
    uint64_t found_at_seed = 0;
    for (uint64_t seed = 1; seed <= 1000 && found_at_seed == 0; seed++) {
      const EngineOutcome outcome = RunSqliteSeed(seed, options);
      ASSERT_NE(outcome.verdict, EngineVerdict::kViolation)
          << outcome.detail;  // OFF promises nothing
      ASSERT_NE(outcome.verdict, EngineVerdict::kHarnessError) << outcome.detail;
      if (outcome.lost_acked_unit_count > 0 || outcome.corrupt_recovery_count > 0) {
        found_at_seed = seed;
        EXPECT_EQ(outcome.verdict, EngineVerdict::kAllowedLoss);
        std::printf("synchronous=OFF %s: first loss at seed %llu: %s\n",
                    SqliteJournalModeName(mode), static_cast<unsigned long long>(seed),
                    outcome.detail.c_str());
      }
    }
    EXPECT_NE(found_at_seed, 0u) << SqliteJournalModeName(mode);
  }
}

// LevelDB with sync=true: recoveries always open (paranoid_checks=false),
// hold only written values, and are prefixes of the writes. A synced write
// CAN be lost: docs/findings.md (LevelDB never syncs the directory after
// creating a new log file; google/leveldb#196); the count is printed.
TEST(LevelDbTargetTest, SyncTrueRecoversOpenExactPrefixes) {
  LevelDbTargetOptions options;
  options.sync_probability = 1.0;
  options.writes_per_life_max = 150;
  uint64_t synced_losses = 0;
  for (uint64_t seed = 1; seed <= 6; seed++) {
    const EngineOutcome outcome = RunLevelDbSeed(seed, options);
    EXPECT_NE(outcome.verdict, EngineVerdict::kHarnessError) << outcome.detail;
    EXPECT_EQ(outcome.corrupt_recovery_count, 0u) << "seed " << seed << ": " << outcome.detail;
    EXPECT_EQ(outcome.not_prefix_count, 0u) << "seed " << seed << ": " << outcome.detail;
    EXPECT_EQ(outcome.crash_count, options.crash_count);
    if (outcome.verdict == EngineVerdict::kViolation) synced_losses++;
  }
  std::printf("LevelDB sync=true: %llu of 6 seeds lost a synced write (docs/findings.md)\n",
              static_cast<unsigned long long>(synced_losses));
}

// The finding of docs/findings.md, kept as a regression test: seed 2 loses
// a write acknowledged with sync=true, written into a log file whose
// directory entry LevelDB never synced.
TEST(LevelDbTargetTest, SyncedWriteIntoANewLogFileIsLostWithItsDirectoryEntry) {
  LevelDbTargetOptions options;
  options.sync_probability = 1.0;
  const EngineOutcome outcome = RunLevelDbSeed(2, options);
  EXPECT_EQ(outcome.verdict, EngineVerdict::kViolation);
  EXPECT_NE(outcome.detail.find("but a sync=true write acknowledged"), std::string::npos)
      << outcome.detail;
}

TEST(LevelDbTargetTest, SameSeedSameTraceHash) {
  LevelDbTargetOptions options;
  options.sync_probability = 0.5;
  options.writes_per_life_max = 100;
  const EngineOutcome first = RunLevelDbSeed(9, options);
  EXPECT_EQ(RunLevelDbSeed(9, options).trace_hash, first.trace_hash);
  EXPECT_NE(RunLevelDbSeed(10, options).trace_hash, first.trace_hash);
}

}  // namespace
}  // namespace walsim::targets
