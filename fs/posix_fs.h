// PosixFs: the FileSystem of fs/fs.h on a real Linux disk.
//
// Each method is a thin, careful wrapper around one or two syscalls: every
// descriptor is opened with O_CLOEXEC; reads and writes loop on EINTR and on
// short transfers; File::SyncData is fdatasync, File::Sync is fsync, SyncDir
// fsyncs an O_DIRECTORY descriptor; Lock takes an open-file-description lock
// (F_OFD_SETLK) on a descriptor of its own, falling back to flock; Allocate is
// fallocate, falling back where the filesystem cannot preallocate. Every path
// goes through fs::ValidatePath before any syscall.
//
// Invariant: errno becomes a Status in exactly one function, ErrnoToStatus,
// and every message names the operation, the path and strerror.
//
// Fault injection: every syscall site is a libfiu point "walsim/posix/<op>"
// (PosixFaultPoint). When a point is enabled the syscall is not issued and
// the method fails as if the kernel had returned EIO.
//
// Threading: PosixFs holds no state and may be shared between threads. A File
// or FileLock is used by one thread at a time (fs/fs.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "fs/fs.h"

namespace walsim::fs {

// The syscall families PosixFs issues. Each is one libfiu fault point.
enum class PosixOp : uint8_t {
  kOpen,
  kRead,
  kWrite,
  kTruncate,
  kAllocate,
  kFsync,
  kFdatasync,
  kClose,
  kUnlink,
  kRename,
  kReaddir,
  kMkdir,
  kStat,
  kSyncdir,
  kLock,
};
inline constexpr size_t kPosixOpCount = 15;

// "open", "read", ...: the name used in messages.
std::string_view PosixOpName(PosixOp op);
// "walsim/posix/open", ...: the libfiu point guarding op's syscall sites.
const char* PosixFaultPoint(PosixOp op);

// The single errno -> Status translation. The code is:
//   ENOENT -> kNotFound; EEXIST -> kAlreadyExists; ENOSPC, EDQUOT -> kNoSpace;
//   EAGAIN/EWOULDBLOCK/EACCES from kLock -> kBusy; ENOTEMPTY -> kFailedPrecondition;
//   EISDIR, ENOTDIR, EINVAL, ENAMETOOLONG -> kInvalidArgument;
//   EIO and everything else -> kIoError.
// Two operations refine it, as fs/fs.h requires: for kRename, EEXIST,
// EISDIR and ENOTDIR (replacing a directory, or a file by a directory) are
// kFailedPrecondition; for kUnlink, EEXIST (POSIX rmdir of a non-empty
// directory) is kFailedPrecondition.
// The message is "<op> <path>[ <detail>]: <strerror>".
// REQUIRES: error_number != 0.
Status ErrnoToStatus(int error_number, PosixOp op, std::string_view path,
                     std::string_view detail = {});

class PosixFs final : public FileSystem {
 public:
  PosixFs() = default;

  // fs/fs.h. Opening a directory (or any non-regular file) is
  // kInvalidArgument; truncate with read_only is kInvalidArgument; exclusive
  // without create is ignored, as open(2) does.
  Result<std::unique_ptr<File>> Open(std::string_view path, OpenOptions options) override;
  // fs/fs.h. unlink, or rmdir when path is a directory.
  Status Remove(std::string_view path) override;
  // fs/fs.h. rename(2).
  Status Rename(std::string_view from, std::string_view to) override;
  // fs/fs.h. At most kListEntriesMax names; more is kFailedPrecondition.
  Result<std::vector<std::string>> List(std::string_view dir) override;
  // fs/fs.h. Mode 0755 (before umask).
  Status MkDir(std::string_view path) override;
  // fs/fs.h. stat(2), following symlinks.
  Result<FileInfo> Stat(std::string_view path) override;
  // fs/fs.h. open(O_DIRECTORY | O_RDONLY) + fsync.
  Status SyncDir(std::string_view path) override;
  // fs/fs.h. The file is opened read-write (a write lock needs it).
  Result<std::unique_ptr<FileLock>> Lock(std::string_view path) override;

  // A directory listing longer than this is refused rather than read forever.
  static constexpr size_t kListEntriesMax = size_t{1} << 24;
};

}  // namespace walsim::fs
