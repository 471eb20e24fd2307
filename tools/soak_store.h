// How `walsim soak` opens its stores: the options both processes use, and
// the recovery a restarting server runs (the same in the child, which goes
// on writing, and in the parent, which checks what survived).
//
// Single-threaded.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "fs/fs.h"
#include "logstore/segment_store.h"
#include "scenarios/model/log_model.h"
#include "tools/soak_workload.h"
#include "wal/wal.h"

namespace walsim::tools {

wal::WalOptions SoakWalOptions();
logstore::SegmentStoreOptions SoakLogOptions();

struct WalRecoveryOutcome {
  WalSoakState state;
  std::unique_ptr<wal::Wal> handle;  // in append mode
};
// Open + ReadAll of dir from snapshot; on a torn tail, the documented Repair
// (etcd's, on io.ErrUnexpectedEOF) and one more try.
Result<WalRecoveryOutcome> RecoverSoakWal(fs::FileSystem& fs, const std::string& dir,
                                          const wal::Snapshot& snapshot);

struct LogRecoveryOutcome {
  scenarios::LogState state;
  std::unique_ptr<logstore::SegmentStore> store;
};
// SegmentStore::Open (creating an empty store if dir is missing) and every
// entry read back.
Result<LogRecoveryOutcome> RecoverSoakLog(fs::FileSystem& fs, const std::string& dir);

}  // namespace walsim::tools
