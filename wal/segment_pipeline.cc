#include "wal/segment_pipeline.h"

#include "fs/path.h"

namespace walsim::wal {

SegmentPipeline::SegmentPipeline(fs::FileSystem& fs, std::string dir, uint64_t segment_size_bytes,
                                 fs::AllocateMode allocate_mode, Executor* executor)
    : fs_(fs),
      dir_(std::move(dir)),
      segment_size_bytes_(segment_size_bytes),
      allocate_mode_(allocate_mode),
      executor_(executor),
      shared_(std::make_shared<Shared>()) {
  WALSIM_ASSERT(segment_size_bytes > 0);
  WALSIM_ASSERT(allocate_mode != fs::AllocateMode::kKeepSize);
}

SegmentPipeline::~SegmentPipeline() { (void)Close(); }

Result<PreparedSegment> SegmentPipeline::Allocate(fs::FileSystem& fs, const std::string& path,
                                                  uint64_t size_bytes,
                                                  fs::AllocateMode allocate_mode) {
  WALSIM_ASSIGN_OR_RETURN(auto file, fs.Open(path, {.create = true, .truncate = true}));
  // No sync here: the Cut syncs the file (kernel writeback has usually
  // flushed the zeros by then), and a sync here would be a second one.
  Status allocated = file->Allocate(0, size_bytes, allocate_mode);
  if (!allocated.ok()) {
    (void)file->Close();
    (void)fs.Remove(path);
    return allocated.WithContext("preallocating wal segment " + path);
  }
  return PreparedSegment{path, std::move(file)};
}

void SegmentPipeline::Prepare() {
  if (executor_ == nullptr) return;  // lazily, at Take
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (shared_->pending || shared_->ready.has_value()) return;
    shared_->pending = true;
  }
  std::string path = fs::Join(dir_, std::to_string(count_ % 2) + ".tmp");
  executor_->Submit([shared = shared_, &fs = fs_, path = std::move(path),
                     size_bytes = segment_size_bytes_, allocate_mode = allocate_mode_] {
    Result<PreparedSegment> prepared = Allocate(fs, path, size_bytes, allocate_mode);
    std::lock_guard<std::mutex> lock(shared->mutex);
    shared->ready.emplace(std::move(prepared));
    shared->pending = false;
    shared->done.notify_all();
  });
}

std::optional<Result<PreparedSegment>> SegmentPipeline::Wait() {
  std::unique_lock<std::mutex> lock(shared_->mutex);
  shared_->done.wait(lock, [this] { return !shared_->pending; });
  std::optional<Result<PreparedSegment>> ready = std::move(shared_->ready);
  shared_->ready.reset();
  return ready;
}

Result<PreparedSegment> SegmentPipeline::Take() {
  std::optional<Result<PreparedSegment>> ready = Wait();
  if (!ready.has_value()) {
    ready.emplace(Allocate(fs_, fs::Join(dir_, std::to_string(count_ % 2) + ".tmp"),
                           segment_size_bytes_, allocate_mode_));
  }
  if (ready->ok()) count_++;
  return std::move(*ready);
}

Status SegmentPipeline::Close() {
  std::optional<Result<PreparedSegment>> ready = Wait();
  if (!ready.has_value() || !ready->ok()) return Status::Ok();
  PreparedSegment& unused = ready->value();
  (void)unused.file->Close();
  return fs_.Remove(unused.path);
}

}  // namespace walsim::wal
