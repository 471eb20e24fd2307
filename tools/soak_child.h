// The child side of `walsim soak`: one cycle's workload on PosixFs, reported
// line by line to the parent over a pipe.
//
// Protocol (one line per write(2) of at most kSoakLineBytesMax bytes, so a
// SIGKILL never leaves half a line; written with the raw syscall so that
// libfiu's preload never fails the report itself):
//   "R <digest>"          the store opened and recovered state <digest>
//                         (tools/soak_workload.h), before any operation;
//   "R! <message>"        opening or recovering failed; the child exits;
//   "B <n>"               operation n (1, 2, ... within the cycle) is about
//                         to be called;
//   "F <call> <kind>"     libfiu failed (or shortened) a real syscall, from
//                         inside that call;
//   "A <n> ok"            operation n returned OK (sent after it returned);
//   "A <n> <code> <msg>"  operation n failed; the child exits.
// The child stops after kSoakChildOpCountMax operations (exit 0), after a
// failed operation (kSoakChildExitStopped) or a failed recovery
// (kSoakChildExitRecoveryFailed); the parent usually kills it first.
//
// Single-threaded; runs in its own process.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tools/soak_workload.h"

namespace walsim::tools {

inline constexpr size_t kSoakLineBytesMax = 512;  // < PIPE_BUF: one atomic write
inline constexpr uint64_t kSoakChildOpCountMax = 1'000'000;
inline constexpr int kSoakChildExitStopped = 3;
inline constexpr int kSoakChildExitRecoveryFailed = 4;
inline constexpr int kSoakChildExitSetupFailed = 5;

struct SoakChildOptions {
  SoakTarget target = SoakTarget::kWal;
  std::string store_dir;  // absolute: the WAL or LogStore directory
  uint64_t seed = 0;
  uint64_t cycle = 0;
  uint64_t snapshot_index = 0;  // WAL: open from this snapshot
  uint64_t snapshot_term = 0;
  // WAL: the parent found a WAL at its last check (open it; else create it).
  // Not wal::Exists: like etcd's wal.Exist it says false when listing the
  // directory fails, which would turn an injected EIO into a Create.
  bool wal_exists = false;
  std::string fiu_rules;  // empty: no faults
  int report_fd = -1;     // the pipe's write end
  // The cycle ends (exit 0) after this many operations.
  uint64_t op_count_max = kSoakChildOpCountMax;
  // In-process use (`soak --power-loss`): each line goes here instead of to
  // report_fd, without its newline.
  std::function<void(std::string line)> line_sink;
};

// Runs the cycle; returns the process exit code.
// REQUIRES: report_fd >= 0 or line_sink set; op_count_max <= kSoakChildOpCountMax.
int RunSoakChild(const SoakChildOptions& options);

}  // namespace walsim::tools
