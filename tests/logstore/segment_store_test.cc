// SegmentStore behaviour beyond the shared contract: locking, close, fail
// stop, the one-write-one-sync batch, read verification, limits. On SimFs.
#include "logstore/segment_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "base/executor.h"
#include "base/log.h"
#include "fs/posix_fs.h"
#include "logstore/segment_format.h"
#include "sim/sim_fs.h"
#include "tests/logstore/logstore_test_util.h"

namespace walsim::logstore {
namespace {

using ::testing::HasSubstr;
using testing::MakeBatch;
using testing::MakeLog;
using testing::ReadAll;

class SegmentStoreTest : public ::testing::Test {
 protected:
  SegmentStoreTest() {
    options_.segment_size_bytes = 64 * 1024;
    options_.write_alignment_bytes = 512;
    options_.logger = NullLogger();
  }
  std::unique_ptr<SegmentStore> Open() {
    Result<std::unique_ptr<SegmentStore>> opened = SegmentStore::Open(fs_, "/log", options_);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  size_t CountTrace(std::string_view op) {
    size_t count = 0;
    for (const std::string& line : fs_.trace()) {
      if (line.find(op) != std::string::npos) count++;
    }
    return count;
  }

  sim::SimFs fs_{sim::SimOptions{}};
  SegmentStoreOptions options_;
};

TEST_F(SegmentStoreTest, SecondOpenIsBusy) {
  auto store = Open();
  Result<std::unique_ptr<SegmentStore>> second = SegmentStore::Open(fs_, "/log", options_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
  EXPECT_THAT(second.status().message(), HasSubstr("locking log store /log"));
  ASSERT_TRUE(store->Close().ok());
  EXPECT_TRUE(SegmentStore::Open(fs_, "/log", options_).ok());
}

TEST_F(SegmentStoreTest, UseAfterCloseIsClosed) {
  auto store = Open();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 2, 1)).ok());
  ASSERT_TRUE(store->Close().ok());
  Log log;
  EXPECT_EQ(store->GetLog(1, &log).code(), StatusCode::kClosed);
  EXPECT_EQ(store->StoreLog(MakeLog(3, 1, "x")).code(), StatusCode::kClosed);
  EXPECT_EQ(store->DeleteRange(1, 1).code(), StatusCode::kClosed);
  EXPECT_EQ(store->FirstIndex().status().code(), StatusCode::kClosed);
  EXPECT_EQ(store->LastIndex().status().code(), StatusCode::kClosed);
  Status again = store->Close();
  EXPECT_EQ(again.code(), StatusCode::kClosed);
  EXPECT_THAT(again.message(), HasSubstr("already closed"));
}

TEST_F(SegmentStoreTest, OneWriteAndOneSyncDataPerBatch) {
  auto store = Open();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 1, 1)).ok());  // creates the first segment
  fs_.set_trace_enabled(true);
  for (uint64_t i = 0; i < 10; i++) {
    ASSERT_TRUE(store->StoreLogs(MakeBatch(2 + i * 64, 64, 1)).ok());
  }
  EXPECT_EQ(CountTrace(" write "), 10u);
  EXPECT_EQ(CountTrace(" syncdata "), 10u);
  EXPECT_EQ(CountTrace(" sync "), 0u);
  EXPECT_EQ(CountTrace(" syncdir "), 0u);
}

TEST_F(SegmentStoreTest, SegmentsAreZeroFilledNotJustAllocated) {
  auto store = Open();
  fs_.set_trace_enabled(true);
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 1, 1)).ok());  // creates the first segment
  EXPECT_EQ(CountTrace("mode=zero_fill"), 1u);
  EXPECT_EQ(CountTrace("mode=extend_size"), 0u);
  EXPECT_EQ(CountTrace("0000000000000001-0000000000000001.seg.tmp"), 6u)
      << "open, allocate, write, sync, close, rename";
}

