// The syscall trace of `walsim soak --power-loss`: every call that changes a
// real disk's state (open with its flags, pwrite with its bytes, ftruncate,
// fallocate, fsync, fdatasync, rename, unlink, mkdir, rmdir, close), recorded
// below PosixFs, as it reached libc.
//
// The recorder sits at the link: every binary that links this library is
// linked with `-Wl,--wrap=<call>` for each call above, so the calls made by
// the project's own objects (fs/posix_fs.cc and anything else linked
// statically) go to __wrap_<call> here, which calls the real one and, while a
// trace is running, records what it did. A bug that drops or reorders a
// syscall inside PosixFs (a SyncDir that never fsyncs, a rename before the
// data sync) is therefore in the trace as it really happened, which a
// power-loss model replays (tools/soak_powerloss.h; ALICE's approach, with
// the simulated disk as the model). Shared libraries (LevelDB, SQLite) are not
// wrapped.
//
// Only successful calls on paths under the traced root are recorded (a
// failed call changed nothing); a short pwrite records the bytes it wrote.
// Markers (AddSyscallTraceMarker) put the caller's own events in order among
// the calls. Calls that do not change the disk (pread, fstat, flock) are not
// recorded.
//
// Thread-safety: recording takes a mutex, so calls from any thread are
// recorded in the order they completed; start and stop from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace walsim::tools {

enum class SyscallKind : uint8_t {
  kOpen,       // path, fd, flags; is_directory: an O_DIRECTORY open
  kClose,      // fd
  kPwrite,     // fd, offset_bytes, data (what was written)
  kFtruncate,  // fd, length_bytes
  kFallocate,  // fd, flags (the fallocate mode), offset_bytes, length_bytes
  kFsync,      // fd (a file or a directory)
  kFdatasync,  // fd
  kRename,     // path -> path_to
  kUnlink,     // path
  kMkdir,      // path
  kRmdir,      // path
  kMarker,     // text: the caller's event
};

struct SyscallEvent {
  SyscallKind kind = SyscallKind::kMarker;
  int fd = -1;
  int flags = 0;
  bool is_directory = false;
  std::string path;
  std::string path_to;
  uint64_t offset_bytes = 0;
  uint64_t length_bytes = 0;
  std::string data;  // kPwrite: the bytes; kMarker: the text
};

// "pwrite fd=5 offset=4096 length=512" and so on, for reports.
std::string DescribeSyscallEvent(const SyscallEvent& event);

// Starts recording the calls on root (an absolute path) and below; clears
// any earlier trace. REQUIRES: no trace running.
void StartSyscallTrace(std::string root);
// Stops recording and returns the trace. REQUIRES: a trace running.
std::vector<SyscallEvent> StopSyscallTrace();
// Appends a marker to the running trace (ignored when none runs).
void AddSyscallTraceMarker(std::string text);

}  // namespace walsim::tools
