// PosixFs facts that only a real kernel shows: the libfiu fault points, the
// errno translation table, close-on-exec descriptors that are never leaked,
// and locks that exclude another process.
#include "fs/posix_fs.h"

#include <fcntl.h>
#include <fiu-control.h>
#include <fiu.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fs/path.h"
#include "tests/fs/posix_env.h"

namespace walsim::fs {
namespace {

using ::testing::HasSubstr;

class PosixFsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(fiu_init(0), 0); }

  std::string PathOf(std::string_view name) const { return Join(env_.Root(), name); }
  PosixFs& fs() { return env_.posix_fs(); }

  std::unique_ptr<File> OpenOrDie(const std::string& path, OpenOptions options) {
    Result<std::unique_ptr<File>> file = fs().Open(path, options);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }
  void WriteFile(const std::string& path, std::string_view contents) {
    std::unique_ptr<File> file = OpenOrDie(path, {.create = true, .truncate = true});
    ASSERT_NE(file, nullptr);
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(contents.data()),
                                   contents.size());
    ASSERT_TRUE(file->WriteAt(0, bytes).ok());
    ASSERT_TRUE(file->Close().ok());
  }

  // The descriptors of this process that refer to path, from /proc/self/fd.
  static std::vector<int> DescriptorsOf(const std::string& path) {
    std::vector<int> fds;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code error;
      const std::filesystem::path target = std::filesystem::read_symlink(entry.path(), error);
      if (!error && target == path) fds.push_back(std::stoi(entry.path().filename().string()));
    }
    return fds;
  }
  static size_t DescriptorCount() {
    size_t count = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/self/fd")) {
      count++;
    }
    return count;
  }

  PosixEnv env_;
};

// ---- libfiu fault points ----------------------------------------------------

// A FIFO (any non-regular file) is refused at Open, without blocking: open(2)
// of a FIFO for reading would wait for a writer forever. alarm() turns a hang
// into a failure.
TEST_F(PosixFsTest, OpeningAFifoIsRefusedWithoutBlocking) {
  const std::string path = PathOf("0000000000000000-0000000000000000.wal");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  ::alarm(10);
  for (bool read_only : {true, false}) {
    Result<std::unique_ptr<File>> file = fs().Open(path, {.read_only = read_only});
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument) << file.status().ToString();
    EXPECT_THAT(file.status().message(), HasSubstr("not a regular file"));
    EXPECT_THAT(file.status().message(), HasSubstr(path));
  }
  ::alarm(0);
}

// Real short writes: under RLIMIT_FSIZE (SIGXFSZ ignored) write(2) returns a
// short count at the limit, then EFBIG. WriteAt loops on the short count and
// reports the EFBIG with its path; a write inside the limit completes. Runs in
// a child process (the limit is per process); the child's exit code says
// which expectation failed.
TEST_F(PosixFsTest, ShortWritesAtAFileSizeLimitAreCompletedOrReported) {
  const std::string path = PathOf("limited");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    const struct rlimit limit = {1000, 1000};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(10);
    auto file = fs().Open(path, {.create = true});
    if (!file.ok()) ::_exit(11);
    const std::vector<uint8_t> bytes(1500, 0x5a);
    if (!(*file)->WriteAt(0, std::span(bytes.data(), 1000)).ok()) ::_exit(12);
    // 500 bytes fit, the rest does not: a short write, then EFBIG.
    Status over = (*file)->WriteAt(500, bytes);
    if (over.ok()) ::_exit(13);
    if (over.message().find(path) == std::string::npos) ::_exit(14);
    if (over.message().find(std::strerror(EFBIG)) == std::string::npos) ::_exit(15);
    auto size = (*file)->Size();
    if (!size.ok() || *size != 1000) ::_exit(16);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of a signal";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "expectation " << WEXITSTATUS(status) << " failed";
}

