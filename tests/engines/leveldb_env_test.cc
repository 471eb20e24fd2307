// LevelDbEnv (engines/leveldb/leveldb_env.h): LevelDB 1.23, unmodified, on
// PosixFs and SimFs: reads back what it wrote, across reopen and through
// flushes and compactions into deeper levels; fs:: errors reach the caller;
// a seeded workload on SimFs replays to the same trace hash; the lockstep
// hazards abort with a message instead of hanging.
#include "engines/leveldb/leveldb_env.h"

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <cstdint>
#include <memory>
#include <string>

#include "base/rng.h"
#include "tests/engines/engine_test_env.h"

namespace walsim::engines {
namespace {

using testing::Backend;
using testing::EngineDisk;

constexpr size_t kDrainItemsMax = 100000;

std::string Key(uint64_t index) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "key%012llu", static_cast<unsigned long long>(index));
  return buffer;
}

// Incompressible bytes, so that tables reach their size limits.
std::string Value(Rng& rng, size_t size_bytes) {
  std::string out(size_bytes, '\0');
  rng.Fill({reinterpret_cast<uint8_t*>(out.data()), out.size()});
  return out;
}

// Small memtables and tables, so a few MiB reach level 2.
leveldb::Options SmallOptions(LevelDbEnv& env) {
  leveldb::Options options;
  options.env = &env;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 10;  // LevelDB's minimum
  options.max_file_size = 1 << 20;       // LevelDB's minimum
  options.paranoid_checks = true;
  return options;
}

// A DB on a LevelDbEnv; drains the Env's queue after every operation and
// before deleting the DB (whose destructor waits for scheduled work).
class Store {
 public:
  Store(LevelDbEnv& env, const std::string& path, leveldb::Options options) : env_(env) {
    leveldb::DB* db = nullptr;
    status_ = leveldb::DB::Open(options, path, &db);
    db_.reset(db);
    Drain();
  }
  ~Store() { Close(); }
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  void Close() {
    Drain();
    db_.reset();
  }
  void Drain() { EXPECT_LT(env_.RunScheduled(kDrainItemsMax), kDrainItemsMax); }
  const leveldb::Status& open_status() const { return status_; }
  leveldb::DB* db() { return db_.get(); }
  leveldb::Status Put(const std::string& key, const std::string& value, bool sync) {
    leveldb::WriteOptions options;
    options.sync = sync;
    leveldb::Status s = db_->Put(options, key, value);
    Drain();
    return s;
  }
  std::string Get(const std::string& key) {
    std::string value;
    leveldb::Status s = db_->Get(leveldb::ReadOptions(), key, &value);
    Drain();
    return s.ok() ? value : "<" + s.ToString() + ">";
  }
  int FilesAtLevel(int level) {
    std::string value;
    EXPECT_TRUE(db_->GetProperty("leveldb.num-files-at-level" + std::to_string(level), &value));
    return std::stoi(value);
  }

 private:
  LevelDbEnv& env_;
  leveldb::Status status_;
  std::unique_ptr<leveldb::DB> db_;
};

class LevelDbEnvTest : public ::testing::TestWithParam<Backend> {};

TEST_P(LevelDbEnvTest, WritesReadBackAndSurviveReopen) {
  EngineDisk disk(GetParam());
  LevelDbEnv env(disk.fs(), {.info_log_to_file = true});
  const std::string path = disk.root() + "/db";
  {
    Store store(env, path, SmallOptions(env));
    ASSERT_TRUE(store.open_status().ok()) << store.open_status().ToString();
    ASSERT_TRUE(store.Put("a", "1", /*sync=*/true).ok());
    ASSERT_TRUE(store.Put("b", "2", /*sync=*/false).ok());
    leveldb::WriteBatch batch;
    batch.Put("c", "3");
    batch.Delete("a");
    ASSERT_TRUE(store.db()->Write(leveldb::WriteOptions(), &batch).ok());
    EXPECT_EQ(store.Get("b"), "2");
  }
  Store store(env, path, SmallOptions(env));
  ASSERT_TRUE(store.open_status().ok()) << store.open_status().ToString();
  EXPECT_EQ(store.Get("a"), "<NotFound: >");
  EXPECT_EQ(store.Get("b"), "2");
  EXPECT_EQ(store.Get("c"), "3");
  EXPECT_TRUE(env.FileExists(path + "/LOG"));
  // LevelDB probes (CreateDir of an existing directory, renaming a missing
  // LOG): those fail as expected; nothing else did.
  EXPECT_FALSE(env.last_error().Is(StatusCode::kIoError)) << env.last_error().ToString();
}