TEST_F(SegmentStoreTest, SpareSegmentIsPreparedAtOpenAndTakenByTheRoll) {
  InlineExecutor executor;
  options_.executor = &executor;
  auto store = Open();
  EXPECT_EQ(fs_.Stat("/log/segment.spare.tmp").value().size_bytes, options_.segment_size_bytes);
  fs_.set_trace_enabled(true);
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 4, 1)).ok());
  // The roll renamed the spare: no segment was allocated inline.
  EXPECT_EQ(CountTrace(".seg.tmp"), 0u);
  EXPECT_EQ(CountTrace("rename"), 1u);
  EXPECT_EQ(CountTrace("mode=zero_fill"), 0u);
  EXPECT_EQ(fs_.Stat("/log/0000000000000001-0000000000000001.seg").value().size_bytes,
            options_.segment_size_bytes);
  EXPECT_EQ(fs_.Stat("/log/segment.spare.tmp").status().code(), StatusCode::kNotFound);
  // Past half the segment, the next spare is prepared.
  ASSERT_TRUE(store->StoreLogs(MakeBatch(5, 100, 1, std::string(300, 'h'))).ok());
  EXPECT_EQ(CountTrace("mode=zero_fill"), 1u);
  EXPECT_EQ(fs_.Stat("/log/segment.spare.tmp").value().size_bytes, options_.segment_size_bytes);
  ASSERT_TRUE(store->Close().ok());
  EXPECT_EQ(fs_.Stat("/log/segment.spare.tmp").status().code(), StatusCode::kNotFound);
  fs_.Crash(sim::CrashModel::kClean);
  options_.executor = nullptr;
  store = Open();
  EXPECT_EQ(store->LastIndex().value(), 104u);
  EXPECT_EQ(ReadAll(*store).size(), 104u);
}

TEST_F(SegmentStoreTest, LeftoverSpareIsRemovedOnOpen) {
  InlineExecutor executor;
  options_.executor = &executor;
  auto store = Open();
  ASSERT_TRUE(fs_.SyncDir("/log").ok());  // the spare's entry is durable
  store.reset();                          // removes the spare: live only, lost in the crash
  fs_.Crash(sim::CrashModel::kClean);
  ASSERT_TRUE(fs_.Stat("/log/segment.spare.tmp").ok());
  options_.executor = nullptr;
  store = Open();
  EXPECT_EQ(fs_.Stat("/log/segment.spare.tmp").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->LastIndex().value(), 0u);
}

TEST_F(SegmentStoreTest, FailedSparePreparationFallsBackToInlineCreation) {
  InlineExecutor executor;
  options_.executor = &executor;
  // A non-empty directory where the spare goes: Open cannot remove it, and
  // the preparation cannot create the file.
  ASSERT_TRUE(fs_.MkDir("/log").ok());
  ASSERT_TRUE(fs_.MkDir("/log/segment.spare.tmp").ok());
  ASSERT_TRUE(fs_.Open("/log/segment.spare.tmp/x", {.create = true}).ok());
  auto store = Open();
  EXPECT_TRUE(fs_.Stat("/log/segment.spare.tmp").value().is_directory);
  fs_.set_trace_enabled(true);
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 4, 1)).ok());
  EXPECT_EQ(CountTrace("0000000000000001-0000000000000001.seg.tmp"), 6u);
  EXPECT_EQ(ReadAll(*store), MakeBatch(1, 4, 1));
}

TEST_F(SegmentStoreTest, BatchLargerThanTheSpareLeavesTheSpareForLater) {
  InlineExecutor executor;
  options_.executor = &executor;
  options_.segment_size_bytes = 4096;
  auto store = Open();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 2, 1, std::string(6000, 'b'))).ok());
  EXPECT_GT(fs_.Stat("/log/0000000000000001-0000000000000001.seg").value().size_bytes, 4096u);
  EXPECT_EQ(fs_.Stat("/log/segment.spare.tmp").value().size_bytes, 4096u);
  ASSERT_TRUE(store->StoreLogs(MakeBatch(3, 2, 1)).ok());  // rolls into the spare
  EXPECT_EQ(fs_.Stat("/log/0000000000000002-0000000000000003.seg").value().size_bytes, 4096u);
  EXPECT_EQ(ReadAll(*store).size(), 4u);
}

