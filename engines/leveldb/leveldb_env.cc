#include "engines/leveldb/leveldb_env.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "base/assert.h"
#include "fs/path.h"

namespace walsim::engines {

namespace {

constexpr size_t kLogLineBytesMax = 4096;

std::span<uint8_t> Bytes(char* data, size_t size) {
  return {reinterpret_cast<uint8_t*>(data), size};
}
std::span<const uint8_t> Bytes(const char* data, size_t size) {
  return {reinterpret_cast<const uint8_t*>(data), size};
}

class SequentialFile final : public leveldb::SequentialFile {
 public:
  SequentialFile(LevelDbEnv& env, std::unique_ptr<fs::File> file)
      : env_(env), file_(std::move(file)) {}

  leveldb::Status Read(size_t n, leveldb::Slice* result, char* scratch) override {
    Result<size_t> got = file_->ReadAt(offset_, Bytes(scratch, n));
    if (!got.ok()) {
      *result = leveldb::Slice(scratch, 0);
      return env_.Fail(got.status(), file_->path());
    }
    WALSIM_ASSERT(*got <= n);
    offset_ += *got;
    *result = leveldb::Slice(scratch, *got);
    return leveldb::Status::OK();
  }

  leveldb::Status Skip(uint64_t n) override {
    offset_ += n;  // as lseek(SEEK_CUR): past the end reads return nothing
    return leveldb::Status::OK();
  }

 private:
  LevelDbEnv& env_;
  std::unique_ptr<fs::File> file_;
  uint64_t offset_ = 0;
};

class RandomAccessFile final : public leveldb::RandomAccessFile {
 public:
  RandomAccessFile(LevelDbEnv& env, std::unique_ptr<fs::File> file)
      : env_(env), file_(std::move(file)) {}

  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* scratch) const override {
    Result<size_t> got = file_->ReadAt(offset, Bytes(scratch, n));
    if (!got.ok()) {
      *result = leveldb::Slice(scratch, 0);
      return env_.Fail(got.status(), file_->path());
    }
    WALSIM_ASSERT(*got <= n);
    *result = leveldb::Slice(scratch, *got);
    return leveldb::Status::OK();
  }

 private:
  LevelDbEnv& env_;
  std::unique_ptr<fs::File> file_;
};

class WritableFile final : public leveldb::WritableFile {
 public:
  WritableFile(LevelDbEnv& env, std::unique_ptr<fs::File> file, size_t buffer_bytes)
      : env_(env),
        file_(std::move(file)),
        buffer_bytes_(buffer_bytes),
        is_manifest_(fs::Basename(file_->path()).starts_with("MANIFEST")) {
    buffer_.reserve(buffer_bytes_);
  }
  ~WritableFile() override {
    if (!closed_) (void)Close();  // as env_posix.cc: flush what is buffered
  }

  leveldb::Status Append(const leveldb::Slice& data) override {
    if (buffer_.size() + data.size() <= buffer_bytes_) {
      buffer_.append(data.data(), data.size());
      return leveldb::Status::OK();
    }
    leveldb::Status s = Flush();
    if (!s.ok()) return s;
    if (data.size() <= buffer_bytes_) {
      buffer_.assign(data.data(), data.size());
      return leveldb::Status::OK();
    }
    return Write(data.data(), data.size());
  }

  leveldb::Status Close() override {
    leveldb::Status s = Flush();
    closed_ = true;
    Status c = file_->Close();
    if (!c.ok() && s.ok()) s = env_.Fail(c, file_->path());
    return s;
  }

  leveldb::Status Flush() override {
    if (buffer_.empty()) return leveldb::Status::OK();
    leveldb::Status s = Write(buffer_.data(), buffer_.size());
    buffer_.clear();  // as env_posix.cc: a failed flush drops the buffer
    return s;
  }

  leveldb::Status Sync() override {
    if (is_manifest_) {
      // env_posix.cc SyncDirIfManifest: the files the manifest names must be
      // in the directory before the manifest itself is durable.
      const std::string dir(fs::Dirname(file_->path()));
      if (Status d = env_.fs().SyncDir(dir); !d.ok()) return env_.Fail(d, dir);
    }
    leveldb::Status s = Flush();
    if (!s.ok()) return s;
    Status synced = file_->SyncData();
    return synced.ok() ? leveldb::Status::OK() : env_.Fail(synced, file_->path());
  }

 private:
  leveldb::Status Write(const char* data, size_t size) {
    Status s = file_->Append(Bytes(data, size));
    return s.ok() ? leveldb::Status::OK() : env_.Fail(s, file_->path());
  }

  LevelDbEnv& env_;
  std::unique_ptr<fs::File> file_;
  const size_t buffer_bytes_;
  const bool is_manifest_;
  std::string buffer_;
  bool closed_ = false;
};

class FileLock final : public leveldb::FileLock {
 public:
  explicit FileLock(std::unique_ptr<fs::FileLock> lock) : lock_(std::move(lock)) {}
  fs::FileLock& lock() { return *lock_; }