TEST_P(LevelDbEnvTest, FlushesAndCompactsThroughSeveralLevels) {
  EngineDisk disk(GetParam());
  LevelDbEnv env(disk.fs(), {});
  const std::string path = disk.root() + "/db";
  Rng rng(11);
  constexpr uint64_t kKeyCount = 12000;  // ~12 MiB of 1000-byte values: past level 1's 10 MiB
  {
    Store store(env, path, SmallOptions(env));
    ASSERT_TRUE(store.open_status().ok()) << store.open_status().ToString();
    for (uint64_t i = 0; i < kKeyCount; i++) {
      // Keys spread over the space, so compactions overlap.
      ASSERT_TRUE(store.Put(Key((i * 7919) % kKeyCount), Value(rng, 1000), false).ok());
    }
    EXPECT_GT(store.FilesAtLevel(2), 0);
    EXPECT_GT(env.scheduled_run_count(), 20u);
  }
  Store store(env, path, SmallOptions(env));
  ASSERT_TRUE(store.open_status().ok()) << store.open_status().ToString();
  std::unique_ptr<leveldb::Iterator> it(store.db()->NewIterator(leveldb::ReadOptions()));
  uint64_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    EXPECT_EQ(it->key().ToString(), Key(count));
    EXPECT_EQ(it->value().size(), 1000u);
    count++;
  }
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(count, kKeyCount);
  it.reset();
  // LevelDB probes (CreateDir of an existing directory, renaming a missing
  // LOG): those fail as expected; nothing else did.
  EXPECT_FALSE(env.last_error().Is(StatusCode::kIoError)) << env.last_error().ToString();
}

TEST_P(LevelDbEnvTest, SecondOpenOfALockedDbFails) {
  EngineDisk disk(GetParam());
  LevelDbEnv env(disk.fs(), {});
  const std::string path = disk.root() + "/db";
  Store first(env, path, SmallOptions(env));
  ASSERT_TRUE(first.open_status().ok());
  Store second(env, path, SmallOptions(env));
  EXPECT_TRUE(second.open_status().IsIOError()) << second.open_status().ToString();
  EXPECT_TRUE(env.last_error().Is(StatusCode::kBusy)) << env.last_error().ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, LevelDbEnvTest,
                         ::testing::Values(Backend::kPosix, Backend::kSim), testing::BackendName);

std::string LogFile(sim::SimFs& disk, const std::string& dir) {
  auto names = disk.List(dir);
  EXPECT_TRUE(names.ok());
  for (const std::string& name : *names) {
    if (name.ends_with(".log")) return dir + "/" + name;
  }
  return "";
}

TEST(LevelDbEnvErrorTest, SyncEioSurfacesAsAnIoErrorOfTheWrite) {
  EngineDisk disk(Backend::kSim);
  LevelDbEnv env(disk.fs(), {});
  const std::string path = disk.root() + "/db";
  Store store(env, path, SmallOptions(env));
  ASSERT_TRUE(store.open_status().ok());
  const std::string log = LogFile(*disk.sim(), path);
  ASSERT_FALSE(log.empty());
  disk.sim()->InjectSyncEio(log);
  leveldb::Status s = store.Put("k", "v", /*sync=*/true);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(env.last_error().Is(StatusCode::kIoError));
  // LevelDB fails stop: the next write reports the background error too.
  EXPECT_FALSE(store.Put("k2", "v", /*sync=*/false).ok());
}

