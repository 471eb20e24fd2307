// Timings, printed, never asserted: the same SQLite and LevelDB workloads on
// SimFs and on PosixFs (a temporary directory, real fsync), and the seeds/s
// of both crash loops. DISABLED_ so that ctest never runs them; run with
//   TMPDIR=/work/tmp build/default/tests/engines/engine_speed_test
//     --gtest_also_run_disabled_tests   (one command line)
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "base/rng.h"
#include "engines/leveldb/leveldb_env.h"
#include "engines/sqlite/sqlite_vfs.h"
#include "scenarios/targets/leveldb_target.h"
#include "scenarios/targets/sqlite_target.h"
#include "tests/engines/engine_test_env.h"

namespace walsim::engines {
namespace {

using testing::Backend;
using testing::EngineDisk;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// 300 transactions of 5 inserts of 500 B, synchronous=FULL, DELETE mode.
double SqliteWorkloadSeconds(Backend backend) {
  EngineDisk disk(backend);
  SqliteVfsOptions options;
  options.name = "walsim-speed";
  options.temp_dir = disk.root();
  SqliteVfs vfs(disk.fs(), options);
  EXPECT_TRUE(vfs.Register().ok());
  sqlite3* db = nullptr;
  const std::string path = disk.root() + "/speed.db";
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            "walsim-speed"),
            SQLITE_OK);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA synchronous=FULL; CREATE TABLE t(k INTEGER PRIMARY KEY, v)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  for (int txn = 0; txn < 300; txn++) {
    std::string sql = "BEGIN;";
    for (int i = 0; i < 5; i++) {
      sql += "INSERT INTO t(v) VALUES(randomblob(500));";
    }
    sql += "COMMIT;";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }
  const double seconds = SecondsSince(start);
  sqlite3_close(db);
  return seconds;
}

// 3000 puts of 500 B with sync=true, then 3000 without.
double LevelDbWorkloadSeconds(Backend backend) {
  EngineDisk disk(backend);
  LevelDbEnv env(disk.fs(), {});
  leveldb::Options options;
  options.env = &env;
  options.create_if_missing = true;
  leveldb::DB* raw = nullptr;
  EXPECT_TRUE(leveldb::DB::Open(options, disk.root() + "/db", &raw).ok());
  std::unique_ptr<leveldb::DB> db(raw);
  Rng rng(1);
  std::string value(500, 'v');
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6000; i++) {
    leveldb::WriteOptions write_options;
    write_options.sync = i < 3000;
    EXPECT_TRUE(db->Put(write_options, std::to_string(rng.Below(100000)), value).ok());
    (void)env.RunScheduled(100000);
  }
  const double seconds = SecondsSince(start);
  (void)env.RunScheduled(100000);
  db.reset();
  return seconds;
}

TEST(EngineSpeed, DISABLED_SimFsVersusPosixFs) {
  const double sqlite_posix = SqliteWorkloadSeconds(Backend::kPosix);
  const double sqlite_sim = SqliteWorkloadSeconds(Backend::kSim);
  const double leveldb_posix = LevelDbWorkloadSeconds(Backend::kPosix);
  const double leveldb_sim = LevelDbWorkloadSeconds(Backend::kSim);
  std::printf("sqlite  300 FULL txns: posix %.3f s, sim %.3f s, speed-up %.1fx\n", sqlite_posix,
              sqlite_sim, sqlite_posix / sqlite_sim);
  std::printf("leveldb 3000 sync + 3000 puts: posix %.3f s, sim %.3f s, speed-up %.1fx\n",
              leveldb_posix, leveldb_sim, leveldb_posix / leveldb_sim);
}

