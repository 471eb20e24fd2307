// The filesystem interface that walsim's production code is written against.
//
// Two implementations exist: PosixFs (fs/posix_fs.h), the real disk, and
// SimFs (sim/sim_fs.h), the simulated disk. Production code (wal/, logstore/)
// must not know which one it runs on. With no crash and no injected fault the
// two are indistinguishable; a conformance suite (tests/fs/) holds them to it.
//
// Durability model. Writes, truncates and allocations change *live* state
// (what reads see). Only the sync methods make state durable, and each says
// exactly what it covers:
//   File::Sync       the file's data and metadata (size).
//   File::SyncData   the file's data and the size needed to read it back.
//   FileSystem::SyncDir  the directory's entries (creates, renames, removes
//                    of its children). A file sync never persists the file's
//                    own directory entry.
// After a failed sync nothing is promised: the data may or may not be
// durable, and (Linux semantics) a later sync may return OK without making it
// so. Callers must treat a failed sync as fatal for what it covered.
//
// Paths. Every path is absolute and normal: it starts with '/', has no empty,
// "." or ".." component, no trailing '/' (except "/" itself) and no NUL byte.
// Anything else is kInvalidArgument (see ValidatePath). Callers holding user
// input normalize it first (tools/ does).
//
// Errors are Status codes from base/status.h; the message names the path.
// Threading: a FileSystem may be shared between threads only if the
// implementation says so (PosixFs: yes; SimFs: no). A File is used by one
// thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace walsim::fs {

struct OpenOptions {
  bool create = false;     // create the file if it does not exist
  bool exclusive = false;  // with create: kAlreadyExists if it exists
  bool truncate = false;   // set the size to 0 on open (REQUIRES: !read_only)
  bool read_only = false;  // writes, truncates, allocates and syncs-with-writes fail
};

enum class AllocateMode : uint8_t {
  kKeepSize,    // reserve space; the visible size does not change
  kExtendSize,  // reserve space and grow the size to offset + length (zeros)
  // As kExtendSize, and also write zeros over the bytes past the old size, so
  // that the blocks hold initialized data once synced. A later overwrite
  // inside the range then changes no metadata: on ext4 and xfs the first
  // write into a fallocated (unwritten) extent converts it, and the next
  // fdatasync must also write that extent change (a journal commit, or on
  // the work disk's journal-less ext4 a metadata block). Measured: a 10 KiB
  // append + fdatasync took 175 us into fallocated space and 90 us into
  // zeroed space. Costs one write of the range; logs pay it once per segment.
  kZeroFill,
};

struct FileInfo {
  uint64_t size_bytes = 0;
  bool is_directory = false;
};

