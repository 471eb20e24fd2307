#include "fs/posix_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <fiu-local.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "base/assert.h"
#include "fs/path.h"

namespace walsim::fs {
namespace {

// A signal handler installed without SA_RESTART can interrupt any syscall;
// retrying is right, but not forever.
constexpr int kEintrRetriesMax = 1000;
constexpr mode_t kFileMode = 0644;
constexpr mode_t kDirMode = 0755;
constexpr uint64_t kOffsetMax = static_cast<uint64_t>(std::numeric_limits<off_t>::max());

constexpr std::array<std::string_view, kPosixOpCount> kOpNames = {
    "open",   "read",   "write",   "truncate", "allocate", "fsync",   "fdatasync", "close",
    "unlink", "rename", "readdir", "mkdir",    "stat",     "syncdir", "lock",
};
constexpr std::array<const char*, kPosixOpCount> kFaultPoints = {
    "walsim/posix/open",      "walsim/posix/read",     "walsim/posix/write",
    "walsim/posix/truncate",  "walsim/posix/allocate", "walsim/posix/fsync",
    "walsim/posix/fdatasync", "walsim/posix/close",    "walsim/posix/unlink",
    "walsim/posix/rename",    "walsim/posix/readdir",  "walsim/posix/mkdir",
    "walsim/posix/stat",      "walsim/posix/syncdir",  "walsim/posix/lock",
};
static_assert(static_cast<size_t>(PosixOp::kLock) + 1 == kPosixOpCount,
              "kPosixOpCount must count every PosixOp");

// True, with errno set to EIO, when the libfiu point guarding op is enabled:
// the caller then skips the syscall and reports the error like a real one.
bool FaultInjected(PosixOp op) {
  if (fiu_fail(PosixFaultPoint(op)) != 0) {
    errno = EIO;
    return true;
  }
  return false;
}

// Runs syscall until it returns something other than -1/EINTR (or the retry
// bound is reached, leaving errno == EINTR, reported as an I/O error).
template <typename Syscall>
auto RetryOnEintr(Syscall syscall) {
  auto result = syscall();
  for (int retry = 0; retry < kEintrRetriesMax && result == -1 && errno == EINTR; retry++) {
    result = syscall();
  }
  return result;
}

// strerror_r has a GNU (char*) and an XSI (int) signature; these overloads
// accept whichever the C library declares.
[[maybe_unused]] std::string StrerrorText(const char* text, const char* /*buffer*/) { return text; }
[[maybe_unused]] std::string StrerrorText(int rc, const char* buffer) {
  return rc == 0 ? std::string(buffer) : std::string("unknown error");
}

std::string ErrnoText(int error_number) {
  char buffer[128] = {};
  return StrerrorText(strerror_r(error_number, buffer, sizeof(buffer)), buffer);
}

StatusCode ErrnoToCode(int error_number, PosixOp op) {
  if (op == PosixOp::kRename &&
      (error_number == EEXIST || error_number == EISDIR || error_number == ENOTDIR)) {
    return StatusCode::kFailedPrecondition;
  }
  if (op == PosixOp::kUnlink && error_number == EEXIST) return StatusCode::kFailedPrecondition;
  // fcntl(F_SETLK) may report a conflicting lock as EACCES (POSIX) or EAGAIN.
  static_assert(EWOULDBLOCK == EAGAIN, "one test covers both names on Linux");
  if (op == PosixOp::kLock && (error_number == EAGAIN || error_number == EACCES)) {
    return StatusCode::kBusy;
  }
  switch (error_number) {
    case ENOENT:
      return StatusCode::kNotFound;
    case EEXIST:
      return StatusCode::kAlreadyExists;
    case ENOSPC:
    case EDQUOT:
      return StatusCode::kNoSpace;
    case ENOTEMPTY:
      return StatusCode::kFailedPrecondition;
    case EISDIR:
    case ENOTDIR:
    case EINVAL:
    case ENAMETOOLONG:
      return StatusCode::kInvalidArgument;
    default:
      return StatusCode::kIoError;
  }
}

Status ValidateRange(std::string_view path, uint64_t offset, uint64_t length_bytes) {
  if (offset > kOffsetMax || length_bytes > kOffsetMax - offset) {
    return Status::InvalidArgument(std::string(path) + ": range at offset " +
                                   std::to_string(offset) + " of " + std::to_string(length_bytes) +
                                   " bytes overflows the file offset");
  }
  return Status::Ok();
}

// Closes a descriptor this module opened, where the caller has nothing to
// report (error paths, destructors). Linux releases fd even when close fails,
// so there is nothing to retry.
void CloseQuietly(int fd) {
  WALSIM_ASSERT(fd >= 0);
  (void)::close(fd);
}

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path, bool read_only)
      : fd_(fd), read_only_(read_only), path_(std::move(path)) {
    WALSIM_ASSERT(fd_ >= 0);
  }
  ~PosixFile() override {
    if (fd_ >= 0) CloseQuietly(fd_);
  }

  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> dst) override;
  Status WriteAt(uint64_t offset, std::span<const uint8_t> data) override;
  Status Append(std::span<const uint8_t> data) override;
  Status Truncate(uint64_t size_bytes) override;
  Status Allocate(uint64_t offset, uint64_t length, AllocateMode mode) override;
  // Writes zeros over [begin, end) in bounded chunks (kZeroFill).
  Status WriteZeros(uint64_t begin, uint64_t end);
  Status Sync() override;
  Status SyncData() override;
  Result<uint64_t> Size() override;
  Status Close() override;
  const std::string& path() const override { return path_; }

 private:
  Status CheckOpen() const {
    if (fd_ < 0) return Status::Closed(path_ + ": file handle is closed");
    return Status::Ok();
  }
  Status CheckWritable(std::string_view op) const {
    WALSIM_RETURN_IF_ERROR(CheckOpen());
    if (read_only_) {
      return Status::InvalidArgument(std::string(op) + " " + path_ + ": handle is read-only");
    }
    return Status::Ok();
  }

  int fd_;
  bool read_only_;
  std::string path_;
};

