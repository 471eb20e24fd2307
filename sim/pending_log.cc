#include "sim/pending_log.h"

#include "base/assert.h"

namespace walsim::sim {

std::span<const uint8_t> PendingLog::data(size_t index) const {
  WALSIM_ASSERT(index < ops_.size());
  const PendingOp& op = ops_[index];
  WALSIM_ASSERT(op.kind == PendingOp::Kind::kWrite);
  WALSIM_ASSERT(op.data_begin + op.size_bytes <= arena_.size());
  return {reinterpret_cast<const uint8_t*>(arena_.data()) + op.data_begin, op.size_bytes};
}

void PendingLog::AddWrite(uint64_t offset, std::span<const uint8_t> data) {
  WALSIM_ASSERT(!data.empty());
  ops_.push_back({PendingOp::Kind::kWrite, offset, data.size(), arena_.size()});
  arena_.append(reinterpret_cast<const char*>(data.data()), data.size());
  WALSIM_ASSERT(ops_.back().data_begin + ops_.back().size_bytes == arena_.size());
}

void PendingLog::AddResize(uint64_t size_bytes) {
  ops_.push_back({PendingOp::Kind::kResize, 0, size_bytes, arena_.size()});
  WALSIM_ASSERT(ops_.back().data_begin == arena_.size());
}

void PendingLog::ReplayInto(size_t count, SparseBytes* target) const {
  WALSIM_ASSERT(count <= ops_.size());
  for (size_t index = 0; index < count; index++) {
    const PendingOp& op = ops_[index];
    if (op.kind == PendingOp::Kind::kWrite) {
      target->Write(op.offset, data(index));
    } else {
      target->Resize(op.size_bytes);
    }
  }
}

void PendingLog::DropOldest(size_t count) {
  WALSIM_ASSERT(count <= ops_.size());
  if (count == ops_.size()) {
    Clear();
    return;
  }
  // Compact the arena so the remaining ops' data starts at 0 again.
  uint64_t first_kept_byte = ops_[count].data_begin;
  arena_.erase(0, first_kept_byte);
  ops_.erase(ops_.begin(), ops_.begin() + static_cast<std::ptrdiff_t>(count));
  for (PendingOp& op : ops_) {
    WALSIM_ASSERT(op.data_begin >= first_kept_byte);
    op.data_begin -= first_kept_byte;
  }
  // The kept ops' data is the arena, in order, from its start.
  WALSIM_ASSERT(ops_.front().data_begin == 0);
  WALSIM_ASSERT(ops_.back().data_begin +
                    (ops_.back().kind == PendingOp::Kind::kWrite ? ops_.back().size_bytes : 0) ==
                arena_.size());
}

void PendingLog::Clear() {
  ops_.clear();
  arena_.clear();
  WALSIM_ASSERT(ops_.empty() && arena_.empty());
}

}  // namespace walsim::sim