TEST_F(SegmentStoreTest, FailedSyncFailsStopAndIsNotRecoveredInProcess) {
  auto store = Open();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 4, 1)).ok());
  std::string path = store->GetInfo().segment_paths.back();
  fs_.InjectSyncEio(path);
  Status failed = store->StoreLogs(MakeBatch(5, 4, 1));
  EXPECT_EQ(failed.code(), StatusCode::kIoError);
  EXPECT_THAT(failed.message(), HasSubstr(path));
  Status after = store->StoreLogs(MakeBatch(5, 4, 1));
  EXPECT_EQ(after.code(), StatusCode::kClosed);
  EXPECT_THAT(after.message(), HasSubstr("failed stop"));
  EXPECT_EQ(store->DeleteRange(1, 1).code(), StatusCode::kClosed);
  Log log;
  EXPECT_TRUE(store->GetLog(4, &log).ok());  // reads still work
  ASSERT_TRUE(store->Close().ok());
  // Reopened without a crash: the failed batch is not durable, so it must not
  // be served (or built upon) even though its bytes may sit in the page cache.
  store = Open();
  EXPECT_EQ(store->LastIndex().value(), 4u);
  EXPECT_TRUE(store->GetInfo().torn_tail_dropped);
  ASSERT_TRUE(store->StoreLogs(MakeBatch(5, 4, 2)).ok());
  fs_.Crash(sim::CrashModel::kReorder);
  store = Open();
  EXPECT_EQ(store->LastIndex().value(), 8u);
  ASSERT_TRUE(store->GetLog(5, &log).ok());
  EXPECT_EQ(log.term, 2u);
}

// Linux after a failed fsync: the batch's pages are marked clean, so they
// read back intact but are not durable, and a later SyncData writes nothing
// (torture seeds 129350, 147395). The reopen that reads the batch back makes
// it durable by writing it again, behind a copy it removes afterwards.
TEST_F(SegmentStoreTest, BatchReadBackAfterAFailedSyncDataIsMadeDurableByTheReopen) {
  auto store = Open();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 4, 1)).ok());
  const std::string path = store->GetInfo().segment_paths.back();
  ASSERT_TRUE(store->Close().ok());
  // The state a batch whose SyncData failed with EIO leaves when its
  // spoiling write fails too: written, then its pages marked clean.
  options_.no_sync = true;
  store = Open();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(5, 4, 1)).ok());
  ASSERT_TRUE(store->Close().ok());
  options_.no_sync = false;
  auto file = fs_.Open(path, {}).value();
  fs_.InjectSyncEio(path);
  ASSERT_EQ(file->SyncData().code(), StatusCode::kIoError);
  ASSERT_TRUE(file->Close().ok());
  fs_.set_trace_enabled(true);
  store = Open();  // a restart without a crash: the page cache holds the batch
  EXPECT_EQ(ReadAll(*store), MakeBatch(1, 8, 1));
  EXPECT_EQ(CountTrace("write path=" + path), 1u);  // the batch, written again
  EXPECT_EQ(CountTrace("remove path=/log/0000000000000002-0000000000000005.seg -> ok"), 1u);
  EXPECT_EQ(fs_.List("/log").value().size(), 3u);  // LOCK, meta, the segment: no copy left
  fs_.Crash(sim::CrashModel::kClean);
  store = Open();
  EXPECT_EQ(ReadAll(*store), MakeBatch(1, 8, 1));
  EXPECT_EQ(store->GetInfo().segment_count, 1u);
}

