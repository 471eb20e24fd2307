// `walsim torture`, `walsim replay`, `walsim shrink`, `walsim report`: the
// seeded-workload workflow of docs/torture.md (scenarios/search/torture.h,
// scenarios/search/shrink.h, tools/torture_driver.h, tools/torture_report.h).
//
//   walsim torture (--seeds A:B | --minutes M [--seed-start S]) [--shard I/N]
//                  [--jobs J] [--target T[,T...]] [--param K=V ...] [workload flags]
//                  [--seed-timeout SECONDS] [--stop-on-failure] [--check-determinism]
//                  [--json FILE [--json-seeds]] [--junit FILE] [--known-findings FILE]
//                  [--artifacts DIR [--artifacts-max N] [--artifacts-shrink-runs N]]
//   walsim replay  --seed S [--target T] [--param K=V ...] [workload flags] [--script]
//                  [--trace] [--check-determinism]
//   walsim replay  --report DIR          (a saved failure's artifacts folder)
//   walsim shrink  --seed S [--target T] [--param K=V ...] [workload flags] --out FILE
//                  [--max-runs N]
//   walsim replay  --seed S [workload flags] --no-run   (the script only)
//   walsim report merge FILES... [--json OUT] [--junit OUT]
//   walsim targets                       (the registered targets and their params)
// Workload flags (scripted targets): --ops N, --component wal|logstore|both
// (the old spelling of --target wal|logstore|both), --illegal,
// --torn-sectors, --purge-past-snapshot. stdout is deterministic (no
// timings, failures in seed order for any --jobs); progress and timings go
// to stderr and reports.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "scenarios/runner.h"
#include "scenarios/search/shrink.h"
#include "scenarios/search/torture.h"
#include "scenarios/search/workload.h"
#include "scenarios/targets/registry.h"
#include "scenarios/world/probes.h"
#include "tools/commands.h"
#include "tools/known_findings.h"
#include "tools/report_cmd.h"
#include "tools/target_flags.h"
#include "tools/torture_driver.h"
#include "tools/torture_report.h"
#include "tools/torture_run.h"
#include "tools/worker_pool.h"

namespace walsim::tools {

void AddTortureCommands(CLI::App& app);

namespace {

// --minutes at most (a week).
constexpr double kBudgetMinutesMax = 7 * 24 * 60;

void PrintFailure(const SeedResult& result, const FailureEntry& failure) {
  std::printf("FAIL seed=%" PRIu64 " block=%zu: %s\n", result.seed, result.block_number,
              result.verdict.c_str());
  std::printf("  replay: %s\n", failure.replay.c_str());
  if (!failure.shrink.empty()) std::printf("  shrink: %s\n", failure.shrink.c_str());
  std::fflush(stdout);
}

struct TortureFlags {
  WorkloadFlags workload;
  std::string seeds = "0:1000";
  std::string seed_start;
  std::string shard = "0/1";
  std::string minutes;
  std::string jobs;
  std::string target = "all";
  std::vector<std::string> params;
  std::string seed_timeout = "60";
  std::string json_path;
  bool json_seeds = false;
  std::string junit_path;
  std::string known_findings_path;
  std::string artifacts_dir;
  size_t artifacts_count_max = kArtifactsCountMaxDefault;
  size_t shrink_run_count_max = kArtifactsShrinkRunCountDefault;
  bool stop_on_failure = false;
  bool check_determinism = false;
  // Whether the user gave them (CLI11 counts).
  const CLI::Option* seeds_option = nullptr;
  const CLI::Option* component_option = nullptr;
  const CLI::Option* target_option = nullptr;
};

// A report file opened (created, truncated) before any seed runs, so that an
// unwritable path is a usage error, not a lost night.
struct ReportFile {
  std::string path;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{nullptr, &std::fclose};
};

Result<ReportFile> OpenReportFile(std::string_view flag, const std::string& path_text) {
  ReportFile report;
  if (path_text.empty()) return report;
  WALSIM_ASSIGN_OR_RETURN(report.path, NormalizeUserPath(path_text));
  report.file.reset(std::fopen(report.path.c_str(), "w"));
  if (report.file == nullptr) {
    return Status::InvalidArgument(std::string(flag) + " " + report.path +
                                   ": cannot write: " + std::strerror(errno));
  }
  return report;
}

Status WriteReportFile(ReportFile* report, const std::string& text) {
  if (report->file == nullptr) return Status::Ok();
  const bool written = std::fwrite(text.data(), 1, text.size(), report->file.get()) == text.size();
  if (!written || std::fclose(report->file.release()) != 0) {
    return Status::IoError("cannot write " + report->path);
  }
  std::fprintf(stderr, "torture: wrote %s\n", report->path.c_str());
  return Status::Ok();
}

Result<std::string> PrepareArtifactsDir(const std::string& text) {
  if (text.empty()) return std::string();
  WALSIM_ASSIGN_OR_RETURN(std::string path, NormalizeUserPath(text));
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec || ::access(path.c_str(), W_OK) != 0) {
    return Status::InvalidArgument("--artifacts " + path + ": cannot create or write it" +
                                   (ec ? ": " + ec.message() : ""));
  }
  return path;
}

size_t CoreCount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
    return static_cast<size_t>(CPU_COUNT(&set));
  }
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

