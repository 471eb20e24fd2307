// WalModel: the reference model of the etcd-compatible WAL.
//
// The model is the list of records the test issued, in order, each tagged with
// the operation that issued it, plus the durable watermark: the number of
// records covered by the last acknowledged sync. From it the checker computes
// the view (metadata, HardState, entries after raft's overwrite rule) of any
// record prefix, the way etcd's ReadAll would.
//
// What the WAL promises, and so what the model requires after a crash:
// every record below the durable watermark is recovered; records above it
// (unsynced saves, a failed operation's records) may be recovered as a prefix,
// in order, or not at all. The model predicts syncs itself (raft's MustSync
// rule), it never asks the WAL whether it synced.
//
// After a recovery the checker resolves the model to the prefix it observed
// (ResolveTo): records past it are gone for good, because the WAL zeroes
// everything after its last valid record when it reopens.
//
// Plain value type; single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "wal/types.h"

namespace walsim::scenarios {

inline constexpr size_t kWalModelRecordCountMax = 10'000'000;

enum class WalRecordKind : uint8_t { kMetadata, kEntry, kHardState, kSnapshot };

struct WalModelRecord {
  WalRecordKind kind = WalRecordKind::kEntry;
  uint64_t op_number = 0;     // the operation that issued it
  std::string metadata;       // kMetadata
  wal::Entry entry;           // kEntry
  wal::HardState hard_state;  // kHardState
  wal::Snapshot snapshot;     // kSnapshot
};

// What ReadAll returns, as the model computes it.
struct WalView {
  std::string metadata;
  wal::HardState hard_state;
  std::vector<wal::Entry> entries;
  friend bool operator==(const WalView&, const WalView&) = default;
};

class WalModel {
 public:
  // The WAL was created with metadata (acknowledged and durable).
  void Create(std::string metadata, uint64_t op_number);
  // A Create is about to be issued: its metadata record is in doubt until
  // Acknowledge(true) (Create syncs and renames before it returns OK).
  // REQUIRES: record_count() == 0.
  void BeginCreate(std::string metadata, uint64_t op_number);

  // A Save is about to be issued: appends its records (entries, then the
  // HardState unless empty) and returns whether raft's MustSync rule says it
  // must be durable when acknowledged.
  bool BeginSave(const wal::HardState& hard_state, std::span<const wal::Entry> entries,
                 uint64_t op_number);
  // A SaveSnapshot is about to be issued (always synced).
  void BeginSnapshot(const wal::Snapshot& snapshot, uint64_t op_number);

  // The operation just begun returned OK. synced: it promised durability
  // (MustSync for a Save; always for SaveSnapshot, Cut, Close).
  void Acknowledge(bool synced);
  // An acknowledged Cut or Close: everything so far is durable.
  void AcknowledgeSync() { Acknowledge(true); }
  // The operation just begun failed in a way that promises it wrote nothing
  // (kInvalidArgument for a bad batch, kAlreadyExists for a Create): its
  // records are withdrawn, as if it had never been issued.
  void Withdraw();

  size_t record_count() const { return records_.size(); }
  size_t durable_count() const { return durable_count_; }
  const std::vector<WalModelRecord>& records() const { return records_; }

  // The view of the first prefix records, read from snapshot (entries at or
  // below snapshot.index skipped, as ReadAll does). kNotFound when
  // snapshot.index != 0 and no snapshot record in the prefix matches it.
  // REQUIRES: prefix <= record_count().
  Result<WalView> ViewAt(size_t prefix, const wal::Snapshot& snapshot) const;

  // The newest snapshot record below the durable watermark ({0,0} if none):
  // the one a restarting server would open the WAL from.
  wal::Snapshot DurableSnapshot() const;

  // After a recovery observed prefix: drops the records past it; the durable
  // watermark becomes prefix. Under legal faults the checker passes prefix >=
  // durable_count(); after an illegal fault an earlier prefix is a valid (if
  // lossy) recovery. REQUIRES: prefix <= record_count().
  void ResolveTo(size_t prefix);

  // The op number of the record at index (for messages). REQUIRES: index < record_count().
  uint64_t OpNumberOf(size_t index) const { return records_[index].op_number; }

 private:
  std::vector<WalModelRecord> records_;
  size_t durable_count_ = 0;
  wal::HardState last_hard_state_;  // etcd's w.state: the MustSync baseline
  // What the operation begun last found, so Withdraw can restore it.
  size_t begin_record_count_ = 0;
  wal::HardState begin_last_hard_state_;
};

}  // namespace walsim::scenarios
