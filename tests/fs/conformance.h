// The filesystem conformance suite: the behaviour of fs/fs.h that every
// FileSystem shares, with no crash and no injected fault.
//
// A typed test suite over an environment type Env, instantiated once per
// implementation (PosixFs here; SimFs in tests/sim/). It holds only what a
// real POSIX disk and a faithful simulation both do, so that production code
// cannot tell them apart. Env has this shape:
//
//   // Env: default-constructible; owns a fresh, empty filesystem area.
//   //   walsim::fs::FileSystem& fs();   // the filesystem under test
//   //   std::string Root() const;       // an existing, empty, absolute directory to work in
//
// Instantiate with
//   INSTANTIATE_TYPED_TEST_SUITE_P(Name, FileSystemConformanceTest, ::testing::Types<MyEnv>);
// Each test gets a new Env. Errors are checked by code and by a message that
// names the path, as fs/fs.h promises; message wording is the implementation's.
// Not thread-safe (tests run one at a time).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "fs/fs.h"
#include "fs/path.h"

namespace walsim::fs {

template <typename Env>
class FileSystemConformanceTest : public ::testing::Test {
 protected:
  FileSystem& fs() { return env_.fs(); }
  std::string PathOf(std::string_view name) const { return Join(env_.Root(), name); }

  static std::span<const uint8_t> Bytes(std::string_view text) {
    return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
  }

  std::unique_ptr<File> OpenOrDie(const std::string& path, OpenOptions options) {
    Result<std::unique_ptr<File>> file = fs().Open(path, options);
    EXPECT_TRUE(file.ok()) << path << ": " << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }
  std::unique_ptr<File> CreateOrDie(const std::string& path) {
    return OpenOrDie(path, {.create = true});
  }

  // Creates path holding exactly contents.
  void WriteFile(const std::string& path, std::string_view contents) {
    std::unique_ptr<File> file = OpenOrDie(path, {.create = true, .truncate = true});
    ASSERT_NE(file, nullptr);
    ASSERT_TRUE(file->WriteAt(0, Bytes(contents)).ok());
    ASSERT_TRUE(file->Close().ok());
  }

  // The whole live contents of path, read through a fresh read-only handle.
  std::string ReadFile(const std::string& path) {
    std::unique_ptr<File> file = OpenOrDie(path, {.read_only = true});
    if (file == nullptr) return "<unopenable>";
    return ReadAll(*file);
  }
  static std::string ReadAll(File& file) {
    Result<uint64_t> size_bytes = file.Size();
    EXPECT_TRUE(size_bytes.ok()) << size_bytes.status().ToString();
    if (!size_bytes.ok()) return "<no size>";
    std::string contents(*size_bytes, '\0');
    std::span<uint8_t> dst(reinterpret_cast<uint8_t*>(contents.data()), contents.size());
    Result<size_t> read_bytes = file.ReadAt(0, dst);
    EXPECT_TRUE(read_bytes.ok()) << read_bytes.status().ToString();
    if (!read_bytes.ok()) return "<unreadable>";
    EXPECT_EQ(*read_bytes, contents.size());
    return contents;
  }

  // The names in dir; a failure is reported and gives no names.
  std::vector<std::string> Names(const std::string& dir) {
    Result<std::vector<std::string>> names = fs().List(dir);
    EXPECT_TRUE(names.ok()) << dir << ": " << names.status().ToString();
    return names.ok() ? std::move(names).value() : std::vector<std::string>{"<unlistable>"};
  }
  bool IsDirectory(const std::string& path) {
    Result<FileInfo> info = fs().Stat(path);
    EXPECT_TRUE(info.ok()) << path << ": " << info.status().ToString();
    return info.ok() && info->is_directory;
  }

  // Expects status to be code with a message that names path.
  static void ExpectError(const Status& status, StatusCode code, std::string_view path) {
    EXPECT_EQ(status.code(), code) << status.ToString();
    EXPECT_THAT(status.message(), ::testing::HasSubstr(std::string(path)));
  }

