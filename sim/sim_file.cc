// SimFs file operations, reached through SimFile handles: read, write,
// append, truncate, allocate, sync, size, close, and the device faults that
// hit them. Every operation is traced; writes change live state only.
#include <algorithm>
#include <limits>

#include "sim/sim_fs.h"
#include "sim/sim_handles.h"

namespace walsim::sim {
namespace {

constexpr uint64_t kOffsetBytesMax = std::numeric_limits<int64_t>::max();  // off_t

uint64_t AllocatedBytes(const Inode& file) {
  return std::max(file.live.size_bytes(), file.reserved_bytes);
}

bool Charged(const Inode& file) {
  return !file.is_directory && (file.live_link_count > 0 || file.open_handle_count > 0);
}

std::string_view AllocateModeName(fs::AllocateMode mode) {
  switch (mode) {
    case fs::AllocateMode::kKeepSize:
      return "keep_size";
    case fs::AllocateMode::kExtendSize:
      return "extend_size";
    case fs::AllocateMode::kZeroFill:
      return "zero_fill";
  }
  return "unknown";
}

}  // namespace

// ---- SimFile / SimFileLock: forward to the disk, or kClosed once it is gone.

SimFile::~SimFile() {
  if (SimFs* fs = *anchor_) fs->FileDestroyed(state_);
}
Status SimFile::Gone() const {
  return Status::Closed(state_.path + ": the simulated disk was destroyed");
}
Result<size_t> SimFile::ReadAt(uint64_t offset, std::span<uint8_t> dst) {
  if (SimFs* fs = *anchor_) return fs->FileRead(state_, offset, dst);
  return Gone();
}
Status SimFile::WriteAt(uint64_t offset, std::span<const uint8_t> data) {
  if (SimFs* fs = *anchor_) return fs->FileWrite(state_, offset, data);
  return Gone();
}
Status SimFile::Append(std::span<const uint8_t> data) {
  if (SimFs* fs = *anchor_) return fs->FileWrite(state_, std::nullopt, data);
  return Gone();
}
Status SimFile::Truncate(uint64_t size_bytes) {
  if (SimFs* fs = *anchor_) return fs->FileTruncate(state_, size_bytes);
  return Gone();
}
Status SimFile::Allocate(uint64_t offset, uint64_t length, fs::AllocateMode mode) {
  if (SimFs* fs = *anchor_) return fs->FileAllocate(state_, offset, length, mode);
  return Gone();
}
Status SimFile::Sync() {
  if (SimFs* fs = *anchor_) return fs->FileSync(state_, /*data_only=*/false);
  return Gone();
}
Status SimFile::SyncData() {
  if (SimFs* fs = *anchor_) return fs->FileSync(state_, /*data_only=*/true);
  return Gone();
}
Result<uint64_t> SimFile::Size() {
  if (SimFs* fs = *anchor_) return fs->FileSize(state_);
  return Gone();
}
Status SimFile::Close() {
  if (SimFs* fs = *anchor_) return fs->FileClose(&state_);
  state_.closed = true;
  return Gone();
}

SimFileLock::~SimFileLock() {
  if (!released_ && *anchor_ != nullptr) (void)Unlock();
}
Status SimFileLock::Unlock() {
  if (SimFs* fs = *anchor_) return fs->LockRelease(inode_id_, token_, epoch_, path_, &released_);
  return Status::Closed(path_ + ": the simulated disk was destroyed");
}

// ---- Checks, accounting and fault decisions.

Status SimFs::CheckHandle(const HandleState& handle, bool writes) const {
  if (handle.closed) return Status::Closed(handle.path + ": file is closed");
  if (handle.epoch != epoch_) {
    return Status::Closed(handle.path + ": handle is dead: the disk crashed after it was opened");
  }
  if (writes && handle.read_only) {
    return Status::InvalidArgument(handle.path + ": opened read-only");
  }
  WALSIM_ASSERT(inodes_.contains(handle.inode_id));
  return Status::Ok();
}

Status SimFs::CheckCapacity(const Inode& file, uint64_t new_end_bytes, std::string_view op,
                            std::string_view path) const {
  uint64_t old_allocated = AllocatedBytes(file);
  uint64_t growth_bytes = new_end_bytes > old_allocated ? new_end_bytes - old_allocated : 0;
  if (growth_bytes == 0 || !Charged(file)) return Status::Ok();
  WALSIM_ASSERT(used_bytes_ >= old_allocated);
  if (growth_bytes > options_.capacity_bytes - std::min(used_bytes_, options_.capacity_bytes)) {
    return Status::NoSpace(Describe(op, path,
                                    "no space: needs " + std::to_string(growth_bytes) +
                                        " more bytes, " + std::to_string(used_bytes_) + " of " +
                                        std::to_string(options_.capacity_bytes) + " used"));
  }
  return Status::Ok();
}

// The one place where a file's allocation change reaches used_bytes_, so that
// no operation can charge or release the same bytes twice.
void SimFs::Recharge(const Inode& file, uint64_t old_allocated_bytes) {
  if (!Charged(file)) return;
  uint64_t new_allocated = AllocatedBytes(file);
  WALSIM_ASSERT(used_bytes_ >= old_allocated_bytes);
  used_bytes_ = used_bytes_ - old_allocated_bytes + new_allocated;
  WALSIM_ASSERT(used_bytes_ >= new_allocated);
}

void SimFs::ReleaseIfUnreachable(Inode& file) {
  if (file.is_directory || file.live_link_count > 0 || file.open_handle_count > 0) return;
  // The last name and the last handle are gone: the space is free again.
  uint64_t allocated = AllocatedBytes(file);
  WALSIM_ASSERT(used_bytes_ >= allocated);
  used_bytes_ -= allocated;
}

void SimFs::LimitPending(Inode& file) {
  if (file.pending.op_count() <= kPendingOpsMax && file.pending.data_bytes() <= kPendingBytesMax) {
    return;
  }
  // A page cache under pressure writes back on its own; the oldest half goes.
  size_t count = (file.pending.op_count() + 1) / 2;
  trace_.Begin(op_count_, "writeback");
  trace_.Field("inode", file.id);
  trace_.Field("ops", count);
  trace_.End();
  file.pending.ReplayInto(count, &file.durable);
  file.pending.DropOldest(count);
}

void SimFs::ApplyLiveWrite(Inode& file, uint64_t offset, std::span<const uint8_t> data) {
  WALSIM_ASSERT(!data.empty() && offset + data.size() <= kFileSizeBytesMax);
  uint64_t old_allocated = AllocatedBytes(file);
  file.live.Write(offset, data);
  file.pending.AddWrite(offset, data);
  Recharge(file, old_allocated);
  LimitPending(file);
}

void SimFs::ApplyLiveResize(Inode& file, uint64_t size_bytes) {
  WALSIM_ASSERT(size_bytes <= kFileSizeBytesMax);
  uint64_t old_allocated = AllocatedBytes(file);
  if (size_bytes < file.live.size_bytes()) {
    // ftruncate frees the blocks past the new end, preallocated ones too.
    file.reserved_bytes = std::min(file.reserved_bytes, size_bytes);
  }
  file.live.Resize(size_bytes);
  file.pending.AddResize(size_bytes);
  Recharge(file, old_allocated);
  LimitPending(file);
}

bool SimFs::TakeFault(Inode& file, FaultArm arm, Rng* rng, double probability,
                      std::string_view path, std::string_view name) {
  uint32_t& armed = file.arms[static_cast<size_t>(arm)];
  std::string_view source;
  if (armed > 0) {
    armed--;
    source = "injected";
  } else if (probability > 0 && rng != nullptr && rng->Chance(probability)) {
    source = "random";
  } else {
    return false;
  }
  trace_.Begin(op_count_, "fault");
  trace_.Field("kind", name);
  trace_.Field("path", path);
  trace_.Field("source", source);
  trace_.End();
  return true;
}

// ---- Operations.

Result<size_t> SimFs::FileRead(const HandleState& handle, uint64_t offset, std::span<uint8_t> dst) {
  uint64_t op = ++op_count_;
  Result<size_t> read = [&]() -> Result<size_t> {
    WALSIM_RETURN_IF_ERROR(CheckHandle(handle, /*writes=*/false));
    if (offset > kOffsetBytesMax || dst.size() > kOffsetBytesMax - offset) {
      return Status::InvalidArgument(Describe("read", handle.path, "offset overflows"));
    }
    Inode& file = inode(handle.inode_id);
    if (TakeFault(file, FaultArm::kReadEio, &read_eio_rng_, options_.read_eio_probability,
                  handle.path, "read_eio")) {
      return Status::IoError(
          Describe("read", handle.path, "I/O error at offset " + std::to_string(offset)));
    }
    uint64_t size_bytes = file.live.size_bytes();
    if (offset >= size_bytes || dst.empty()) return size_t{0};
    size_t count = static_cast<size_t>(std::min<uint64_t>(dst.size(), size_bytes - offset));
    uint64_t sector_bytes = options_.sector_size_bytes;
    auto latent = file.latent_sectors.lower_bound(offset / sector_bytes);
    if (latent != file.latent_sectors.end() && *latent <= (offset + count - 1) / sector_bytes) {
      return Status::IoError(Describe("read", handle.path,
                                      "I/O error: latent sector error in sector " +
                                          std::to_string(*latent) + " (offset " +
                                          std::to_string(*latent * sector_bytes) + ")"));
    }
    file.live.Read(offset, dst.first(count));
    return count;
  }();
  trace_.Begin(op, "read");
  trace_.Field("path", handle.path);
  trace_.Field("offset", offset);
  trace_.Field("bytes", dst.size());
  if (read.ok()) trace_.Field("read", *read);
  trace_.End(read.ok() ? Status::Ok() : read.status());
  return read;
}

// Decides the device faults of one write. Returns a failure for EIO / ENOSPC
// (nothing written); otherwise sets where the data lands (misdirection) and
// how much of it is written (a short write).
Status SimFs::WriteFaults(const HandleState& handle, Inode& file, uint64_t offset,
                          std::span<const uint8_t> data, uint64_t* landed_offset,
                          uint64_t* written_bytes) {
  if (TakeFault(file, FaultArm::kWriteEio, &write_eio_rng_, options_.write_eio_probability,
                handle.path, "write_eio")) {
    return Status::IoError(Describe("write", handle.path,
                                    "I/O error at offset " + std::to_string(offset) +
                                        ": wrote 0 of " + std::to_string(data.size()) + " bytes"));
  }
  if (TakeFault(file, FaultArm::kNoSpace, nullptr, 0, handle.path, "no_space")) {
    return Status::NoSpace(Describe("write", handle.path, "no space left on device (injected)"));
  }
  *landed_offset = offset;
  if (TakeFault(file, FaultArm::kMisdirect, nullptr, 0, handle.path, "misdirect")) {
    uint64_t sector_bytes = options_.sector_size_bytes;
    uint64_t target = choice_rng_.Below(file.live.size_bytes() / sector_bytes + 1) * sector_bytes;
    if (target == offset) target += sector_bytes;
    *landed_offset = target;
    trace_.Begin(op_count_, "misdirect");
    trace_.Field("path", handle.path);
    trace_.Field("intended", offset);
    trace_.Field("landed", target);
    trace_.End();
  }
  *written_bytes = data.size();
  if (TakeFault(file, FaultArm::kShortWrite, &short_write_rng_, options_.short_write_probability,
                handle.path, "short_write")) {
    *written_bytes = choice_rng_.Below(data.size());  // a strict prefix, maybe empty
  }
  WALSIM_ASSERT(*written_bytes <= data.size());
  return Status::Ok();
}

Status SimFs::FileWrite(const HandleState& handle, std::optional<uint64_t> offset,
                        std::span<const uint8_t> data) {
  uint64_t op = ++op_count_;
  uint64_t write_offset = 0;
  Status status = [&]() -> Status {
    WALSIM_RETURN_IF_ERROR(CheckHandle(handle, /*writes=*/true));
    Inode& file = inode(handle.inode_id);
    write_offset = offset.value_or(file.live.size_bytes());
    if (write_offset > kOffsetBytesMax || data.size() > kOffsetBytesMax - write_offset) {
      return Status::InvalidArgument(Describe("write", handle.path, "offset overflows"));
    }
    if (data.empty()) return Status::Ok();
    if (write_offset + data.size() > kFileSizeBytesMax) {
      return Status::NoSpace(Describe("write", handle.path, "past file_size_bytes_max"));
    }
    uint64_t landed_offset = 0, written_bytes = 0;
    WALSIM_RETURN_IF_ERROR(
        WriteFaults(handle, file, write_offset, data, &landed_offset, &written_bytes));
    WALSIM_RETURN_IF_ERROR(
        CheckCapacity(file, landed_offset + written_bytes, "write", handle.path));
    if (written_bytes > 0) ApplyLiveWrite(file, landed_offset, data.first(written_bytes));
    AuditWriteUnits(file, handle.path, write_offset, written_bytes);
    if (written_bytes < data.size()) {
      return Status::IoError(Describe("write", handle.path,
                                      "short write at offset " + std::to_string(write_offset) +
                                          ": wrote " + std::to_string(written_bytes) + " of " +
                                          std::to_string(data.size()) + " bytes"));
    }
    return Status::Ok();
  }();
  trace_.Begin(op, offset ? "write" : "append");
  trace_.Field("path", handle.path);
  trace_.Field("offset", write_offset);
  trace_.Field("bytes", data.size());
  trace_.End(status);
  return status;
}

void SimFs::AuditWriteUnits(Inode& file, const std::string& path, uint64_t offset,
                            uint64_t written_bytes) {
  if (audit_unit_bytes_ == 0 || written_bytes == 0) return;
  if (file.split_unit_end == offset && unit_splits_.size() < kUnitSplitsKept) {
    unit_splits_.push_back(UnitSplit{path, *file.split_unit_end, offset});
  }
  const uint64_t end = offset + written_bytes;
  file.split_unit_end.reset();
  if (end % audit_unit_bytes_ != 0) file.split_unit_end = end;
}

Status SimFs::FileTruncate(const HandleState& handle, uint64_t size_bytes) {
  uint64_t op = ++op_count_;
  Status status = [&]() -> Status {
    WALSIM_RETURN_IF_ERROR(CheckHandle(handle, /*writes=*/true));
    if (size_bytes > kOffsetBytesMax) {
      return Status::InvalidArgument(Describe("truncate", handle.path, "size overflows"));
    }
    if (size_bytes > kFileSizeBytesMax) {
      return Status::NoSpace(Describe("truncate", handle.path, "past file_size_bytes_max"));
    }
    Inode& file = inode(handle.inode_id);
    WALSIM_RETURN_IF_ERROR(CheckCapacity(file, size_bytes, "truncate", handle.path));
    ApplyLiveResize(file, size_bytes);
    file.split_unit_end.reset();  // a rewrite after a truncate continues nothing
    return Status::Ok();
  }();
  trace_.Begin(op, "truncate");
  trace_.Field("path", handle.path);
  trace_.Field("size", size_bytes);
  trace_.End(status);
  return status;
}

Status SimFs::FileAllocate(const HandleState& handle, uint64_t offset, uint64_t length,
                           fs::AllocateMode mode) {
  uint64_t op = ++op_count_;
  Status status = [&]() -> Status {
    WALSIM_RETURN_IF_ERROR(CheckHandle(handle, /*writes=*/true));
    if (offset > kOffsetBytesMax || length > kOffsetBytesMax - offset) {
      return Status::InvalidArgument(Describe("allocate", handle.path, "range overflows"));
    }
    if (length == 0) return Status::Ok();  // nothing to reserve (as PosixFs)
    uint64_t end_bytes = offset + length;
    if (end_bytes > kFileSizeBytesMax) {
      return Status::NoSpace(Describe("allocate", handle.path, "past file_size_bytes_max"));
    }
    Inode& file = inode(handle.inode_id);
    if (TakeFault(file, FaultArm::kNoSpace, nullptr, 0, handle.path, "no_space")) {
      return Status::NoSpace(Describe("allocate", handle.path, "no space left (injected)"));
    }
    WALSIM_RETURN_IF_ERROR(CheckCapacity(file, end_bytes, "allocate", handle.path));
    if (mode == fs::AllocateMode::kKeepSize) {
      uint64_t old_allocated = AllocatedBytes(file);
      file.reserved_bytes = std::max(file.reserved_bytes, end_bytes);
      Recharge(file, old_allocated);
    } else if (end_bytes > file.live.size_bytes()) {
      ApplyLiveResize(file, end_bytes);
    }
    return Status::Ok();
  }();
  trace_.Begin(op, "allocate");
  trace_.Field("path", handle.path);
  trace_.Field("offset", offset);
  trace_.Field("length", length);
  trace_.Field("mode", AllocateModeName(mode));
  trace_.End(status);
  return status;
}

Status SimFs::FileSync(const HandleState& handle, bool data_only) {
  uint64_t op = ++op_count_;
  size_t pending_count = 0;
  size_t written_back_count = 0;
  Status status = [&]() -> Status {
    WALSIM_RETURN_IF_ERROR(CheckHandle(handle, /*writes=*/false));
    Inode& file = inode(handle.inode_id);
    pending_count = file.pending.op_count();
    file.split_unit_end.reset();  // a sync ends the run of writes, failed or not
    if (TakeFault(file, FaultArm::kSyncEio, &sync_eio_rng_, options_.sync_eio_probability,
                  handle.path, "sync_eio")) {
      // Linux: the failed pages are marked clean. They stay visible but will
      // never be written back, so the next fsync has nothing to report. Some
      // may have been written back before the failure (early write-back).
      if (options_.sync_eio_writes_back && pending_count > 0) {
        written_back_count = sync_eio_rng_.Below(pending_count);
        file.pending.ReplayInto(written_back_count, &file.durable);
      }
      file.pending.Clear();
      return Status::IoError(
          Describe(data_only ? "syncdata" : "sync", handle.path,
                   "I/O error; " + std::to_string(pending_count) + " unsynced writes are lost"));
    }
    if (TakeFault(file, FaultArm::kSyncLie, &sync_lie_rng_, options_.sync_lie_probability,
                  handle.path, "sync_lie")) {
      return Status::Ok();
    }
    file.pending.ReplayInto(pending_count, &file.durable);
    file.pending.Clear();
    WALSIM_ASSERT(file.pending.empty());
    return Status::Ok();
  }();
  trace_.Begin(op, data_only ? "syncdata" : "sync");
  trace_.Field("path", handle.path);
  trace_.Field("pending_ops", pending_count);
  if (written_back_count > 0) trace_.Field("written_back_ops", written_back_count);
  trace_.End(status);
  return status;
}

Result<uint64_t> SimFs::FileSize(const HandleState& handle) {
  uint64_t op = ++op_count_;
  Status status = CheckHandle(handle, /*writes=*/false);
  uint64_t size_bytes = status.ok() ? inode(handle.inode_id).live.size_bytes() : 0;
  trace_.Begin(op, "size");
  trace_.Field("path", handle.path);
  if (status.ok()) trace_.Field("size", size_bytes);
  trace_.End(status);
  if (!status.ok()) return status;
  return size_bytes;
}

Status SimFs::FileClose(HandleState* handle) {
  uint64_t op = ++op_count_;
  Status status = CheckHandle(*handle, /*writes=*/false);
  if (status.ok()) {
    Inode& file = inode(handle->inode_id);
    WALSIM_ASSERT(file.open_handle_count > 0);
    file.open_handle_count--;
    ReleaseIfUnreachable(file);
  }
  handle->closed = true;
  trace_.Begin(op, "close");
  trace_.Field("path", handle->path);
  trace_.End(status);
  return status;
}

void SimFs::FileDestroyed(const HandleState& handle) {
  if (handle.closed || handle.epoch != epoch_) return;
  // Destroying an open handle closes it (no sync), as close(2) on exit would.
  Inode& file = inode(handle.inode_id);
  WALSIM_ASSERT(file.open_handle_count > 0);
  file.open_handle_count--;
  ReleaseIfUnreachable(file);
}

}  // namespace walsim::sim
