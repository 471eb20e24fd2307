#include "faults/crash_point_fs.h"

#include <string>
#include <utility>

namespace walsim::faults {

namespace {

// A file of a CrashPointFs: every call passes the wrapper's gate first.
class GatedFile final : public fs::File {
 public:
  GatedFile(CrashPointFs& owner, std::unique_ptr<fs::File> inner)
      : owner_(owner), inner_(std::move(inner)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> dst) override {
    WALSIM_RETURN_IF_ERROR(owner_.Gate("read", path()));
    return inner_->ReadAt(offset, dst);
  }
  Status WriteAt(uint64_t offset, std::span<const uint8_t> data) override {
    WALSIM_RETURN_IF_ERROR(owner_.Gate("write", path()));
    return inner_->WriteAt(offset, data);
  }
  Status Append(std::span<const uint8_t> data) override {
    WALSIM_RETURN_IF_ERROR(owner_.Gate("append", path()));
    return inner_->Append(data);
  }
  Status Truncate(uint64_t size_bytes) override {
    WALSIM_RETURN_IF_ERROR(owner_.Gate("truncate", path()));
    return inner_->Truncate(size_bytes);
  }
  Status Allocate(uint64_t offset, uint64_t length, fs::AllocateMode mode) override {
    WALSIM_RETURN_IF_ERROR(owner_.Gate("allocate", path()));
    return inner_->Allocate(offset, length, mode);
  }
  Status Sync() override {
    WALSIM_RETURN_IF_ERROR(owner_.Gate("sync", path()));
    return inner_->Sync();
  }
  Status SyncData() override {
    WALSIM_RETURN_IF_ERROR(owner_.Gate("syncdata", path()));
    return inner_->SyncData();
  }
  Result<uint64_t> Size() override {
    WALSIM_RETURN_IF_ERROR(owner_.Gate("size", path()));
    return inner_->Size();
  }
  Status Close() override {
    // Closing releases memory only; it never reaches the platter, so it
    // passes even after the cut (and releases the inner handle).
    return inner_->Close();
  }
  const std::string& path() const override { return inner_->path(); }

 private:
  CrashPointFs& owner_;
  std::unique_ptr<fs::File> inner_;
};

}  // namespace

Status CrashPointFs::Gate(std::string_view op, std::string_view path) {
  const uint64_t index = op_index_++;
  if (index >= trip_at_op_index_) tripped_ = true;
  if (!tripped_) return Status::Ok();
  return Status::IoError("power lost before " + std::string(op) + " " + std::string(path));
}

Result<std::unique_ptr<fs::File>> CrashPointFs::Open(std::string_view path,
                                                     fs::OpenOptions options) {
  WALSIM_RETURN_IF_ERROR(Gate("open", path));
  WALSIM_ASSIGN_OR_RETURN(std::unique_ptr<fs::File> inner, inner_.Open(path, options));
  return std::unique_ptr<fs::File>(std::make_unique<GatedFile>(*this, std::move(inner)));
}

Status CrashPointFs::Remove(std::string_view path) {
  WALSIM_RETURN_IF_ERROR(Gate("remove", path));
  return inner_.Remove(path);
}

Status CrashPointFs::Rename(std::string_view from, std::string_view to) {
  WALSIM_RETURN_IF_ERROR(Gate("rename", from));
  return inner_.Rename(from, to);
}

Result<std::vector<std::string>> CrashPointFs::List(std::string_view dir) {
  WALSIM_RETURN_IF_ERROR(Gate("list", dir));
  return inner_.List(dir);
}

Status CrashPointFs::MkDir(std::string_view path) {
  WALSIM_RETURN_IF_ERROR(Gate("mkdir", path));
  return inner_.MkDir(path);
}

Result<fs::FileInfo> CrashPointFs::Stat(std::string_view path) {
  WALSIM_RETURN_IF_ERROR(Gate("stat", path));
  return inner_.Stat(path);
}

Status CrashPointFs::SyncDir(std::string_view path) {
  WALSIM_RETURN_IF_ERROR(Gate("syncdir", path));
  return inner_.SyncDir(path);
}

Result<std::unique_ptr<fs::FileLock>> CrashPointFs::Lock(std::string_view path) {
  WALSIM_RETURN_IF_ERROR(Gate("lock", path));
  return inner_.Lock(path);
}

}  // namespace walsim::faults
