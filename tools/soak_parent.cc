#include "tools/soak_parent.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>

#include "base/assert.h"
#include "base/rng.h"
#include "tools/soak_check.h"
#include "tools/soak_child.h"
#include "tools/soak_fiu.h"
#include "tools/soak_powerloss.h"

extern char** environ;

namespace walsim::tools {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kEnvCountMax = 4096;
constexpr size_t kReadChunkBytes = 4096;

// When the parent kills the child of one cycle (tools/soak_parent.h).
struct KillPlan {
  bool after_start = false;  // D after the start, else D after the K-th ack
  uint64_t ack_count = 0;    // K
  uint64_t delay_us = 0;     // D
};

KillPlan DrawKillPlan(uint64_t seed, uint64_t cycle) {
  Rng rng = Rng(seed).Stream("soak/kill/" + std::to_string(cycle));
  KillPlan plan;
  if (rng.Chance(0.1)) {
    plan.after_start = true;
    plan.delay_us = rng.Below(30'000);
    return plan;
  }
  plan.ack_count = rng.Chance(0.2) ? rng.Between(1, 5) : rng.Between(1, 400);
  plan.delay_us = rng.Below(2000);
  return plan;
}

struct Child {
  pid_t pid = -1;
  int read_fd = -1;
};

std::vector<std::string> ChildEnvironment(bool with_fiu) {
  std::vector<std::string> env;
  std::string preload;
  std::string asan = "ASAN_OPTIONS=";
  for (size_t i = 0; environ[i] != nullptr && i < kEnvCountMax; i++) {
    std::string_view entry(environ[i]);
    if (with_fiu && entry.starts_with("LD_PRELOAD=")) {
      preload = std::string(entry.substr(11)) + ":";
    } else if (with_fiu && entry.starts_with("ASAN_OPTIONS=")) {
      asan = std::string(entry) + ":";
    } else {
      env.emplace_back(entry);
    }
  }
  if (with_fiu) {
    env.push_back("LD_PRELOAD=" + preload + SoakFiuPreloadPath());
    // An ASan build must come first in the library list; the preload
    // libraries only wrap libc calls, so the order does not matter here.
    env.push_back(asan + "verify_asan_link_order=0");
  }
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

Result<Child> SpawnChild(const SoakOptions& options, const std::string& store_dir,
                         const SoakChecker& checker, uint64_t cycle) {
  std::vector<std::string> args = {options.self_path, "soak-child",
                                   "--target",        std::string(SoakTargetName(options.target)),
                                   "--dir",           store_dir,
                                   "--seed",          std::to_string(options.seed),
                                   "--cycle",         std::to_string(cycle),
                                   "--report-fd",     "3"};
  if (!options.fiu_rules.empty()) {
    args.push_back("--fiu");
    args.push_back(options.fiu_rules);
  }
  for (std::string& arg : checker.ChildArgs()) args.push_back(std::move(arg));
  std::vector<std::string> env = ChildEnvironment(!options.fiu_rules.empty());
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return Status::IoError(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::IoError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // dup2 clears O_CLOEXEC on the copy: fd 3 is the only one inherited.
    if (::dup2(fds[1], 3) < 0) ::_exit(127);
    ::execve(options.self_path.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  return Child{pid, fds[0]};
}

// Splits the child's bytes into lines.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  ~LineReader() { ::close(fd_); }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next complete line, nullopt at EOF or when timeout_ms passes (then
  // *timed_out is set).
  std::optional<std::string> Next(int timeout_ms, bool* timed_out) {
    *timed_out = false;
    for (;;) {
      const size_t newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      if (eof_) return std::nullopt;
      pollfd request{fd_, POLLIN, 0};
      const int ready = ::poll(&request, 1, timeout_ms);
      if (ready == 0) {
        *timed_out = true;
        return std::nullopt;
      }
      if (ready < 0 && errno == EINTR) continue;
      char chunk[kReadChunkBytes];
      const ssize_t got = ready < 0 ? -1 : ::read(fd_, chunk, sizeof(chunk));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        eof_ = true;  // a half line of a killed child cannot happen (one write per line)
        continue;
      }
      buffer_.append(chunk, static_cast<size_t>(got));
    }
  }

 private:
  int fd_;
  std::string buffer_;
  bool eof_ = false;
};

// One cycle's bookkeeping in the parent.
class CycleRun {
 public:
  CycleRun(SoakChecker& checker, SoakReport& report, uint64_t* op_number)
      : checker_(checker), report_(report), op_number_(op_number) {}

  // Handles one line; returns a violation's text, or "".
  std::string Handle(std::string_view line);
  uint64_t acks() const { return acks_; }
  bool op_open() const { return op_open_; }
  bool began_any() const { return op_index_ > 0; }
  bool recovery_failed() const { return recovery_failed_; }
  bool op_failed() const { return op_failed_; }

 private:
  std::string HandleAnswer(std::string_view rest);
  // The first fault of faults_ that op_name must not have returned OK after
  // ("" when none); counts the tolerated ones.
  std::string Swallowed(std::string_view op_name);

  SoakChecker& checker_;
  SoakReport& report_;
  uint64_t* op_number_;
  uint64_t op_index_ = 0;
  uint64_t acks_ = 0;
  bool op_open_ = false;
  bool recovered_ = false;
  bool recovery_failed_ = false;
  bool op_failed_ = false;
  std::string op_name_;
  std::vector<std::string> faults_;  // error faults injected in the open op (or recovery)
};

std::string CycleRun::Handle(std::string_view line) {
  if (line.starts_with("F ")) {
    const std::string fault(line.substr(2));
    report_.faults[fault]++;
    if (!fault.ends_with(" short")) faults_.push_back(fault);
    return "";
  }
  if (line.starts_with("R! ")) {
    recovery_failed_ = true;
    report_.child_recovery_failures++;
    if (faults_.empty()) {
      return "the child could not reopen what the parent reopened, with no fault injected: " +
             std::string(line.substr(3));
    }
    report_.errors_surfaced++;
    return "";
  }
  if (line.starts_with("R ")) {
    char expected[32];
    std::snprintf(expected, sizeof(expected), "%016" PRIx64, checker_.ExpectedDigest());
    recovered_ = true;
    if (line.substr(2) != expected) {
      return "the child recovered state " + std::string(line.substr(2)) + ", the parent " +
             expected + (faults_.empty() ? "" : " (after injected " + faults_.front() + ")");
    }
    std::string swallowed = Swallowed("reopen");
    if (!swallowed.empty()) {
      return "injected error swallowed: the child's reopen returned OK after libfiu failed " +
             swallowed;
    }
    return "";
  }
  if (line.starts_with("B ")) {
    if (!recovered_ || op_open_ || line.substr(2) != std::to_string(op_index_ + 1)) {
      return "protocol: unexpected '" + std::string(line) + "'";
    }
    op_index_++;
    (*op_number_)++;
    op_open_ = true;
    faults_.clear();
    op_name_ = checker_.Begin(*op_number_);
    report_.ops_begun++;
    return "";
  }
  if (line.starts_with("A ")) return HandleAnswer(line.substr(2));
  return "protocol: unexpected '" + std::string(line) + "'";
}

std::string CycleRun::Swallowed(std::string_view op_name) {
  for (const std::string& fault : faults_) {
    if (!checker_.Tolerates(op_name, fault)) return fault;
    report_.faults_tolerated++;
  }
  return "";
}

std::string CycleRun::HandleAnswer(std::string_view rest) {
  const std::string prefix = std::to_string(op_index_) + " ";
  if (!op_open_ || !rest.starts_with(prefix)) {
    return "protocol: unexpected answer '" + std::string(rest) + "'";
  }
  op_open_ = false;
  const std::string_view answer = rest.substr(prefix.size());
  const std::string where = op_name_ + " (op " + std::to_string(*op_number_) + ")";
  if (answer == "ok") {
    acks_++;
    report_.ops_acknowledged++;
    checker_.Acknowledge();
    std::string swallowed = Swallowed(op_name_);
    if (!swallowed.empty()) {
      return "injected error swallowed: " + where + " returned OK after libfiu failed " + swallowed;
    }
    return "";
  }
  report_.ops_failed++;
  op_failed_ = true;
  if (faults_.empty()) return where + " failed with no injected fault: " + std::string(answer);
  report_.errors_surfaced++;
  return "";
}

struct CycleEnd {
  bool killed = false;
  std::string violation;
};

// Reads the child's lines until it is gone, killing it by plan.
CycleEnd RunCycleLines(const Child& child, const KillPlan& plan, CycleRun& run) {
  LineReader reader(child.read_fd);
  CycleEnd end;
  std::optional<Clock::time_point> kill_at;
  if (plan.after_start) kill_at = Clock::now() + std::chrono::microseconds(plan.delay_us);
  for (;;) {
    int timeout_ms = static_cast<int>(kSoakChildSilenceMsMax);
    if (kill_at && !end.killed) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*kill_at - Clock::now());
      timeout_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
      if (left.count() <= 0 || timeout_ms == 0) {
        // Sub-millisecond delays: spin to the moment, then kill.
        while (Clock::now() < *kill_at) {
        }
        (void)::kill(child.pid, SIGKILL);
        end.killed = true;
        continue;
      }
    }
    bool timed_out = false;
    std::optional<std::string> line = reader.Next(timeout_ms, &timed_out);
    if (timed_out) {
      if (kill_at && !end.killed) continue;  // time to kill
      (void)::kill(child.pid, SIGKILL);
      if (end.violation.empty()) end.violation = "the child hung (no report for 60 s)";
      continue;
    }
    if (!line) break;
    std::string violation = run.Handle(*line);
    if (end.violation.empty()) end.violation = std::move(violation);
    if (!plan.after_start && !kill_at && run.acks() >= plan.ack_count) {
      kill_at = Clock::now() + std::chrono::microseconds(plan.delay_us);
    }
  }
  return end;
}

// Waits for the child; a violation when it died in a way the plan did not cause.
std::string ReapChild(pid_t pid, bool killed, const CycleRun& run) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    if (WTERMSIG(status) == SIGKILL && killed) return "";
    return "the child died of signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  const int code = WEXITSTATUS(status);
  if (code == 0) return "";
  if (code == kSoakChildExitStopped && !run.op_open()) return "";
  if (code == kSoakChildExitRecoveryFailed && run.recovery_failed()) return "";
  return "the child exited with code " + std::to_string(code);
}

}  // namespace

