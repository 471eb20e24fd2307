#include "tools/syscall_trace.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <map>
#include <mutex>
#include <utility>

#include "base/assert.h"

// The real calls, bound by the linker's --wrap (tools/CMakeLists.txt).
// NOLINTBEGIN(bugprone-reserved-identifier,readability-identifier-naming)
extern "C" {
int __real_open(const char* path, int flags, ...);
int __real_close(int fd);
ssize_t __real_pwrite(int fd, const void* buf, size_t count, off_t offset);
int __real_ftruncate(int fd, off_t length);
int __real_fallocate(int fd, int mode, off_t offset, off_t len);
int __real_fsync(int fd);
int __real_fdatasync(int fd);
int __real_rename(const char* from, const char* to);
int __real_unlink(const char* path);
int __real_mkdir(const char* path, mode_t mode);
int __real_rmdir(const char* path);
}
// NOLINTEND(bugprone-reserved-identifier,readability-identifier-naming)

namespace walsim::tools {
namespace {

// A trace longer than this is a runaway workload; the recorder stops adding.
constexpr size_t kTraceEventCountMax = size_t{1} << 22;

struct Recorder {
  std::mutex mutex;
  bool running = false;
  std::string root;
  std::map<int, std::pair<std::string, bool>> open_fds;  // fd -> (path, is_directory)
  std::vector<SyscallEvent> events;
};

Recorder& TheRecorder() {
  static Recorder* recorder = new Recorder();  // never destroyed: wraps may run at exit
  return *recorder;
}

bool UnderRoot(const Recorder& recorder, const char* path) {
  if (path == nullptr) return false;
  const std::string_view text(path);
  return text == recorder.root ||
         (text.starts_with(recorder.root) && text.size() > recorder.root.size() &&
          text[recorder.root.size()] == '/');
}

void Append(Recorder& recorder, SyscallEvent event) {
  if (recorder.events.size() < kTraceEventCountMax) recorder.events.push_back(std::move(event));
}

// Records a call on a traced fd; `fill` completes the event.
template <typename Fill>
void RecordFdCall(SyscallKind kind, int fd, Fill fill) {
  Recorder& recorder = TheRecorder();
  const int saved_errno = errno;
  {
    std::lock_guard lock(recorder.mutex);
    auto it = recorder.open_fds.find(fd);
    if (recorder.running && it != recorder.open_fds.end()) {
      SyscallEvent event;
      event.kind = kind;
      event.fd = fd;
      event.path = it->second.first;
      event.is_directory = it->second.second;
      fill(event);
      Append(recorder, std::move(event));
    }
  }
  errno = saved_errno;
}

void RecordPathCall(SyscallKind kind, const char* path, const char* path_to) {
  Recorder& recorder = TheRecorder();
  const int saved_errno = errno;
  {
    std::lock_guard lock(recorder.mutex);
    if (recorder.running &&
        (UnderRoot(recorder, path) || (path_to != nullptr && UnderRoot(recorder, path_to)))) {
      SyscallEvent event;
      event.kind = kind;
      event.path = path;
      if (path_to != nullptr) event.path_to = path_to;
      Append(recorder, std::move(event));
    }
  }
  errno = saved_errno;
}

}  // namespace

std::string DescribeSyscallEvent(const SyscallEvent& event) {
  const std::string fd = " fd=" + std::to_string(event.fd) + " " + event.path;
  switch (event.kind) {
    case SyscallKind::kOpen:
      return "open" + fd + (event.is_directory ? " (directory)" : "") +
             " flags=" + std::to_string(event.flags);
    case SyscallKind::kClose:
      return "close" + fd;
    case SyscallKind::kPwrite:
      return "pwrite" + fd + " offset=" + std::to_string(event.offset_bytes) +
             " length=" + std::to_string(event.data.size());
    case SyscallKind::kFtruncate:
      return "ftruncate" + fd + " length=" + std::to_string(event.length_bytes);
    case SyscallKind::kFallocate:
      return "fallocate" + fd + " mode=" + std::to_string(event.flags) +
             " offset=" + std::to_string(event.offset_bytes) +
             " length=" + std::to_string(event.length_bytes);
    case SyscallKind::kFsync:
      return "fsync" + fd;
    case SyscallKind::kFdatasync:
      return "fdatasync" + fd;
    case SyscallKind::kRename:
      return "rename " + event.path + " -> " + event.path_to;
    case SyscallKind::kUnlink:
      return "unlink " + event.path;
    case SyscallKind::kMkdir:
      return "mkdir " + event.path;
    case SyscallKind::kRmdir:
      return "rmdir " + event.path;
    case SyscallKind::kMarker:
      return "marker " + event.data;
  }
  return "?";
}

void StartSyscallTrace(std::string root) {
  Recorder& recorder = TheRecorder();
  std::lock_guard lock(recorder.mutex);
  WALSIM_ASSERT(!recorder.running && !root.empty() && root.front() == '/');
  recorder.running = true;
  recorder.root = std::move(root);
  recorder.open_fds.clear();
  recorder.events.clear();
}

std::vector<SyscallEvent> StopSyscallTrace() {
  Recorder& recorder = TheRecorder();
  std::lock_guard lock(recorder.mutex);
  WALSIM_ASSERT(recorder.running);
  recorder.running = false;
  recorder.open_fds.clear();
  return std::exchange(recorder.events, {});
}

void AddSyscallTraceMarker(std::string text) {
  Recorder& recorder = TheRecorder();
  std::lock_guard lock(recorder.mutex);
  if (!recorder.running) return;
  SyscallEvent event;
  event.kind = SyscallKind::kMarker;
  event.data = std::move(text);
  Append(recorder, std::move(event));
}

}  // namespace walsim::tools

