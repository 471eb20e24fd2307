// AppendKv: the tutorial store of docs/torture.md ("Torture your own
// store"), a tiny append-only key-value store on fs::FileSystem, so small
// that the whole target around it reads in one sitting.
//
// Format: one file, <dir>/kv.log, a sequence of records
//   [length u32 LE][crc32c u32 LE of payload][payload: key u64 LE, value bytes]
// Recovery (Open): read records from the start; the first record that runs
// past the end of the file or fails its checksum ends the log (a torn tail
// of the last, unacknowledged append); the file is truncated there and
// synced, so the recovered state is durable before new appends land.
//
// Invariant: Put returns OK only when its record is durable (SyncData),
// unless the planted bug skip_sync is on (the torture test's proof that the
// harness catches a missing sync). The planted bug retry_short_read makes a
// torn tail hang Open (the proof that --seed-timeout catches a store that
// never returns). After a failed Put the handle is unusable (fail-stop).
// Threading: none; one handle per directory.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "base/status.h"
#include "fs/fs.h"

namespace walsim::targets::example {

inline constexpr size_t kKvValueBytesMax = 64 * 1024;

struct AppendKvOptions {
  bool skip_sync = false;  // planted bug: Put acknowledges before SyncData
  // Planted bug: Recover takes a record that runs past the end of the file
  // for a short read and reads again until it is whole, so a torn tail
  // makes Open spin forever.
  bool retry_short_read = false;
};

class AppendKv {
 public:
  using State = std::map<uint64_t, std::string>;

  // Opens (creating if missing, with a directory sync) and recovers the
  // store in dir. REQUIRES: dir exists. Failure: the file system's error.
  [[nodiscard]] static Result<std::unique_ptr<AppendKv>> Open(fs::FileSystem& fs,
                                                              const std::string& dir,
                                                              const AppendKvOptions& options);

  // Appends key=value durably. REQUIRES: value.size() <= kKvValueBytesMax.
  // Failure: the write's or the sync's error; the handle then refuses all.
  [[nodiscard]] Status Put(uint64_t key, const std::string& value);

  const State& state() const { return state_; }
  uint64_t dropped_tail_bytes() const { return dropped_tail_bytes_; }

 private:
  AppendKv(std::unique_ptr<fs::File> file, const AppendKvOptions& options)
      : file_(std::move(file)), options_(options) {}
  [[nodiscard]] Status Recover();

  std::unique_ptr<fs::File> file_;
  AppendKvOptions options_;
  State state_;
  uint64_t end_bytes_ = 0;
  uint64_t dropped_tail_bytes_ = 0;
  bool failed_ = false;
};

}  // namespace walsim::targets::example