Result<size_t> PosixFile::ReadAt(uint64_t offset, std::span<uint8_t> dst) {
  // One branch on the hot path (a LogStore GetLog is one ReadAt): the Status
  // values of CheckOpen and ValidateRange are built only when one fails.
  if (fd_ < 0 || offset > kOffsetMax || dst.size() > kOffsetMax - offset) [[unlikely]] {
    WALSIM_RETURN_IF_ERROR(CheckOpen());
    Status invalid = ValidateRange(path_, offset, dst.size());
    WALSIM_ASSERT(!invalid.ok());
    return invalid;
  }
  size_t done_bytes = 0;
  // Each pass reads at least one byte or stops, so dst.size() + 1 passes suffice.
  for (size_t pass = 0; pass <= dst.size() && done_bytes < dst.size(); pass++) {
    if (FaultInjected(PosixOp::kRead)) {
      return ErrnoToStatus(errno, PosixOp::kRead, path_, "at offset " + std::to_string(offset));
    }
    ssize_t got = RetryOnEintr([&] {
      return ::pread(fd_, dst.data() + done_bytes, dst.size() - done_bytes,
                     static_cast<off_t>(offset + done_bytes));
    });
    if (got < 0) {
      return ErrnoToStatus(errno, PosixOp::kRead, path_,
                           "at offset " + std::to_string(offset + done_bytes));
    }
    if (got == 0) break;  // end of file
    done_bytes += static_cast<size_t>(got);
  }
  WALSIM_ASSERT(done_bytes <= dst.size());
  return done_bytes;
}