  Env env_;
};

TYPED_TEST_SUITE_P(FileSystemConformanceTest);

// ---- create, open, read, write, append, size --------------------------------

TYPED_TEST_P(FileSystemConformanceTest, CreatedFileIsEmptyAndReadsBackWhatWasWritten) {
  const std::string path = this->PathOf("a");
  std::unique_ptr<File> file = this->CreateOrDie(path);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->path(), path);
  Result<uint64_t> size_bytes = file->Size();
  ASSERT_TRUE(size_bytes.ok());
  EXPECT_EQ(*size_bytes, 0u);
  ASSERT_TRUE(file->WriteAt(0, this->Bytes("hello world")).ok());
  ASSERT_TRUE(file->WriteAt(6, this->Bytes("WORLD")).ok());
  EXPECT_EQ(this->ReadAll(*file), "hello WORLD");
  EXPECT_EQ(this->ReadFile(path), "hello WORLD");
  EXPECT_TRUE(file->Close().ok());
}

TYPED_TEST_P(FileSystemConformanceTest, AppendWritesAtTheLiveEndOfFile) {
  const std::string path = this->PathOf("log");
  std::unique_ptr<File> file = this->CreateOrDie(path);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->Append(this->Bytes("abc")).ok());
  ASSERT_TRUE(file->WriteAt(5, this->Bytes("Z")).ok());  // moves the end to 6
  ASSERT_TRUE(file->Append(this->Bytes("de")).ok());
  EXPECT_EQ(this->ReadAll(*file), std::string("abc\0\0Zde", 8));
  Result<uint64_t> size_bytes = file->Size();
  ASSERT_TRUE(size_bytes.ok());
  EXPECT_EQ(*size_bytes, 8u);
}

TYPED_TEST_P(FileSystemConformanceTest, ReopeningKeepsContentsAndTruncateOptionEmptiesIt) {
  const std::string path = this->PathOf("f");
  this->WriteFile(path, "keep me");
  std::unique_ptr<File> reopened = this->OpenOrDie(path, {});
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(this->ReadAll(*reopened), "keep me");
  std::unique_ptr<File> truncated = this->OpenOrDie(path, {.truncate = true});
  ASSERT_NE(truncated, nullptr);
  Result<uint64_t> size_bytes = truncated->Size();
  ASSERT_TRUE(size_bytes.ok());
  EXPECT_EQ(*size_bytes, 0u);
}

TYPED_TEST_P(FileSystemConformanceTest, WritesAreVisibleThroughEveryHandleOfTheFile) {
  const std::string path = this->PathOf("shared");
  std::unique_ptr<File> writer = this->CreateOrDie(path);
  std::unique_ptr<File> reader = this->OpenOrDie(path, {.read_only = true});
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(writer->Append(this->Bytes("seen")).ok());
  EXPECT_EQ(this->ReadAll(*reader), "seen");
  std::unique_ptr<File> appender = this->OpenOrDie(path, {});
  ASSERT_NE(appender, nullptr);
  ASSERT_TRUE(appender->Append(this->Bytes("+more")).ok());
  EXPECT_EQ(this->ReadAll(*reader), "seen+more");
}

TYPED_TEST_P(FileSystemConformanceTest, ReadsPastTheEndAreShortOrEmpty) {
  const std::string path = this->PathOf("short");
  this->WriteFile(path, "0123456789");
  std::unique_ptr<File> file = this->OpenOrDie(path, {.read_only = true});
  ASSERT_NE(file, nullptr);
  std::vector<uint8_t> buffer(8, 0xEE);
  Result<size_t> tail = file->ReadAt(6, buffer);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, 4u);
  EXPECT_EQ(std::string(buffer.begin(), buffer.begin() + 4), "6789");
  Result<size_t> at_end = file->ReadAt(10, buffer);
  ASSERT_TRUE(at_end.ok());
  EXPECT_EQ(*at_end, 0u);
  Result<size_t> far_past = file->ReadAt(1 << 20, buffer);
  ASSERT_TRUE(far_past.ok());
  EXPECT_EQ(*far_past, 0u);
  Result<size_t> empty = file->ReadAt(0, std::span<uint8_t>());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, 0u);
}

TYPED_TEST_P(FileSystemConformanceTest, WriteAtPastTheEndZeroFillsTheGap) {
  const std::string path = this->PathOf("gap");
  std::unique_ptr<File> file = this->CreateOrDie(path);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->WriteAt(0, this->Bytes("ab")).ok());
  ASSERT_TRUE(file->WriteAt(4096 + 3, this->Bytes("cd")).ok());
  const std::string contents = this->ReadAll(*file);
  ASSERT_EQ(contents.size(), 4096u + 5);
  EXPECT_EQ(contents.substr(0, 2), "ab");
  EXPECT_EQ(contents.substr(2, 4096 + 1), std::string(4096 + 1, '\0'));
  EXPECT_EQ(contents.substr(4096 + 3), "cd");
}

