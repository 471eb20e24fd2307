#include "tools/worker_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <vector>

#include "base/assert.h"

namespace walsim::tools {
namespace {

constexpr size_t kReadChunkBytes = 64 * 1024;
constexpr size_t kCrashLineBytesMax = 300;

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

// The worker's loop: one task line in, one result line out, until the parent
// closes the task pipe. Never returns.
[[noreturn]] void WorkerMain(int task_fd, int result_fd,
                             const std::function<std::string(const std::string&)>& work) {
  std::string buffer;
  std::vector<char> chunk(kReadChunkBytes);
  for (;;) {
    const size_t newline = buffer.find('\n');
    if (newline == std::string::npos) {
      const ssize_t n = ::read(task_fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ::_exit(0);  // the parent is done (or gone)
      buffer.append(chunk.data(), static_cast<size_t>(n));
      continue;
    }
    const std::string line = buffer.substr(0, newline);
    buffer.erase(0, newline + 1);
    std::string result = work(line);
    WALSIM_ASSERT(result.find('\n') == std::string::npos);
    result.push_back('\n');
    if (!WriteAll(result_fd, result)) ::_exit(0);
  }
}

std::string DescribeDeath(int wait_status) {
  char text[128];
  if (WIFSIGNALED(wait_status)) {
    const int signal_number = WTERMSIG(wait_status);
    const char* name = ::strsignal(signal_number);
    std::snprintf(text, sizeof(text), "killed by signal %d (%s)", signal_number,
                  name != nullptr ? name : "?");
  } else if (WIFEXITED(wait_status)) {
    std::snprintf(text, sizeof(text), "exited with status %d", WEXITSTATUS(wait_status));
  } else {
    std::snprintf(text, sizeof(text), "ended with wait status %d", wait_status);
  }
  return text;
}

std::string FirstLine(const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) return text.substr(start, std::min(end - start, kCrashLineBytesMax));
    start = end + 1;
  }
  return "";
}

struct Worker {
  pid_t pid = -1;
  int task_fd = -1;    // parent writes task lines
  int result_fd = -1;  // parent reads result lines
  int err_fd = -1;     // parent reads the worker's stderr
  std::string result_buffer;
  std::string err_text;  // stderr written during the task in flight (capped)
  std::optional<uint64_t> task_number;
  std::chrono::steady_clock::time_point task_start;
};

class Pool {
 public:
  explicit Pool(const WorkerPoolOptions& options) : options_(options) {}

  Status Run() {
    workers_.resize(options_.worker_count);
    for (Worker& worker : workers_) WALSIM_RETURN_IF_ERROR(Spawn(&worker));
    for (;;) {
      WALSIM_RETURN_IF_ERROR(Dispatch());
      if (InFlightCount() == 0) break;
      WALSIM_RETURN_IF_ERROR(PollOnce());
      KillOverdue();
      if (options_.on_tick) options_.on_tick();
    }
    return Status::Ok();
  }

  // Closes every task pipe (workers exit on EOF), kills what is left and reaps all.
  void Shutdown() {
    for (Worker& worker : workers_) CloseFd(&worker.task_fd);
    for (Worker& worker : workers_) {
      if (worker.pid > 0) {
        if (worker.task_number.has_value()) ::kill(worker.pid, SIGKILL);
        int status = 0;
        while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
        }
      }
      worker.pid = -1;
      CloseFd(&worker.result_fd);
      CloseFd(&worker.err_fd);
    }
  }

 private:
  size_t InFlightCount() const {
    size_t count = 0;
    for (const Worker& worker : workers_) count += worker.task_number.has_value() ? 1 : 0;
    return count;
  }

