#include "logstore/segment_preparer.h"

#include <utility>

#include "base/assert.h"

namespace walsim::logstore {

SegmentPreparer::SegmentPreparer(fs::FileSystem& fs, std::string path, uint64_t size_bytes,
                                 Executor* executor)
    : fs_(fs),
      path_(std::move(path)),
      size_bytes_(size_bytes),
      executor_(executor),
      shared_(std::make_shared<Shared>()) {
  WALSIM_ASSERT(executor_ != nullptr);
  WALSIM_ASSERT(size_bytes_ > 0);
}

SegmentPreparer::~SegmentPreparer() { (void)Close(); }

Result<std::unique_ptr<fs::File>> SegmentPreparer::ZeroFill(fs::FileSystem& fs,
                                                            const std::string& path,
                                                            uint64_t size_bytes) {
  WALSIM_ASSIGN_OR_RETURN(auto file, fs.Open(path, {.create = true, .truncate = true}));
  // Synced here, off the roll's path: the roll then only overwrites the
  // header block of initialized, durable zeros.
  Status status = file->Allocate(0, size_bytes, fs::AllocateMode::kZeroFill);
  if (status.ok()) status = file->Sync();
  if (!status.ok()) {
    (void)file->Close();
    (void)fs.Remove(path);
    return status.WithContext("preparing segment " + path);
  }
  return file;
}

void SegmentPreparer::Prepare() {
  if (requested_) return;
  requested_ = true;
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->pending || shared_->ready.has_value()) return;
    shared_->pending = true;
  }
  // The task holds the shared state, not this object: Close waits for it.
  executor_->Submit([shared = shared_, &fs = fs_, path = path_, size_bytes = size_bytes_] {
    Result<std::unique_ptr<fs::File>> prepared = ZeroFill(fs, path, size_bytes);
    std::lock_guard lock(shared->mutex);
    WALSIM_ASSERT(shared->pending && !shared->ready.has_value());
    shared->ready.emplace(std::move(prepared));
    shared->pending = false;
    shared->done.notify_all();
  });
}

std::optional<Result<std::unique_ptr<fs::File>>> SegmentPreparer::Take() {
  std::unique_lock lock(shared_->mutex);
  shared_->done.wait(lock, [this] { return !shared_->pending; });
  std::optional<Result<std::unique_ptr<fs::File>>> ready = std::move(shared_->ready);
  shared_->ready.reset();
  requested_ = false;
  WALSIM_ASSERT(!shared_->pending && !shared_->ready.has_value());
  return ready;
}

Status SegmentPreparer::Close() {
  std::optional<Result<std::unique_ptr<fs::File>>> ready = Take();
  if (!ready.has_value() || !ready->ok()) return Status::Ok();
  (void)ready->value()->Close();
  return fs_.Remove(path_);
}

}  // namespace walsim::logstore