// ---- truncate and allocate ------------------------------------------------

TYPED_TEST_P(FileSystemConformanceTest, TruncateShrinksAndGrowsWithZeros) {
  const std::string path = this->PathOf("t");
  std::unique_ptr<File> file = this->CreateOrDie(path);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->Append(this->Bytes("0123456789")).ok());
  ASSERT_TRUE(file->Truncate(4).ok());
  EXPECT_EQ(this->ReadAll(*file), "0123");
  ASSERT_TRUE(file->Truncate(7).ok());
  EXPECT_EQ(this->ReadAll(*file), std::string("0123\0\0\0", 7));
  ASSERT_TRUE(file->Truncate(0).ok());
  Result<uint64_t> size_bytes = file->Size();
  ASSERT_TRUE(size_bytes.ok());
  EXPECT_EQ(*size_bytes, 0u);
}

TYPED_TEST_P(FileSystemConformanceTest, AllocateKeepSizeLeavesTheSizeAndContents) {
  const std::string path = this->PathOf("keep");
  std::unique_ptr<File> file = this->CreateOrDie(path);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->Append(this->Bytes("data")).ok());
  ASSERT_TRUE(file->Allocate(0, 1 << 16, AllocateMode::kKeepSize).ok());
  EXPECT_EQ(this->ReadAll(*file), "data");
  Result<FileInfo> info = this->fs().Stat(path);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size_bytes, 4u);
}

TYPED_TEST_P(FileSystemConformanceTest, AllocateExtendSizeGrowsWithZerosAndNeverShrinks) {
  const std::string path = this->PathOf("extend");
  std::unique_ptr<File> file = this->CreateOrDie(path);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->Append(this->Bytes("data")).ok());
  ASSERT_TRUE(file->Allocate(2, 8190, AllocateMode::kExtendSize).ok());
  std::string expected = "data";
  expected.resize(8192, '\0');
  EXPECT_EQ(this->ReadAll(*file), expected);
  ASSERT_TRUE(file->Allocate(0, 16, AllocateMode::kExtendSize).ok());  // inside: no change
  EXPECT_EQ(this->ReadAll(*file), expected);
  // Appends land after the allocated region, as with a preallocated segment.
  ASSERT_TRUE(file->Append(this->Bytes("!")).ok());
  Result<uint64_t> size_bytes = file->Size();
  ASSERT_TRUE(size_bytes.ok());
  EXPECT_EQ(*size_bytes, 8193u);
}

TYPED_TEST_P(FileSystemConformanceTest, AllocateZeroFillGrowsWithZerosAndKeepsExistingBytes) {
  const std::string path = this->PathOf("zero_fill");
  std::unique_ptr<File> file = this->CreateOrDie(path);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->Append(this->Bytes("data")).ok());
  // The range starts inside the data: the old bytes stay, the new ones are zeros.
  ASSERT_TRUE(file->Allocate(2, (1 << 19) - 2, AllocateMode::kZeroFill).ok());
  std::string expected = "data";
  expected.resize(1 << 19, '\0');
  EXPECT_EQ(this->ReadAll(*file), expected);
  ASSERT_TRUE(file->WriteAt(100, this->Bytes("x")).ok());
  ASSERT_TRUE(file->Allocate(0, 1 << 10, AllocateMode::kZeroFill).ok());  // inside: no change
  expected[100] = 'x';
  EXPECT_EQ(this->ReadAll(*file), expected);
  ASSERT_TRUE(file->SyncData().ok());
}

// ---- open failures ---------------------------------------------------------

TYPED_TEST_P(FileSystemConformanceTest, ExclusiveCreateOfAnExistingFileIsAlreadyExists) {
  const std::string path = this->PathOf("once");
  this->WriteFile(path, "first");
  Result<std::unique_ptr<File>> again = this->fs().Open(path, {.create = true, .exclusive = true});
  ASSERT_FALSE(again.ok());
  this->ExpectError(again.status(), StatusCode::kAlreadyExists, path);
  EXPECT_EQ(this->ReadFile(path), "first");
  // A fresh name is created exclusively without complaint.
  EXPECT_TRUE(this->fs().Open(this->PathOf("twice"), {.create = true, .exclusive = true}).ok());
}