// A full disk has no room for the copy: it takes room from the zeros at the
// end of the tail's preallocation and gives it back, so the tail still takes
// batches afterwards.
TEST_F(SegmentStoreTest, OnAFullDiskTheReopenBorrowsTheTailsZerosForItsCopy) {
  options_.segment_size_bytes = 4096;
  sim::SimFs fs(sim::SimOptions{.capacity_bytes = 4096 + format::kMetaSizeBytes});
  auto store = SegmentStore::Open(fs, "/log", options_).value();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 2, 1)).ok());
  ASSERT_TRUE(store->Close().ok());
  ASSERT_EQ(fs.used_bytes(), fs.options().capacity_bytes);
  store = SegmentStore::Open(fs, "/log", options_).value();
  EXPECT_EQ(ReadAll(*store), MakeBatch(1, 2, 1));
  EXPECT_EQ(fs.Stat(store->GetInfo().segment_paths.back()).value().size_bytes, 4096u);
  ASSERT_TRUE(store->StoreLogs(MakeBatch(3, 2, 1)).ok());
  fs.Crash(sim::CrashModel::kClean);
  store = SegmentStore::Open(fs, "/log", options_).value();
  EXPECT_EQ(ReadAll(*store), MakeBatch(1, 4, 1));
}

// Without even that room (the tail is full) the store still opens, and the
// last batch is rewritten in place, unprotected (docs/logstore-format.md).
TEST_F(SegmentStoreTest, OnAFullDiskWithAFullTailTheReopenRewritesTheLastBatchInPlace) {
  options_.segment_size_bytes = 4096;
  sim::SimFs fs(sim::SimOptions{.capacity_bytes = 4096 + format::kMetaSizeBytes});
  auto store = SegmentStore::Open(fs, "/log", options_).value();
  for (uint64_t first = 1; first < 15; first += 2) {  // 7 batches of 512 bytes fill it
    ASSERT_TRUE(store->StoreLogs(MakeBatch(first, 2, 1)).ok());
  }
  ASSERT_TRUE(store->Close().ok());
  fs.set_trace_enabled(true);
  store = SegmentStore::Open(fs, "/log", options_).value();
  EXPECT_EQ(ReadAll(*store), MakeBatch(1, 14, 1));
  const std::string path = store->GetInfo().segment_paths.back();
  size_t rewrites = 0;
  for (const std::string& line : fs.trace()) {
    if (line.find("write path=" + path + " offset=3584") != std::string::npos) rewrites++;
  }
  EXPECT_EQ(rewrites, 1u);
  fs.Crash(sim::CrashModel::kClean);
  store = SegmentStore::Open(fs, "/log", options_).value();
  EXPECT_EQ(ReadAll(*store), MakeBatch(1, 14, 1));
}

TEST_F(SegmentStoreTest, FailedWriteFailsStop) {
  auto store = Open();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 4, 1)).ok());
  fs_.InjectShortWrite(store->GetInfo().segment_paths.back());
  EXPECT_EQ(store->StoreLogs(MakeBatch(5, 40, 1)).code(), StatusCode::kIoError);
  EXPECT_EQ(store->StoreLogs(MakeBatch(5, 4, 1)).code(), StatusCode::kClosed);
  ASSERT_TRUE(store->Close().ok());
  store = Open();
  EXPECT_EQ(ReadAll(*store), MakeBatch(1, 4, 1));
}

TEST_F(SegmentStoreTest, NoSpaceForANewSegmentFailsStop) {
  options_.segment_size_bytes = 4096;
  auto store = Open();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 4, 1)).ok());
  fs_.InjectNoSpace("/log/0000000000000002-0000000000000005.seg.tmp");
  Status status = store->StoreLogs(MakeBatch(5, 30, 1, std::string(100, 'n')));
  EXPECT_EQ(status.code(), StatusCode::kNoSpace);
  EXPECT_THAT(status.message(), HasSubstr("creating segment"));
  EXPECT_EQ(store->StoreLogs(MakeBatch(5, 1, 1)).code(), StatusCode::kClosed);
  ASSERT_TRUE(store->Close().ok());
  store = Open();
  EXPECT_EQ(store->LastIndex().value(), 4u);
  EXPECT_TRUE(store->StoreLogs(MakeBatch(5, 30, 1, std::string(100, 'n'))).ok());
}