TEST_F(PosixFsTest, FdatasyncFaultPointFailsSyncDataUntilDisabled) {
  const std::string path = PathOf("wal");
  std::unique_ptr<File> file = OpenOrDie(path, {.create = true});
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(fiu_enable("walsim/posix/fdatasync", 1, nullptr, 0), 0);
  const Status failed = file->SyncData();
  ASSERT_EQ(fiu_disable("walsim/posix/fdatasync"), 0);
  EXPECT_EQ(failed.code(), StatusCode::kIoError);
  EXPECT_THAT(failed.message(), HasSubstr("fdatasync " + path));
  EXPECT_THAT(failed.message(), HasSubstr("Input/output error"));
  EXPECT_TRUE(file->SyncData().ok());
  EXPECT_TRUE(file->Sync().ok());  // fsync has a point of its own, never enabled here
}

// One row per fault point: the operation that reaches it, run on a fresh file.
struct FaultRow {
  PosixOp op;
  std::function<Status(PosixFs&, File&)> act;
};

TEST_F(PosixFsTest, EveryFaultPointFailsItsOperationWithIoErrorAndDoesNothing) {
  const std::string path = PathOf("f");
  WriteFile(path, "0123456789");
  std::vector<uint8_t> buffer(4);
  const std::vector<uint8_t> one_byte = {'X'};
  const std::string dir = PathOf("d");
  const std::string from = PathOf("from");
  const std::string victim = PathOf("victim");
  const std::vector<FaultRow> rows = {
      {PosixOp::kOpen, [&](PosixFs& fs, File&) { return fs.Open(path, {}).status(); }},
      {PosixOp::kRead, [&](PosixFs&, File& f) { return f.ReadAt(0, buffer).status(); }},
      {PosixOp::kWrite, [&](PosixFs&, File& f) { return f.WriteAt(10, one_byte); }},
      {PosixOp::kTruncate, [&](PosixFs&, File& f) { return f.Truncate(11); }},
      {PosixOp::kAllocate,
       [&](PosixFs&, File& f) { return f.Allocate(0, 4096, AllocateMode::kKeepSize); }},
      {PosixOp::kFsync, [&](PosixFs&, File& f) { return f.Sync(); }},
      {PosixOp::kFdatasync, [&](PosixFs&, File& f) { return f.SyncData(); }},
      {PosixOp::kClose, [&](PosixFs&, File& f) { return f.Close(); }},
      {PosixOp::kUnlink,
       [&](PosixFs& fs, File&) {
         WriteFile(victim, "");
         return fs.Remove(victim);
       }},
      {PosixOp::kRename,
       [&](PosixFs& fs, File&) {
         WriteFile(from, "moved");
         return fs.Rename(from, PathOf("to"));
       }},
      {PosixOp::kReaddir, [&](PosixFs& fs, File&) { return fs.List(dir).status(); }},
      {PosixOp::kMkdir, [&](PosixFs& fs, File&) { return fs.MkDir(PathOf("made")); }},
      {PosixOp::kStat, [&](PosixFs& fs, File&) { return fs.Stat(path).status(); }},
      {PosixOp::kSyncdir, [&](PosixFs& fs, File&) { return fs.SyncDir(dir); }},
      {PosixOp::kLock, [&](PosixFs& fs, File&) { return fs.Lock(path).status(); }},
  };
  ASSERT_EQ(rows.size(), kPosixOpCount);
  ASSERT_TRUE(fs().MkDir(dir).ok());
  for (const FaultRow& row : rows) {
    const char* point = PosixFaultPoint(row.op);
    SCOPED_TRACE(point);
    std::unique_ptr<File> file = OpenOrDie(path, {});
    ASSERT_NE(file, nullptr);
    ASSERT_EQ(fiu_enable(point, 1, nullptr, 0), 0);
    const Status failed = row.act(fs(), *file);
    ASSERT_EQ(fiu_disable(point), 0);
    EXPECT_EQ(failed.code(), StatusCode::kIoError) << failed.ToString();
    EXPECT_THAT(failed.message(), HasSubstr(std::string(PosixOpName(row.op)) + " "));
    EXPECT_THAT(failed.message(), HasSubstr("Input/output error"));
    // Disabled again, the same operation on a fresh handle succeeds.
    std::unique_ptr<File> fresh = OpenOrDie(path, {});
    ASSERT_NE(fresh, nullptr);
    const Status retried = row.act(fs(), *fresh);
    EXPECT_TRUE(retried.ok()) << retried.ToString();
  }
  // The injected faults issued no syscall: only the retries changed anything.
  EXPECT_EQ(fs().Stat(path)->size_bytes, 11u);
  EXPECT_EQ(fs().List(env_.Root()).value(), (std::vector<std::string>{"d", "f", "made", "to"}));
}

