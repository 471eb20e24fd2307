#include "tools/soak_store.h"

#include "base/log.h"
#include "scenarios/model/checker.h"

namespace walsim::tools {

wal::WalOptions SoakWalOptions() {
  wal::WalOptions options;
  options.segment_size_bytes = kSoakWalSegmentSizeBytes;
  options.logger = NullLogger();
  options.sync_warn_threshold_us = 0;
  return options;
}

logstore::SegmentStoreOptions SoakLogOptions() {
  logstore::SegmentStoreOptions options;
  options.segment_size_bytes = kSoakLogSegmentSizeBytes;
  options.logger = NullLogger();
  return options;
}

namespace {

Result<WalRecoveryOutcome> OpenAndRead(fs::FileSystem& fs, const std::string& dir,
                                       const wal::Snapshot& snapshot) {
  WalRecoveryOutcome outcome;
  WALSIM_ASSIGN_OR_RETURN(outcome.handle, wal::Wal::Open(fs, dir, snapshot, SoakWalOptions()));
  WALSIM_ASSIGN_OR_RETURN(wal::ReadAllResult read, outcome.handle->ReadAll());
  outcome.state.created = true;
  outcome.state.metadata = std::move(read.metadata);
  outcome.state.snapshot = snapshot;
  outcome.state.hard_state = read.hard_state;
  outcome.state.entries = std::move(read.entries);
  return outcome;
}

}  // namespace

Result<WalRecoveryOutcome> RecoverSoakWal(fs::FileSystem& fs, const std::string& dir,
                                          const wal::Snapshot& snapshot) {
  Result<WalRecoveryOutcome> outcome = OpenAndRead(fs, dir, snapshot);
  if (outcome.ok() || wal::WalErrorOf(outcome.status()) != wal::WalError::kTornTail) {
    return outcome;
  }
  WALSIM_RETURN_IF_ERROR(wal::Repair(fs, dir, SoakWalOptions()).status());
  return OpenAndRead(fs, dir, snapshot);
}

Result<LogRecoveryOutcome> RecoverSoakLog(fs::FileSystem& fs, const std::string& dir) {
  LogRecoveryOutcome outcome;
  WALSIM_ASSIGN_OR_RETURN(outcome.store, logstore::SegmentStore::Open(fs, dir, SoakLogOptions()));
  WALSIM_ASSIGN_OR_RETURN(outcome.state,
                          scenarios::ReadWholeStore(*outcome.store, 4 * kSoakLogEntryCountMax));
  return outcome;
}

}  // namespace walsim::tools
