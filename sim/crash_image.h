// BuildCrashImage: what one simulated file holds after a crash.
//
// Input: the file's durable contents and its PendingLog (unsynced writes and
// size changes in issue order). Output: the durable contents plus a seeded
// choice of pending state, per the crash model (sim/sim_fs.h states the
// rules). Every byte of the result is a durable byte, a byte of some pending
// write, a zero, or (only when atomic_sector is false) a random byte of a torn
// sector. Pure apart from the decider it asks (sim/crash_choices.h).
// Thread-safe on distinct arguments.
#pragma once

#include <cstdint>
#include <string>

#include "sim/crash_choices.h"
#include "sim/pending_log.h"
#include "sim/sim_options.h"
#include "sim/sparse_bytes.h"

namespace walsim::sim {

struct CrashImageOptions {
  CrashModel model = CrashModel::kClean;
  uint32_t sector_size_bytes = 512;
  bool atomic_sector = true;
  bool size_before_data = false;
  bool random_tear_fill = true;  // a torn sector may read random bytes, not only old or zeros
};

// How a torn sector's unwritten part reads (atomic_sector == false).
enum class TearFill : uint8_t { kOld, kZero, kRandom };

// Returns the post-crash contents. decider decides what persists and how
// sectors tear. Appends " key=value" decisions to *decisions.
SparseBytes BuildCrashImage(const SparseBytes& durable, const PendingLog& pending,
                            const CrashImageOptions& options, CrashDecider* decider,
                            std::string* decisions);

}  // namespace walsim::sim