TYPED_TEST_P(FileSystemConformanceTest, OpeningAMissingFileWithoutCreateIsNotFound) {
  const std::string path = this->PathOf("missing");
  Result<std::unique_ptr<File>> file = this->fs().Open(path, {});
  ASSERT_FALSE(file.ok());
  this->ExpectError(file.status(), StatusCode::kNotFound, path);
  Result<FileInfo> info = this->fs().Stat(path);
  ASSERT_FALSE(info.ok());  // and nothing was created
  EXPECT_EQ(info.status().code(), StatusCode::kNotFound);
}

TYPED_TEST_P(FileSystemConformanceTest, CreatingUnderAMissingParentIsNotFound) {
  const std::string path = this->PathOf("no-such-dir") + "/file";
  Result<std::unique_ptr<File>> file = this->fs().Open(path, {.create = true});
  ASSERT_FALSE(file.ok());
  this->ExpectError(file.status(), StatusCode::kNotFound, path);
}

TYPED_TEST_P(FileSystemConformanceTest, OpeningADirectoryIsInvalidArgument) {
  const std::string dir = this->PathOf("dir");
  ASSERT_TRUE(this->fs().MkDir(dir).ok());
  for (OpenOptions options :
       {OpenOptions{}, OpenOptions{.read_only = true}, OpenOptions{.create = true}}) {
    Result<std::unique_ptr<File>> file = this->fs().Open(dir, options);
    ASSERT_FALSE(file.ok());
    this->ExpectError(file.status(), StatusCode::kInvalidArgument, dir);
  }
}

TYPED_TEST_P(FileSystemConformanceTest, TruncateOptionOnAReadOnlyOpenIsInvalidArgument) {
  const std::string path = this->PathOf("ro");
  this->WriteFile(path, "intact");
  Result<std::unique_ptr<File>> file = this->fs().Open(path, {.truncate = true, .read_only = true});
  ASSERT_FALSE(file.ok());
  this->ExpectError(file.status(), StatusCode::kInvalidArgument, path);
  EXPECT_EQ(this->ReadFile(path), "intact");
}

TYPED_TEST_P(FileSystemConformanceTest, ReadOnlyHandleRefusesEveryWrite) {
  const std::string path = this->PathOf("ro");
  this->WriteFile(path, "intact");
  std::unique_ptr<File> file = this->OpenOrDie(path, {.read_only = true});
  ASSERT_NE(file, nullptr);
  this->ExpectError(file->WriteAt(0, this->Bytes("X")), StatusCode::kInvalidArgument, path);
  this->ExpectError(file->Append(this->Bytes("X")), StatusCode::kInvalidArgument, path);
  this->ExpectError(file->Truncate(1), StatusCode::kInvalidArgument, path);
  this->ExpectError(file->Allocate(0, 4096, AllocateMode::kExtendSize),
                    StatusCode::kInvalidArgument, path);
  EXPECT_EQ(this->ReadAll(*file), "intact");
}

// ---- close ---------------------------------------------------------------

TYPED_TEST_P(FileSystemConformanceTest, EveryFileMethodAfterCloseIsClosed) {
  const std::string path = this->PathOf("c");
  std::unique_ptr<File> file = this->CreateOrDie(path);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->Append(this->Bytes("x")).ok());
  ASSERT_TRUE(file->Close().ok());
  std::vector<uint8_t> buffer(4);
  EXPECT_EQ(file->ReadAt(0, buffer).status().code(), StatusCode::kClosed);
  EXPECT_EQ(file->WriteAt(0, this->Bytes("y")).code(), StatusCode::kClosed);
  EXPECT_EQ(file->Append(this->Bytes("y")).code(), StatusCode::kClosed);
  EXPECT_EQ(file->Truncate(0).code(), StatusCode::kClosed);
  EXPECT_EQ(file->Allocate(0, 4096, AllocateMode::kKeepSize).code(), StatusCode::kClosed);
  EXPECT_EQ(file->Sync().code(), StatusCode::kClosed);
  EXPECT_EQ(file->SyncData().code(), StatusCode::kClosed);
  EXPECT_EQ(file->Size().status().code(), StatusCode::kClosed);
  this->ExpectError(file->Close(), StatusCode::kClosed, path);
  EXPECT_EQ(file->path(), path);
  EXPECT_EQ(this->ReadFile(path), "x");  // closing kept the data
}

// ---- directories -------------------------------------------------------

