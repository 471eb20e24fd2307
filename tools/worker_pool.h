// A pool of forked worker processes that run tasks given as text lines.
//
// RunWorkerPool forks worker_count children. The parent hands each idle
// worker one task line at a time over a pipe; the worker runs `work` on it and
// sends back one result line over another pipe. A worker that dies (a signal,
// an abort in the code under test, an exit) before answering does not hang
// the parent: its task is reported as crashed, with how it died and the first
// line it wrote to stderr during that task, and a fresh worker takes its
// place. Workers' stderr goes to the parent through a third pipe (kept for
// crash reasons, not forwarded), their stdout to /dev/null, and they end with
// _exit, so the parent's stdio buffers are never flushed twice.
//
// Tasks are numbered 0, 1, 2, ... in the order next_task returns them; results
// arrive in any order and carry their number. Determinism: the pool decides
// only WHICH worker runs a task and when; `work` must be a pure function of
// the line for the results to be independent of worker_count.
//
// Threading: call from a single-threaded process (fork). The callbacks run in
// the parent, on the calling thread. SIGPIPE is ignored while the pool runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/status.h"

namespace walsim::tools {

inline constexpr size_t kWorkerCountMax = 1024;
// Bytes of a crashed worker's stderr kept for its crash reason.
inline constexpr size_t kCrashStderrBytesMax = 4096;

struct TaskResult {
  uint64_t task_number = 0;
  bool crashed = false;
  bool timed_out = false;    // with crashed: killed for running past task_timeout
  std::string line;          // the worker's result line (without '\n'); empty when crashed
  std::string crash_reason;  // "killed by signal 6 (Aborted): <first stderr line>"
};

struct WorkerPoolOptions {
  size_t worker_count = 1;  // REQUIRES: 1 <= worker_count <= kWorkerCountMax
  // Runs in a worker: the result line of one task line (no '\n' in either).
  std::function<std::string(const std::string& task_line)> work;
  // Parent: the next task line, or std::nullopt when there is none; after
  // std::nullopt the pool asks no more and ends when the tasks in flight do.
  std::function<std::optional<std::string>()> next_task;
  // Parent: one result.
  std::function<void(TaskResult result)> on_result;
  // Parent: called at least every tick_ms while tasks run (progress).
  std::function<void()> on_tick;
  std::chrono::milliseconds tick_ms{200};
  // A task that runs longer is reported crashed and timed_out, and its worker
  // is killed (SIGKILL) and replaced; checked every tick. None: no limit.
  std::optional<std::chrono::milliseconds> task_timeout;
};

// Runs tasks until next_task returns std::nullopt while no task is in flight.
// Failure: kIoError when a pipe or fork fails (setup); the tasks already
// dispatched are then lost.
[[nodiscard]] Status RunWorkerPool(const WorkerPoolOptions& options);

}  // namespace walsim::tools
