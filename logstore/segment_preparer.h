// SegmentPreparer: keeps one zero-filled segment file ready ahead of a roll.
//
// Segments are preallocated by writing zeros (fs::AllocateMode::kZeroFill),
// not with a bare fallocate: the first write into an unwritten extent makes
// the next SyncData commit the filesystem journal (on the work disk a 10 KiB
// batch then took ~2x the raw floor). Writing 64 MiB of zeros is a latency
// spike, so a SegmentStore given an Executor prepares the next segment file
// ahead: "<dir>/segment.spare.tmp", zero-filled to the segment size and
// synced, so that a roll only writes the header, syncs, renames and syncs
// the directory. The file is a ".tmp" leftover until renamed: a crash at any
// point leaves nothing that recovery reads (Open removes *.tmp).
//
// Invariant: at most one prepared or pending file at a time; Close waits for a
// pending preparation and removes an unused file.
// Thread-safety: the preparation task may run on the executor's thread and
// uses the FileSystem there, which must then be thread-safe (PosixFs is;
// SimFs is not, and simulations use an inline executor). Shared state is
// guarded by a mutex. The object itself is used by one thread at a time (the
// store calls it under its own mutex).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/executor.h"
#include "base/status.h"
#include "fs/fs.h"

namespace walsim::logstore {

class SegmentPreparer {
 public:
  // REQUIRES: executor != nullptr and outlives this object; size_bytes > 0.
  SegmentPreparer(fs::FileSystem& fs, std::string path, uint64_t size_bytes, Executor* executor);
  ~SegmentPreparer();
  SegmentPreparer(const SegmentPreparer&) = delete;
  SegmentPreparer& operator=(const SegmentPreparer&) = delete;

  // Submits the preparation of a file unless one was requested since the
  // last Take (cheap to call again: no lock).
  void Prepare();

  // The prepared file (open read-write, size_bytes of durable zeros), waiting
  // for a pending preparation. std::nullopt when none was started; an error
  // when the preparation failed (its file is already removed).
  [[nodiscard]] std::optional<Result<std::unique_ptr<fs::File>>> Take();

  // Waits for a pending preparation and removes an unused prepared file.
  // Failure: the fs error of the removal.
  [[nodiscard]] Status Close();

  const std::string& path() const { return path_; }
  uint64_t size_bytes() const { return size_bytes_; }

 private:
  struct Shared {
    std::mutex mutex;
    std::condition_variable done;
    bool pending = false;
    std::optional<Result<std::unique_ptr<fs::File>>> ready;
  };
  static Result<std::unique_ptr<fs::File>> ZeroFill(fs::FileSystem& fs, const std::string& path,
                                                    uint64_t size_bytes);

  fs::FileSystem& fs_;
  const std::string path_;
  const uint64_t size_bytes_;
  Executor* const executor_;
  bool requested_ = false;  // Prepare was called since the last Take (owner's thread only)
  std::shared_ptr<Shared> shared_;
};

}  // namespace walsim::logstore