TEST_F(SegmentStoreTest, CorruptFrameIsReportedNotReturned) {
  auto store = Open();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 3, 1)).ok());
  std::string path = store->GetInfo().segment_paths.back();
  ASSERT_TRUE(fs_.FlipBit(path, (512 + 40) * 8).ok());  // body of entry 1
  Log log;
  Status status = store->GetLog(1, &log);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_THAT(status.message(), HasSubstr(path + " at offset 512"));
  EXPECT_THAT(status.message(), HasSubstr("checksum mismatch"));
  EXPECT_TRUE(store->GetLog(2, &log).ok());
}

TEST_F(SegmentStoreTest, GetLogIntoAReusedLogKeepsItsBuffers) {
  // The hot path allocates nothing when the caller's Log already has the
  // capacity, and a reused Log never keeps bytes of the entry read before.
  auto store = Open();
  std::vector<Log> logs = {MakeLog(1, 1, std::string(300, 'a')), MakeLog(2, 1, "short"),
                           MakeLog(3, 1, std::string(200, 'c')), MakeLog(4, 1, "")};
  ASSERT_EQ(logs[2].extensions, "ext-3");  // MakeLog gives every third entry extensions
  ASSERT_TRUE(store->StoreLogs(logs).ok());
  Log log;
  ASSERT_TRUE(store->GetLog(1, &log).ok());
  const char* buffer = log.data.data();
  for (uint64_t index : {2, 3, 4, 1, 3}) {
    Status status = store->GetLog(index, &log);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(log, logs[index - 1]);
    EXPECT_EQ(log.data.data(), buffer) << "index " << index;
  }
}

TEST_F(SegmentStoreTest, UnreadableSectorIsAnIoError) {
  auto store = Open();
  ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 3, 1)).ok());
  ASSERT_TRUE(fs_.AddLatentSectorError(store->GetInfo().segment_paths.back(), 1).ok());
  Log log;
  Status status = store->GetLog(1, &log);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_THAT(status.message(), HasSubstr("reading log index 1"));
}

TEST_F(SegmentStoreTest, BatchLargerThanASegmentGetsItsOwn) {
  options_.segment_size_bytes = 4096;
  auto store = Open();
  std::vector<Log> big = MakeBatch(1, 10, 1, std::string(1000, 'b'));
  ASSERT_TRUE(store->StoreLogs(big).ok());
  ASSERT_TRUE(store->StoreLogs(MakeBatch(11, 2, 1)).ok());
  EXPECT_EQ(store->GetInfo().segment_count, 2u);
  ASSERT_TRUE(store->Close().ok());
  store = Open();
  std::vector<Log> all = ReadAll(*store);
  ASSERT_EQ(all.size(), 12u);
  EXPECT_EQ(all[9], big[9]);
}

TEST_F(SegmentStoreTest, HeadDeleteRemovesWholeSegmentsOnly) {
  options_.segment_size_bytes = 4096;
  auto store = Open();
  for (uint64_t i = 0; i < 30; i++) ASSERT_TRUE(store->StoreLogs(MakeBatch(1 + i * 4, 4, 1)).ok());
  uint64_t segments_before = store->GetInfo().segment_count;
  ASSERT_TRUE(store->DeleteRange(1, 58).ok());
  SegmentStore::Info info = store->GetInfo();
  EXPECT_LT(info.segment_count, segments_before);
  EXPECT_EQ(info.first_index, 59u);
  EXPECT_EQ(fs_.List("/log").value().size(), info.segment_count + 2);
}

