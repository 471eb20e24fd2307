// `walsim soak --power-loss`: power-loss states of a real store's real
// syscalls, checked against the soak's reference model.
//
// A kill -9 (tools/soak_parent.h) cannot lose what the page cache holds, so
// it cannot see a missing fsync or directory sync. This mode can. Each cycle:
//   1. copies the soak directory's tree (the state the last cycle left);
//   2. runs the cycle's seeded workload in-process on PosixFs over the real
//      directory (the soak child's code, tools/soak_child.h), recording every
//      state-changing syscall as it reached libc (tools/syscall_trace.h),
//      with the child's "begun"/"acknowledged" lines as markers among them;
//   3. picks a seeded crash point in that trace (half of the time just after
//      or before a sync, rename, unlink or mkdir, where ordering bugs live);
//   4. builds a simulated disk (sim/sim_fs.h) holding the copied tree as
//      durable, replays the trace up to the crash point into it, and crashes
//      it with a seeded crash model, sector size and tearing (the power
//      failure: what the calls made durable survives, anything else only as
//      the model allows);
//   5. recovers the store from that disk and checks it (tools/soak_check.h)
//      against the model fed with the markers before the crash point;
//   6. writes the recovered tree back to the real directory for the next
//      cycle, whose recovery on PosixFs is itself traced.
// This is ALICE's approach (Pillai et al., OSDI 2014) with the project's
// simulated disk as the file-system model: the disk's rules
// (docs/simulated-disk.md) say what a crash keeps.
//
// Unlike the kill soak, everything follows from the seed: the workload, the
// operation count of each cycle, the crash point and the crash model. Real
// errors (a full disk) end the cycle as in the kill soak.
//
// Single-threaded.
#pragma once

#include <span>

#include "base/status.h"
#include "sim/sim_fs.h"
#include "tools/soak_parent.h"
#include "tools/syscall_trace.h"

namespace walsim::tools {

inline constexpr uint64_t kPowerLossCycleOpCountMax = 120;

// Replays events (markers skipped) into sim, whose paths are the real ones.
// Failure: the first event the simulated disk refuses, with its description
// (a trace that does not fit the disk's rules, or an unsupported call).
Status ReplaySyscalls(sim::SimFs& sim, std::span<const SyscallEvent> events);

// REQUIRES: options.dir absolute, options.fiu_rules empty.
// Failure: as RunSoak (a non-empty directory, fs errors making it).
Result<SoakReport> RunPowerLossSoak(const SoakOptions& options);

}  // namespace walsim::tools
