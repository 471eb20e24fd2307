// The LogStore contract (logstore/log_store.h), one typed suite run against
// every implementation: InmemStore, SegmentStore on SimFs and on PosixFs, and
// LogCache over SegmentStore. Durable stores are reopened after every step
// (on SimFs through a clean crash, which keeps only what was synced) and must
// come back unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#include "base/executor.h"
#include "base/log.h"
#include "fs/posix_fs.h"
#include "logstore/inmem_store.h"
#include "logstore/log_cache.h"
#include "logstore/segment_store.h"
#include "sim/sim_fs.h"
#include "tests/logstore/logstore_test_util.h"

namespace walsim::logstore {
namespace {

using ::testing::HasSubstr;
using testing::MakeBatch;
using testing::MakeLog;
using testing::ReadAll;

constexpr uint64_t kEntrySizeBytesMax = 64 * 1024;

SegmentStoreOptions SmallSegments() {
  SegmentStoreOptions options;
  options.segment_size_bytes = 16 * 1024;
  options.write_alignment_bytes = 512;
  options.entry_size_bytes_max = kEntrySizeBytesMax;
  options.logger = NullLogger();
  return options;
}

class InmemHarness {
 public:
  Status Open() {
    store_ = std::make_unique<InmemStore>(kEntrySizeBytesMax);
    return Status::Ok();
  }
  Status Reopen() { return Status::Ok(); }  // nothing durable: the same store
  LogStore& store() { return *store_; }

 private:
  std::unique_ptr<InmemStore> store_;
};

// Runs each task on a thread of its own, joined at destruction: a stand-in
// for a caller's thread pool, so the spare segment is prepared concurrently.
class ThreadExecutor final : public Executor {
 public:
  ~ThreadExecutor() override {
    for (std::thread& thread : threads_) thread.join();
  }
  void Submit(std::function<void()> task) override { threads_.emplace_back(std::move(task)); }

 private:
  std::vector<std::thread> threads_;
};

// No executor: a roll creates its segment inline.
struct NoExecutor {};

// SegmentStore options; with an executor, a spare segment is prepared ahead.
template <typename SpareExecutor>
SegmentStoreOptions OptionsWith([[maybe_unused]] SpareExecutor* executor) {
  SegmentStoreOptions options = SmallSegments();
  if constexpr (!std::is_same_v<SpareExecutor, NoExecutor>) options.executor = executor;
  return options;
}

// SegmentStore on SimFs, the spare (if any) prepared inline as the
// simulations run it. Reopen is Close, then a clean crash: only synced state
// survives.
template <typename SpareExecutor = NoExecutor>
class SegmentOnSimHarness {
 public:
  Status Open() {
    WALSIM_ASSIGN_OR_RETURN(store_, SegmentStore::Open(fs_, "/store", OptionsWith(&executor_)));
    return Status::Ok();
  }
  Status Reopen() {
    WALSIM_RETURN_IF_ERROR(store_->Close());
    store_.reset();
    fs_.Crash(sim::CrashModel::kClean);
    return Open();
  }
  LogStore& store() { return *store_; }

 private:
  sim::SimFs fs_{sim::SimOptions{}};
  SpareExecutor executor_;
  std::unique_ptr<SegmentStore> store_;
};

// SegmentStore on PosixFs, the spare (if any) prepared on its own thread.
template <typename SpareExecutor = NoExecutor>
class SegmentOnPosixHarness {
 public:
  Status Open() {
    WALSIM_ASSIGN_OR_RETURN(
        store_, SegmentStore::Open(fs_, dir_.path() + "/store", OptionsWith(&executor_)));
    return Status::Ok();
  }
  Status Reopen() {
    WALSIM_RETURN_IF_ERROR(store_->Close());
    store_.reset();
    return Open();
  }
  LogStore& store() { return *store_; }

 private:
  testing::TempDir dir_;
  fs::PosixFs fs_;
  SpareExecutor executor_;  // destroyed after the store, which waits for its task
  std::unique_ptr<SegmentStore> store_;
};

class CacheOverSegmentHarness {
 public:
  Status Open() {
    WALSIM_ASSIGN_OR_RETURN(backing_, SegmentStore::Open(fs_, "/store", SmallSegments()));
    cache_ = std::make_unique<LogCache>(*backing_, 8);
    return Status::Ok();
  }
  Status Reopen() {
    cache_.reset();
    WALSIM_RETURN_IF_ERROR(backing_->Close());
    backing_.reset();
    fs_.Crash(sim::CrashModel::kClean);
    return Open();
  }
  LogStore& store() { return *cache_; }

 private:
  sim::SimFs fs_{sim::SimOptions{}};
  std::unique_ptr<SegmentStore> backing_;
  std::unique_ptr<LogCache> cache_;
};

template <typename Harness>
class LogStoreConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(harness_.Open().ok()); }
  LogStore& store() { return harness_.store(); }