TEST_F(PosixFsTest, FaultPointsAreNamedAfterTheirOperation) {
  EXPECT_STREQ(PosixFaultPoint(PosixOp::kOpen), "walsim/posix/open");
  EXPECT_STREQ(PosixFaultPoint(PosixOp::kFdatasync), "walsim/posix/fdatasync");
  EXPECT_STREQ(PosixFaultPoint(PosixOp::kLock), "walsim/posix/lock");
  for (size_t index = 0; index < kPosixOpCount; index++) {
    const auto op = static_cast<PosixOp>(index);
    EXPECT_EQ(std::string(PosixFaultPoint(op)), "walsim/posix/" + std::string(PosixOpName(op)));
  }
}

// ---- errno translation ---------------------------------------------------------

TEST_F(PosixFsTest, ErrnoTranslationFollowsTheTable) {
  struct Row {
    int error_number;
    PosixOp op;
    StatusCode code;
  };
  const std::vector<Row> rows = {
      {ENOENT, PosixOp::kOpen, StatusCode::kNotFound},
      {EEXIST, PosixOp::kOpen, StatusCode::kAlreadyExists},
      {EEXIST, PosixOp::kMkdir, StatusCode::kAlreadyExists},
      {ENOSPC, PosixOp::kWrite, StatusCode::kNoSpace},
      {EDQUOT, PosixOp::kAllocate, StatusCode::kNoSpace},
      {EAGAIN, PosixOp::kLock, StatusCode::kBusy},
      {EWOULDBLOCK, PosixOp::kLock, StatusCode::kBusy},
      {EACCES, PosixOp::kLock, StatusCode::kBusy},
      {EAGAIN, PosixOp::kRead, StatusCode::kIoError},  // busy only means something for locks
      {ENOTEMPTY, PosixOp::kUnlink, StatusCode::kFailedPrecondition},
      {EEXIST, PosixOp::kUnlink, StatusCode::kFailedPrecondition},  // POSIX rmdir, non-empty
      {ENOTEMPTY, PosixOp::kRename, StatusCode::kFailedPrecondition},
      {EEXIST, PosixOp::kRename, StatusCode::kFailedPrecondition},
      {EISDIR, PosixOp::kRename, StatusCode::kFailedPrecondition},
      {ENOTDIR, PosixOp::kRename, StatusCode::kFailedPrecondition},
      {EISDIR, PosixOp::kOpen, StatusCode::kInvalidArgument},
      {ENOTDIR, PosixOp::kReaddir, StatusCode::kInvalidArgument},
      {EINVAL, PosixOp::kAllocate, StatusCode::kInvalidArgument},
      {ENAMETOOLONG, PosixOp::kOpen, StatusCode::kInvalidArgument},
      {EIO, PosixOp::kFsync, StatusCode::kIoError},
      {EROFS, PosixOp::kWrite, StatusCode::kIoError},
      {EBADF, PosixOp::kClose, StatusCode::kIoError},
  };
  for (const Row& row : rows) {
    const Status status = ErrnoToStatus(row.error_number, row.op, "/p");
    EXPECT_EQ(status.code(), row.code)
        << PosixOpName(row.op) << " errno " << row.error_number << ": " << status.ToString();
  }
}

TEST_F(PosixFsTest, ErrnoMessageNamesOperationPathDetailAndStrerror) {
  EXPECT_EQ(ErrnoToStatus(ENOSPC, PosixOp::kWrite, "/wal/0.wal", "at offset 8").message(),
            "write /wal/0.wal at offset 8: No space left on device");
  EXPECT_EQ(ErrnoToStatus(ENOENT, PosixOp::kStat, "/x").ToString(),
            "not found: stat /x: No such file or directory");
}

