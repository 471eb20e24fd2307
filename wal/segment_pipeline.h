// SegmentPipeline: prepares the next WAL segment file ahead of a Cut.
//
// Like etcd's filePipeline, it creates "<dir>/0.tmp" or "<dir>/1.tmp"
// (alternating) preallocated to the segment size, so that a Cut only writes
// three records and renames. With AllocateMode::kZeroFill the file is also
// filled with zeros, so that appends into it change no extent metadata
// (docs/wal-format.md, "Preallocation"). Preparation runs through the caller's
// Executor (nullptr: lazily, inline, at Take). Take waits for a pending preparation. Invariant: at
// most one prepared or pending file at a time; Close removes an unused one. Thread-safety: the
// preparation task may run on another thread; shared state is guarded by a mutex, and the
// FileSystem it uses must then be thread-safe (PosixFs is). The object itself is used by one
// thread.
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

namespace walsim::wal {

struct PreparedSegment {
  std::string path;
  std::unique_ptr<fs::File> file;  // open read-write, size = segment size
};

class SegmentPipeline {
 public:
  // REQUIRES: allocate_mode grows the size (kExtendSize or kZeroFill).
  SegmentPipeline(fs::FileSystem& fs, std::string dir, uint64_t segment_size_bytes,
                  fs::AllocateMode allocate_mode, Executor* executor);
  ~SegmentPipeline();
  SegmentPipeline(const SegmentPipeline&) = delete;
  SegmentPipeline& operator=(const SegmentPipeline&) = delete;

  // Starts preparing the next file unless one is prepared or pending.
  void Prepare();
  // The prepared file, preparing it now if needed. Failure: the fs error
  // (kNoSpace when the disk cannot hold a segment).
  [[nodiscard]] Result<PreparedSegment> Take();
  // Waits for a pending preparation and removes an unused prepared file.
  [[nodiscard]] Status Close();

 private:
  struct Shared {
    std::mutex mutex;
    std::condition_variable done;
    bool pending = false;
    std::optional<Result<PreparedSegment>> ready;
  };
  static Result<PreparedSegment> Allocate(fs::FileSystem& fs, const std::string& path,
                                          uint64_t size_bytes, fs::AllocateMode allocate_mode);
  std::optional<Result<PreparedSegment>> Wait();

  fs::FileSystem& fs_;
  std::string dir_;
  uint64_t segment_size_bytes_;
  fs::AllocateMode allocate_mode_;
  Executor* executor_;
  uint64_t count_ = 0;  // files handed out; picks 0.tmp or 1.tmp
  std::shared_ptr<Shared> shared_;
};

}  // namespace walsim::wal