TYPED_TEST_P(FileSystemConformanceTest, ListIsSortedAndOmitsDotEntries) {
  EXPECT_EQ(this->Names(this->env_.Root()), std::vector<std::string>());
  for (const char* name : {"b", "a.wal", "C", "a", "0000000000000001-0000000000000000.wal"}) {
    this->WriteFile(this->PathOf(name), "");
  }
  ASSERT_TRUE(this->fs().MkDir(this->PathOf("dir")).ok());
  this->WriteFile(this->PathOf("dir") + "/nested", "");  // not listed in the parent
  Result<std::vector<std::string>> names = this->fs().List(this->env_.Root());
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"0000000000000001-0000000000000000.wal", "C", "a",
                                              "a.wal", "b", "dir"}));
}

TYPED_TEST_P(FileSystemConformanceTest, ListOfAMissingDirectoryIsNotFound) {
  const std::string dir = this->PathOf("nowhere");
  Result<std::vector<std::string>> names = this->fs().List(dir);
  ASSERT_FALSE(names.ok());
  this->ExpectError(names.status(), StatusCode::kNotFound, dir);
}

TYPED_TEST_P(FileSystemConformanceTest, ListOfAFileIsInvalidArgument) {
  const std::string path = this->PathOf("plain");
  this->WriteFile(path, "");
  Result<std::vector<std::string>> names = this->fs().List(path);
  ASSERT_FALSE(names.ok());
  this->ExpectError(names.status(), StatusCode::kInvalidArgument, path);
}

TYPED_TEST_P(FileSystemConformanceTest, MkDirCreatesAnEmptyDirectoryOnce) {
  const std::string dir = this->PathOf("d");
  ASSERT_TRUE(this->fs().MkDir(dir).ok());
  Result<FileInfo> info = this->fs().Stat(dir);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->is_directory);
  EXPECT_EQ(this->Names(dir), std::vector<std::string>());
  this->ExpectError(this->fs().MkDir(dir), StatusCode::kAlreadyExists, dir);
  const std::string file = this->PathOf("f");
  this->WriteFile(file, "");
  this->ExpectError(this->fs().MkDir(file), StatusCode::kAlreadyExists, file);
}

TYPED_TEST_P(FileSystemConformanceTest, MkDirUnderAMissingParentIsNotFound) {
  const std::string dir = this->PathOf("missing") + "/child";
  this->ExpectError(this->fs().MkDir(dir), StatusCode::kNotFound, dir);
}

// ---- remove --------------------------------------------------------------