  Status Spawn(Worker* worker) {
    int task_pipe[2];
    int result_pipe[2];
    int err_pipe[2];
    if (::pipe(task_pipe) != 0) return Status::IoError("pipe: " + std::string(strerror(errno)));
    if (::pipe(result_pipe) != 0 || ::pipe(err_pipe) != 0) {
      return Status::IoError("pipe: " + std::string(strerror(errno)));
    }
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0) return Status::IoError("fork: " + std::string(strerror(errno)));
    if (pid == 0) {
      // Only this worker's ends: another worker's pipes held open here would
      // hide that worker's death from the parent.
      for (Worker& other : workers_) {
        CloseFd(&other.task_fd);
        CloseFd(&other.result_fd);
        CloseFd(&other.err_fd);
      }
      ::close(task_pipe[1]);
      ::close(result_pipe[0]);
      ::close(err_pipe[0]);
      ::dup2(err_pipe[1], STDERR_FILENO);
      ::close(err_pipe[1]);
      const int null_fd = ::open("/dev/null", O_WRONLY);
      if (null_fd >= 0) ::dup2(null_fd, STDOUT_FILENO);
      WorkerMain(task_pipe[0], result_pipe[1], options_.work);
    }
    ::close(task_pipe[0]);
    ::close(result_pipe[1]);
    ::close(err_pipe[1]);
    ::fcntl(result_pipe[0], F_SETFL, O_NONBLOCK);
    ::fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
    *worker = Worker{};
    worker->pid = pid;
    worker->task_fd = task_pipe[1];
    worker->result_fd = result_pipe[0];
    worker->err_fd = err_pipe[0];
    return Status::Ok();
  }

  // Gives every idle worker its next task.
  Status Dispatch() {
    for (Worker& worker : workers_) {
      if (tasks_done_) return Status::Ok();
      if (worker.task_number.has_value()) continue;
      if (worker.pid < 0) WALSIM_RETURN_IF_ERROR(Spawn(&worker));
      std::optional<std::string> line = options_.next_task();
      if (!line.has_value()) {
        tasks_done_ = true;
        return Status::Ok();
      }
      WALSIM_ASSERT(line->find('\n') == std::string::npos);
      line->push_back('\n');
      worker.task_number = next_task_number_++;
      worker.task_start = std::chrono::steady_clock::now();
      worker.err_text.clear();
      // A failed write means the worker died: its result pipe's EOF reports it.
      (void)WriteAll(worker.task_fd, *line);
    }
    return Status::Ok();
  }

  Status PollOnce() {
    std::vector<pollfd> fds;
    std::vector<size_t> owners;
    for (size_t w = 0; w < workers_.size(); w++) {
      for (int fd : {workers_[w].result_fd, workers_[w].err_fd}) {
        if (fd < 0) continue;
        fds.push_back(pollfd{.fd = fd, .events = POLLIN, .revents = 0});
        owners.push_back(w);
      }
    }
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(options_.tick_ms.count()));
    if (ready < 0 && errno != EINTR)
      return Status::IoError("poll: " + std::string(strerror(errno)));
    for (size_t i = 0; i < fds.size(); i++) {
      if (fds[i].revents == 0) continue;
      Worker& worker = workers_[owners[i]];
      if (fds[i].fd == worker.err_fd) {
        DrainStderr(&worker);
      } else if (fds[i].fd == worker.result_fd) {
        ReadResults(&worker);
      }
    }
    return Status::Ok();
  }

  // Reads what the worker wrote to stderr; EOF closes the pipe.
  static void DrainStderr(Worker* worker) {
    char chunk[4096];
    for (;;) {
      const ssize_t n = ::read(worker->err_fd, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return;  // EAGAIN: nothing more now
      if (n == 0) return CloseFd(&worker->err_fd);
      const size_t room =
          kCrashStderrBytesMax - std::min(kCrashStderrBytesMax, worker->err_text.size());
      worker->err_text.append(chunk, std::min(room, static_cast<size_t>(n)));
    }
  }

  void ReadResults(Worker* worker) {
    std::vector<char> chunk(kReadChunkBytes);
    for (;;) {
      const ssize_t n = ::read(worker->result_fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) return HandleDeath(worker);
      worker->result_buffer.append(chunk.data(), static_cast<size_t>(n));
    }
    for (size_t newline = worker->result_buffer.find('\n'); newline != std::string::npos;
         newline = worker->result_buffer.find('\n')) {
      WALSIM_ASSERT(worker->task_number.has_value());  // one line per task
      TaskResult result{.task_number = *worker->task_number,
                        .crashed = false,
                        .timed_out = false,
                        .line = worker->result_buffer.substr(0, newline),
                        .crash_reason = {}};
      worker->result_buffer.erase(0, newline + 1);
      worker->task_number.reset();
      options_.on_result(std::move(result));
    }
  }

  // Kills the workers whose task ran past task_timeout; their tasks time out.
  void KillOverdue() {
    if (!options_.task_timeout.has_value()) return;
    const auto now = std::chrono::steady_clock::now();
    for (Worker& worker : workers_) {
      if (!worker.task_number.has_value() || worker.pid < 0) continue;
      if (now - worker.task_start <= *options_.task_timeout) continue;
      ::kill(worker.pid, SIGKILL);
      HandleDeath(&worker, /*timed_out=*/true);
    }
  }

  // The worker's result pipe ended: it is gone. Its task (if any) crashed.
  void HandleDeath(Worker* worker, bool timed_out = false) {
    int status = 0;
    while (::waitpid(worker->pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (worker->err_fd >= 0) {
      ::fcntl(worker->err_fd, F_SETFL, 0);  // the writer is dead: read to EOF
      DrainStderr(worker);
    }
    const std::optional<uint64_t> task_number = worker->task_number;
    std::string reason = DescribeDeath(status);
    const std::string err_line = FirstLine(worker->err_text);
    if (!err_line.empty()) reason += ": " + err_line;
    CloseFd(&worker->task_fd);
    CloseFd(&worker->result_fd);
    CloseFd(&worker->err_fd);
    *worker = Worker{};
    if (task_number.has_value()) {
      options_.on_result(TaskResult{.task_number = *task_number,
                                    .crashed = true,
                                    .timed_out = timed_out,
                                    .line = {},
                                    .crash_reason = std::move(reason)});
    }
  }

  const WorkerPoolOptions& options_;
  std::vector<Worker> workers_;
  uint64_t next_task_number_ = 0;
  bool tasks_done_ = false;
};

}  // namespace

Status RunWorkerPool(const WorkerPoolOptions& options) {
  WALSIM_ASSERT(options.worker_count >= 1 && options.worker_count <= kWorkerCountMax);
  WALSIM_ASSERT(options.work && options.next_task && options.on_result);
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous = {};
  ::sigaction(SIGPIPE, &ignore, &previous);
  Pool pool(options);
  Status status = pool.Run();
  pool.Shutdown();
  ::sigaction(SIGPIPE, &previous, nullptr);
  return status;
}

}  // namespace walsim::tools
