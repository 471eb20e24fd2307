#include "tools/torture_driver.h"

#include <chrono>
#include <map>

#include "base/log.h"
#include "tools/progress.h"
#include "tools/worker_pool.h"

namespace walsim::tools {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Runs one seed (in a worker): the result line.
std::string RunSeedLine(uint64_t seed, const TortureTarget& target,
                        const targets::TargetOptions& options) {
  const Clock::time_point start = Clock::now();
  SeedResult result =
      FromOutcome(targets::RunTargetSeed(*target.target, seed, options), target.name());
  result.run_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return DumpLine(ToJson(result));
}

SeedResult ParseResult(const TaskResult& task, uint64_t seed, const TortureTarget& target,
                       std::optional<double> timeout_seconds) {
  if (task.timed_out) return TimeoutResult(seed, target.name(), timeout_seconds.value_or(0));
  if (task.crashed) return CrashResult(seed, target.name(), task.crash_reason);
  Result<SeedResult> result = SeedResultFromJson(Json::parse(task.line, nullptr, false));
  if (!result.ok()) return CrashResult(seed, target.name(), "sent a bad result: " + task.line);
  return *result;
}

std::optional<std::chrono::milliseconds> TaskTimeout(std::optional<double> seconds) {
  if (!seconds.has_value()) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(*seconds * 1000));
}

// The seed sequence of a shard: first, first + count, ... below range.end.
class SeedCursor {
 public:
  SeedCursor(const scenarios::SeedRange& range, const scenarios::Shard& shard)
      : range_(range), shard_(shard) {
    const uint64_t offset = (shard.index + shard.count - range.first % shard.count) % shard.count;
    if (range.end - range.first > offset) next_ = range.first + offset;
  }
  std::optional<uint64_t> next() const { return next_; }
  void Advance() {
    WALSIM_ASSERT(next_.has_value());
    if (range_.end - *next_ <= shard_.count) {
      next_.reset();  // the next seed would leave the range (or overflow)
    } else {
      *next_ += shard_.count;
    }
  }
  uint64_t SeedCount() const {
    if (!next_.has_value()) return 0;
    return (range_.end - *next_ - 1) / shard_.count + 1;
  }

 private:
  scenarios::SeedRange range_;
  scenarios::Shard shard_;
  std::optional<uint64_t> next_;
};

class Driver {
 public:
  explicit Driver(const DriverOptions& options)
      : options_(options),
        cursor_(options.range, options.shard),
        progress_(ProgressGoal{.seed_count = cursor_.SeedCount(),
                               .budget_seconds = options.budget_seconds},
                  options.progress_terminal) {
    for (const TortureTarget& target : options.targets) {
      target_options_.push_back(TargetOptions(options.base, target));
      report_.targets.push_back(TargetTotals{.name = target.name()});
    }
    report_.options = options.base;
    report_.budget_minutes =
        options.budget_seconds ? std::optional<double>(*options.budget_seconds / 60) : std::nullopt;
    report_.job_count = options.job_count;
    report_.has_seed_results = options.keep_seed_results;
    report_.range = options.range;
  }

  Result<TortureReport> Run() {
    WALSIM_RETURN_IF_ERROR(RunSeeds());
    progress_.Finish(report_.seed_count, report_.failed_count());
    FinishReport();
    if (!options_.artifacts_dir.empty()) WALSIM_RETURN_IF_ERROR(RunArtifacts());
    return report_;
  }

 private:
  size_t target_count() const { return options_.targets.size(); }

  Status RunSeeds() {
    WorkerPoolOptions pool;
    pool.worker_count = options_.job_count;
    pool.task_timeout = TaskTimeout(options_.seed_timeout_seconds);
    pool.work = [this](const std::string& line) {
      const Json task = Json::parse(line);
      const size_t t = task.at("target").get<size_t>();
      return RunSeedLine(task.at("seed").get<uint64_t>(), options_.targets[t], target_options_[t]);
    };
    pool.next_task = [this] { return NextTask(); };
    pool.on_result = [this](const TaskResult& result) { OnResult(result); };
    pool.on_tick = [this] { progress_.Update(report_.seed_count, report_.failed_count()); };
    return RunWorkerPool(pool);
  }

  std::optional<std::string> NextTask() {
    if (task_count_ > dispatch_limit_ || !cursor_.next().has_value()) return std::nullopt;
    const size_t t = task_count_ % target_count();
    if (t == 0 && options_.budget_seconds &&
        progress_.ElapsedSeconds() >= *options_.budget_seconds) {
      budget_used_up_ = true;
      return std::nullopt;
    }
    const uint64_t seed = *cursor_.next();
    task_seeds_.push_back(seed);
    task_count_++;
    if (t + 1 == target_count()) cursor_.Advance();
    return DumpLine(Json{{"seed", seed}, {"target", t}});
  }

  void OnResult(const TaskResult& task) {
    const uint64_t number = task.task_number;
    const TortureTarget& target = options_.targets[number % target_count()];
    SeedResult result =
        ParseResult(task, task_seeds_[number], target, options_.seed_timeout_seconds);
    if (result.failed() && options_.stop_on_failure) {
      dispatch_limit_ = std::min(dispatch_limit_, number);
    }
    pending_.emplace(number, std::move(result));
    // Hand on the results in order, up to the first gap (or the stop).
    for (auto it = pending_.find(emitted_count_);
         it != pending_.end() && emitted_count_ <= dispatch_limit_;
         it = pending_.find(emitted_count_)) {
      Emit(it->second, emitted_count_);
      pending_.erase(it);
      emitted_count_++;
    }
  }