Status PrepareSoakDir(const std::string& dir) {
  std::error_code error;
  if (std::filesystem::exists(dir, error) && !std::filesystem::is_empty(dir, error)) {
    return Status::InvalidArgument("--dir " + dir +
                                   ": not empty (a soak starts on a fresh directory)");
  }
  std::filesystem::create_directories(dir, error);
  if (error) return Status::IoError("--dir " + dir + ": " + error.message());
  return Status::Ok();
}

Result<SoakReport> RunSoak(const SoakOptions& options) {
  WALSIM_ASSERT(!options.dir.empty() && options.dir.front() == '/');
  if (!options.fiu_rules.empty()) {
    WALSIM_RETURN_IF_ERROR(ParseSoakFiuRules(options.fiu_rules).status());
    if (SoakFiuPreloadPath().empty()) {
      return Status::InvalidArgument(
          "--fiu: libfiu's POSIX preload is not installed "
          "(/usr/lib/fiu/fiu_posix_preload.so; Debian fiu-utils)");
    }
  }
  if (options.power_loss) {
    if (!options.fiu_rules.empty()) {
      return Status::InvalidArgument(
          "--power-loss and --fiu: choose one (a trace replays real calls)");
    }
    return RunPowerLossSoak(options);
  }
  return RunSoakCycles(
      options,
      [&options](SoakChecker& checker, const std::string& store_dir, uint64_t cycle,
                 SoakReport& report, uint64_t* op_number) -> Result<std::string> {
        WALSIM_ASSIGN_OR_RETURN(Child child, SpawnChild(options, store_dir, checker, cycle));
        CycleRun run(checker, report, op_number);
        const KillPlan plan = DrawKillPlan(options.seed, cycle);
        CycleEnd end = RunCycleLines(child, plan, run);
        std::string died = ReapChild(child.pid, end.killed, run);
        if (end.killed) report.kills++;
        if (end.killed && !run.began_any()) report.kills_before_first_op++;
        if (run.op_failed()) report.child_stops_after_error++;
        if (run.op_open()) report.ops_in_doubt++;
        std::string violation = !end.violation.empty() ? end.violation : died;
        scenarios::Verdict verdict = checker.RecoverAndCheck(*op_number);
        if (violation.empty() && !verdict.ok()) violation = verdict.ToString();
        return violation;
      });
}

Result<SoakReport> RunSoakCycles(const SoakOptions& options, const SoakCycle& run_cycle) {
  WALSIM_RETURN_IF_ERROR(PrepareSoakDir(options.dir));
  const std::string store_dir = options.dir + "/" + std::string(SoakTargetName(options.target));
  std::unique_ptr<SoakChecker> checker = MakeSoakChecker(options.target, store_dir, options.seed);
  SoakReport report;
  const auto start = Clock::now();
  const auto budget = std::chrono::duration<double>(options.minutes * 60);
  uint64_t op_number = 0;
  for (uint64_t cycle = 0; options.cycle_count_max == 0 || cycle < options.cycle_count_max;
       cycle++) {
    if (Clock::now() - start >= budget) break;
    checker->StartCycle(cycle, op_number);
    WALSIM_ASSIGN_OR_RETURN(std::string violation,
                            run_cycle(*checker, store_dir, cycle, report, &op_number));
    report.cycles++;
    if (!violation.empty()) {
      report.violations.push_back({cycle, violation});
      break;
    }
    report.last_recovered = checker->DescribeRecovered();
  }
  report.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace walsim::tools
