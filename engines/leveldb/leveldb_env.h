// LevelDbEnv: a leveldb::Env that runs an unmodified LevelDB (1.23) on any
// fs::FileSystem (PosixFs for a real disk, SimFs for the simulated one).
//
// Files. Sequential, random-access, writable and appendable files are
// fs::Files. A writable file buffers Appends (writable_buffer_bytes, 64 KiB
// as env_posix.cc; 0 writes each Append through) and Flush writes the buffer.
// Sync is env_posix.cc's: for a file whose name starts with "MANIFEST" it
// first syncs the parent directory (so that the files a new manifest names
// are in the directory before the manifest is durable), then flushes, then
// File::SyncData (fdatasync). Like env_posix.cc, RenameFile and RemoveFile
// do not sync the directory. LockFile creates the file and takes
// FileSystem::Lock. fs:: errors become leveldb::Status: kNotFound ->
// NotFound, everything else IOError, the message naming the path and the
// fs:: code; last_error() and error_count() keep them.
//
// Threads, in lockstep. Schedule QUEUES the work instead of starting a
// thread. The caller runs the queue with RunScheduled between operations,
// and SleepForMicroseconds runs it too (MakeRoomForWrite sleeps with the DB
// mutex released when level 0 is filling up). So exactly one thread ever
// runs and a run is a function of its inputs. StartThread aborts: LevelDB's
// DB never calls it, and a free-running thread would break lockstep.
//
// The hazard. A write that finds the memtable full while the previous one
// still waits in the queue, or level 0 at its stop trigger, waits on a
// condition variable that only the queued work can signal: with one thread
// that is a hang. The Env detects it: the logger it makes (NewLogger, used
// unless Options::info_log is set) aborts with a clear message when LevelDB
// logs "Current memtable full; waiting..." or "Too many L0 files;
// waiting...", which it does right before such a wait. The safe
// configuration never reaches it: write_buffer_size above the largest
// batch, and RunScheduled until empty after every operation (and before
// deleting a DB, whose destructor also waits for scheduled work).
// DB::CompactRange waits the same way without logging: do not call it.
//
// Time. NowMicros returns a counter that advances by now_step_us per call;
// SleepForMicroseconds advances it by its argument. No wall clock.
//
// Threading: none. The Env, its files and the DB using it are used from one
// thread. The FileSystem is the caller's and must outlive the Env.
#pragma once

#include <leveldb/env.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "base/status.h"
#include "fs/fs.h"

namespace walsim::engines {

struct LevelDbEnvOptions {
  // Append buffer of writable files (env_posix.cc: 65536); 0 = unbuffered.
  size_t writable_buffer_bytes = 65536;
  // The first NowMicros value, and how much each call advances the clock.
  uint64_t clock_start_us = 0;
  uint64_t now_step_us = 1;
  // Queued work items SleepForMicroseconds may run (items they schedule
  // count too). REQUIRES: > 0.
  size_t sleep_run_items_max = 1024;
  // NewLogger writes the info log to the named file on the fs (true) or
  // drops it (false); both detect the hazard above.
  bool info_log_to_file = false;
  // What GetTestDirectory returns (created if missing). REQUIRES: absolute, normal.
  std::string test_directory = "/leveldb-test";
};

class LevelDbEnv final : public leveldb::Env {
 public:
  // REQUIRES: options valid (see LevelDbEnvOptions).
  LevelDbEnv(fs::FileSystem& fs, LevelDbEnvOptions options);
  // Queued work that never ran is dropped.
  ~LevelDbEnv() override;

  leveldb::Status NewSequentialFile(const std::string& fname,
                                    leveldb::SequentialFile** result) override;
  leveldb::Status NewRandomAccessFile(const std::string& fname,
                                      leveldb::RandomAccessFile** result) override;
  leveldb::Status NewWritableFile(const std::string& fname,
                                  leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& fname,
                                    leveldb::WritableFile** result) override;
  bool FileExists(const std::string& fname) override;
  leveldb::Status GetChildren(const std::string& dir, std::vector<std::string>* result) override;
  leveldb::Status RemoveFile(const std::string& fname) override;
  leveldb::Status DeleteFile(const std::string& fname) override { return RemoveFile(fname); }
  leveldb::Status CreateDir(const std::string& dirname) override;
  leveldb::Status RemoveDir(const std::string& dirname) override;
  leveldb::Status DeleteDir(const std::string& dirname) override { return RemoveDir(dirname); }
  leveldb::Status GetFileSize(const std::string& fname, uint64_t* file_size) override;
  leveldb::Status RenameFile(const std::string& src, const std::string& target) override;
  leveldb::Status LockFile(const std::string& fname, leveldb::FileLock** lock) override;
  leveldb::Status UnlockFile(leveldb::FileLock* lock) override;
  void Schedule(void (*function)(void* arg), void* arg) override;
  [[noreturn]] void StartThread(void (*function)(void* arg), void* arg) override;
  leveldb::Status GetTestDirectory(std::string* path) override;
  leveldb::Status NewLogger(const std::string& fname, leveldb::Logger** result) override;
  uint64_t NowMicros() override;
  void SleepForMicroseconds(int micros) override;

  // Runs queued work in FIFO order, including work it schedules, until the
  // queue is empty or items_max items ran. Returns how many ran.
  // REQUIRES: no DB mutex held by the caller (call between operations).
  size_t RunScheduled(size_t items_max);
  // Items queued and not yet run.
  size_t scheduled_count() const { return queue_.size(); }
  // Items run so far (by RunScheduled and SleepForMicroseconds).
  uint64_t scheduled_run_count() const { return scheduled_run_count_; }

  uint64_t now_us() const { return now_us_; }
  const LevelDbEnvOptions& options() const { return options_; }
  fs::FileSystem& fs() { return fs_; }

  // The most recent fs:: failure (OK if none) and how many there were.
  const Status& last_error() const { return last_error_; }
  uint64_t error_count() const { return error_count_; }
  // Converts a failed fs:: Status to LevelDB's, recording it. Used by the
  // Env's files too. REQUIRES: !status.ok().
  leveldb::Status Fail(const Status& status, const std::string& path);

 private:
  struct Work {
    void (*function)(void*);
    void* arg;
  };

  fs::FileSystem& fs_;
  LevelDbEnvOptions options_;
  std::deque<Work> queue_;
  uint64_t scheduled_run_count_ = 0;
  uint64_t now_us_;
  Status last_error_;
  uint64_t error_count_ = 0;
};

}  // namespace walsim::engines
