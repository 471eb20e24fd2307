// SimFile and SimFileLock: the handles SimFs hands out (internal to sim/).
//
// A handle is a thin forwarder: it names its inode, the crash epoch it was
// opened in and its open flags, and asks its SimFs for everything, so every
// handle operation is traced and checked in one place. A handle keeps a
// shared anchor to its SimFs; once the SimFs is destroyed the anchor is null
// and every method returns kClosed. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "sim/sim_fs.h"

namespace walsim::sim {

// "<op> <path>: <what>", the text of every error SimFs and its handles
// return, so a message names the operation and the file it failed on.
inline std::string Describe(std::string_view op, std::string_view path, std::string_view what) {
  std::string message;
  message.reserve(op.size() + path.size() + what.size() + 3);
  message += op;
  message += ' ';
  message += path;
  message += ": ";
  message += what;
  return message;
}

class SimFile final : public fs::File {
 public:
  SimFile(std::shared_ptr<SimFs*> anchor, SimFs::HandleState state)
      : anchor_(std::move(anchor)), state_(std::move(state)) {}
  ~SimFile() override;

  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> dst) override;
  Status WriteAt(uint64_t offset, std::span<const uint8_t> data) override;
  Status Append(std::span<const uint8_t> data) override;
  Status Truncate(uint64_t size_bytes) override;
  Status Allocate(uint64_t offset, uint64_t length, fs::AllocateMode mode) override;
  Status Sync() override;
  Status SyncData() override;
  Result<uint64_t> Size() override;
  Status Close() override;
  const std::string& path() const override { return state_.path; }

 private:
  Status Gone() const;

  std::shared_ptr<SimFs*> anchor_;
  SimFs::HandleState state_;
};

class SimFileLock final : public fs::FileLock {
 public:
  SimFileLock(std::shared_ptr<SimFs*> anchor, uint64_t inode_id, uint64_t token, uint64_t epoch,
              std::string path)
      : anchor_(std::move(anchor)),
        inode_id_(inode_id),
        token_(token),
        epoch_(epoch),
        path_(std::move(path)) {}
  ~SimFileLock() override;

  Status Unlock() override;
  const std::string& path() const override { return path_; }

 private:
  std::shared_ptr<SimFs*> anchor_;
  uint64_t inode_id_;
  uint64_t token_;
  uint64_t epoch_;
  std::string path_;
  bool released_ = false;
};

}  // namespace walsim::sim