 private:
  std::unique_ptr<fs::FileLock> lock_;
};

// The info logger: formats each line with the Env's clock (never the wall
// clock) and aborts on the messages LevelDB logs right before a wait that
// only queued work could end (see the header, "The hazard").
class Logger final : public leveldb::Logger {
 public:
  Logger(LevelDbEnv& env, std::unique_ptr<fs::File> file) : env_(env), file_(std::move(file)) {}
  ~Logger() override {
    if (file_ != nullptr) (void)file_->Close();
  }

  void Logv(const char* format, std::va_list ap) override {
    CheckHazard(format);
    if (file_ == nullptr) return;
    char line[kLogLineBytesMax];
    const int prefix =
        std::snprintf(line, sizeof(line), "%llu ", static_cast<unsigned long long>(env_.now_us()));
    WALSIM_ASSERT(prefix > 0 && static_cast<size_t>(prefix) < sizeof(line));
    // ap is used once, here (Logv's caller owns its va_start/va_end). The
    // format is LevelDB's own (Logger::Logv passes it through): not a literal.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    const int body =
        std::vsnprintf(line + prefix, sizeof(line) - static_cast<size_t>(prefix) - 1, format, ap);
#pragma GCC diagnostic pop
    if (body < 0) return;
    size_t length =
        std::min(static_cast<size_t>(prefix) + static_cast<size_t>(body), sizeof(line) - 2);
    if (line[length - 1] != '\n') line[length++] = '\n';
    if (Status s = file_->Append(Bytes(line, length)); !s.ok()) (void)env_.Fail(s, file_->path());
  }

 private:
  static void CheckHazard(const char* format) {
    if (std::strcmp(format, "Current memtable full; waiting...\n") == 0 ||
        std::strcmp(format, "Too many L0 files; waiting...\n") == 0) {
      std::fprintf(stderr,
                   "walsim LevelDbEnv: LevelDB is about to wait for background work that only "
                   "RunScheduled can run (it logged \"%.*s\"): with one thread this is a hang. "
                   "Keep write_buffer_size above the largest batch and run the queue after "
                   "every operation (engines/leveldb/leveldb_env.h, \"The hazard\").\n",
                   static_cast<int>(std::strlen(format) - 1), format);
      std::fflush(stderr);
      std::abort();
    }
  }

  LevelDbEnv& env_;
  std::unique_ptr<fs::File> file_;  // nullptr: the log is dropped
};

}  // namespace

LevelDbEnv::LevelDbEnv(fs::FileSystem& fs, LevelDbEnvOptions options)
    : fs_(fs), options_(std::move(options)), now_us_(options_.clock_start_us) {
  WALSIM_ASSERT(options_.sleep_run_items_max > 0);
  WALSIM_ASSERT(fs::ValidatePath(options_.test_directory).ok());
}

LevelDbEnv::~LevelDbEnv() = default;

leveldb::Status LevelDbEnv::Fail(const Status& status, const std::string& path) {
  WALSIM_ASSERT(!status.ok());
  last_error_ = status;
  error_count_++;
  if (status.Is(StatusCode::kNotFound)) return leveldb::Status::NotFound(path, status.ToString());
  return leveldb::Status::IOError(path, status.ToString());
}

leveldb::Status LevelDbEnv::NewSequentialFile(const std::string& fname,
                                              leveldb::SequentialFile** result) {
  *result = nullptr;
  Result<std::unique_ptr<fs::File>> file = fs_.Open(fname, {.read_only = true});
  if (!file.ok()) return Fail(file.status(), fname);
  *result = new SequentialFile(*this, std::move(file).value());
  return leveldb::Status::OK();
}

leveldb::Status LevelDbEnv::NewRandomAccessFile(const std::string& fname,
                                                leveldb::RandomAccessFile** result) {
  *result = nullptr;
  Result<std::unique_ptr<fs::File>> file = fs_.Open(fname, {.read_only = true});
  if (!file.ok()) return Fail(file.status(), fname);
  *result = new RandomAccessFile(*this, std::move(file).value());
  return leveldb::Status::OK();
}

leveldb::Status LevelDbEnv::NewWritableFile(const std::string& fname,
                                            leveldb::WritableFile** result) {
  *result = nullptr;
  Result<std::unique_ptr<fs::File>> file = fs_.Open(fname, {.create = true, .truncate = true});
  if (!file.ok()) return Fail(file.status(), fname);
  *result = new WritableFile(*this, std::move(file).value(), options_.writable_buffer_bytes);
  return leveldb::Status::OK();
}

leveldb::Status LevelDbEnv::NewAppendableFile(const std::string& fname,
                                              leveldb::WritableFile** result) {
  *result = nullptr;
  Result<std::unique_ptr<fs::File>> file = fs_.Open(fname, {.create = true});
  if (!file.ok()) return Fail(file.status(), fname);
  *result = new WritableFile(*this, std::move(file).value(), options_.writable_buffer_bytes);
  return leveldb::Status::OK();
}

