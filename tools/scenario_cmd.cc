// `walsim run SCRIPT... [--rewrite] [--trace]`: runs scenario scripts
// (scenarios/runner.h) and reports each as PASS or FAIL with a diff.
// `walsim explore SCRIPT [--model M] [--states N] [--points N] [--seed S]
// [--at OP:CHOICES]`: crashes the script at every crash point in every
// crash state (scenarios/search/explore.h) and reports each violation with the
// --at argument that replays it.
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "scenarios/runner.h"
#include "scenarios/script/script.h"
#include "scenarios/search/explore.h"
#include "tools/commands.h"

namespace walsim::tools {
namespace {

struct RunFlags {
  std::vector<std::string> scripts;
  bool rewrite = false;
  bool trace = false;
};

enum class Outcome : uint8_t { kPassed, kFailed, kMalformed };

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IoError("error writing " + path);
  return Status::Ok();
}

// Runs one script file; prints its verdict line: PASS, REWROTE, FAIL (with
// the diff) or ERROR (a malformed script, "<file>:<line>: ..."), and the
// trace first when asked.
Outcome RunOne(const std::string& path, const RunFlags& flags) {
  Result<std::string> text = ReadScriptFile(path);
  if (!text.ok()) {
    ReportError("run", text.status());
    return Outcome::kMalformed;
  }
  Result<scenarios::Script> script = scenarios::ParseScript(*text, path);
  if (!script.ok()) {
    std::printf("ERROR %s\n", script.status().message().c_str());
    return Outcome::kMalformed;
  }
  Result<scenarios::ScriptRun> run =
      scenarios::RunScript(*script, scenarios::TraceOptions(flags.trace));
  if (!run.ok()) {
    std::printf("ERROR %s\n", run.status().message().c_str());
    return Outcome::kMalformed;
  }
  if (flags.trace) {
    for (const std::string& line : run->trace_lines) std::printf("trace: %s\n", line.c_str());
  }
  const std::string diff = scenarios::DiffRun(*script, *run);
  char hash[64];
  std::snprintf(hash, sizeof(hash), "seed=%" PRIu64 " trace=0x%016" PRIx64, run->seed,
                run->trace_hash);
  if (diff.empty()) {
    std::printf("PASS %s %s\n", path.c_str(), hash);
    return Outcome::kPassed;
  }
  if (flags.rewrite) {
    Status written = WriteTextFile(path, scenarios::RenderScript(*script, run->outputs));
    if (!written.ok()) {
      ReportError("run --rewrite", written);
      return Outcome::kFailed;
    }
    std::printf("REWROTE %s %s\n", path.c_str(), hash);
    return Outcome::kPassed;
  }
  std::printf("FAIL %s %s\n%s", path.c_str(), hash, diff.c_str());
  return Outcome::kFailed;
}

void RunAll(const RunFlags& flags) {
  size_t passed_count = 0;
  size_t failed_count = 0;
  bool malformed = false;
  for (const std::string& path : flags.scripts) {
    const Outcome outcome = RunOne(path, flags);
    passed_count += outcome == Outcome::kPassed ? 1 : 0;
    failed_count += outcome == Outcome::kPassed ? 0 : 1;
    malformed = malformed || outcome == Outcome::kMalformed;
  }
  std::printf("%zu passed, %zu failed\n", passed_count, failed_count);
  SetExitCode(malformed ? kExitUsage : failed_count > 0 ? kExitFailure : kExitOk);
}

struct ExploreFlags {
  std::string script;
  std::string model;
  uint64_t states = 64;
  uint64_t points = 10'000;
  uint64_t seed = 0;
  std::string at;
  bool trace = false;
};

Result<scenarios::ExploreOptions> ExploreOptionsOf(const ExploreFlags& flags) {
  scenarios::ExploreOptions options;
  if (!flags.model.empty()) {
    options.crash_model = sim::ParseCrashModel(flags.model);
    if (!options.crash_model) {
      return Status::InvalidArgument("--model " + flags.model + " is not clean, prefix or reorder");
    }
  }
  if (flags.states == 0 || flags.points == 0) {
    return Status::InvalidArgument("--states and --points must be at least 1");
  }
  options.states_per_point_max = flags.states;
  options.points_max = flags.points;
  options.seed = flags.seed;
  options.trace = flags.trace;
  if (!flags.at.empty()) {
    WALSIM_ASSIGN_OR_RETURN(scenarios::CrashPoint point, scenarios::ParseCrashPoint(flags.at));
    options.only = std::move(point);
  }
  return options;
}

void RunExplore(const ExploreFlags& flags) {
  Result<scenarios::ExploreOptions> options = ExploreOptionsOf(flags);
  if (!options.ok()) return SetExitCode(ReportError("explore", options.status()));
  Result<std::string> text = ReadScriptFile(flags.script);
  if (!text.ok()) return SetExitCode(ReportError("explore", text.status()));
  Result<scenarios::Script> script = scenarios::ParseScript(*text, flags.script);
  if (!script.ok()) return SetExitCode(ReportError("explore", script.status()));
  Result<scenarios::ExploreReport> report = scenarios::Explore(*script, *options);
  if (!report.ok()) return SetExitCode(ReportError("explore " + flags.script, report.status()));
  for (const std::string& line : report->only_trace_lines) std::printf("trace: %s\n", line.c_str());
  for (size_t b = 0; b < report->only_outputs.size(); b++) {
    std::printf("%s\n----\n%s\n\n", report->only_blocks[b].c_str(),
                report->only_outputs[b].c_str());
  }
  for (const scenarios::ExploreViolation& violation : report->violations) {
    const std::string at = scenarios::FormatCrashPoint(violation.point);
    std::printf("VIOLATION at %s: block %zu (%s): %s\n  replay: walsim explore %s --at %s%s%s\n",
                at.c_str(), violation.block_number, violation.block_text.c_str(),
                violation.verdict.c_str(), flags.script.c_str(), at.c_str(),
                flags.model.empty() ? "" : " --model ", flags.model.c_str());
  }
  std::printf(
      "explored %" PRIu64 " crash points of %" PRIu64 " operations: %" PRIu64
      " crash states (%" PRIu64 " points exhaustive, %" PRIu64 " sampled), %zu violations\n",
      report->point_count, report->op_count, report->state_count, report->exhaustive_point_count,
      report->point_count - report->exhaustive_point_count, report->violations.size());
  SetExitCode(report->violations.empty() ? kExitOk : kExitFailure);
}

}  // namespace