using walsim::tools::RecordFdCall;
using walsim::tools::RecordPathCall;
using walsim::tools::SyscallEvent;
using walsim::tools::SyscallKind;

extern "C" {

// NOLINTBEGIN(bugprone-reserved-identifier,readability-identifier-naming)
int __wrap_open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE) {
    va_list args;
    va_start(args, flags);
    mode = static_cast<mode_t>(va_arg(args, int));
    va_end(args);
  }
  const int fd = __real_open(path, flags, mode);
  if (fd < 0) return fd;
  walsim::tools::Recorder& recorder = walsim::tools::TheRecorder();
  const int saved_errno = errno;
  {
    std::lock_guard lock(recorder.mutex);
    if (recorder.running && walsim::tools::UnderRoot(recorder, path)) {
      const bool is_directory = (flags & O_DIRECTORY) != 0;
      recorder.open_fds[fd] = {path, is_directory};
      SyscallEvent event;
      event.kind = SyscallKind::kOpen;
      event.fd = fd;
      event.flags = flags;
      event.is_directory = is_directory;
      event.path = path;
      walsim::tools::Append(recorder, std::move(event));
    } else {
      recorder.open_fds.erase(fd);  // a reused number of an untraced file
    }
  }
  errno = saved_errno;
  return fd;
}

int __wrap_close(int fd) {
  // Recorded before the call: the number may be reused once it returns.
  RecordFdCall(SyscallKind::kClose, fd, [](SyscallEvent&) {});
  {
    walsim::tools::Recorder& recorder = walsim::tools::TheRecorder();
    std::lock_guard lock(recorder.mutex);
    recorder.open_fds.erase(fd);
  }
  return __real_close(fd);
}

ssize_t __wrap_pwrite(int fd, const void* buf, size_t count, off_t offset) {
  const ssize_t wrote = __real_pwrite(fd, buf, count, offset);
  if (wrote > 0) {
    RecordFdCall(SyscallKind::kPwrite, fd, [&](SyscallEvent& event) {
      event.offset_bytes = static_cast<uint64_t>(offset);
      event.data.assign(static_cast<const char*>(buf), static_cast<size_t>(wrote));
    });
  }
  return wrote;
}

int __wrap_ftruncate(int fd, off_t length) {
  const int rc = __real_ftruncate(fd, length);
  if (rc == 0) {
    RecordFdCall(SyscallKind::kFtruncate, fd,
                 [&](SyscallEvent& event) { event.length_bytes = static_cast<uint64_t>(length); });
  }
  return rc;
}

int __wrap_fallocate(int fd, int mode, off_t offset, off_t len) {
  const int rc = __real_fallocate(fd, mode, offset, len);
  if (rc == 0) {
    RecordFdCall(SyscallKind::kFallocate, fd, [&](SyscallEvent& event) {
      event.flags = mode;
      event.offset_bytes = static_cast<uint64_t>(offset);
      event.length_bytes = static_cast<uint64_t>(len);
    });
  }
  return rc;
}

int __wrap_fsync(int fd) {
  const int rc = __real_fsync(fd);
  if (rc == 0) RecordFdCall(SyscallKind::kFsync, fd, [](SyscallEvent&) {});
  return rc;
}

int __wrap_fdatasync(int fd) {
  const int rc = __real_fdatasync(fd);
  if (rc == 0) RecordFdCall(SyscallKind::kFdatasync, fd, [](SyscallEvent&) {});
  return rc;
}

int __wrap_rename(const char* from, const char* to) {
  const int rc = __real_rename(from, to);
  if (rc == 0) RecordPathCall(SyscallKind::kRename, from, to);
  return rc;
}

int __wrap_unlink(const char* path) {
  const int rc = __real_unlink(path);
  if (rc == 0) RecordPathCall(SyscallKind::kUnlink, path, nullptr);
  return rc;
}

int __wrap_mkdir(const char* path, mode_t mode) {
  const int rc = __real_mkdir(path, mode);
  if (rc == 0) RecordPathCall(SyscallKind::kMkdir, path, nullptr);
  return rc;
}

int __wrap_rmdir(const char* path) {
  const int rc = __real_rmdir(path);
  if (rc == 0) RecordPathCall(SyscallKind::kRmdir, path, nullptr);
  return rc;
}
// NOLINTEND(bugprone-reserved-identifier,readability-identifier-naming)

}  // extern "C"
