#include "scenarios/model/wal_model.h"

namespace walsim::scenarios {

void WalModel::Create(std::string metadata, uint64_t op_number) {
  WALSIM_ASSERT(records_.empty());
  WalModelRecord record;
  record.kind = WalRecordKind::kMetadata;
  record.op_number = op_number;
  record.metadata = std::move(metadata);
  records_.push_back(std::move(record));
  durable_count_ = records_.size();
}

void WalModel::BeginCreate(std::string metadata, uint64_t op_number) {
  WALSIM_ASSERT(records_.empty());
  begin_record_count_ = 0;
  begin_last_hard_state_ = last_hard_state_;
  WalModelRecord record;
  record.kind = WalRecordKind::kMetadata;
  record.op_number = op_number;
  record.metadata = std::move(metadata);
  records_.push_back(std::move(record));
  WALSIM_ASSERT(durable_count_ == 0);
}

void WalModel::Withdraw() {
  WALSIM_ASSERT(begin_record_count_ <= records_.size());
  WALSIM_ASSERT(durable_count_ <= begin_record_count_);
  records_.resize(begin_record_count_);
  last_hard_state_ = begin_last_hard_state_;
}

bool WalModel::BeginSave(const wal::HardState& hard_state, std::span<const wal::Entry> entries,
                         uint64_t op_number) {
  WALSIM_ASSERT(records_.size() + entries.size() + 1 <= kWalModelRecordCountMax);
  begin_record_count_ = records_.size();
  begin_last_hard_state_ = last_hard_state_;
  // raft.MustSync: entries, or a changed term or vote.
  bool must_sync = !entries.empty() || hard_state.term != last_hard_state_.term ||
                   hard_state.vote != last_hard_state_.vote;
  if (hard_state.IsEmpty() && entries.empty()) return false;  // etcd writes nothing
  for (const wal::Entry& entry : entries) {
    WalModelRecord record;
    record.kind = WalRecordKind::kEntry;
    record.op_number = op_number;
    record.entry = entry;
    records_.push_back(std::move(record));
  }
  if (!hard_state.IsEmpty()) {
    WalModelRecord record;
    record.kind = WalRecordKind::kHardState;
    record.op_number = op_number;
    record.hard_state = hard_state;
    records_.push_back(std::move(record));
    last_hard_state_ = hard_state;
  }
  return must_sync;
}

void WalModel::BeginSnapshot(const wal::Snapshot& snapshot, uint64_t op_number) {
  begin_record_count_ = records_.size();
  begin_last_hard_state_ = last_hard_state_;
  WalModelRecord record;
  record.kind = WalRecordKind::kSnapshot;
  record.op_number = op_number;
  record.snapshot = snapshot;
  records_.push_back(std::move(record));
}

void WalModel::Acknowledge(bool synced) {
  if (synced) durable_count_ = records_.size();
}

Result<WalView> WalModel::ViewAt(size_t prefix, const wal::Snapshot& snapshot) const {
  WALSIM_ASSERT(prefix <= records_.size());
  WalView view;
  bool metadata_seen = false;
  bool snapshot_matched = snapshot.index == 0;
  for (size_t i = 0; i < prefix; i++) {
    const WalModelRecord& record = records_[i];
    switch (record.kind) {
      case WalRecordKind::kMetadata:
        if (!metadata_seen) view.metadata = record.metadata;
        metadata_seen = true;
        break;
      case WalRecordKind::kHardState:
        view.hard_state = record.hard_state;
        break;
      case WalRecordKind::kSnapshot:
        if (record.snapshot.index == snapshot.index && record.snapshot.term == snapshot.term) {
          snapshot_matched = true;
        }
        break;
      case WalRecordKind::kEntry: {
        const wal::Entry& entry = record.entry;
        if (entry.index <= snapshot.index) {
          // raft's overwrite rule below the snapshot: everything after it goes.
          view.entries.clear();
          break;
        }
        size_t position = entry.index - snapshot.index - 1;
        // A script may issue a batch that leaves a gap (the WAL refuses it,
        // and the runner withdraws it, but a run that stopped in between can
        // still ask): no WAL could recover such a prefix, so it is no view.
        if (position > view.entries.size()) {
          return Status::InvalidArgument("entry " + std::to_string(entry.index) +
                                         " leaves a gap in the first " + std::to_string(prefix) +
                                         " records");
        }
        view.entries.resize(position);
        view.entries.push_back(entry);
        break;
      }
    }
  }
  if (!snapshot_matched) {
    return Status::NotFound("snapshot " + std::to_string(snapshot.index) + "/" +
                            std::to_string(snapshot.term) + " is not in the first " +
                            std::to_string(prefix) + " records");
  }
  return view;
}

wal::Snapshot WalModel::DurableSnapshot() const {
  wal::Snapshot newest;
  for (size_t i = 0; i < durable_count_; i++) {
    if (records_[i].kind == WalRecordKind::kSnapshot) newest = records_[i].snapshot;
  }
  return newest;
}

void WalModel::ResolveTo(size_t prefix) {
  WALSIM_ASSERT(prefix <= records_.size());
  records_.resize(prefix);
  durable_count_ = prefix;
  begin_record_count_ = prefix;
  last_hard_state_ = {};
  for (const WalModelRecord& record : records_) {
    if (record.kind == WalRecordKind::kHardState) last_hard_state_ = record.hard_state;
  }
}

}  // namespace walsim::scenarios
