// CrashPointFs: a FileSystem wrapper that models the moment power is cut.
//
// It forwards every operation to the inner FileSystem and counts them. Once
// tripped (by Trip(), or automatically when the count reaches
// trip_at_op_index), every operation through it and through every file it
// opened fails with kIoError ("power lost") WITHOUT reaching the inner disk.
// An engine that is still running after the cut therefore changes nothing
// more, and the harness can close the engine's handles (which may try to
// write, delete or checkpoint) before calling SimFs::Crash on the inner disk.
// Reset() re-arms it for the next life of the engine. Locks are forwarded
// as they are (a crashed SimFs releases them).
//
// Invariant: after a trip, the inner FileSystem sees no operation from this
// wrapper until Reset(). Threading: none.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

#include "fs/fs.h"

namespace walsim::faults {

class CrashPointFs final : public fs::FileSystem {
 public:
  explicit CrashPointFs(fs::FileSystem& inner) : inner_(inner) {}

  // Trips when op_index() reaches op_index (the op with that index fails).
  void set_trip_at_op_index(uint64_t op_index) { trip_at_op_index_ = op_index; }
  void Trip() { tripped_ = true; }
  // Not tripped, no automatic trip point.
  void Reset() {
    tripped_ = false;
    trip_at_op_index_ = std::numeric_limits<uint64_t>::max();
  }
  bool tripped() const { return tripped_; }
  // Operations that reached (or, tripped, would have reached) the inner disk.
  uint64_t op_index() const { return op_index_; }

  Result<std::unique_ptr<fs::File>> Open(std::string_view path, fs::OpenOptions options) override;
  Status Remove(std::string_view path) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Result<std::vector<std::string>> List(std::string_view dir) override;
  Status MkDir(std::string_view path) override;
  Result<fs::FileInfo> Stat(std::string_view path) override;
  Status SyncDir(std::string_view path) override;
  Result<std::unique_ptr<fs::FileLock>> Lock(std::string_view path) override;

  // OK while the power is on; kIoError once tripped. Counts one operation.
  Status Gate(std::string_view op, std::string_view path);

 private:
  fs::FileSystem& inner_;
  uint64_t op_index_ = 0;
  uint64_t trip_at_op_index_ = std::numeric_limits<uint64_t>::max();
  bool tripped_ = false;
};

}  // namespace walsim::faults