Status PosixFile::WriteAt(uint64_t offset, std::span<const uint8_t> data) {
  // One branch on the hot path, as in ReadAt (every WAL Save is a WriteAt).
  if (fd_ < 0 || read_only_ || offset > kOffsetMax || data.size() > kOffsetMax - offset)
      [[unlikely]] {
    WALSIM_RETURN_IF_ERROR(CheckWritable("write"));
    Status invalid = ValidateRange(path_, offset, data.size());
    WALSIM_ASSERT(!invalid.ok());
    return invalid;
  }
  size_t done_bytes = 0;
  // Each pass writes at least one byte or fails, so data.size() passes suffice.
  for (size_t pass = 0; pass < data.size() && done_bytes < data.size(); pass++) {
    auto failed = [&](int error_number) {
      return ErrnoToStatus(error_number, PosixOp::kWrite, path_,
                           "at offset " + std::to_string(offset) + " (wrote " +
                               std::to_string(done_bytes) + " of " + std::to_string(data.size()) +
                               " bytes)");
    };
    if (FaultInjected(PosixOp::kWrite)) return failed(errno);
    ssize_t wrote = RetryOnEintr([&] {
      return ::pwrite(fd_, data.data() + done_bytes, data.size() - done_bytes,
                      static_cast<off_t>(offset + done_bytes));
    });
    if (wrote < 0) return failed(errno);
    // pwrite returning 0 for a non-empty buffer makes no progress: treat as EIO.
    if (wrote == 0) return failed(EIO);
    done_bytes += static_cast<size_t>(wrote);
  }
  WALSIM_ASSERT(done_bytes == data.size());
  return Status::Ok();
}

Status PosixFile::Append(std::span<const uint8_t> data) {
  WALSIM_RETURN_IF_ERROR(CheckWritable("append"));
  // The size is read per call rather than cached, so appends through several
  // handles of one file stay correct.
  WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, Size());
  return WriteAt(size_bytes, data);
}

Status PosixFile::Truncate(uint64_t size_bytes) {
  WALSIM_RETURN_IF_ERROR(CheckWritable("truncate"));
  WALSIM_RETURN_IF_ERROR(ValidateRange(path_, size_bytes, 0));
  const std::string detail = "to " + std::to_string(size_bytes) + " bytes";
  if (FaultInjected(PosixOp::kTruncate)) {
    return ErrnoToStatus(errno, PosixOp::kTruncate, path_, detail);
  }
  int rc = RetryOnEintr([&] { return ::ftruncate(fd_, static_cast<off_t>(size_bytes)); });
  if (rc != 0) return ErrnoToStatus(errno, PosixOp::kTruncate, path_, detail);
  return Status::Ok();
}

Status PosixFile::Allocate(uint64_t offset, uint64_t length, AllocateMode mode) {
  WALSIM_RETURN_IF_ERROR(CheckWritable("allocate"));
  WALSIM_RETURN_IF_ERROR(ValidateRange(path_, offset, length));
  if (length == 0) return Status::Ok();  // fallocate(2) would say EINVAL; nothing to reserve
  const std::string detail =
      "at offset " + std::to_string(offset) + " of " + std::to_string(length) + " bytes";
  if (FaultInjected(PosixOp::kAllocate)) {
    return ErrnoToStatus(errno, PosixOp::kAllocate, path_, detail);
  }
  // Sampled before fallocate grows the file: the bytes kZeroFill must write.
  WALSIM_ASSIGN_OR_RETURN(uint64_t old_size_bytes, Size());
  const int fallocate_mode = mode == AllocateMode::kKeepSize ? FALLOC_FL_KEEP_SIZE : 0;
  int rc = RetryOnEintr([&] {
    return ::fallocate(fd_, fallocate_mode, static_cast<off_t>(offset), static_cast<off_t>(length));
  });
  if (rc != 0 && errno != EOPNOTSUPP && errno != ENOSYS) {
    return ErrnoToStatus(errno, PosixOp::kAllocate, path_, detail);
  }
  const uint64_t end_bytes = offset + length;
  if (mode == AllocateMode::kZeroFill) {
    return WriteZeros(std::max(offset, old_size_bytes), end_bytes);
  }
  // Either fallocate reserved the range, or the filesystem cannot
  // preallocate: keep the size promise, skip the reservation.
  if (rc == 0 || mode == AllocateMode::kKeepSize || end_bytes <= old_size_bytes) {
    return Status::Ok();
  }
  return Truncate(end_bytes);
}

