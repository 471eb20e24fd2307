#include "faults/fault_file.h"

namespace walsim::faults {
FaultFile::FaultFile(FaultFs* fs, std::unique_ptr<fs::File> inner, uint64_t epoch)
    : fs_(fs), inner_(std::move(inner)), epoch_(epoch) {
  WALSIM_ASSERT(fs_ != nullptr);
  WALSIM_ASSERT(inner_ != nullptr);
}

FaultFs::Gate FaultFile::Before(OpContext* op) {
  if (closed_) return {Action::kFail, Status::Closed(DescribeOp(*op) + ": file is closed"), {}};
  FaultFs::Gate gate = fs_->Before(op, epoch_);
  // Only writes and appends can be cut short (EffectValidOn).
  WALSIM_ASSERT(gate.action != Action::kShortWrite || op->kind == OpKind::kWrite ||
                op->kind == OpKind::kAppend);
  return gate;
}

Status FaultFile::ShortWrite(const uint64_t* offset, std::span<const uint8_t> data,
                             const std::string& origin) {
  const uint64_t prefix_bytes = fs_->ShortPrefixBytes(data.size());
  WALSIM_ASSERT(data.empty() || prefix_bytes < data.size());
  if (prefix_bytes > 0) {
    const std::span<const uint8_t> prefix = data.first(prefix_bytes);
    WALSIM_RETURN_IF_ERROR(offset != nullptr ? inner_->WriteAt(*offset, prefix)
                                             : inner_->Append(prefix));
  }
  return Status::IoError("injected short write: wrote " + std::to_string(prefix_bytes) + " of " +
                         std::to_string(data.size()) + " bytes: " + origin);
}

Result<size_t> FaultFile::ReadAt(uint64_t offset, std::span<uint8_t> dst) {
  OpContext op = OpOn(OpKind::kRead, path());
  op.offset = offset;
  op.length_bytes = dst.size();
  FaultFs::Gate gate = Before(&op);
  if (gate.action == Action::kFail) return std::move(gate.status);
  return inner_->ReadAt(offset, dst);
}

Status FaultFile::WriteAt(uint64_t offset, std::span<const uint8_t> data) {
  OpContext op = OpOn(OpKind::kWrite, path());
  op.offset = offset;
  op.length_bytes = data.size();
  FaultFs::Gate gate = Before(&op);
  if (gate.action == Action::kFail) return std::move(gate.status);
  if (gate.action == Action::kShortWrite) return ShortWrite(&offset, data, gate.origin);
  return inner_->WriteAt(offset, data);
}

Status FaultFile::Append(std::span<const uint8_t> data) {
  OpContext op = OpOn(OpKind::kAppend, path());
  op.length_bytes = data.size();
  FaultFs::Gate gate = Before(&op);
  if (gate.action == Action::kFail) return std::move(gate.status);
  if (gate.action == Action::kShortWrite) return ShortWrite(nullptr, data, gate.origin);
  return inner_->Append(data);
}

Status FaultFile::Truncate(uint64_t size_bytes) {
  OpContext op = OpOn(OpKind::kTruncate, path());
  op.offset = size_bytes;
  FaultFs::Gate gate = Before(&op);
  if (gate.action == Action::kFail) return std::move(gate.status);
  return inner_->Truncate(size_bytes);
}

Status FaultFile::Allocate(uint64_t offset, uint64_t length, fs::AllocateMode mode) {
  OpContext op = OpOn(OpKind::kAllocate, path());
  op.offset = offset;
  op.length_bytes = length;
  FaultFs::Gate gate = Before(&op);
  if (gate.action == Action::kFail) return std::move(gate.status);
  return inner_->Allocate(offset, length, mode);
}

Status FaultFile::Sync() {
  OpContext op = OpOn(OpKind::kSync, path());
  FaultFs::Gate gate = Before(&op);
  if (gate.action == Action::kFail) return std::move(gate.status);
  return inner_->Sync();
}

Status FaultFile::SyncData() {
  OpContext op = OpOn(OpKind::kSyncData, path());
  FaultFs::Gate gate = Before(&op);
  if (gate.action == Action::kFail) return std::move(gate.status);
  return inner_->SyncData();
}

Result<uint64_t> FaultFile::Size() {
  OpContext op = OpOn(OpKind::kSize, path());
  FaultFs::Gate gate = Before(&op);
  if (gate.action == Action::kFail) return std::move(gate.status);
  return inner_->Size();
}

Status FaultFile::Close() {
  OpContext op = OpOn(OpKind::kClose, path());
  FaultFs::Gate gate = Before(&op);
  if (gate.action == Action::kFail) return std::move(gate.status);
  closed_ = true;
  return inner_->Close();
}

FaultFileLock::FaultFileLock(FaultFs* fs, std::unique_ptr<fs::FileLock> inner, uint64_t epoch)
    : fs_(fs), inner_(std::move(inner)), epoch_(epoch) {
  WALSIM_ASSERT(fs_ != nullptr);
  WALSIM_ASSERT(inner_ != nullptr);
}

Status FaultFileLock::Unlock() {
  OpContext op = OpOn(OpKind::kUnlock, path());
  FaultFs::Gate gate = fs_->Before(&op, epoch_);
  WALSIM_ASSERT(gate.action != Action::kShortWrite);
  if (gate.action == Action::kFail) return std::move(gate.status);
  return inner_->Unlock();
}

}  // namespace walsim::faults