TEST(LevelDbEnvErrorTest, WriteEioOfTheLogSurfacesAsAnIoError) {
  EngineDisk disk(Backend::kSim);
  LevelDbEnv env(disk.fs(), {.writable_buffer_bytes = 0});
  const std::string path = disk.root() + "/db";
  Store store(env, path, SmallOptions(env));
  ASSERT_TRUE(store.open_status().ok());
  disk.sim()->InjectWriteEio(LogFile(*disk.sim(), path));
  leveldb::Status s = store.Put("k", "v", /*sync=*/false);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(env.last_error().Is(StatusCode::kIoError));
}

TEST(LevelDbEnvErrorTest, MissingDbWithoutCreateIsAnError) {
  EngineDisk disk(Backend::kSim);
  LevelDbEnv env(disk.fs(), {});
  leveldb::Options options = SmallOptions(env);
  options.create_if_missing = false;
  Store store(env, disk.root() + "/absent", options);
  EXPECT_TRUE(store.open_status().IsInvalidArgument()) << store.open_status().ToString();
}

// A seeded workload (puts of many sizes, batches, deletes, sync and not)
// with flushes and compactions, on a fresh SimFs; returns its trace hash.
uint64_t SeededRunTraceHash(uint64_t seed) {
  sim::SimOptions sim_options;
  sim_options.seed = seed;
  EngineDisk disk(Backend::kSim, sim_options);
  LevelDbEnv env(disk.fs(), {.info_log_to_file = true});
  Rng rng(seed);
  {
    Store store(env, disk.root() + "/db", SmallOptions(env));
    EXPECT_TRUE(store.open_status().ok());
    for (int i = 0; i < 600; i++) {
      const std::string key = Key(rng.Below(300));
      if (rng.Chance(0.2)) {
        EXPECT_TRUE(store.db()->Delete(leveldb::WriteOptions(), key).ok());
      } else {
        EXPECT_TRUE(store.Put(key, Value(rng, rng.Between(1, 4000)), rng.Chance(0.1)).ok());
      }
      store.Drain();
    }
  }
  return disk.sim()->trace_hash();
}

TEST(LevelDbEnvDeterminismTest, SameSeedSameTraceHash) {
  const uint64_t first = SeededRunTraceHash(5);
  EXPECT_EQ(SeededRunTraceHash(5), first);
  EXPECT_NE(SeededRunTraceHash(6), first);  // the hash does depend on the workload
}

TEST(LevelDbEnvDeathTest, WaitingForQueuedWorkAbortsWithAMessage) {
  EXPECT_DEATH(
      {
        EngineDisk disk(Backend::kSim);
        LevelDbEnv env(disk.fs(), {});
        leveldb::Options options = SmallOptions(env);
        leveldb::DB* db = nullptr;
        if (!leveldb::DB::Open(options, disk.root() + "/db", &db).ok()) return;
        Rng rng(1);
        // Never running the queue: the second full memtable waits on the first.
        for (int i = 0; i < 1000; i++) (void)db->Put({}, Key(i), Value(rng, 1000));
      },
      "about to wait for background work");
}

TEST(LevelDbEnvDeathTest, StartThreadAborts) {
  EngineDisk disk(Backend::kSim);
  LevelDbEnv env(disk.fs(), {});
  EXPECT_DEATH(env.StartThread([](void*) {}, nullptr), "StartThread called");
}

TEST(LevelDbEnvClockTest, SleepAdvancesTheClockAndRunsTheQueue) {
  EngineDisk disk(Backend::kSim);
  LevelDbEnv env(disk.fs(), {.clock_start_us = 100, .now_step_us = 2});
  EXPECT_EQ(env.NowMicros(), 100u);
  EXPECT_EQ(env.NowMicros(), 102u);
  int ran = 0;
  env.Schedule([](void* arg) { ++*static_cast<int*>(arg); }, &ran);
  EXPECT_EQ(env.scheduled_count(), 1u);
  EXPECT_EQ(ran, 0);  // queued, not started
  env.SleepForMicroseconds(1000);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(env.now_us(), 1104u);
}

}  // namespace
}  // namespace walsim::engines