bool LevelDbEnv::FileExists(const std::string& fname) { return fs_.Stat(fname).ok(); }

leveldb::Status LevelDbEnv::GetChildren(const std::string& dir, std::vector<std::string>* result) {
  result->clear();
  Result<std::vector<std::string>> names = fs_.List(dir);
  if (!names.ok()) return Fail(names.status(), dir);
  *result = std::move(names).value();
  return leveldb::Status::OK();
}

leveldb::Status LevelDbEnv::RemoveFile(const std::string& fname) {
  Status s = fs_.Remove(fname);
  return s.ok() ? leveldb::Status::OK() : Fail(s, fname);
}

leveldb::Status LevelDbEnv::CreateDir(const std::string& dirname) {
  Status s = fs_.MkDir(dirname);
  return s.ok() ? leveldb::Status::OK() : Fail(s, dirname);
}

leveldb::Status LevelDbEnv::RemoveDir(const std::string& dirname) {
  Status s = fs_.Remove(dirname);
  return s.ok() ? leveldb::Status::OK() : Fail(s, dirname);
}

leveldb::Status LevelDbEnv::GetFileSize(const std::string& fname, uint64_t* file_size) {
  *file_size = 0;
  Result<fs::FileInfo> info = fs_.Stat(fname);
  if (!info.ok()) return Fail(info.status(), fname);
  *file_size = info->size_bytes;
  return leveldb::Status::OK();
}

leveldb::Status LevelDbEnv::RenameFile(const std::string& src, const std::string& target) {
  Status s = fs_.Rename(src, target);
  return s.ok() ? leveldb::Status::OK() : Fail(s, src);
}

leveldb::Status LevelDbEnv::LockFile(const std::string& fname, leveldb::FileLock** lock) {
  *lock = nullptr;
  // As env_posix.cc: the lock file is created if missing, then locked.
  Result<std::unique_ptr<fs::File>> file = fs_.Open(fname, {.create = true});
  if (!file.ok()) return Fail(file.status(), fname);
  Status closed = (*file)->Close();
  if (!closed.ok()) return Fail(closed, fname);
  Result<std::unique_ptr<fs::FileLock>> held = fs_.Lock(fname);
  if (!held.ok()) return Fail(held.status(), "lock " + fname);
  *lock = new FileLock(std::move(held).value());
  return leveldb::Status::OK();
}

leveldb::Status LevelDbEnv::UnlockFile(leveldb::FileLock* lock) {
  std::unique_ptr<FileLock> owned(static_cast<FileLock*>(lock));
  const std::string path = owned->lock().path();
  Status s = owned->lock().Unlock();
  return s.ok() ? leveldb::Status::OK() : Fail(s, path);
}

void LevelDbEnv::Schedule(void (*function)(void* arg), void* arg) {
  WALSIM_ASSERT(function != nullptr);
  queue_.push_back(Work{function, arg});
}

void LevelDbEnv::StartThread(void (* /*function*/)(void* arg), void* /*arg*/) {
  std::fprintf(stderr,
               "walsim LevelDbEnv: StartThread called; a free-running thread would break the "
               "lockstep this Env guarantees (engines/leveldb/leveldb_env.h)\n");
  std::fflush(stderr);
  std::abort();
}

leveldb::Status LevelDbEnv::GetTestDirectory(std::string* path) {
  *path = options_.test_directory;
  Status s = fs_.MkDir(options_.test_directory);
  if (!s.ok() && !s.Is(StatusCode::kAlreadyExists)) return Fail(s, options_.test_directory);
  return leveldb::Status::OK();
}

leveldb::Status LevelDbEnv::NewLogger(const std::string& fname, leveldb::Logger** result) {
  std::unique_ptr<fs::File> file;
  if (options_.info_log_to_file) {
    Result<std::unique_ptr<fs::File>> opened = fs_.Open(fname, {.create = true, .truncate = true});
    // A failed info log must not leave LevelDB without the hazard check:
    // the failure is recorded and the log dropped.
    if (opened.ok()) {
      file = std::move(opened).value();
    } else {
      (void)Fail(opened.status(), fname);
    }
  }
  *result = new Logger(*this, std::move(file));
  return leveldb::Status::OK();
}

uint64_t LevelDbEnv::NowMicros() {
  const uint64_t now = now_us_;
  now_us_ += options_.now_step_us;
  return now;
}

void LevelDbEnv::SleepForMicroseconds(int micros) {
  if (micros > 0) now_us_ += static_cast<uint64_t>(micros);
  (void)RunScheduled(options_.sleep_run_items_max);
}

size_t LevelDbEnv::RunScheduled(size_t items_max) {
  size_t ran = 0;
  while (ran < items_max && !queue_.empty()) {
    const Work work = queue_.front();
    queue_.pop_front();
    work.function(work.arg);
    ran++;
    scheduled_run_count_++;
  }
  return ran;
}

}  // namespace walsim::engines