  uint64_t First() { return store().FirstIndex().value(); }
  uint64_t Last() { return store().LastIndex().value(); }

  void Store(std::vector<Log> logs) {
    Status status = store().StoreLogs(logs);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // Reopens the store (durable ones from disk) and expects the same log.
  void ExpectSurvivesReopen() {
    uint64_t first = First();
    uint64_t last = Last();
    std::vector<Log> before = ReadAll(store());
    Status status = harness_.Reopen();
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(First(), first);
    EXPECT_EQ(Last(), last);
    EXPECT_EQ(ReadAll(store()), before);
  }

  void ExpectNotFound(uint64_t index) {
    Log log;
    Status status = store().GetLog(index, &log);
    EXPECT_EQ(status.code(), StatusCode::kNotFound) << index << ": " << status.ToString();
  }

  Harness harness_;
};

using Harnesses = ::testing::Types<InmemHarness, SegmentOnSimHarness<>, SegmentOnPosixHarness<>,
                                   SegmentOnSimHarness<InlineExecutor>,
                                   SegmentOnPosixHarness<ThreadExecutor>, CacheOverSegmentHarness>;
TYPED_TEST_SUITE(LogStoreConformanceTest, Harnesses);

TYPED_TEST(LogStoreConformanceTest, EmptyStoreReportsZeroAndFindsNothing) {
  EXPECT_EQ(this->First(), 0u);
  EXPECT_EQ(this->Last(), 0u);
  this->ExpectNotFound(0);
  this->ExpectNotFound(1);
  EXPECT_TRUE(this->store().IsMonotonic());
  this->ExpectSurvivesReopen();
  EXPECT_EQ(this->Last(), 0u);
}

TYPED_TEST(LogStoreConformanceTest, SingleStoresOfEveryTypeReadBackExactly) {
  std::vector<Log> stored;
  for (uint8_t type = 0; type <= kLogTypeMax; type++) {
    Log log = MakeLog(5 + type, 2, type == 1 ? "" : "payload-" + std::to_string(type),
                      static_cast<LogType>(type));
    ASSERT_TRUE(this->store().StoreLog(log).ok());
    stored.push_back(log);
    this->ExpectSurvivesReopen();
  }
  EXPECT_EQ(this->First(), 5u);
  EXPECT_EQ(this->Last(), 10u);
  EXPECT_EQ(ReadAll(this->store()), stored);
  this->ExpectNotFound(4);
  this->ExpectNotFound(11);
}

TYPED_TEST(LogStoreConformanceTest, BatchesAcrossSegmentsReadBackExactly) {
  std::vector<Log> stored;
  for (uint64_t batch = 0; batch < 12; batch++) {
    std::vector<Log> logs = MakeBatch(1 + batch * 20, 20, batch + 1, std::string(100, 'x'));
    this->Store(logs);
    stored.insert(stored.end(), logs.begin(), logs.end());
  }
  EXPECT_EQ(ReadAll(this->store()), stored);
  this->ExpectSurvivesReopen();
  EXPECT_EQ(this->Last(), 240u);
}

TYPED_TEST(LogStoreConformanceTest, StoresCopiesNotAliases) {
  std::vector<Log> logs = MakeBatch(1, 3, 1);
  this->Store(logs);
  logs[1].data = "changed after the store";
  Log log;
  ASSERT_TRUE(this->store().GetLog(2, &log).ok());
  EXPECT_EQ(log.data, "entry-2");
}

TYPED_TEST(LogStoreConformanceTest, ZeroIndexIsRejected) {
  Status status = this->store().StoreLog(MakeLog(0, 1, "zero"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("index 0"));
  EXPECT_EQ(this->Last(), 0u);
}

TYPED_TEST(LogStoreConformanceTest, GapsAndOverlapsAreRejectedWithNothingStored) {
  this->Store(MakeBatch(10, 5, 1));
  for (uint64_t index : {9u, 10u, 14u, 16u, 100u}) {
    Status status = this->store().StoreLog(MakeLog(index, 1, "bad"));
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << index;
    EXPECT_THAT(status.message(), HasSubstr("does not continue the log"));
  }
  std::vector<Log> holey = MakeBatch(15, 4, 1);
  holey[2].index = 99;
  Status status = this->store().StoreLogs(holey);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("not contiguous"));
  EXPECT_EQ(this->Last(), 14u);
  this->ExpectNotFound(15);
  this->ExpectSurvivesReopen();
}

TYPED_TEST(LogStoreConformanceTest, UnknownTypeAndOversizedEntryAreRejected) {
  Log unknown = MakeLog(1, 1, "x");
  unknown.type = static_cast<LogType>(6);
  Status status = this->store().StoreLog(unknown);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("unknown type 6"));
  Status oversized =
      this->store().StoreLog(MakeLog(1, 1, std::string(kEntrySizeBytesMax + 1, 'y')));
  EXPECT_EQ(oversized.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(oversized.message(), HasSubstr("over the limit"));
  EXPECT_EQ(this->Last(), 0u);
}

TYPED_TEST(LogStoreConformanceTest, EmptyBatchIsANoop) {
  EXPECT_TRUE(this->store().StoreLogs({}).ok());
  EXPECT_EQ(this->Last(), 0u);
}

TYPED_TEST(LogStoreConformanceTest, PrefixDeleteMovesTheFirstIndex) {
  this->Store(MakeBatch(1, 200, 1, std::string(60, 'p')));
  ASSERT_TRUE(this->store().DeleteRange(0, 120).ok());
  EXPECT_EQ(this->First(), 121u);
  EXPECT_EQ(this->Last(), 200u);
  this->ExpectNotFound(120);
  this->ExpectSurvivesReopen();
  ASSERT_TRUE(this->store().DeleteRange(121, 121).ok());
  EXPECT_EQ(this->First(), 122u);
  this->ExpectSurvivesReopen();
  Log log;
  ASSERT_TRUE(this->store().GetLog(122, &log).ok());
  EXPECT_EQ(log, MakeLog(122, 1, std::string(60, 'p') + "122"));
}

TYPED_TEST(LogStoreConformanceTest, SuffixDeleteThenStoreRewritesTheTail) {
  this->Store(MakeBatch(1, 150, 1, std::string(60, 's')));
  ASSERT_TRUE(this->store().DeleteRange(40, 1000).ok());
  EXPECT_EQ(this->Last(), 39u);
  this->ExpectNotFound(40);
  this->ExpectSurvivesReopen();
  this->Store(MakeBatch(40, 10, 2, "new-"));
  this->ExpectSurvivesReopen();
  Log log;
  ASSERT_TRUE(this->store().GetLog(40, &log).ok());
  EXPECT_EQ(log, MakeLog(40, 2, "new-40"));
  ASSERT_TRUE(this->store().GetLog(39, &log).ok());
  EXPECT_EQ(log.term, 1u);
  EXPECT_EQ(this->Last(), 49u);
  this->ExpectNotFound(50);
}

TYPED_TEST(LogStoreConformanceTest, WholeDeleteEmptiesAndAnyIndexMayFollow) {
  this->Store(MakeBatch(100, 50, 1));
  ASSERT_TRUE(this->store().DeleteRange(100, 149).ok());
  EXPECT_EQ(this->First(), 0u);
  EXPECT_EQ(this->Last(), 0u);
  this->ExpectSurvivesReopen();
  this->Store(MakeBatch(7, 3, 5));
  EXPECT_EQ(this->First(), 7u);
  EXPECT_EQ(this->Last(), 9u);
  this->ExpectNotFound(100);
  this->ExpectSurvivesReopen();
  ASSERT_TRUE(this->store().DeleteRange(1, UINT64_MAX).ok());
  this->Store(MakeBatch(5000, 2, 6));
  this->ExpectSurvivesReopen();
  EXPECT_EQ(this->First(), 5000u);
  EXPECT_EQ(ReadAll(this->store()), MakeBatch(5000, 2, 6));
}

TYPED_TEST(LogStoreConformanceTest, MiddleDeleteIsRejected) {
  this->Store(MakeBatch(1, 10, 1));
  Status status = this->store().DeleteRange(3, 5);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("middle of the log [1, 10]"));
  EXPECT_EQ(ReadAll(this->store()), MakeBatch(1, 10, 1));
}