TYPED_TEST_P(FileSystemConformanceTest, RemoveDeletesAFileAndAnEmptyDirectory) {
  const std::string file = this->PathOf("f");
  const std::string dir = this->PathOf("d");
  this->WriteFile(file, "bytes");
  ASSERT_TRUE(this->fs().MkDir(dir).ok());
  EXPECT_TRUE(this->fs().Remove(file).ok());
  EXPECT_TRUE(this->fs().Remove(dir).ok());
  EXPECT_EQ(this->fs().Stat(file).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(this->fs().Stat(dir).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(this->Names(this->env_.Root()), std::vector<std::string>());
}

TYPED_TEST_P(FileSystemConformanceTest, RemovingANonEmptyDirectoryIsFailedPrecondition) {
  const std::string dir = this->PathOf("d");
  ASSERT_TRUE(this->fs().MkDir(dir).ok());
  this->WriteFile(dir + "/child", "x");
  this->ExpectError(this->fs().Remove(dir), StatusCode::kFailedPrecondition, dir);
  EXPECT_EQ(this->ReadFile(dir + "/child"), "x");
}

TYPED_TEST_P(FileSystemConformanceTest, RemovingAMissingEntryIsNotFound) {
  const std::string path = this->PathOf("ghost");
  this->ExpectError(this->fs().Remove(path), StatusCode::kNotFound, path);
}

// ---- rename ---------------------------------------------------------------

TYPED_TEST_P(FileSystemConformanceTest, RenameMovesAFileWithItsContents) {
  const std::string from = this->PathOf("x.tmp");
  const std::string to = this->PathOf("x.wal");
  this->WriteFile(from, "segment");
  ASSERT_TRUE(this->fs().Rename(from, to).ok());
  EXPECT_EQ(this->fs().Stat(from).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(this->ReadFile(to), "segment");
  EXPECT_EQ(this->Names(this->env_.Root()), std::vector<std::string>{"x.wal"});
}

TYPED_TEST_P(FileSystemConformanceTest, RenameOverAnExistingFileReplacesIt) {
  const std::string from = this->PathOf("new");
  const std::string to = this->PathOf("old");
  this->WriteFile(from, "new contents");
  this->WriteFile(to, "old");
  ASSERT_TRUE(this->fs().Rename(from, to).ok());
  EXPECT_EQ(this->ReadFile(to), "new contents");
  EXPECT_EQ(this->Names(this->env_.Root()), std::vector<std::string>{"old"});
}

TYPED_TEST_P(FileSystemConformanceTest, RenameMovesADirectoryWithItsChildren) {
  const std::string from = this->PathOf("wal.tmp");
  const std::string to = this->PathOf("wal");
  ASSERT_TRUE(this->fs().MkDir(from).ok());
  this->WriteFile(from + "/0.wal", "records");
  ASSERT_TRUE(this->fs().Rename(from, to).ok());
  EXPECT_EQ(this->fs().Stat(from).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(this->IsDirectory(to));
  EXPECT_EQ(this->Names(to), std::vector<std::string>{"0.wal"});
  EXPECT_EQ(this->ReadFile(to + "/0.wal"), "records");
}

TYPED_TEST_P(FileSystemConformanceTest, RenameOfAMissingEntryOrIntoAMissingParentIsNotFound) {
  const std::string missing = this->PathOf("ghost");
  this->ExpectError(this->fs().Rename(missing, this->PathOf("other")), StatusCode::kNotFound,
                    missing);
  const std::string file = this->PathOf("f");
  this->WriteFile(file, "stays");
  EXPECT_EQ(this->fs().Rename(file, this->PathOf("no-dir") + "/f").code(), StatusCode::kNotFound);
  EXPECT_EQ(this->ReadFile(file), "stays");
}

TYPED_TEST_P(FileSystemConformanceTest, RenameBetweenFileAndDirectoryIsFailedPrecondition) {
  const std::string file = this->PathOf("f");
  const std::string dir = this->PathOf("d");
  const std::string full = this->PathOf("full");
  this->WriteFile(file, "file");
  ASSERT_TRUE(this->fs().MkDir(dir).ok());
  ASSERT_TRUE(this->fs().MkDir(full).ok());
  this->WriteFile(full + "/child", "");
  this->ExpectError(this->fs().Rename(file, dir), StatusCode::kFailedPrecondition, file);
  this->ExpectError(this->fs().Rename(dir, file), StatusCode::kFailedPrecondition, dir);
  this->ExpectError(this->fs().Rename(dir, full), StatusCode::kFailedPrecondition, dir);
  EXPECT_EQ(this->ReadFile(file), "file");
  EXPECT_EQ(this->Names(full), std::vector<std::string>{"child"});
}

// ---- stat -----------------------------------------------------------------

TYPED_TEST_P(FileSystemConformanceTest, StatReportsSizeAndKind) {
  const std::string file = this->PathOf("f");
  this->WriteFile(file, "twelve bytes");
  Result<FileInfo> file_info = this->fs().Stat(file);
  ASSERT_TRUE(file_info.ok());
  EXPECT_EQ(file_info->size_bytes, 12u);
  EXPECT_FALSE(file_info->is_directory);
  Result<FileInfo> root_info = this->fs().Stat(this->env_.Root());
  ASSERT_TRUE(root_info.ok());
  EXPECT_TRUE(root_info->is_directory);
  const std::string missing = this->PathOf("missing");
  this->ExpectError(this->fs().Stat(missing).status(), StatusCode::kNotFound, missing);
}

// ---- sync -------------------------------------------------------------------

TYPED_TEST_P(FileSystemConformanceTest, SyncsSucceedWithoutFaults) {
  const std::string path = this->PathOf("durable");
  std::unique_ptr<File> file = this->CreateOrDie(path);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->Append(this->Bytes("abc")).ok());
  EXPECT_TRUE(file->SyncData().ok());
  ASSERT_TRUE(file->Append(this->Bytes("def")).ok());
  EXPECT_TRUE(file->Sync().ok());
  EXPECT_TRUE(this->fs().SyncDir(this->env_.Root()).ok());
  EXPECT_EQ(this->ReadAll(*file), "abcdef");  // syncing changes no live state
  std::unique_ptr<File> reader = this->OpenOrDie(path, {.read_only = true});
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->Sync().ok());  // nothing written through it: nothing to refuse
}

TYPED_TEST_P(FileSystemConformanceTest, SyncDirOfAFileIsInvalidArgumentAndOfNothingNotFound) {
  const std::string file = this->PathOf("f");
  this->WriteFile(file, "");
  this->ExpectError(this->fs().SyncDir(file), StatusCode::kInvalidArgument, file);
  const std::string missing = this->PathOf("missing");
  this->ExpectError(this->fs().SyncDir(missing), StatusCode::kNotFound, missing);
}

// ---- locks -----------------------------------------------------------------

TYPED_TEST_P(FileSystemConformanceTest, SecondLockOfAFileIsBusyUntilTheFirstIsReleased) {
  const std::string path = this->PathOf("LOCK");
  this->WriteFile(path, "");
  Result<std::unique_ptr<FileLock>> first = this->fs().Lock(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((*first)->path(), path);
  Result<std::unique_ptr<FileLock>> second = this->fs().Lock(path);
  ASSERT_FALSE(second.ok());
  this->ExpectError(second.status(), StatusCode::kBusy, path);
  ASSERT_TRUE((*first)->Unlock().ok());
  EXPECT_TRUE((*first)->Unlock().ok());  // idempotent
  Result<std::unique_ptr<FileLock>> third = this->fs().Lock(path);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
}

TYPED_TEST_P(FileSystemConformanceTest, DestroyingALockReleasesIt) {
  const std::string path = this->PathOf("LOCK");
  this->WriteFile(path, "");
  {
    Result<std::unique_ptr<FileLock>> held = this->fs().Lock(path);
    ASSERT_TRUE(held.ok()) << held.status().ToString();
    EXPECT_EQ(this->fs().Lock(path).status().code(), StatusCode::kBusy);
  }
  EXPECT_TRUE(this->fs().Lock(path).ok());
}

TYPED_TEST_P(FileSystemConformanceTest, LockIsHeldByItsHandleNotByOpenFiles) {
  const std::string path = this->PathOf("LOCK");
  this->WriteFile(path, "");
  Result<std::unique_ptr<FileLock>> held = this->fs().Lock(path);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  std::unique_ptr<File> file = this->OpenOrDie(path, {});
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->Close().ok());  // closing another handle leaves the lock held
  EXPECT_EQ(this->fs().Lock(path).status().code(), StatusCode::kBusy);
}

TYPED_TEST_P(FileSystemConformanceTest, LockOfAMissingFileIsNotFound) {
  const std::string path = this->PathOf("no-lock");
  Result<std::unique_ptr<FileLock>> lock = this->fs().Lock(path);
  ASSERT_FALSE(lock.ok());
  this->ExpectError(lock.status(), StatusCode::kNotFound, path);
}

// ---- paths -------------------------------------------------------------------

TYPED_TEST_P(FileSystemConformanceTest, MalformedPathsAreInvalidArgumentForEveryMethod) {
  const std::string root = this->env_.Root();
  this->WriteFile(this->PathOf("f"), "x");
  const std::string good = this->PathOf("f");
  const std::vector<std::string> bad_paths = {
      "",
      "relative/f",
      root + "/../f",
      root + "/./f",
      root + "//f",
      root + "/f/",
      root + std::string("/f\0g", 4),
  };
  for (const std::string& bad : bad_paths) {
    SCOPED_TRACE("path \"" + bad + "\"");
    auto expect_invalid = [](const Status& status) {
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
      EXPECT_THAT(status.message(), ::testing::HasSubstr("bad path"));
    };
    expect_invalid(this->fs().Open(bad, {.create = true}).status());
    expect_invalid(this->fs().Remove(bad));
    expect_invalid(this->fs().Rename(bad, this->PathOf("g")));
    expect_invalid(this->fs().Rename(good, bad));
    expect_invalid(this->fs().List(bad).status());
    expect_invalid(this->fs().MkDir(bad));
    expect_invalid(this->fs().Stat(bad).status());
    expect_invalid(this->fs().SyncDir(bad));
    expect_invalid(this->fs().Lock(bad).status());
  }
  // Nothing was created, moved or removed along the way.
  EXPECT_EQ(this->Names(root), std::vector<std::string>{"f"});
  EXPECT_EQ(this->ReadFile(good), "x");
}

// ---- a model check -----------------------------------------------------------

// Any sequence of writes, appends, truncates and extending allocations leaves
// the file equal to the same operations applied to a byte string.
TYPED_TEST_P(FileSystemConformanceTest, LiveContentsMatchAByteStringModel) {
  const std::string path = this->PathOf("model");
  constexpr uint64_t kOffsetMax = 3 * 4096;
  constexpr size_t kOperationCountMax = 12;
  EXPECT_TRUE(rc::check([&] {
    std::unique_ptr<File> file = this->OpenOrDie(path, {.create = true, .truncate = true});
    RC_ASSERT(file != nullptr);
    std::string model;
    const size_t operation_count = *rc::gen::inRange<size_t>(0, kOperationCountMax + 1);
    for (size_t i = 0; i < operation_count; i++) {
      const uint64_t offset = *rc::gen::inRange<uint64_t>(0, kOffsetMax);
      const auto kind = *rc::gen::inRange(0, 4);
      if (kind == 0 || kind == 1) {
        const std::string data = *rc::gen::container<std::string>(*rc::gen::inRange<size_t>(1, 600),
                                                                  rc::gen::arbitrary<char>());
        const uint64_t at = kind == 0 ? offset : model.size();
        RC_ASSERT(
            (kind == 0 ? file->WriteAt(at, this->Bytes(data)) : file->Append(this->Bytes(data)))
                .ok());
        if (model.size() < at + data.size()) model.resize(at + data.size(), '\0');
        model.replace(at, data.size(), data);
      } else if (kind == 2) {
        RC_ASSERT(file->Truncate(offset).ok());
        model.resize(offset, '\0');
      } else {
        RC_ASSERT(file->Allocate(offset, 512, AllocateMode::kExtendSize).ok());
        if (model.size() < offset + 512) model.resize(offset + 512, '\0');
      }
    }
    RC_ASSERT(this->ReadAll(*file) == model);
    Result<FileInfo> info = this->fs().Stat(path);
    RC_ASSERT(info.ok());
    RC_ASSERT(info->size_bytes == model.size());
  }));
}

REGISTER_TYPED_TEST_SUITE_P(
    FileSystemConformanceTest, CreatedFileIsEmptyAndReadsBackWhatWasWritten,
    AppendWritesAtTheLiveEndOfFile, ReopeningKeepsContentsAndTruncateOptionEmptiesIt,
    WritesAreVisibleThroughEveryHandleOfTheFile, ReadsPastTheEndAreShortOrEmpty,
    WriteAtPastTheEndZeroFillsTheGap, TruncateShrinksAndGrowsWithZeros,
    AllocateKeepSizeLeavesTheSizeAndContents, AllocateExtendSizeGrowsWithZerosAndNeverShrinks,
    AllocateZeroFillGrowsWithZerosAndKeepsExistingBytes,
    ExclusiveCreateOfAnExistingFileIsAlreadyExists, OpeningAMissingFileWithoutCreateIsNotFound,
    CreatingUnderAMissingParentIsNotFound, OpeningADirectoryIsInvalidArgument,
    TruncateOptionOnAReadOnlyOpenIsInvalidArgument, ReadOnlyHandleRefusesEveryWrite,
    EveryFileMethodAfterCloseIsClosed, ListIsSortedAndOmitsDotEntries,
    ListOfAMissingDirectoryIsNotFound, ListOfAFileIsInvalidArgument,
    MkDirCreatesAnEmptyDirectoryOnce, MkDirUnderAMissingParentIsNotFound,
    RemoveDeletesAFileAndAnEmptyDirectory, RemovingANonEmptyDirectoryIsFailedPrecondition,
    RemovingAMissingEntryIsNotFound, RenameMovesAFileWithItsContents,
    RenameOverAnExistingFileReplacesIt, RenameMovesADirectoryWithItsChildren,
    RenameOfAMissingEntryOrIntoAMissingParentIsNotFound,
    RenameBetweenFileAndDirectoryIsFailedPrecondition, StatReportsSizeAndKind,
    SyncsSucceedWithoutFaults, SyncDirOfAFileIsInvalidArgumentAndOfNothingNotFound,
    SecondLockOfAFileIsBusyUntilTheFirstIsReleased, DestroyingALockReleasesIt,
    LockIsHeldByItsHandleNotByOpenFiles, LockOfAMissingFileIsNotFound,
    MalformedPathsAreInvalidArgumentForEveryMethod, LiveContentsMatchAByteStringModel);

}  // namespace walsim::fs
