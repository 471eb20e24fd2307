// PosixFs against real syscalls failing: every fs::Fs method meets its
// syscall failing through libfiu's POSIX preload (fiu_posix_preload.so: the
// libc wrappers posix/io/<group>/<call> fail the call itself with the errno
// given as failinfo, or shorten its count on ".../reduce"), and must return
// the error with its path and strerror. Unlike the project's own
// "walsim/posix/<op>" points, nothing in PosixFs knows these fire: the libc
// call returns -1 as the kernel would.
//
// The binary re-executes itself with LD_PRELOAD set when the preload is not
// loaded yet (main below), so `ctest` and a plain run both work. Calls the
// preload does not wrap (mkdir, stat, fstat, fallocate, fcntl) are failed
// for real by the kernel instead (a path through a regular file, an offset
// past the filesystem's largest file), and say so.
#include <dlfcn.h>
#include <fiu-control.h>
#include <fiu.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fs/fs.h"
#include "fs/posix_fs.h"
#include "tests/fs/posix_env.h"

namespace walsim::fs {
namespace {

constexpr const char* kPosixPreload = "/usr/lib/fiu/fiu_posix_preload.so";

bool PreloadLoaded() {
  void* handle = ::dlopen(kPosixPreload, RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  (void)::dlclose(handle);
  return true;
}

std::span<const uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Counts how often a libfiu point is evaluated (its call issued) and fails
// none: libfiu's callbacks take no user pointer, hence the global.
int g_reduce_evaluations = 0;
int CountAndReduce(const char*, int*, void**, unsigned int*) {
  g_reduce_evaluations++;
  return 1;  // always shorten: the wrapper then transfers 1..count bytes
}

class PosixFiuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(PreloadLoaded()) << kPosixPreload << " is not preloaded";
    ASSERT_EQ(fiu_init(0), 0);
    ASSERT_FALSE(env_.Root().empty());
  }
  void TearDown() override {
    for (const std::string& point : enabled_) (void)fiu_disable(point.c_str());
  }

  std::string PathOf(std::string_view name) const { return env_.Root() + "/" + std::string(name); }
  FileSystem& fs() { return env_.fs(); }

  // The next call through point fails with error_number (once).
  void FailNext(const std::string& point, int error_number) {
    ASSERT_EQ(
        fiu_enable(point.c_str(), 1, reinterpret_cast<void*>(intptr_t{error_number}), FIU_ONETIME),
        0);
    enabled_.push_back(point);
  }

  std::unique_ptr<File> OpenFile(std::string_view name, const std::string& contents = "") {
    Result<std::unique_ptr<File>> file = fs().Open(PathOf(name), {.create = true});
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return nullptr;
    if (!contents.empty()) {
      EXPECT_TRUE((*file)->WriteAt(0, Bytes(contents)).ok());
    }
    return std::move(file).value();
  }

  // The status names path and the errno's text, with the expected code.
  static void ExpectError(const Status& status, StatusCode code, const std::string& path,
                          int error_number) {
    EXPECT_TRUE(status.Is(code)) << status.ToString();
    EXPECT_NE(status.message().find(path), std::string::npos) << status.ToString();
    EXPECT_NE(status.message().find(std::strerror(error_number)), std::string::npos)
        << status.ToString();
  }

  std::string ReadAll(std::string_view name) {
    Result<std::unique_ptr<File>> file = fs().Open(PathOf(name), {.read_only = true});
    EXPECT_TRUE(file.ok());
    if (!file.ok()) return "";
    std::string data(1 << 20, '\0');
    Result<size_t> got = (*file)->ReadAt(0, {reinterpret_cast<uint8_t*>(data.data()), data.size()});
    EXPECT_TRUE(got.ok());
    data.resize(got.ok() ? *got : 0);
    return data;
  }