Status PosixFile::WriteZeros(uint64_t begin, uint64_t end) {
  static constexpr size_t kChunkSizeBytes = size_t{256} << 10;
  static const std::vector<uint8_t> zeros(kChunkSizeBytes, 0);
  // Bounded: each pass writes min(kChunkSizeBytes, end - offset) > 0 bytes or fails.
  for (uint64_t offset = begin; offset < end;) {
    const size_t chunk_bytes =
        static_cast<size_t>(std::min<uint64_t>(kChunkSizeBytes, end - offset));
    WALSIM_RETURN_IF_ERROR(WriteAt(offset, std::span(zeros.data(), chunk_bytes)));
    offset += chunk_bytes;
  }
  return Status::Ok();
}

Status PosixFile::Sync() {
  WALSIM_RETURN_IF_ERROR(CheckOpen());
  if (FaultInjected(PosixOp::kFsync)) return ErrnoToStatus(errno, PosixOp::kFsync, path_);
  int rc = RetryOnEintr([&] { return ::fsync(fd_); });
  if (rc != 0) return ErrnoToStatus(errno, PosixOp::kFsync, path_);
  return Status::Ok();
}

Status PosixFile::SyncData() {
  WALSIM_RETURN_IF_ERROR(CheckOpen());
  if (FaultInjected(PosixOp::kFdatasync)) {
    return ErrnoToStatus(errno, PosixOp::kFdatasync, path_);
  }
  int rc = RetryOnEintr([&] { return ::fdatasync(fd_); });
  if (rc != 0) return ErrnoToStatus(errno, PosixOp::kFdatasync, path_);
  return Status::Ok();
}

Result<uint64_t> PosixFile::Size() {
  WALSIM_RETURN_IF_ERROR(CheckOpen());
  if (FaultInjected(PosixOp::kStat)) return ErrnoToStatus(errno, PosixOp::kStat, path_);
  struct stat info {};
  if (::fstat(fd_, &info) != 0) return ErrnoToStatus(errno, PosixOp::kStat, path_);
  WALSIM_ASSERT(info.st_size >= 0);
  return static_cast<uint64_t>(info.st_size);
}

Status PosixFile::Close() {
  WALSIM_RETURN_IF_ERROR(CheckOpen());
  const int fd = fd_;
  fd_ = -1;  // Linux frees the descriptor even when close fails: never close it twice
  const bool injected = FaultInjected(PosixOp::kClose);
  // Not retried on EINTR: the descriptor is already gone and may be reused.
  int rc = ::close(fd);
  if (injected) return ErrnoToStatus(EIO, PosixOp::kClose, path_);
  if (rc != 0) return ErrnoToStatus(errno, PosixOp::kClose, path_);
  WALSIM_ASSERT(fd_ == -1);
  return Status::Ok();
}

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
    WALSIM_ASSERT(fd_ >= 0);
  }
  ~PosixFileLock() override {
    if (fd_ >= 0) CloseQuietly(fd_);
  }
  // Closing the descriptor releases both an OFD lock and a flock.
  Status Unlock() override {
    if (fd_ < 0) return Status::Ok();
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return ErrnoToStatus(errno, PosixOp::kClose, path_);
    return Status::Ok();
  }
  const std::string& path() const override { return path_; }

 private:
  int fd_;
  std::string path_;
};