TYPED_TEST(LogStoreConformanceTest, DeleteOutsideTheLogIsANoop) {
  this->Store(MakeBatch(10, 10, 1));
  EXPECT_TRUE(this->store().DeleteRange(1, 9).ok());
  EXPECT_TRUE(this->store().DeleteRange(20, 30).ok());
  EXPECT_TRUE(this->store().DeleteRange(15, 12).ok());
  EXPECT_EQ(this->First(), 10u);
  EXPECT_EQ(this->Last(), 19u);
  this->ExpectSurvivesReopen();
}

TYPED_TEST(LogStoreConformanceTest, AlternatingDeletesAndStoresStayContiguous) {
  std::vector<Log> expected;
  uint64_t next = 1;
  for (uint64_t round = 1; round <= 6; round++) {
    std::vector<Log> logs = MakeBatch(next, 30, round, std::string(40, 'a'));
    this->Store(logs);
    expected.insert(expected.end(), logs.begin(), logs.end());
    next += 30;
    // Compact the oldest 10, cut the newest 5.
    ASSERT_TRUE(this->store().DeleteRange(0, expected.front().index + 9).ok());
    expected.erase(expected.begin(), expected.begin() + 10);
    ASSERT_TRUE(this->store().DeleteRange(next - 5, next + 100).ok());
    expected.resize(expected.size() - 5);
    next -= 5;
    this->ExpectSurvivesReopen();
    EXPECT_EQ(ReadAll(this->store()), expected) << "round " << round;
  }
}

}  // namespace
}  // namespace walsim::logstore