Result<size_t> ParseJobs(const std::string& text) {
  if (text.empty()) return std::min(CoreCount(), kWorkerCountMax);
  size_t jobs = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), jobs);
  if (ec != std::errc() || end != text.data() + text.size() || jobs < 1 || jobs > kWorkerCountMax) {
    return Status::InvalidArgument("--jobs \"" + text + "\" is not a worker count 1.." +
                                   std::to_string(kWorkerCountMax));
  }
  return jobs;
}

Result<std::optional<double>> ParseMinutes(const std::string& text) {
  if (text.empty()) return std::optional<double>();
  char* end = nullptr;
  const double minutes = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !(minutes > 0) || minutes > kBudgetMinutesMax) {
    return Status::InvalidArgument("--minutes \"" + text + "\" is not a time budget > 0 and <= " +
                                   std::to_string(static_cast<int>(kBudgetMinutesMax)) +
                                   " minutes (fractions allowed)");
  }
  return std::optional<double>(minutes);
}

// The seed range: --seeds A:B, or with a budget --seed-start S (open-ended).
Result<scenarios::SeedRange> ParseRange(const TortureFlags& flags, bool budget) {
  const bool seeds_given = flags.seeds_option->count() > 0;
  if (flags.seed_start.empty()) return scenarios::ParseSeedRange(flags.seeds);
  if (seeds_given) return Status::InvalidArgument("--seed-start and --seeds exclude each other");
  if (!budget) return Status::InvalidArgument("--seed-start needs a time budget (--minutes)");
  uint64_t first = 0;
  const std::string& text = flags.seed_start;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), first);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("--seed-start \"" + text + "\" is not a seed");
  }
  const uint64_t room = ~uint64_t{0} - first;
  return scenarios::SeedRange{first, first + std::min(room, scenarios::kTortureSeedCountMax)};
}

// --target (or --component) and --param.
Result<std::vector<TortureTarget>> ParseTargets(const TortureFlags& flags,
                                                const targets::TargetParams& params) {
  WALSIM_ASSIGN_OR_RETURN(std::string spec, TargetSpec(flags.target, flags.target_option,
                                                       flags.workload, flags.component_option));
  return ResolveTargets(spec, params);
}

// --seed-timeout: seconds > 0, or 0 for none.
Result<std::optional<double>> ParseSeedTimeout(const std::string& text) {
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(seconds >= 0) ||
      seconds > kBudgetMinutesMax * 60) {
    return Status::InvalidArgument("--seed-timeout \"" + text +
                                   "\" is not a number of seconds (0: no limit)");
  }
  if (seconds == 0) return std::optional<double>();
  return std::optional<double>(seconds);
}