TEST(EngineSpeed, DISABLED_CrashLoopSeedsPerSecond) {
  constexpr uint64_t kSeeds = 200;
  auto start = std::chrono::steady_clock::now();
  for (uint64_t seed = 1; seed <= kSeeds; seed++) (void)targets::RunSqliteSeed(seed, {});
  std::printf("sqlite loop (DELETE/FULL, 3 crashes/seed): %.0f seeds/s\n",
              kSeeds / SecondsSince(start));
  start = std::chrono::steady_clock::now();
  for (uint64_t seed = 1; seed <= kSeeds / 10; seed++) (void)targets::RunLevelDbSeed(seed, {});
  std::printf("leveldb loop (sync=true, 3 crashes/seed): %.1f seeds/s\n",
              (kSeeds / 10) / SecondsSince(start));
}

// The tables of docs/engines.md, "Results": every SQLite setting over seeds
// 1..200 and LevelDB at three sync probabilities over seeds 1..20.
TEST(EngineSpeed, DISABLED_SqliteEverySettingSweep) {
  using targets::SqliteJournalMode;
  using targets::SqliteSynchronous;
  for (int mode = 0; mode < 4; mode++) {
    for (int sync = 0; sync < 4; sync++) {
      targets::SqliteTargetOptions options;
      options.journal_mode = static_cast<SqliteJournalMode>(mode);
      options.synchronous = static_cast<SqliteSynchronous>(sync);
      uint64_t verdicts[4] = {}, lost = 0, corrupt = 0;
      const auto start = std::chrono::steady_clock::now();
      for (uint64_t seed = 1; seed <= 200; seed++) {
        const targets::EngineOutcome outcome = targets::RunSqliteSeed(seed, options);
        verdicts[static_cast<int>(outcome.verdict)]++;
        lost += outcome.lost_acked_unit_count;
        corrupt += outcome.corrupt_recovery_count;
      }
      std::printf(
          "%-8s %-6s pass=%llu allowed=%llu violation=%llu harness=%llu lost=%llu "
          "corrupt=%llu seeds/s=%.0f\n",
          targets::SqliteJournalModeName(options.journal_mode),
          targets::SqliteSynchronousName(options.synchronous),
          static_cast<unsigned long long>(verdicts[0]),
          static_cast<unsigned long long>(verdicts[1]),
          static_cast<unsigned long long>(verdicts[2]),
          static_cast<unsigned long long>(verdicts[3]), static_cast<unsigned long long>(lost),
          static_cast<unsigned long long>(corrupt), 200 / SecondsSince(start));
    }
  }
}

TEST(EngineSpeed, DISABLED_LevelDbSyncSweep) {
  for (double sync_probability : {1.0, 0.5, 0.0}) {
    targets::LevelDbTargetOptions options;
    options.sync_probability = sync_probability;
    uint64_t verdicts[4] = {}, unsynced = 0, not_prefix = 0, paranoid = 0, corrupt = 0;
    int deepest = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
      const targets::EngineOutcome outcome = targets::RunLevelDbSeed(seed, options);
      verdicts[static_cast<int>(outcome.verdict)]++;
      unsynced += outcome.unsynced_loss_count;
      not_prefix += outcome.not_prefix_count;
      paranoid += outcome.paranoid_refusal_count;
      corrupt += outcome.corrupt_recovery_count;
      deepest = std::max(deepest, outcome.deepest_level);
      for (const std::string& event : outcome.events) {
        if (event.starts_with("violation")) {
          std::printf("  seed %llu: %s\n", static_cast<unsigned long long>(seed), event.c_str());
        }
      }
    }
    std::printf(
        "sync=%.1f pass=%llu allowed=%llu violation=%llu harness=%llu "
        "unsynced_prefix_loss=%llu not_prefix=%llu paranoid_refusals=%llu corrupt=%llu "
        "deepest_level=%d\n",
        sync_probability, static_cast<unsigned long long>(verdicts[0]),
        static_cast<unsigned long long>(verdicts[1]), static_cast<unsigned long long>(verdicts[2]),
        static_cast<unsigned long long>(verdicts[3]), static_cast<unsigned long long>(unsynced),
        static_cast<unsigned long long>(not_prefix), static_cast<unsigned long long>(paranoid),
        static_cast<unsigned long long>(corrupt), deepest);
  }
}

}  // namespace
}  // namespace walsim::engines
