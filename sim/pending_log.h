// PendingLog: one file's unsynced writes and size changes, in issue order.
//
// A simulated file's durable contents plus its PendingLog replayed in order
// give what a successful sync would make durable. The crash models choose
// which of these operations (or which sectors of them) reach the disk. The
// bytes of all writes live in one arena that keeps its capacity across
// Clear(), so the append + sync hot path allocates nothing in steady state.
// Invariant: every op's data lies inside the arena; ops are in issue order.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/sparse_bytes.h"

namespace walsim::sim {

struct PendingOp {
  enum class Kind : uint8_t { kWrite, kResize };
  Kind kind = Kind::kWrite;
  uint64_t offset = 0;      // kWrite: where the data goes
  uint64_t size_bytes = 0;  // kWrite: data length; kResize: the new file size
  uint64_t data_begin = 0;  // kWrite: where the data starts in the arena
};

class PendingLog {
 public:
  size_t op_count() const { return ops_.size(); }
  uint64_t data_bytes() const { return arena_.size(); }
  bool empty() const { return ops_.empty(); }
  const PendingOp& op(size_t index) const { return ops_[index]; }
  // The bytes a kWrite op writes. REQUIRES: op(index).kind == kWrite.
  std::span<const uint8_t> data(size_t index) const;

  void AddWrite(uint64_t offset, std::span<const uint8_t> data);
  void AddResize(uint64_t size_bytes);

  // Applies ops [0, count) to target, in order.
  void ReplayInto(size_t count, SparseBytes* target) const;
  // Forgets ops [0, count) (after they were replayed somewhere or dropped).
  void DropOldest(size_t count);
  void Clear();

 private:
  std::vector<PendingOp> ops_;
  std::string arena_;
};

}  // namespace walsim::sim