struct TortureSetup {
  DriverOptions driver;
  ReportFile json;
  ReportFile junit;
  std::vector<KnownFinding> known_findings;
};

// Everything checked before a seed runs (exit 2 on any problem).
Result<TortureSetup> PrepareTorture(const TortureFlags& flags) {
  TortureSetup setup;
  DriverOptions& driver = setup.driver;
  WALSIM_ASSIGN_OR_RETURN(driver.budget_seconds, ParseMinutes(flags.minutes));
  if (driver.budget_seconds) *driver.budget_seconds *= 60;
  WALSIM_ASSIGN_OR_RETURN(driver.range, ParseRange(flags, driver.budget_seconds.has_value()));
  WALSIM_ASSIGN_OR_RETURN(driver.shard, scenarios::ParseShard(flags.shard));
  WALSIM_ASSIGN_OR_RETURN(driver.job_count, ParseJobs(flags.jobs));
  WALSIM_ASSIGN_OR_RETURN(driver.base.params, ParseParams(flags.params));
  WALSIM_ASSIGN_OR_RETURN(driver.targets, ParseTargets(flags, driver.base.params));
  WALSIM_ASSIGN_OR_RETURN(driver.seed_timeout_seconds, ParseSeedTimeout(flags.seed_timeout));
  WALSIM_ASSIGN_OR_RETURN(setup.json, OpenReportFile("--json", flags.json_path));
  WALSIM_ASSIGN_OR_RETURN(setup.junit, OpenReportFile("--junit", flags.junit_path));
  if (!flags.known_findings_path.empty()) {
    WALSIM_ASSIGN_OR_RETURN(std::string path, NormalizeUserPath(flags.known_findings_path));
    WALSIM_ASSIGN_OR_RETURN(setup.known_findings, ReadKnownFindings(path));
  }
  WALSIM_ASSIGN_OR_RETURN(driver.artifacts_dir, PrepareArtifactsDir(flags.artifacts_dir));
  driver.base.workload = ToOptions(flags.workload);
  driver.base.check_determinism = flags.check_determinism;
  driver.stop_on_failure = flags.stop_on_failure;
  driver.keep_seed_results = flags.json_seeds;
  driver.progress_terminal = ::isatty(STDERR_FILENO) != 0;
  driver.artifacts_count_max = flags.artifacts_count_max;
  driver.shrink_run_count_max = flags.shrink_run_count_max;
  return setup;
}

// The coverage probes (scenarios/world/probes.h): hits and seeds that hit
// each, in catalogue order, and the ones no seed reached.
void PrintProbeTable(const TortureReport& report) {
  size_t catalogue_names_bytes = 0;  // the "never hit" text when nothing was hit
  for (const scenarios::ProbeInfo& info : scenarios::kProbeCatalogue) {
    catalogue_names_bytes += info.name.size() + 2;
  }
  std::string never;
  std::printf("probes (hits / seeds):\n");
  for (const scenarios::ProbeInfo& info : scenarios::kProbeCatalogue) {
    auto it = report.probes.find(std::string(info.name));
    if (it == report.probes.end() || it->second.hit_count == 0) {
      never += (never.empty() ? "" : ", ") + std::string(info.name);
      continue;
    }
    std::printf("  %-30s %10" PRIu64 " / %" PRIu64 "\n", std::string(info.name).c_str(),
                it->second.hit_count, it->second.seed_count);
  }
  // A run of loop targets alone reaches no catalogued probe: no list then.
  if (!never.empty() && never.size() < catalogue_names_bytes) {
    std::printf("  never hit: %s\n", never.c_str());
  }
  // The loop targets' own probes (engine/..., sqlite/..., leveldb/...).
  for (const auto& [name, totals] : report.probes) {
    bool catalogued = false;
    for (const scenarios::ProbeInfo& info : scenarios::kProbeCatalogue) {
      catalogued = catalogued || info.name == name;
    }
    if (catalogued || totals.hit_count == 0) continue;
    std::printf("  %-30s %10" PRIu64 " / %" PRIu64 "\n", name.c_str(), totals.hit_count,
                totals.seed_count);
  }
}

