// The worker pool as a specification: every task gets exactly one result,
// whatever the worker count; a worker that dies (abort, signal, exit) turns
// its task into a crash result naming how it died, and the other tasks still
// run.
#include "tools/worker_pool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace walsim::tools {
namespace {

constexpr uint64_t kTaskCount = 40;

class WorkerPoolTest : public ::testing::Test {
 protected:
  // Runs tasks "0".."kTaskCount-1" through work; the results by task number.
  static std::map<uint64_t, TaskResult> Run(size_t worker_count,
                                            std::function<std::string(const std::string&)> work) {
    std::map<uint64_t, TaskResult> results;
    uint64_t next = 0;
    WorkerPoolOptions options;
    options.worker_count = worker_count;
    options.work = std::move(work);
    options.next_task = [&]() -> std::optional<std::string> {
      if (next == kTaskCount) return std::nullopt;
      return std::to_string(next++);
    };
    options.on_result = [&](TaskResult result) {
      EXPECT_FALSE(results.contains(result.task_number)) << result.task_number;
      results[result.task_number] = std::move(result);
    };
    EXPECT_TRUE(RunWorkerPool(options).ok());
    return results;
  }

  static std::string Square(const std::string& line) {
    const uint64_t n = std::stoull(line);
    return std::to_string(n * n);
  }
};

TEST_F(WorkerPoolTest, EveryTaskGetsItsResultWhateverTheWorkerCount) {
  for (size_t worker_count : {1, 3, 8}) {
    const std::map<uint64_t, TaskResult> results = Run(worker_count, Square);
    ASSERT_EQ(results.size(), kTaskCount) << worker_count << " workers";
    for (const auto& [number, result] : results) {
      EXPECT_FALSE(result.crashed);
      EXPECT_EQ(result.line, std::to_string(number * number)) << worker_count << " workers";
    }
  }
}

TEST_F(WorkerPoolTest, AnAbortingWorkerIsACrashOfItsTaskAndTheOthersStillRun) {
  const std::map<uint64_t, TaskResult> results = Run(2, [](const std::string& line) {
    if (line == "7") {
      std::fprintf(stderr, "walsim: assertion failed: seven at here.cc:1\n");
      std::abort();
    }
    return Square(line);
  });
  ASSERT_EQ(results.size(), kTaskCount);
  EXPECT_TRUE(results.at(7).crashed);
  EXPECT_EQ(results.at(7).crash_reason,
            "killed by signal 6 (Aborted): walsim: assertion failed: seven at here.cc:1");
  for (const auto& [number, result] : results) {
    if (number != 7) {
      EXPECT_EQ(result.line, std::to_string(number * number)) << number;
    }
  }
}

TEST_F(WorkerPoolTest, AKilledOrExitingWorkerIsReportedWithHowItEnded) {
  const std::map<uint64_t, TaskResult> results = Run(3, [](const std::string& line) {
    if (line == "3") ::raise(SIGKILL);
    if (line == "5") ::_exit(3);
    return Square(line);
  });
  ASSERT_EQ(results.size(), kTaskCount);
  EXPECT_TRUE(results.at(3).crashed);
  EXPECT_EQ(results.at(3).crash_reason, "killed by signal 9 (Killed)");
  EXPECT_TRUE(results.at(5).crashed);
  EXPECT_EQ(results.at(5).crash_reason, "exited with status 3");
  EXPECT_FALSE(results.at(4).crashed);
}

TEST_F(WorkerPoolTest, WorkersWriteNothingToTheParentsStdout) {
  // A worker's stray printf must not reach the deterministic stdout.
  testing::internal::CaptureStdout();
  const std::map<uint64_t, TaskResult> results = Run(2, [](const std::string& line) {
    std::printf("stray output %s\n", line.c_str());
    std::fflush(stdout);
    return line;
  });
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(results.size(), kTaskCount);
}

}  // namespace
}  // namespace walsim::tools
