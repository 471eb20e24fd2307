// FaultFile and FaultFileLock: the handles a FaultFs returns.
//
// Each wraps the inner filesystem's handle and sends every method through
// its FaultFs (FaultFs::Before) first, so file operations are numbered,
// offered to the plan and to libfiu like FileSystem operations. A handle
// remembers the FaultFs epoch it was opened in: after a crash and
// ResetAfterCrash it refuses everything with kClosed, without consulting the
// plan. A closed FaultFile also answers kClosed without consulting the plan.
// Internal to faults/ (FaultFs creates them). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/status.h"
#include "faults/fault_fs.h"
#include "fs/fs.h"

namespace walsim::faults {

class FaultFile final : public fs::File {
 public:
  // REQUIRES: fs outlives this handle; inner is open.
  FaultFile(FaultFs* fs, std::unique_ptr<fs::File> inner, uint64_t epoch);

  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> dst) override;
  Status WriteAt(uint64_t offset, std::span<const uint8_t> data) override;
  Status Append(std::span<const uint8_t> data) override;
  Status Truncate(uint64_t size_bytes) override;
  Status Allocate(uint64_t offset, uint64_t length, fs::AllocateMode mode) override;
  Status Sync() override;
  Status SyncData() override;
  Result<uint64_t> Size() override;
  Status Close() override;
  const std::string& path() const override { return inner_->path(); }

 private:
  using Action = FaultFs::Gate::Action;
  // Numbers op and decides it; a closed handle fails before numbering.
  FaultFs::Gate Before(OpContext* op);
  // Writes the seeded strict prefix of data (at offset, or appended when
  // offset is null) and returns the kIoError that reports it.
  Status ShortWrite(const uint64_t* offset, std::span<const uint8_t> data,
                    const std::string& origin);

  FaultFs* fs_;
  std::unique_ptr<fs::File> inner_;
  uint64_t epoch_;
  bool closed_ = false;
};

class FaultFileLock final : public fs::FileLock {
 public:
  // REQUIRES: fs outlives this handle.
  FaultFileLock(FaultFs* fs, std::unique_ptr<fs::FileLock> inner, uint64_t epoch);

  Status Unlock() override;
  const std::string& path() const override { return inner_->path(); }

 private:
  using Action = FaultFs::Gate::Action;
  FaultFs* fs_;
  std::unique_ptr<fs::FileLock> inner_;
  uint64_t epoch_;
};

}  // namespace walsim::faults
