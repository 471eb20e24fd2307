// Helpers shared by the logstore tests: building logs, reading a whole store,
// temporary directories on the real disk and byte-level damage on SimFs.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "logstore/log_store.h"

namespace walsim::logstore::testing {

inline Log MakeLog(uint64_t index, uint64_t term, std::string data,
                   LogType type = LogType::kCommand) {
  Log log;
  log.index = index;
  log.term = term;
  log.type = type;
  log.data = std::move(data);
  log.extensions = index % 3 == 0 ? "ext-" + std::to_string(index) : "";
  log.appended_at_unix_ns = static_cast<int64_t>(index * 1000 + 7);  // wraps, never overflows
  return log;
}

// count logs from first, data "<prefix><index>".
inline std::vector<Log> MakeBatch(uint64_t first, size_t count, uint64_t term,
                                  const std::string& prefix = "entry-") {
  std::vector<Log> logs;
  logs.reserve(count);
  for (size_t i = 0; i < count; i++) {
    logs.push_back(MakeLog(first + i, term, prefix + std::to_string(first + i)));
  }
  return logs;
}

// Every log of the store, in order; fails the test on any error.
inline std::vector<Log> ReadAll(LogStore& store) {
  std::vector<Log> logs;
  Result<uint64_t> first = store.FirstIndex();
  Result<uint64_t> last = store.LastIndex();
  EXPECT_TRUE(first.ok() && last.ok());
  if (!first.ok() || !last.ok() || *last == 0) return logs;
  for (uint64_t index = *first; index <= *last; index++) {
    Log log;
    Status status = store.GetLog(index, &log);
    EXPECT_TRUE(status.ok()) << "index " << index << ": " << status.ToString();
    logs.push_back(std::move(log));
  }
  return logs;
}

// A fresh directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    const char* root = std::getenv("TEST_TMPDIR");
    std::string pattern = std::string(root != nullptr ? root : "/tmp") + "/walsim-logstore-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    char* made = mkdtemp(buffer.data());
    EXPECT_NE(made, nullptr);
    path_ = made != nullptr ? std::string(made) : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace walsim::logstore::testing
