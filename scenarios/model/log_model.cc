#include "scenarios/model/log_model.h"

namespace walsim::scenarios {
namespace {

// The model checks only the contract's shape rules (contiguity, index 0,
// types); size limits are each store's own business.
constexpr uint64_t kModelEntrySizeBytesMax = uint64_t{1} << 40;

logstore::LogRange RangeOf(const LogState& state) {
  if (state.empty()) return {};
  return {state.begin()->first, state.rbegin()->first};
}

}  // namespace

Status ApplyLogOp(const LogModelOp& op, LogState* state) {
  logstore::LogRange range = RangeOf(*state);
  if (op.kind == LogModelOp::Kind::kStore) {
    WALSIM_RETURN_IF_ERROR(logstore::ValidateAppend(range, op.logs, kModelEntrySizeBytesMax));
    for (const logstore::Log& log : op.logs) state->emplace(log.index, log);
    WALSIM_ASSERT(RangeOf(*state).last_index - RangeOf(*state).first_index + 1 == state->size());
    return Status::Ok();
  }
  logstore::DeleteKind kind = logstore::ClassifyDelete(range, op.min_index, op.max_index);
  if (kind == logstore::DeleteKind::kMiddle) {
    return logstore::MiddleDeleteError(range, op.min_index, op.max_index);
  }
  if (kind == logstore::DeleteKind::kNoop) return Status::Ok();
  auto first = state->lower_bound(op.min_index);
  auto last = state->upper_bound(op.max_index);
  state->erase(first, last);
  return Status::Ok();
}

Status LogModel::BeginStore(std::span<const logstore::Log> logs, uint64_t op_number) {
  WALSIM_ASSERT(ops_.size() < kLogModelOpCountMax);
  LogModelOp op;
  op.kind = LogModelOp::Kind::kStore;
  op.op_number = op_number;
  op.logs.assign(logs.begin(), logs.end());
  LogState state = StateAt(ops_.size());
  WALSIM_RETURN_IF_ERROR(ApplyLogOp(op, &state));
  if (logs.empty()) return Status::Ok();  // a no-op is not an operation to recover
  ops_.push_back(std::move(op));
  return Status::Ok();
}

Status LogModel::BeginDelete(uint64_t min_index, uint64_t max_index, uint64_t op_number) {
  WALSIM_ASSERT(ops_.size() < kLogModelOpCountMax);
  LogModelOp op;
  op.kind = LogModelOp::Kind::kDelete;
  op.op_number = op_number;
  op.min_index = min_index;
  op.max_index = max_index;
  LogState state = StateAt(ops_.size());
  WALSIM_RETURN_IF_ERROR(ApplyLogOp(op, &state));
  ops_.push_back(std::move(op));
  return Status::Ok();
}

void LogModel::Acknowledge() {
  WALSIM_ASSERT(acknowledged_count_ <= ops_.size());
  acknowledged_count_ = ops_.size();
}

LogState LogModel::StateAt(size_t prefix) const {
  WALSIM_ASSERT(prefix <= ops_.size());
  LogState state = base_;
  for (size_t i = 0; i < prefix; i++) {
    Status applied = ApplyLogOp(ops_[i], &state);
    WALSIM_ASSERT_MSG(applied.ok(), "a recorded operation must apply to its own prefix");
  }
  return state;
}

void LogModel::ResolveTo(size_t prefix) {
  WALSIM_ASSERT(prefix <= ops_.size());
  base_ = StateAt(prefix);
  WALSIM_ASSERT(resolved_ops_.size() + prefix <= kLogModelOpCountMax);
  resolved_ops_.insert(resolved_ops_.end(), std::make_move_iterator(ops_.begin()),
                       std::make_move_iterator(ops_.begin() + static_cast<ptrdiff_t>(prefix)));
  ops_.clear();
  acknowledged_count_ = 0;
}

LogState LogModel::ResolvedStateAt(size_t count) const {
  WALSIM_ASSERT(count <= resolved_ops_.size());
  LogState state;
  for (size_t i = 0; i < count; i++) {
    Status applied = ApplyLogOp(resolved_ops_[i], &state);
    WALSIM_ASSERT_MSG(applied.ok(), "a resolved operation must apply to its own prefix");
  }
  return state;
}

void LogModel::RewindTo(size_t count) {
  WALSIM_ASSERT(count <= resolved_ops_.size());
  base_ = ResolvedStateAt(count);
  resolved_ops_.resize(count);
  ops_.clear();
  acknowledged_count_ = 0;
}

}  // namespace walsim::scenarios