// Opens path with flags | O_CLOEXEC. Returns the descriptor or the Status.
Result<int> OpenFd(std::string_view path_view, int flags, mode_t mode) {
  const std::string path(path_view);
  if (FaultInjected(PosixOp::kOpen)) return ErrnoToStatus(errno, PosixOp::kOpen, path);
  int fd = RetryOnEintr([&] { return ::open(path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) return ErrnoToStatus(errno, PosixOp::kOpen, path);
  WALSIM_ASSERT((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  return fd;
}

// Takes the exclusive lock on fd: an OFD lock, or flock where the kernel has none.
Status LockFd(int fd, const std::string& path) {
  if (FaultInjected(PosixOp::kLock)) return ErrnoToStatus(errno, PosixOp::kLock, path);
  struct flock request {};
  request.l_type = F_WRLCK;
  request.l_whence = SEEK_SET;
  request.l_start = 0;
  request.l_len = 0;  // the whole file, however large it grows
  request.l_pid = 0;  // required by F_OFD_SETLK
  int rc = RetryOnEintr([&] { return ::fcntl(fd, F_OFD_SETLK, &request); });
  if (rc == 0) return Status::Ok();
  if (errno != EINVAL) return ErrnoToStatus(errno, PosixOp::kLock, path);
  // Kernels before 3.15 reject F_OFD_SETLK with EINVAL; flock is also per
  // open file description, so the handle-not-process semantics hold.
  rc = RetryOnEintr([&] { return ::flock(fd, LOCK_EX | LOCK_NB); });
  if (rc != 0) return ErrnoToStatus(errno, PosixOp::kLock, path);
  return Status::Ok();
}

}  // namespace

std::string_view PosixOpName(PosixOp op) {
  const auto index = static_cast<size_t>(op);
  WALSIM_ASSERT(index < kPosixOpCount);
  return kOpNames[index];
}

const char* PosixFaultPoint(PosixOp op) {
  const auto index = static_cast<size_t>(op);
  WALSIM_ASSERT(index < kPosixOpCount);
  return kFaultPoints[index];
}

Status ErrnoToStatus(int error_number, PosixOp op, std::string_view path, std::string_view detail) {
  WALSIM_ASSERT(error_number != 0);
  std::string message(PosixOpName(op));
  message += ' ';
  message += path;
  if (!detail.empty()) {
    message += ' ';
    message += detail;
  }
  message += ": ";
  message += ErrnoText(error_number);
  const StatusCode code = ErrnoToCode(error_number, op);
  WALSIM_ASSERT(code != StatusCode::kOk);
  return {code, std::move(message)};
}

Result<std::unique_ptr<File>> PosixFs::Open(std::string_view path, OpenOptions options) {
  WALSIM_RETURN_IF_ERROR(ValidatePath(path));
  if (options.truncate && options.read_only) {
    return Status::InvalidArgument("open " + std::string(path) +
                                   ": truncate on a read-only handle");
  }
  int flags = options.read_only ? O_RDONLY : O_RDWR;
  if (options.create) flags |= O_CREAT;
  if (options.create && options.exclusive) flags |= O_EXCL;
  if (options.truncate) flags |= O_TRUNC;
  // O_NONBLOCK: open(2) of a FIFO named like a segment would otherwise wait
  // for a writer forever. It is cleared below once the file is known to be
  // regular (where it has no effect on Linux anyway).
  WALSIM_ASSIGN_OR_RETURN(int fd, OpenFd(path, flags | O_NONBLOCK, kFileMode));
  auto file = std::make_unique<PosixFile>(fd, std::string(path), options.read_only);
  // A read-only open(2) of a directory succeeds; fs/fs.h promises it does not.
  struct stat info {};
  if (FaultInjected(PosixOp::kStat) || ::fstat(fd, &info) != 0) {
    return ErrnoToStatus(errno, PosixOp::kStat, path);
  }
  if (!S_ISREG(info.st_mode)) {
    return Status::InvalidArgument("open " + std::string(path) + ": not a regular file");
  }
  const int status_flags = ::fcntl(fd, F_GETFL);
  if (status_flags < 0 || ::fcntl(fd, F_SETFL, status_flags & ~O_NONBLOCK) != 0) {
    return ErrnoToStatus(errno, PosixOp::kOpen, path);
  }
  return std::unique_ptr<File>(std::move(file));
}

Status PosixFs::Remove(std::string_view path_view) {
  WALSIM_RETURN_IF_ERROR(ValidatePath(path_view));
  const std::string path(path_view);
  if (FaultInjected(PosixOp::kUnlink)) return ErrnoToStatus(errno, PosixOp::kUnlink, path);
  if (::unlink(path.c_str()) == 0) return Status::Ok();
  // Linux says EISDIR for unlink(2) of a directory; then it is rmdir's job.
  if (errno != EISDIR) return ErrnoToStatus(errno, PosixOp::kUnlink, path);
  if (::rmdir(path.c_str()) != 0) return ErrnoToStatus(errno, PosixOp::kUnlink, path);
  return Status::Ok();
}

Status PosixFs::Rename(std::string_view from_view, std::string_view to_view) {
  WALSIM_RETURN_IF_ERROR(ValidatePath(from_view));
  WALSIM_RETURN_IF_ERROR(ValidatePath(to_view));
  const std::string from(from_view);
  const std::string to(to_view);
  const std::string detail = "to " + to;
  if (FaultInjected(PosixOp::kRename)) return ErrnoToStatus(errno, PosixOp::kRename, from, detail);
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoToStatus(errno, PosixOp::kRename, from, detail);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> PosixFs::List(std::string_view dir) {
  WALSIM_RETURN_IF_ERROR(ValidatePath(dir));
  WALSIM_ASSIGN_OR_RETURN(int fd, OpenFd(dir, O_RDONLY | O_DIRECTORY, 0));
  DIR* stream = ::fdopendir(fd);
  if (stream == nullptr) {
    const int error_number = errno;
    CloseQuietly(fd);
    return ErrnoToStatus(error_number, PosixOp::kReaddir, dir);
  }
  std::vector<std::string> names;
  Status status = Status::Ok();
  for (size_t count = 0;; count++) {
    if (count > kListEntriesMax) {
      status = Status::FailedPrecondition("readdir " + std::string(dir) + ": more than " +
                                          std::to_string(kListEntriesMax) + " entries");
      break;
    }
    if (FaultInjected(PosixOp::kReaddir)) {
      status = ErrnoToStatus(errno, PosixOp::kReaddir, dir);
      break;
    }
    errno = 0;
    const dirent* entry = ::readdir(stream);
    if (entry == nullptr) {
      if (errno != 0) status = ErrnoToStatus(errno, PosixOp::kReaddir, dir);
      break;
    }
    std::string_view name(entry->d_name);
    WALSIM_ASSERT(!name.empty() && name.find('/') == std::string_view::npos);
    if (name != "." && name != "..") names.emplace_back(name);
  }
  (void)::closedir(stream);  // also closes fd
  WALSIM_RETURN_IF_ERROR(status);
  std::sort(names.begin(), names.end());
  return names;
}

Status PosixFs::MkDir(std::string_view path_view) {
  WALSIM_RETURN_IF_ERROR(ValidatePath(path_view));
  const std::string path(path_view);
  if (FaultInjected(PosixOp::kMkdir)) return ErrnoToStatus(errno, PosixOp::kMkdir, path);
  if (::mkdir(path.c_str(), kDirMode) != 0) return ErrnoToStatus(errno, PosixOp::kMkdir, path);
  return Status::Ok();
}

Result<FileInfo> PosixFs::Stat(std::string_view path_view) {
  WALSIM_RETURN_IF_ERROR(ValidatePath(path_view));
  const std::string path(path_view);
  if (FaultInjected(PosixOp::kStat)) return ErrnoToStatus(errno, PosixOp::kStat, path);
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return ErrnoToStatus(errno, PosixOp::kStat, path);
  WALSIM_ASSERT(info.st_size >= 0);
  FileInfo out;
  out.size_bytes = static_cast<uint64_t>(info.st_size);
  out.is_directory = S_ISDIR(info.st_mode);
  return out;
}

Status PosixFs::SyncDir(std::string_view path) {
  WALSIM_RETURN_IF_ERROR(ValidatePath(path));
  WALSIM_ASSIGN_OR_RETURN(int fd, OpenFd(path, O_RDONLY | O_DIRECTORY, 0));
  Status status = Status::Ok();
  if (FaultInjected(PosixOp::kSyncdir) || RetryOnEintr([&] { return ::fsync(fd); }) != 0) {
    status = ErrnoToStatus(errno, PosixOp::kSyncdir, path);
  }
  CloseQuietly(fd);
  return status;
}

Result<std::unique_ptr<FileLock>> PosixFs::Lock(std::string_view path) {
  WALSIM_RETURN_IF_ERROR(ValidatePath(path));
  // The lock gets a descriptor of its own: an OFD lock belongs to the open
  // file description, so closing some other handle of the file keeps it.
  WALSIM_ASSIGN_OR_RETURN(int fd, OpenFd(path, O_RDWR, 0));
  auto lock = std::make_unique<PosixFileLock>(fd, std::string(path));
  WALSIM_RETURN_IF_ERROR(LockFd(fd, lock->path()));
  return std::unique_ptr<FileLock>(std::move(lock));
}

}  // namespace walsim::fs