void RunTortureCommand(const TortureFlags& flags) {
  Result<TortureSetup> setup = PrepareTorture(flags);
  if (!setup.ok()) return SetExitCode(ReportError("torture", setup.status()));
  const std::vector<KnownFinding>& known = setup->known_findings;
  setup->driver.on_result = [&known](const SeedResult& result, const FailureEntry* failure) {
    if (failure == nullptr) return;
    PrintFailure(result, *failure);
    if (const KnownFinding* finding = MatchKnownFinding(known, result)) {
      std::printf("  known finding %s: %s\n", finding->id.c_str(), finding->reference.c_str());
    }
  };
  Result<TortureReport> report = RunTortureDriver(setup->driver);
  if (!report.ok()) return SetExitCode(ReportError("torture", report.status()));
  for (FailureEntry& failure : report->failures) {
    if (const KnownFinding* finding = MatchKnownFinding(known, failure.result)) {
      failure.known_finding = finding->id;
    }
  }
  PrintProbeTable(*report);
  std::printf("%" PRIu64 " passed, %" PRIu64 " failed",
              report->run_count() - report->failed_count(), report->failed_count());
  if (report->crashed_count() > 0) std::printf(" (%" PRIu64 " crashed)", report->crashed_count());
  if (report->known_finding_count() > 0) {
    std::printf(" (%" PRIu64 " known findings, %" PRIu64 " new)", report->known_finding_count(),
                report->failed_count() - report->known_finding_count());
  }
  std::printf("\n");
  std::fflush(stdout);
  Status written = WriteReportFile(
      &setup->json,
      ToJson(*report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (written.ok()) written = WriteReportFile(&setup->junit, ToJunitXml(*report));
  if (!written.ok()) return SetExitCode(ReportError("torture", written));
  if (!setup->driver.artifacts_dir.empty() && !report->failures.empty()) {
    std::fprintf(stderr, "torture: artifacts of %zu failure(s) in %s\n",
                 std::min(report->failures.size(), setup->driver.artifacts_count_max),
                 setup->driver.artifacts_dir.c_str());
  }
  // Only new failures fail the run; known findings are in the reports.
  SetExitCode(report->failed_count() > report->known_finding_count() ? kExitFailure : kExitOk);
}

struct ReplayFlags {
  WorkloadFlags workload;
  uint64_t seed = 0;
  std::string target = "both";
  std::vector<std::string> params;
  bool script = false;
  bool trace = false;
  bool no_run = false;
  bool check_determinism = false;
  std::string report_dir;
  const CLI::Option* target_option = nullptr;
  const CLI::Option* component_option = nullptr;
};

// A scripted target's seed: its script (with outputs), trace, verdict.
void ReplayScript(const ReplayFlags& flags, const scenarios::Script& script) {
  if (flags.no_run) {
    // For a run that aborts: the script alone, to run block by block.
    const std::vector<std::string> empty(script.blocks.size());
    std::printf("%s\n", scenarios::RenderScript(script, empty).c_str());
    return SetExitCode(kExitOk);
  }
  Result<scenarios::ScriptRun> run =
      scenarios::RunScript(script, scenarios::TraceOptions(flags.trace));
  if (!run.ok()) {
    // The generator wrote a script the runner rejects: show it, it is the bug.
    std::vector<std::string> empty(script.blocks.size());
    if (flags.script) std::printf("%s\n", scenarios::RenderScript(script, empty).c_str());
    return SetExitCode(ReportError("replay (a generator bug)", run.status()));
  }
  if (flags.script) std::printf("%s\n", scenarios::RenderScript(script, run->outputs).c_str());
  if (flags.trace) {
    for (const std::string& line : run->trace_lines) std::printf("trace: %s\n", line.c_str());
  }
  scenarios::TortureOutcome outcome;
  outcome.seed = flags.seed;
  if (scenarios::FindViolation(script, *run, &outcome)) {
    std::printf("FAIL seed=%" PRIu64 " block=%zu (line %d): %s\n", flags.seed, outcome.block_number,
                outcome.block_line, outcome.verdict.c_str());
  } else {
    std::printf("PASS seed=%" PRIu64 "\n", flags.seed);
  }
  std::printf("trace hash: %s\n", HexHash(run->trace_hash).c_str());
  SetExitCode(outcome.block_number > 0 ? kExitFailure : kExitOk);
}

// A loop target's seed: its notes, trace and verdict.
void ReplayLoop(const ReplayFlags& flags, const targets::Target& target,
                const targets::TargetOptions& options) {
  if (flags.no_run || flags.script) {
    return SetExitCode(
        ReportError("replay", Status::InvalidArgument("target " + std::string(target.name()) +
                                                      " runs its own loop: it has no script")));
  }
  const targets::TargetRun run = target.Run(flags.seed, options, flags.trace);
  for (const std::string& note : run.notes) std::printf("note: %s\n", note.c_str());
  if (flags.trace) {
    for (const std::string& line : run.trace_lines) std::printf("trace: %s\n", line.c_str());
  }
  if (run.outcome.failed()) {
    std::printf("FAIL seed=%" PRIu64 ": %s\n", flags.seed, run.outcome.verdict.c_str());
  } else {
    std::printf("PASS seed=%" PRIu64 "\n", flags.seed);
  }
  std::printf("trace hash: %s\n", HexHash(run.outcome.trace_hash).c_str());
  SetExitCode(run.outcome.failed() ? kExitFailure : kExitOk);
}

void RunReplayCommand(const ReplayFlags& flags) {
  if (!flags.report_dir.empty()) return RunReplayReport(flags.report_dir);
  auto chosen = ReplayTarget(flags.target, flags.target_option, flags.workload,
                             flags.component_option, flags.params);
  if (!chosen.ok()) return SetExitCode(ReportError("replay", chosen.status()));
  const targets::Target& target = *chosen->first.target;
  targets::TargetOptions& options = chosen->second;
  if (flags.check_determinism) {
    options.check_determinism = true;
    const scenarios::TortureOutcome outcome = targets::RunTargetSeed(target, flags.seed, options);
    std::printf("%s seed=%" PRIu64 " target=%s: %s\ntrace hash: %s\n",
                outcome.failed() ? "FAIL" : "PASS", flags.seed, std::string(target.name()).c_str(),
                outcome.failed() ? outcome.verdict.c_str() : "same trace hash twice",
                HexHash(outcome.trace_hash).c_str());
    return SetExitCode(outcome.failed() ? kExitFailure : kExitOk);
  }
  if (const std::optional<scenarios::Script> script = target.Workload(flags.seed, options)) {
    return ReplayScript(flags, *script);
  }
  ReplayLoop(flags, target, options);
}

struct ShrinkFlags {
  WorkloadFlags workload;
  uint64_t seed = 0;
  std::string target = "both";
  std::vector<std::string> params;
  std::string out;
  size_t run_count_max = scenarios::kShrinkRunCountMax;
  const CLI::Option* target_option = nullptr;
  const CLI::Option* component_option = nullptr;
};

void RunShrinkCommand(const ShrinkFlags& flags) {
  Result<std::string> path = NormalizeUserPath(flags.out);
  if (!path.ok()) return SetExitCode(ReportError("shrink --out", path.status()));
  auto chosen = ReplayTarget(flags.target, flags.target_option, flags.workload,
                             flags.component_option, flags.params);
  if (!chosen.ok()) return SetExitCode(ReportError("shrink", chosen.status()));
  const targets::Target& target = *chosen->first.target;
  const targets::TargetOptions& options = chosen->second;
  const scenarios::TortureOutcome outcome = targets::RunTargetSeed(target, flags.seed, options);
  if (outcome.status != scenarios::TortureStatus::kViolation) {
    return SetExitCode(ReportError(
        "shrink",
        Status::FailedPrecondition(
            "seed " + std::to_string(flags.seed) + " reports no violation with --target " +
            std::string(target.name()) + " " + target.Flags(flags.seed, options) +
            (outcome.failed() ? " (" + outcome.verdict + ")" : ""))));
  }
  Result<targets::ShrunkSeed> shrunk =
      target.Shrink(flags.seed, options, outcome.invariant, flags.run_count_max);
  if (!shrunk.ok()) return SetExitCode(ReportError("shrink", shrunk.status()));
  std::ofstream file(*path, std::ios::binary | std::ios::trunc);
  file << shrunk->file_text;
  file.close();
  if (!file) return SetExitCode(ReportError("shrink", Status::IoError("cannot write " + *path)));
  std::printf("wrote %s: %s\n", path->c_str(), shrunk->summary.c_str());
  SetExitCode(kExitOk);
}

// `walsim targets`: every registered target, its description and params.
void RunTargetsCommand() {
  for (const targets::Target* target : targets::AllTargets()) {
    std::printf("%-11s %s%s\n", std::string(target->name()).c_str(),
                std::string(target->description()).c_str(),
                target->in_all() ? "" : " [not in all]");
    for (const targets::ParamSpec& spec : target->params()) {
      std::string values;
      for (std::string_view choice : spec.choices) {
        values += (values.empty() ? "" : "|") + std::string(choice);
      }
      if (values.empty()) {
        values = std::to_string(spec.int_min) + ".." + std::to_string(spec.int_max);
      }
      std::printf("    --param %s=%s (default %s): %s\n", std::string(spec.name).c_str(),
                  values.c_str(), std::string(spec.default_value).c_str(),
                  std::string(spec.meaning).c_str());
    }
  }
  std::printf("all         every target above not marked [not in all], in this order\n");
  SetExitCode(kExitOk);
}

std::string TargetHelp() {
  std::string names;
  for (const targets::Target* target : targets::AllTargets()) {
    names += (names.empty() ? "" : ", ") + std::string(target->name());
  }
  return "What to torture: " + names +
         ", all (default), or a comma list (walsim targets describes each)";
}

}  // namespace

void AddTortureCommands(CLI::App& app) {
  auto torture = std::make_shared<TortureFlags>();
  CLI::App* command = app.add_subcommand("torture",
                                         "Run seeded random workloads under faults "
                                         "and crashes; print failing seeds");
  torture->seeds_option =
      command->add_option("--seeds", torture->seeds, "Seed range A:B (B excluded)");
  command->add_option("--seed-start", torture->seed_start,
                      "With --minutes: the first seed (seeds go on until the budget is used)");
  command->add_option("--minutes", torture->minutes,
                      "Time budget in minutes (fractions allowed): start no seed after it");
  command->add_option("--shard", torture->shard, "Run only the seeds equal to I modulo N (I/N)");
  command->add_option("--jobs", torture->jobs, "Worker processes (default: the core count)");
  torture->target_option = command->add_option("--target", torture->target, TargetHelp());
  command->add_option("--param", torture->params,
                      "A target's knob NAME=VALUE (repeatable; walsim targets lists them)");
  command->add_option("--seed-timeout", torture->seed_timeout,
                      "Seconds one seed may run before it is killed and reported as a "
                      "timeout (default 60; 0: no limit)");
  torture->component_option = AddWorkloadFlags(command, &torture->workload);
  command->add_flag("--stop-on-failure", torture->stop_on_failure, "Stop at the first failure");
  command->add_flag("--check-determinism", torture->check_determinism,
                    "Run each seed twice and compare trace hashes");
  command->add_option("--json", torture->json_path, "Write the JSON report (docs/torture.md)");
  command->add_flag("--json-seeds", torture->json_seeds,
                    "Also list every seed's status and trace hash in the JSON report");
  command->add_option("--junit", torture->junit_path, "Write a JUnit XML report");
  command->add_option("--known-findings", torture->known_findings_path,
                      "JSON list of documented findings (tools/known_findings.h): a failure "
                      "matching one is reported under its id and does not fail the run");
  command->add_option("--artifacts", torture->artifacts_dir,
                      "Write a folder per failing seed (replay line, trace, verdict, shrunk "
                      "script) under this directory");
  command
      ->add_option("--artifacts-max", torture->artifacts_count_max,
                   "Failing seeds that get an artifacts folder, at most")
      ->check(CLI::Range(size_t{0}, size_t{100'000}));
  command
      ->add_option("--artifacts-shrink-runs", torture->shrink_run_count_max,
                   "Shrink candidate runs per artifacts folder, at most")
      ->check(CLI::Range(size_t{1}, scenarios::kShrinkRunCountMax));
  command->callback([torture] { RunTortureCommand(*torture); });

  auto replay = std::make_shared<ReplayFlags>();
  command = app.add_subcommand("replay", "Rerun one torture seed exactly");
  CLI::Option* seed = command->add_option("--seed", replay->seed, "The seed");
  replay->target_option =
      command->add_option("--target", replay->target, "The target (default: both)");
  command->add_option("--param", replay->params, "A target's knob NAME=VALUE (repeatable)");
  command->add_flag("--check-determinism", replay->check_determinism,
                    "Run the seed twice and compare trace hashes and reports");
  command
      ->add_option("--report", replay->report_dir,
                   "Rerun a saved failure (its --artifacts folder): exit 1 if it still fails, "
                   "0 if fixed")
      ->excludes(seed);
  replay->component_option = AddWorkloadFlags(command, &replay->workload);
  command->add_flag("--script", replay->script, "Print the generated script with its outputs");
  command->add_flag("--trace", replay->trace, "Print the simulated disk's trace");
  command->add_flag("--no-run", replay->no_run,
                    "Print the generated script without running it (empty outputs)");
  command->callback([replay, seed] {
    if (replay->report_dir.empty() && seed->count() == 0) {
      return SetExitCode(
          ReportError("replay", Status::InvalidArgument("give --seed S (or --report DIR)")));
    }
    RunReplayCommand(*replay);
  });

  auto shrink = std::make_shared<ShrinkFlags>();
  command = app.add_subcommand("shrink",
                               "Shrink a failing torture seed: a regression script (.scn), or "
                               "for a loop target the smallest size params that still fail");
  command->add_option("--seed", shrink->seed, "The failing seed")->required();
  shrink->target_option =
      command->add_option("--target", shrink->target, "The target (default: both)");
  command->add_option("--param", shrink->params, "A target's knob NAME=VALUE (repeatable)");
  shrink->component_option = AddWorkloadFlags(command, &shrink->workload);
  command->add_option("--out", shrink->out, "The regression script to write")->required();
  command->add_option("--max-runs", shrink->run_count_max, "Candidate runs at most")
      ->check(CLI::Range(size_t{1}, scenarios::kShrinkRunCountMax * 100));
  command->callback([shrink] { RunShrinkCommand(*shrink); });

  command = app.add_subcommand("targets", "List the torture targets, their params and defaults");
  command->callback([] { RunTargetsCommand(); });

  AddReportCommands(app);
}

}  // namespace walsim::tools