// ---- descriptors ----------------------------------------------------------------

TEST_F(PosixFsTest, EveryDescriptorIsCloseOnExec) {
  const std::string path = PathOf("LOCK");
  WriteFile(path, "");
  std::unique_ptr<File> file = OpenOrDie(path, {});
  ASSERT_NE(file, nullptr);
  Result<std::unique_ptr<FileLock>> lock = fs().Lock(path);
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  const std::vector<int> fds = DescriptorsOf(path);
  ASSERT_EQ(fds.size(), 2u);  // the file's and the lock's own
  for (int fd : fds) {
    const int flags = ::fcntl(fd, F_GETFD);
    ASSERT_GE(flags, 0);
    EXPECT_NE(flags & FD_CLOEXEC, 0) << "fd " << fd;
  }
}

TEST_F(PosixFsTest, NoOperationLeaksADescriptor) {
  const std::string path = PathOf("f");
  WriteFile(path, "x");
  const size_t before_count = DescriptorCount();
  {
    std::unique_ptr<File> closed = OpenOrDie(path, {});
    ASSERT_NE(closed, nullptr);
    ASSERT_TRUE(closed->Close().ok());
    std::unique_ptr<File> dropped = OpenOrDie(path, {});  // destroyed without Close
    ASSERT_TRUE(fs().List(env_.Root()).ok());
    ASSERT_TRUE(fs().SyncDir(env_.Root()).ok());
    EXPECT_EQ(fs().Open(env_.Root(), {.read_only = true}).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(fs().SyncDir(path).code(), StatusCode::kInvalidArgument);
    Result<std::unique_ptr<FileLock>> lock = fs().Lock(path);
    ASSERT_TRUE(lock.ok());
    EXPECT_EQ(fs().Lock(path).status().code(), StatusCode::kBusy);
  }
  EXPECT_EQ(DescriptorCount(), before_count);
  EXPECT_TRUE(DescriptorsOf(path).empty());
}

// ---- Posix-only open rules ------------------------------------------------------

TEST_F(PosixFsTest, OpeningAFifoIsInvalidArgument) {
  const std::string path = PathOf("fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  Result<std::unique_ptr<File>> file = fs().Open(path, {});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(file.status().message(), HasSubstr(path + ": not a regular file"));
}

TEST_F(PosixFsTest, ExclusiveWithoutCreateOpensAnExistingFile) {
  const std::string path = PathOf("f");
  WriteFile(path, "abc");
  Result<std::unique_ptr<File>> file = fs().Open(path, {.exclusive = true});
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->Size().value(), 3u);
}

TEST_F(PosixFsTest, RangesBeyondTheLargestFileOffsetAreInvalidArgument) {
  const std::string path = PathOf("f");
  std::unique_ptr<File> file = OpenOrDie(path, {.create = true});
  ASSERT_NE(file, nullptr);
  const std::vector<uint8_t> data = {1, 2};
  const auto offset_max = static_cast<uint64_t>(LLONG_MAX);
  const Status write = file->WriteAt(offset_max, data);
  EXPECT_EQ(write.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(write.message(), HasSubstr(path));
  EXPECT_EQ(file->Allocate(offset_max, 2, AllocateMode::kExtendSize).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(file->Truncate(UINT64_MAX).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(file->Size().value(), 0u);
}

TEST_F(PosixFsTest, AllocateExtendSizeReservesBlocksOnTheDisk) {
  const std::string path = PathOf("segment");
  std::unique_ptr<File> file = OpenOrDie(path, {.create = true});
  ASSERT_NE(file, nullptr);
  constexpr uint64_t kSegmentSizeBytes = 1 << 20;
  ASSERT_TRUE(file->Allocate(0, kSegmentSizeBytes, AllocateMode::kExtendSize).ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(static_cast<uint64_t>(info.st_size), kSegmentSizeBytes);
  // ext4, xfs and tmpfs all support fallocate: the blocks are really reserved.
  EXPECT_GE(static_cast<uint64_t>(info.st_blocks) * 512, kSegmentSizeBytes);
}

// FIEMAP: true when some extent of the file is allocated but unwritten, the
// state whose first overwrite makes fdatasync commit the filesystem journal.
// Fails the test (returns nullopt) where the filesystem has no FIEMAP.
std::optional<bool> HasUnwrittenExtent(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  constexpr uint32_t kExtentCountMax = 64;
  std::vector<uint8_t> buffer(sizeof(fiemap) + kExtentCountMax * sizeof(fiemap_extent));
  auto* map = reinterpret_cast<fiemap*>(buffer.data());
  map->fm_start = 0;
  map->fm_length = FIEMAP_MAX_OFFSET;
  map->fm_flags = FIEMAP_FLAG_SYNC;
  map->fm_extent_count = kExtentCountMax;
  const int rc = ::ioctl(fd, FS_IOC_FIEMAP, map);
  ::close(fd);
  if (rc != 0) return std::nullopt;
  bool unwritten = false;
  for (uint32_t k = 0; k < map->fm_mapped_extents; k++) {
    unwritten = unwritten || (map->fm_extents[k].fe_flags & FIEMAP_EXTENT_UNWRITTEN) != 0;
  }
  return unwritten;
}

TEST_F(PosixFsTest, AllocateZeroFillLeavesNoUnwrittenExtentsWhereExtendSizeDoes) {
  constexpr uint64_t kSegmentSizeBytes = 1 << 20;
  const std::string extended = PathOf("extended");
  const std::string zeroed = PathOf("zeroed");
  std::unique_ptr<File> extended_file = OpenOrDie(extended, {.create = true});
  std::unique_ptr<File> zeroed_file = OpenOrDie(zeroed, {.create = true});
  ASSERT_NE(extended_file, nullptr);
  ASSERT_NE(zeroed_file, nullptr);
  ASSERT_TRUE(extended_file->Allocate(0, kSegmentSizeBytes, AllocateMode::kExtendSize).ok());
  ASSERT_TRUE(zeroed_file->Allocate(0, kSegmentSizeBytes, AllocateMode::kZeroFill).ok());
  ASSERT_TRUE(extended_file->Sync().ok());
  ASSERT_TRUE(zeroed_file->Sync().ok());
  const std::optional<bool> extended_unwritten = HasUnwrittenExtent(extended);
  const std::optional<bool> zeroed_unwritten = HasUnwrittenExtent(zeroed);
  if (!extended_unwritten.has_value() || !*extended_unwritten) {
    GTEST_SKIP() << "the filesystem under " << PathOf("") << " has no unwritten extents (tmpfs?)";
  }
  ASSERT_TRUE(zeroed_unwritten.has_value());
  EXPECT_FALSE(*zeroed_unwritten);
  EXPECT_EQ(zeroed_file->Size().value(), kSegmentSizeBytes);
}

// ---- locks across processes ---------------------------------------------------

TEST_F(PosixFsTest, LockHeldHereIsBusyInAForkedChildUntilReleased) {
  const std::string path = PathOf("LOCK");
  WriteFile(path, "");
  // The child's exit code: 0 = got the expected code, 1 = something else.
  auto child_lock_code = [&]() -> int {
    const pid_t pid = ::fork();
    if (pid == 0) {
      PosixFs child_fs;
      Result<std::unique_ptr<FileLock>> lock = child_fs.Lock(path);
      ::_exit(lock.ok() ? 0 : static_cast<int>(lock.status().code()));
    }
    int wait_status = 0;
    EXPECT_EQ(::waitpid(pid, &wait_status, 0), pid);
    EXPECT_TRUE(WIFEXITED(wait_status));
    return WEXITSTATUS(wait_status);
  };
  Result<std::unique_ptr<FileLock>> held = fs().Lock(path);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(child_lock_code(), static_cast<int>(StatusCode::kBusy));
  ASSERT_TRUE((*held)->Unlock().ok());
  EXPECT_EQ(child_lock_code(), 0);
}

}  // namespace
}  // namespace walsim::fs
