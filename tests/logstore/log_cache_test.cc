// LogCache: caches only after a successful StoreLogs, cleared by DeleteRange,
// serves hits without the backing store.
#include "logstore/log_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "logstore/inmem_store.h"
#include "tests/logstore/logstore_test_util.h"

namespace walsim::logstore {
namespace {

using testing::MakeBatch;
using testing::MakeLog;

// A backing store that counts reads and can be told to fail stores.
class CountingStore final : public LogStore {
 public:
  Result<uint64_t> FirstIndex() override { return inner_.FirstIndex(); }
  Result<uint64_t> LastIndex() override { return inner_.LastIndex(); }
  Status GetLog(uint64_t index, Log* out) override {
    get_count++;
    return inner_.GetLog(index, out);
  }
  Status StoreLog(const Log& log) override { return StoreLogs(std::span<const Log>(&log, 1)); }
  Status StoreLogs(std::span<const Log> logs) override {
    if (fail_stores) return Status::IoError("injected");
    return inner_.StoreLogs(logs);
  }
  Status DeleteRange(uint64_t min_index, uint64_t max_index) override {
    return inner_.DeleteRange(min_index, max_index);
  }
  bool IsMonotonic() const override { return true; }

  int get_count = 0;
  bool fail_stores = false;

 private:
  InmemStore inner_;
};

class LogCacheTest : public ::testing::Test {
 protected:
  CountingStore backing_;
  LogCache cache_{backing_, 4};
};

TEST_F(LogCacheTest, RecentLogsAreServedFromTheCache) {
  ASSERT_TRUE(cache_.StoreLogs(MakeBatch(1, 6, 1)).ok());
  Log log;
  ASSERT_TRUE(cache_.GetLog(6, &log).ok());
  ASSERT_TRUE(cache_.GetLog(3, &log).ok());
  EXPECT_EQ(log, MakeLog(3, 1, "entry-3"));
  EXPECT_EQ(backing_.get_count, 0);
  ASSERT_TRUE(cache_.GetLog(2, &log).ok());  // evicted by 6
  EXPECT_EQ(backing_.get_count, 1);
  EXPECT_EQ(log, MakeLog(2, 1, "entry-2"));
}

TEST_F(LogCacheTest, FailedStoreIsNotCached) {
  backing_.fail_stores = true;
  EXPECT_EQ(cache_.StoreLog(MakeLog(1, 1, "lost")).code(), StatusCode::kIoError);
  Log log;
  EXPECT_EQ(cache_.GetLog(1, &log).code(), StatusCode::kNotFound);
  EXPECT_EQ(backing_.get_count, 1);
}

TEST_F(LogCacheTest, RejectedStoreIsNotCached) {
  ASSERT_TRUE(cache_.StoreLogs(MakeBatch(1, 2, 1)).ok());
  EXPECT_EQ(cache_.StoreLog(MakeLog(7, 1, "gap")).code(), StatusCode::kInvalidArgument);
  Log log;
  EXPECT_EQ(cache_.GetLog(7, &log).code(), StatusCode::kNotFound);
}

TEST_F(LogCacheTest, DeleteRangeClearsTheCache) {
  ASSERT_TRUE(cache_.StoreLogs(MakeBatch(1, 4, 1)).ok());
  ASSERT_TRUE(cache_.DeleteRange(3, 4).ok());
  ASSERT_TRUE(cache_.StoreLogs(MakeBatch(3, 2, 2, "new-")).ok());
  Log log;
  ASSERT_TRUE(cache_.GetLog(3, &log).ok());
  EXPECT_EQ(log, MakeLog(3, 2, "new-3"));
  ASSERT_TRUE(cache_.GetLog(1, &log).ok());  // cleared: read from the backing store
  EXPECT_EQ(backing_.get_count, 1);
  EXPECT_EQ(cache_.FirstIndex().value(), 1u);
  EXPECT_EQ(cache_.LastIndex().value(), 4u);
}

}  // namespace
}  // namespace walsim::logstore