  void Emit(const SeedResult& result, uint64_t number) {
    const size_t t = number % target_count();
    if (t == 0) report_.seed_count++;
    last_emitted_seed_ = result.seed;
    AddResult(result, target_options_[t], &report_);
    const FailureEntry* failure = result.failed() ? &report_.failures.back() : nullptr;
    if (options_.on_result) options_.on_result(result, failure);
  }

  void FinishReport() {
    const bool stopped = dispatch_limit_ != kNoLimit;
    report_.stopped_early = stopped && (cursor_.next().has_value() || emitted_count_ < task_count_);
    ShardCover cover;
    cover.shard = options_.shard;
    cover.first = options_.range.first;
    const bool complete = !report_.stopped_early && !budget_used_up_;
    cover.end = complete ? options_.range.end
                         : (report_.seed_count > 0 ? last_emitted_seed_ + 1 : options_.range.first);
    cover.budget = budget_used_up_;
    report_.covers = {cover};
    report_.range.end = cover.end;
    report_.elapsed_seconds = progress_.ElapsedSeconds();
    report_.seeds_per_second =
        report_.elapsed_seconds > 0
            ? static_cast<double>(report_.seed_count) / report_.elapsed_seconds
            : 0;
    SortReport(&report_);
  }

  Status RunArtifacts();

  static constexpr uint64_t kNoLimit = ~uint64_t{0};

  const DriverOptions& options_;
  SeedCursor cursor_;
  Progress progress_;
  std::vector<targets::TargetOptions> target_options_;
  TortureReport report_;
  std::vector<uint64_t> task_seeds_;  // per task number
  uint64_t task_count_ = 0;
  uint64_t dispatch_limit_ = kNoLimit;  // the last task number to dispatch and emit
  uint64_t emitted_count_ = 0;
  uint64_t last_emitted_seed_ = 0;
  bool budget_used_up_ = false;
  std::map<uint64_t, SeedResult> pending_;  // arrived, not yet emitted
};

size_t TargetIndex(const DriverOptions& options, std::string_view name) {
  for (size_t t = 0; t < options.targets.size(); t++) {
    if (options.targets[t].name() == name) return t;
  }
  WALSIM_UNREACHABLE();
}

// The artifacts folders of the first failures, in worker processes (a run
// that crashes leaves the files written before it).
Status Driver::RunArtifacts() {
  const size_t count = std::min(report_.failures.size(), options_.artifacts_count_max);
  WorkerPoolOptions pool;
  pool.worker_count = std::max<size_t>(1, std::min(options_.job_count, count));
  uint64_t next = 0;
  pool.work = [this](const std::string& line) {
    const FailureEntry& failure = report_.failures[std::stoull(line)];
    const size_t t = TargetIndex(options_, failure.result.target);
    const Status status =
        WriteArtifacts(options_.artifacts_dir, failure.result, *options_.targets[t].target,
                       target_options_[t], options_.shrink_run_count_max);
    return status.ok() ? std::string("ok") : DumpLine(Json(status.ToString()));
  };
  pool.next_task = [&]() -> std::optional<std::string> {
    if (next >= count) return std::nullopt;
    return std::to_string(next++);
  };
  pool.on_result = [this](const TaskResult& result) {
    FailureEntry& failure = report_.failures[result.task_number];
    failure.artifacts = ArtifactsFolderName(failure.result);
    if (result.crashed) {
      DefaultLogger()->warn("torture: artifacts of seed {}: the run {}; {} holds what was written",
                            failure.result.seed, result.crash_reason, failure.artifacts);
    } else if (result.line != "ok") {
      DefaultLogger()->warn("torture: artifacts of seed {}: {}", failure.result.seed, result.line);
    }
  };
  if (count == 0) return Status::Ok();
  return RunWorkerPool(pool);
}

}  // namespace

Result<TortureReport> RunTortureDriver(const DriverOptions& options) {
  WALSIM_ASSERT(!options.targets.empty());
  Driver driver(options);
  return driver.Run();
}

Result<SeedResult> RunSeedInWorker(uint64_t seed, const TortureTarget& target,
                                   const targets::TargetOptions& options,
                                   std::optional<double> timeout_seconds) {
  std::optional<SeedResult> result;
  bool asked = false;
  WorkerPoolOptions pool;
  pool.worker_count = 1;
  pool.task_timeout = TaskTimeout(timeout_seconds);
  pool.work = [&](const std::string&) { return RunSeedLine(seed, target, options); };
  pool.next_task = [&]() -> std::optional<std::string> {
    if (asked) return std::nullopt;
    asked = true;
    return "run";
  };
  pool.on_result = [&](const TaskResult& task) {
    result = ParseResult(task, seed, target, timeout_seconds);
  };
  WALSIM_RETURN_IF_ERROR(RunWorkerPool(pool));
  WALSIM_ASSERT(result.has_value());
  return *result;
}

}  // namespace walsim::tools
