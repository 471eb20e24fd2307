// LogModel: the reference model of a raft LogStore.
//
// The model is the list of mutating operations issued since the last
// recovery (StoreLogs batches and DeleteRange calls), how many of them were
// acknowledged, and the state they started from. The state after any prefix
// of those operations is computed by replaying them with the contract's own
// pure functions (logstore/log_store.h: ValidateAppend, ClassifyDelete), the
// ones InmemStore uses, so the model and the contract cannot disagree.
//
// What a durable store promises: every acknowledged operation survives a
// crash, and each operation is all-or-nothing. After a crash the recovered
// store must equal the state after some prefix of the operations that is no
// shorter than the acknowledged ones. ResolveTo then fixes that prefix as the
// new base.
//
// Plain value type; single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "logstore/log_store.h"

namespace walsim::scenarios {

inline constexpr size_t kLogModelOpCountMax = 1'000'000;

struct LogModelOp {
  enum class Kind : uint8_t { kStore, kDelete };
  Kind kind = Kind::kStore;
  uint64_t op_number = 0;
  std::vector<logstore::Log> logs;  // kStore
  uint64_t min_index = 0;           // kDelete
  uint64_t max_index = 0;           // kDelete
};

// A store's whole contents: index -> log.
using LogState = std::map<uint64_t, logstore::Log>;

class LogModel {
 public:
  // An operation is about to be issued. Returns the status the contract
  // requires of it given the state after every operation so far (e.g.
  // kInvalidArgument for a gap); only an OK operation is recorded as issued.
  Status BeginStore(std::span<const logstore::Log> logs, uint64_t op_number);
  Status BeginDelete(uint64_t min_index, uint64_t max_index, uint64_t op_number);

  // The operation just begun (and recorded) returned OK: it is durable.
  void Acknowledge();

  size_t op_count() const { return ops_.size(); }
  size_t acknowledged_count() const { return acknowledged_count_; }
  const std::vector<LogModelOp>& ops() const { return ops_; }

  // The state after the base and the first prefix operations.
  // REQUIRES: prefix <= op_count().
  LogState StateAt(size_t prefix) const;

  // Operations folded into the base by ResolveTo so far, oldest first: under
  // illegal faults a recovery may go back past a base (a damaged last batch
  // dropped like a torn write), to the state after resolved_count() - k of
  // them. The history starts from the empty store.
  size_t resolved_count() const { return resolved_ops_.size(); }
  const std::vector<LogModelOp>& resolved_ops() const { return resolved_ops_; }
  // The state after the first count resolved operations. REQUIRES: count <= resolved_count().
  LogState ResolvedStateAt(size_t count) const;
  // Goes back to the state after count resolved operations: it becomes the
  // base, later history and the pending operations are dropped.
  // REQUIRES: count <= resolved_count().
  void RewindTo(size_t count);

  // After a recovery observed the state after prefix operations: that state
  // becomes the base and the operation list is emptied. Under legal faults
  // the checker passes prefix >= acknowledged_count(); after an illegal fault
  // an earlier prefix is a valid (if lossy) recovery.
  // REQUIRES: prefix <= op_count().
  void ResolveTo(size_t prefix);

 private:
  LogState base_;
  std::vector<LogModelOp> resolved_ops_;  // folded into base_, oldest first
  std::vector<LogModelOp> ops_;
  size_t acknowledged_count_ = 0;
};

// Applies one operation to state as the contract says. Returns the
// contract's status; state is unchanged unless OK.
Status ApplyLogOp(const LogModelOp& op, LogState* state);

}  // namespace walsim::scenarios