void AddScenarioCommands(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand(
      "run", "Run scenario scripts (scenarios/scripts/*.scn) and compare their output");
  run->add_option("scripts", flags->scripts, "Script files")->required();
  run->add_flag("--rewrite", flags->rewrite,
                "Rewrite each script's expected output with what the run printed");
  run->add_flag("--trace", flags->trace, "Print the simulated disk's trace of each run");
  run->callback([flags] { RunAll(*flags); });

  auto explore_flags = std::make_shared<ExploreFlags>();
  CLI::App* explore = app.add_subcommand(
      "explore", "Crash a script at every crash point in every crash state and check recovery");
  explore->add_option("script", explore_flags->script, "Script file")->required();
  explore->add_option("--model", explore_flags->model,
                      "Crash model to explore: clean, prefix or reorder (default: the script's)");
  AddUnsignedOption(explore, "--states", &explore_flags->states,
                    "Crash states per point (1..): depth first up to half, then sampled",
                    scenarios::kExploreStatesPerPointMax);
  AddUnsignedOption(explore, "--points", &explore_flags->points,
                    "Crash points at most (1..; evenly spaced when the script has more operations)",
                    scenarios::kExplorePointsMax);
  AddUnsignedOption(explore, "--seed", &explore_flags->seed, "Seed of the sampled crash states");
  explore->add_option("--at", explore_flags->at,
                      "Replay one crash state, OP:CHOICES as a violation prints it");
  explore->add_flag("--trace", explore_flags->trace,
                    "With --at: print the simulated disk's trace of the replayed run");
  explore->callback([explore_flags] { RunExplore(*explore_flags); });
}

}  // namespace walsim::tools