TEST_F(SegmentStoreTest, SegmentsAfterHeadDeletesIndexEveryEntry) {
  // Dropped segments hand their index buffers to the next ones: the new
  // segments must index only their own entries.
  options_.segment_size_bytes = 4096;
  auto store = Open();
  std::vector<Log> expected;
  for (uint64_t i = 0; i < 60; i++) {
    std::vector<Log> batch = MakeBatch(1 + i * 4, 4, 1);
    ASSERT_TRUE(store->StoreLogs(batch).ok());
    expected.insert(expected.end(), batch.begin(), batch.end());
    if (i % 10 == 9) {
      uint64_t first = store->FirstIndex().value();
      ASSERT_TRUE(store->DeleteRange(first, first + 29).ok());
      expected.erase(expected.begin(), expected.begin() + 30);
    }
  }
  EXPECT_EQ(store->FirstIndex().value(), 181u);
  EXPECT_EQ(ReadAll(*store), expected);
  ASSERT_TRUE(store->Close().ok());
  store = Open();
  EXPECT_EQ(ReadAll(*store), expected);
}

TEST_F(SegmentStoreTest, ReadOnlyOpenRefusesWrites) {
  {
    auto store = Open();
    ASSERT_TRUE(store->StoreLogs(MakeBatch(1, 3, 1)).ok());
  }
  options_.read_only = true;
  auto store = Open();
  EXPECT_EQ(ReadAll(*store), MakeBatch(1, 3, 1));
  Status status = store->StoreLogs(MakeBatch(4, 1, 1));
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("read-only"));
}

// A read-only open (logstore dump/verify) takes no lock and creates nothing,
// so it works beside a writer holding the lock and on a store the caller may
// read but not write (the lock needs a writable descriptor).
TEST_F(SegmentStoreTest, ReadOnlyOpenTakesNoLockAndCreatesNothing) {
  auto writer = Open();
  ASSERT_TRUE(writer->StoreLogs(MakeBatch(1, 3, 1)).ok());
  std::vector<std::string> before = fs_.List("/log").value();
  options_.read_only = true;
  auto reader = Open();
  EXPECT_EQ(ReadAll(*reader), MakeBatch(1, 3, 1));
  EXPECT_EQ(fs_.List("/log").value(), before);
  ASSERT_TRUE(reader->Close().ok());
  Result<std::unique_ptr<SegmentStore>> missing = SegmentStore::Open(fs_, "/nothing", options_);
  EXPECT_FALSE(missing.ok());
  EXPECT_FALSE(fs_.Stat("/nothing").ok()) << "a read-only open creates no directory";
}

TEST_F(SegmentStoreTest, BadOptionsAreRejected) {
  options_.write_alignment_bytes = 1000;
  Result<std::unique_ptr<SegmentStore>> opened = SegmentStore::Open(fs_, "/log", options_);
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(opened.status().message(), HasSubstr("write_alignment_bytes"));
  options_.write_alignment_bytes = 512;
  opened = SegmentStore::Open(fs_, "relative/dir", options_);
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
}

// A FIFO named like a segment fails Open with an error naming it, never a
// hang (PosixFs refuses non-regular files without blocking in open(2)).
TEST(SegmentStorePosixTest, AFifoNamedLikeASegmentIsRefusedNotWaitedOn) {
  std::string root = (std::filesystem::temp_directory_path() / "walsim-ls-XXXXXX").string();
  ASSERT_NE(mkdtemp(root.data()), nullptr);
  fs::PosixFs posix;
  SegmentStoreOptions options;
  options.segment_size_bytes = 8 * 512;
  options.logger = NullLogger();
  const std::string dir = root + "/log";
  {
    auto store = SegmentStore::Open(posix, dir, options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->StoreLogs(MakeBatch(1, 2, 1)).ok());
    ASSERT_TRUE((*store)->Close().ok());
  }
  const std::string fifo = dir + "/" + format::SegmentFileName(2, 3);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ::alarm(10);
  for (bool read_only : {true, false}) {
    options.read_only = read_only;
    auto store = SegmentStore::Open(posix, dir, options);
    ASSERT_FALSE(store.ok());
    EXPECT_THAT(store.status().message(), HasSubstr("not a regular file"));
    EXPECT_THAT(store.status().message(), HasSubstr(fifo));
  }
  ::alarm(0);
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
}

}  // namespace
}  // namespace walsim::logstore