  PosixEnv env_;
  std::vector<std::string> enabled_;
};

TEST_F(PosixFiuTest, OpenFailingInOpenIsAnIoErrorNamingThePath) {
  FailNext("posix/io/oc/open", EIO);
  Result<std::unique_ptr<File>> file = fs().Open(PathOf("a"), {.create = true});
  ExpectError(file.status(), StatusCode::kIoError, PathOf("a"), EIO);
  EXPECT_FALSE(fs().Stat(PathOf("a")).ok()) << "the failed open created the file";
}

TEST_F(PosixFiuTest, OpenFailingWithEnospcIsNoSpace) {
  FailNext("posix/io/oc/open", ENOSPC);
  ExpectError(fs().Open(PathOf("a"), {.create = true}).status(), StatusCode::kNoSpace, PathOf("a"),
              ENOSPC);
}

TEST_F(PosixFiuTest, ReadAtFailingInPreadIsAnIoError) {
  std::unique_ptr<File> file = OpenFile("a", "hello");
  ASSERT_NE(file, nullptr);
  FailNext("posix/io/rw/pread", EIO);
  std::vector<uint8_t> buffer(5);
  ExpectError(file->ReadAt(0, buffer).status(), StatusCode::kIoError, PathOf("a"), EIO);
}

TEST_F(PosixFiuTest, ShortPreadsAreContinuedUntilEveryByteIsRead) {
  const std::string contents(64 << 10, 'x');
  std::unique_ptr<File> file = OpenFile("a", contents);
  ASSERT_NE(file, nullptr);
  g_reduce_evaluations = 0;
  ASSERT_EQ(fiu_enable_external("posix/io/rw/pread/reduce", 1, nullptr, 0, &CountAndReduce), 0);
  enabled_.push_back("posix/io/rw/pread/reduce");
  std::vector<uint8_t> buffer(contents.size());
  Result<size_t> got = file->ReadAt(0, buffer);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, contents.size());
  EXPECT_EQ(std::string(buffer.begin(), buffer.end()), contents);
  EXPECT_GT(g_reduce_evaluations, 1) << "no short read happened";
}

TEST_F(PosixFiuTest, WriteAtFailingInPwriteIsAnIoErrorSayingHowMuchWasWritten) {
  std::unique_ptr<File> file = OpenFile("a");
  ASSERT_NE(file, nullptr);
  FailNext("posix/io/rw/pwrite", EIO);
  Status status = file->WriteAt(0, Bytes("hello"));
  ExpectError(status, StatusCode::kIoError, PathOf("a"), EIO);
  EXPECT_NE(status.message().find("wrote 0 of 5 bytes"), std::string::npos) << status.ToString();
}

TEST_F(PosixFiuTest, WriteAtFailingWithEnospcIsNoSpace) {
  std::unique_ptr<File> file = OpenFile("a");
  ASSERT_NE(file, nullptr);
  FailNext("posix/io/rw/pwrite", ENOSPC);
  ExpectError(file->WriteAt(0, Bytes("hello")), StatusCode::kNoSpace, PathOf("a"), ENOSPC);
}

TEST_F(PosixFiuTest, ShortPwritesAreContinuedUntilEveryByteIsWritten) {
  std::string contents(64 << 10, '\0');
  for (size_t i = 0; i < contents.size(); i++) contents[i] = static_cast<char>('a' + i % 26);
  std::unique_ptr<File> file = OpenFile("a");
  ASSERT_NE(file, nullptr);
  g_reduce_evaluations = 0;
  ASSERT_EQ(fiu_enable_external("posix/io/rw/pwrite/reduce", 1, nullptr, 0, &CountAndReduce), 0);
  enabled_.push_back("posix/io/rw/pwrite/reduce");
  Status status = file->WriteAt(0, Bytes(contents));
  (void)fiu_disable("posix/io/rw/pwrite/reduce");
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_GT(g_reduce_evaluations, 1) << "no short write happened";
  EXPECT_EQ(ReadAll("a"), contents);
}