class File {
 public:
  virtual ~File() = default;
  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // Reads up to dst.size() bytes starting at offset into dst.
  // Success: the number of bytes read; less than dst.size() only when the
  //   read reached the end of the file (0 at or past the end).
  // Failure: kIoError (nothing read is valid), kClosed, kInvalidArgument
  //   (a write-only handle does not exist; this is for offsets that overflow).
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> dst) = 0;

  // Writes all of data at offset, growing the file if needed (a gap reads as
  // zeros). Changes live state only.
  // Success: every byte was written.
  // Failure: kIoError, kNoSpace, kClosed, kInvalidArgument (read-only handle).
  //   Some prefix of data (possibly all, possibly none) may have been written;
  //   the message says how many bytes were.
  virtual Status WriteAt(uint64_t offset, std::span<const uint8_t> data) = 0;

  // Writes data at the current end of file (the live size). Same promises as
  // WriteAt.
  virtual Status Append(std::span<const uint8_t> data) = 0;

  // Sets the live size to size_bytes: shrinking drops bytes, growing adds zeros.
  // Failure: kIoError, kNoSpace (growing), kClosed, kInvalidArgument.
  virtual Status Truncate(uint64_t size_bytes) = 0;

  // Reserves space for [offset, offset + length) (fallocate). With
  // kExtendSize the size becomes at least offset + length, new bytes zero.
  // Falls back to a plain truncate (kExtendSize), to writing zeros only
  // (kZeroFill) or to nothing (kKeepSize) where the filesystem cannot
  // preallocate. kZeroFill never overwrites bytes below the current size.
  // Failure: kNoSpace, kIoError, kClosed, kInvalidArgument.
  virtual Status Allocate(uint64_t offset, uint64_t length, AllocateMode mode) = 0;

  // fsync: on success, the file's data and metadata (size) written so far are
  // durable. Not its directory entry: see FileSystem::SyncDir.
  // Failure: kIoError (nothing is promised, see the header comment), kClosed.
  virtual Status Sync() = 0;

  // fdatasync: on success, the file's data written so far and the size needed
  // to read it back are durable.
  // Failure: as Sync.
  virtual Status SyncData() = 0;

  // The live size in bytes. Failure: kIoError, kClosed.
  virtual Result<uint64_t> Size() = 0;

  // Releases the handle. Does not sync. Afterwards every method returns
  // kClosed; closing twice returns kClosed.
  virtual Status Close() = 0;

  // The path this handle was opened with.
  virtual const std::string& path() const = 0;
};

// An exclusive lock on a file, held until Unlock or destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
  FileLock() = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  // Releases the lock. Idempotent.
  virtual Status Unlock() = 0;
  virtual const std::string& path() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  FileSystem() = default;
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;

  // Opens (and with options.create, creates) the regular file at path. A new
  // file's directory entry is live only, until SyncDir of the parent.
  // Failure: kNotFound (missing file without create, or missing parent),
  //   kAlreadyExists (create+exclusive on an existing file), kInvalidArgument
  //   (bad path, path is a directory, bad option mix), kIoError, kNoSpace.
  virtual Result<std::unique_ptr<File>> Open(std::string_view path, OpenOptions options) = 0;

  // Removes a file or an empty directory. Live until SyncDir of the parent.
  // Failure: kNotFound, kFailedPrecondition (directory not empty),
  //   kInvalidArgument, kIoError.
  virtual Status Remove(std::string_view path) = 0;

  // Atomically renames a file or directory, replacing an existing file at to.
  // Live until SyncDir of both parents; after a crash the entry is under one
  // name or the other, never both and never neither.
  // Failure: kNotFound (from or to's parent missing), kFailedPrecondition
  //   (to is a non-empty directory, or a file replacing a directory or the
  //   reverse), kInvalidArgument, kIoError.
  virtual Status Rename(std::string_view from, std::string_view to) = 0;

  // The names (not paths) in a directory, sorted bytewise, without "." and "..".
  // Failure: kNotFound, kInvalidArgument (not a directory), kIoError.
  virtual Result<std::vector<std::string>> List(std::string_view dir) = 0;

  // Creates a directory. Live until SyncDir of the parent.
  // Failure: kAlreadyExists, kNotFound (parent missing), kInvalidArgument, kIoError.
  virtual Status MkDir(std::string_view path) = 0;

  // Size and kind of the entry at path. Failure: kNotFound, kInvalidArgument, kIoError.
  virtual Result<FileInfo> Stat(std::string_view path) = 0;

  // fsync of a directory: on success, its live entries (creations, renames,
  // removals of its children) are durable.
  // Failure: kNotFound, kInvalidArgument (not a directory), kIoError.
  virtual Status SyncDir(std::string_view path) = 0;

  // Takes an exclusive, non-blocking lock on an existing file. The lock is
  // held by the returned handle (not by the process): a second Lock of the
  // same file, from this process or another, fails with kBusy while it is held.
  // Failure: kBusy, kNotFound, kInvalidArgument, kIoError.
  virtual Result<std::unique_ptr<FileLock>> Lock(std::string_view path) = 0;
};

}  // namespace walsim::fs
