// The invariant checker: what every recovery is judged by.
//
// The six invariants of DESIGN.md, each a function that returns a Verdict:
//   durable       the recovered view is the model's view at some prefix no
//                 shorter than what was acknowledged (WAL: records; LogStore:
//                 operations);
//   exact         no phantom entry, no entry with other bytes, no gap;
//   recovers      under legal faults, open and read succeed without manual
//                 repair (the WAL's documented torn-tail Repair is allowed);
//   fails stop    after a failed write or sync, the same handle accepts
//                 nothing more until reopened;
//   never silently wrong  under illegal faults, the result is a valid view of
//                 some prefix, or a clear error;
//   deterministic a seed replays to the same trace hash;
//   format        the on-disk layout and I/O pattern the format documents
//                 (docs/wal-format.md: zeros past the WAL's write offset
//                 after an open for write; only a flush's last write ends
//                 inside a page), checked on the simulated disk itself.
// A Verdict names the invariant, the operation number and the difference
// between model and recovery, e.g. "lost acknowledged entry 118 (durable
// watermark 120, recovered 117)". On success the checker resolves the model to
// the prefix it observed, so the run can go on from there.
//
// Functions that update the models they are given; single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "logstore/log_store.h"
#include "scenarios/model/log_model.h"
#include "scenarios/model/wal_model.h"
#include "wal/types.h"

namespace walsim::scenarios {

enum class Invariant : uint8_t {
  kNone = 0,
  kDurable,
  kExact,
  kRecovers,
  kFailsStop,
  kNeverSilentlyWrong,
  kDeterministic,
  kFormat,
};
// "durable", "exact", "recovers", "fails stop", "never silently wrong", "deterministic",
// "format".
std::string_view InvariantName(Invariant invariant);

// Which faults the run has injected so far: legal faults are what POSIX and a
// working disk may do; illegal ones (lying fsync, bit rot, latent sector
// errors, misdirected writes) are a broken disk.
enum class FaultClass : uint8_t { kLegal, kIllegal };

// What the illegal faults of a run left behind, for invariant 5 ("never
// silently wrong"): a silent shorter view is legal only where no evidence
// remains. Damage the format can detect (a flipped bit: a checksum mismatch
// followed by intact records; a latent sector: a read error) must be
// reported when the recovery gives up records written after it. A lying
// fsync, a misdirected write (a hole the etcd format cannot tell from a torn
// tail) or a script's own damage command leave nothing to go on.
struct DamageEvidence {
  // The op number of the last block in which detectable damage was done;
  // 0: none. Records (operations) issued after it sit after every damaged
  // byte (those issued before may be what was damaged: a damaged last
  // record is indistinguishable from a torn one).
  uint64_t last_damage_op_number = 0;
  // A fault whose loss leaves no evidence fired: any valid earlier view is
  // accepted (and named).
  bool silent_loss_possible = false;
};

struct Verdict {
  Invariant invariant = Invariant::kNone;
  uint64_t op_number = 0;
  std::string detail;
  // On success under illegal faults: how many acknowledged records (WAL) or
  // operations (LogStore) the recovered valid earlier state lacks. A loss the
  // checker accepts is still reported, never passed over in silence.
  uint64_t lost_acknowledged_count = 0;

  bool ok() const { return invariant == Invariant::kNone; }
  // "ok", or "violated <invariant> at op <n>: <detail>".
  std::string ToString() const;
  static Verdict Ok() { return {}; }
};

// What reopening a WAL produced: the status of Open + ReadAll (after the
// documented Repair of a torn tail, if the runner did one), the result when
// OK, and the snapshot it was opened from.
struct WalRecovery {
  Status status;
  std::optional<wal::ReadAllResult> result;
  wal::Snapshot snapshot;
};

// Checks invariants durable, exact, recovers and never-silently-wrong for a
// WAL recovery; on success resolves model to the matching prefix.
// Under illegal faults, evidence says which silent losses are legal.
Verdict CheckWalRecovery(WalModel* model, const WalRecovery& recovery, FaultClass faults,
                         uint64_t op_number, const DamageEvidence& evidence = {});

// What reopening a LogStore produced: the status of open and of reading every
// entry back, and when OK the whole contents.
struct LogRecovery {
  Status status;
  LogState state;
};

// Reads a store's whole contents (FirstIndex..LastIndex with GetLog), at most
// entry_count_max entries. The first failing call's status is returned.
Result<LogState> ReadWholeStore(logstore::LogStore& store, uint64_t entry_count_max);

// Checks the same invariants for a LogStore recovery; on success resolves
// model to the matching operation prefix.
Verdict CheckLogRecovery(LogModel* model, const LogRecovery& recovery, FaultClass faults,
                         uint64_t op_number, const DamageEvidence& evidence = {});

// An online read of the modelled LogStore: GetLog(index) returned status,
// and *log when OK (may be null otherwise). A read that succeeds must return
// exactly the entry at index in the state after some operation prefix no
// shorter than the acknowledged ones (a read never returns bytes the store
// was not given, a failed batch's entries, or a deleted entry); kNotFound
// must match such a state without index. Any other error is allowed (a
// fault may fail a read), and judged by the next recovery.
// Violations: exact (legal faults), never silently wrong (illegal faults).
Verdict CheckLogRead(const LogModel& model, uint64_t index, const Status& status,
                     const logstore::Log* log, FaultClass faults, uint64_t op_number);

// Fails stop: after_failure is the status of a mutating call made on a handle
// after an earlier call on it failed at failed_op_number.
Verdict CheckFailStop(const Status& after_failure, uint64_t failed_op_number, uint64_t op_number);

// Deterministic: two runs of the same seed must print the same trace hash.
Verdict CheckDeterministic(uint64_t seed, uint64_t first_trace_hash, uint64_t replay_trace_hash);

}  // namespace walsim::scenarios