TEST_F(PosixFiuTest, AppendFailingInPwriteIsAnIoError) {
  std::unique_ptr<File> file = OpenFile("a", "x");
  ASSERT_NE(file, nullptr);
  FailNext("posix/io/rw/pwrite", EIO);
  ExpectError(file->Append(Bytes("hello")), StatusCode::kIoError, PathOf("a"), EIO);
}

TEST_F(PosixFiuTest, TruncateFailingInFtruncateIsAnIoError) {
  std::unique_ptr<File> file = OpenFile("a", "hello");
  ASSERT_NE(file, nullptr);
  FailNext("posix/io/rw/ftruncate", EIO);
  ExpectError(file->Truncate(2), StatusCode::kIoError, PathOf("a"), EIO);
  EXPECT_EQ(*file->Size(), 5u);
}

TEST_F(PosixFiuTest, AllocateZeroFillFailingInPwriteIsAnIoError) {
  std::unique_ptr<File> file = OpenFile("a");
  ASSERT_NE(file, nullptr);
  FailNext("posix/io/rw/pwrite", EIO);
  ExpectError(file->Allocate(0, 4096, AllocateMode::kZeroFill), StatusCode::kIoError, PathOf("a"),
              EIO);
}

// fallocate has no libfiu wrapper: the kernel refuses a range past the
// filesystem's largest file (EFBIG) for real.
TEST_F(PosixFiuTest, AllocateFailingInFallocateIsAnErrorNamingThePath) {
  std::unique_ptr<File> file = OpenFile("a");
  ASSERT_NE(file, nullptr);
  Status status = file->Allocate(uint64_t{1} << 62, 4096, AllocateMode::kKeepSize);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(PathOf("a")), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("allocate"), std::string::npos) << status.ToString();
}

TEST_F(PosixFiuTest, SyncFailingInFsyncIsAnIoError) {
  std::unique_ptr<File> file = OpenFile("a", "hello");
  ASSERT_NE(file, nullptr);
  FailNext("posix/io/sync/fsync", EIO);
  ExpectError(file->Sync(), StatusCode::kIoError, PathOf("a"), EIO);
}

TEST_F(PosixFiuTest, SyncDataFailingInFdatasyncIsAnIoError) {
  std::unique_ptr<File> file = OpenFile("a", "hello");
  ASSERT_NE(file, nullptr);
  FailNext("posix/io/sync/fdatasync", EIO);
  ExpectError(file->SyncData(), StatusCode::kIoError, PathOf("a"), EIO);
}

TEST_F(PosixFiuTest, CloseFailingInCloseIsAnIoErrorAndTheHandleIsClosed) {
  std::unique_ptr<File> file = OpenFile("a");
  ASSERT_NE(file, nullptr);
  FailNext("posix/io/oc/close", EIO);
  ExpectError(file->Close(), StatusCode::kIoError, PathOf("a"), EIO);
  EXPECT_TRUE(file->Close().Is(StatusCode::kClosed));
}

TEST_F(PosixFiuTest, RemoveFailingInUnlinkIsAnIoErrorAndTheFileStays) {
  ASSERT_NE(OpenFile("a"), nullptr);
  FailNext("posix/io/dir/unlink", EIO);
  ExpectError(fs().Remove(PathOf("a")), StatusCode::kIoError, PathOf("a"), EIO);
  EXPECT_TRUE(fs().Stat(PathOf("a")).ok());
}

TEST_F(PosixFiuTest, RenameFailingInRenameIsAnIoErrorNamingBothPaths) {
  ASSERT_NE(OpenFile("a"), nullptr);
  FailNext("posix/io/dir/rename", EIO);
  Status status = fs().Rename(PathOf("a"), PathOf("b"));
  ExpectError(status, StatusCode::kIoError, PathOf("a"), EIO);
  EXPECT_NE(status.message().find(PathOf("b")), std::string::npos) << status.ToString();
  EXPECT_TRUE(fs().Stat(PathOf("a")).ok());
}

TEST_F(PosixFiuTest, ListFailingInOpenIsAnIoError) {
  FailNext("posix/io/oc/open", EIO);
  ExpectError(fs().List(env_.Root()).status(), StatusCode::kIoError, env_.Root(), EIO);
}

