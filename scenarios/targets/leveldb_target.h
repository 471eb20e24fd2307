// The LevelDB crash loop: one seed = a seeded simulated disk, a seeded
// workload on an unmodified LevelDB (through engines/leveldb/leveldb_env.h),
// power cuts at seeded points, and after each cut a reopen and a check.
//
// Per seed: a SimFs with seeded sector size, atomic or torn sectors, crash
// model and size_before_data; writes of 100 B to 4 KiB values (puts,
// deletes and batches of 2-8), each with sync=true with probability
// sync_probability, and full iterations checked against the model. The
// memtable is 64 KiB and tables 1 MiB (LevelDB's minimums), so a life
// flushes many memtables and compacts level 0 into level 1 (and, over
// enough data, deeper). The Env's queue is run after every operation.
//
// After each cut: DB::Open with paranoid_checks=true (a refusal is counted,
// not a bug: paranoid mode stops at any damage, including a torn unsynced
// log tail), then with paranoid_checks=false, which must open. What each
// open recovers is checked against LevelDB's promises (include/leveldb/
// options.h, doc/index.md "Synchronous Writes"): every write acknowledged
// with sync=true, and everything before it, is there; unsynced writes "may
// be lost" after a machine crash. The loop reports, for unsynced writes,
// what LevelDB actually kept: a prefix of the writes (unsynced_loss_count)
// or not (not_prefix_count; still required to keep every synced write and
// to hold only values that were written).
//
// Threading: none; a seed is a pure function of (seed, options, build).
#pragma once

#include <cstdint>

#include "scenarios/targets/engine_outcome.h"

namespace walsim::targets {

struct LevelDbTargetOptions {
  double sync_probability = 1.0;  // 1.0: every write is synced (the safe setting)
  uint32_t crash_count = 3;       // power cuts per seed
  uint32_t writes_per_life_max = 400;
  uint32_t crash_window_ops = 4000;  // the cut is uniform in this many fs ops
  bool keep_trace = false;           // EngineOutcome::trace gets the SimFs trace
  // The harness syncs the parent directory after each file LevelDB creates
  // (docs/findings.md's workaround; LevelDB 1.23 itself does not).
  bool sync_dir_on_create = false;
};

EngineOutcome RunLevelDbSeed(uint64_t seed, const LevelDbTargetOptions& options);

}  // namespace walsim::targets