TEST_F(PosixFiuTest, ListFailingInReaddirIsAnIoError) {
  ASSERT_NE(OpenFile("a"), nullptr);
  FailNext("posix/io/dir/readdir", EIO);
  ExpectError(fs().List(env_.Root()).status(), StatusCode::kIoError, env_.Root(), EIO);
}

// mkdir and stat have no libfiu wrapper: the kernel fails them for real on a
// path through a regular file (ENOTDIR).
TEST_F(PosixFiuTest, MkDirFailingInMkdirNamesThePathAndErrno) {
  ASSERT_NE(OpenFile("file"), nullptr);
  ExpectError(fs().MkDir(PathOf("file/sub")), StatusCode::kInvalidArgument, PathOf("file/sub"),
              ENOTDIR);
}

TEST_F(PosixFiuTest, StatFailingInStatNamesThePathAndErrno) {
  ASSERT_NE(OpenFile("file"), nullptr);
  ExpectError(fs().Stat(PathOf("file/x")).status(), StatusCode::kInvalidArgument, PathOf("file/x"),
              ENOTDIR);
}

TEST_F(PosixFiuTest, SyncDirFailingInOpenIsAnIoError) {
  FailNext("posix/io/oc/open", EIO);
  ExpectError(fs().SyncDir(env_.Root()), StatusCode::kIoError, env_.Root(), EIO);
}

// The proof that a directory sync reaches fsync(2): only the fsync of the
// directory's descriptor can fail it here.
TEST_F(PosixFiuTest, SyncDirFailingInFsyncOfTheDirectoryIsAnIoError) {
  FailNext("posix/io/sync/fsync", EIO);
  ExpectError(fs().SyncDir(env_.Root()), StatusCode::kIoError, env_.Root(), EIO);
}

TEST_F(PosixFiuTest, LockFailingInOpenIsAnIoError) {
  ASSERT_NE(OpenFile("LOCK"), nullptr);
  FailNext("posix/io/oc/open", EIO);
  ExpectError(fs().Lock(PathOf("LOCK")).status(), StatusCode::kIoError, PathOf("LOCK"), EIO);
}

TEST_F(PosixFiuTest, UnlockFailingInCloseIsAnIoErrorAndReleasesTheLock) {
  ASSERT_NE(OpenFile("LOCK"), nullptr);
  Result<std::unique_ptr<FileLock>> lock = fs().Lock(PathOf("LOCK"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  FailNext("posix/io/oc/close", EIO);
  ExpectError((*lock)->Unlock(), StatusCode::kIoError, PathOf("LOCK"), EIO);
  EXPECT_TRUE((*lock)->Unlock().ok()) << "a second Unlock must be a no-op";
}

}  // namespace
}  // namespace walsim::fs

// Re-executes this binary with libfiu's POSIX preload unless it is loaded.
int main(int argc, char** argv) {
  if (!walsim::fs::PreloadLoaded() && ::access(walsim::fs::kPosixPreload, R_OK) == 0 &&
      std::getenv("WALSIM_FIU_REEXEC") == nullptr) {
    std::string preload = walsim::fs::kPosixPreload;
    if (const char* old = std::getenv("LD_PRELOAD"); old != nullptr && old[0] != '\0') {
      preload = std::string(old) + ":" + preload;
    }
    std::string asan = "verify_asan_link_order=0";
    if (const char* old = std::getenv("ASAN_OPTIONS"); old != nullptr && old[0] != '\0') {
      asan = std::string(old) + ":" + asan;
    }
    (void)::setenv("LD_PRELOAD", preload.c_str(), 1);
    (void)::setenv("ASAN_OPTIONS", asan.c_str(), 1);
    (void)::setenv("WALSIM_FIU_REEXEC", "1", 1);
    ::execv("/proc/self/exe", argv);
    std::perror("execv /proc/self/exe");
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
