// `walsim explore`: crashes a script at every crash point in every crash
// state (scenarios/search/explore.h) and reports each violation with the
// --at argument that replays it.
//
//   walsim explore SCRIPT [--model M] [--states N] [--points N] [--seed S]
//                  [--at OP:CHOICES [--trace]]
//   walsim explore --target T --torture-seed W [--param K=V ...] [workload flags]
//                  [the same explore flags]
// The second form explores the workload that `walsim torture` generates for
// seed W of a scripted target (the script `walsim replay --seed W --target T
// --script` prints), reached through the target registry like torture,
// replay and shrink. A loop target (sqlite, leveldb, example-kv) has no
// script: its crash points are torture's own seeds, so it is refused.
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/script/script.h"
#include "scenarios/search/explore.h"
#include "tools/commands.h"
#include "tools/target_flags.h"

namespace walsim::tools {
namespace {

struct ExploreFlags {
  std::string script;
  std::string model;
  uint64_t states = 64;
  uint64_t points = 10'000;
  uint64_t seed = 0;
  std::string at;
  bool trace = false;
  // --target mode.
  WorkloadFlags workload;
  std::string target = "both";
  std::vector<std::string> params;
  uint64_t torture_seed = 0;
  const CLI::Option* target_option = nullptr;
  const CLI::Option* component_option = nullptr;
  const CLI::Option* torture_seed_option = nullptr;
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

// What to explore: the script, and how a violation's replay line names it.
struct Explored {
  scenarios::Script script;
  std::string replay_source;  // "FILE" or "--target T --torture-seed W <flags>"
};

Result<Explored> ScriptOf(const ExploreFlags& flags) {
  const bool by_target = flags.torture_seed_option->count() > 0;
  if (by_target == !flags.script.empty()) {
    return Status::InvalidArgument("give one of SCRIPT and --torture-seed W (with --target T)");
  }
  if (!by_target) {
    if (flags.target_option->count() > 0 || flags.component_option->count() > 0 ||
        !flags.params.empty()) {
      return Status::InvalidArgument("--target, --component and --param need --torture-seed W");
    }
    WALSIM_ASSIGN_OR_RETURN(std::string text, ReadScriptFile(flags.script));
    WALSIM_ASSIGN_OR_RETURN(scenarios::Script script, scenarios::ParseScript(text, flags.script));
    return Explored{std::move(script), flags.script};
  }
  WALSIM_ASSIGN_OR_RETURN(auto chosen,
                          ReplayTarget(flags.target, flags.target_option, flags.workload,
                                       flags.component_option, flags.params));
  const targets::Target& target = *chosen.first.target;
  std::optional<scenarios::Script> script = target.Workload(flags.torture_seed, chosen.second);
  if (!script.has_value()) {
    return Status::InvalidArgument("target " + std::string(target.name()) +
                                   " runs its own loop: it has no script to explore (torture "
                                   "its seeds instead)");
  }
  return Explored{std::move(*script), "--target " + std::string(target.name()) +
                                          " --torture-seed " + std::to_string(flags.torture_seed) +
                                          " " + target.Flags(flags.torture_seed, chosen.second)};
}

void RunExplore(const ExploreFlags& flags) {
  Result<scenarios::ExploreOptions> options = ExploreOptionsOf(flags);
  if (!options.ok()) return SetExitCode(ReportError("explore", options.status()));
  Result<Explored> explored = ScriptOf(flags);
  if (!explored.ok()) return SetExitCode(ReportError("explore", explored.status()));
  Result<scenarios::ExploreReport> report = scenarios::Explore(explored->script, *options);
  if (!report.ok()) {
    return SetExitCode(ReportError("explore " + explored->replay_source, report.status()));
  }
  for (const std::string& line : report->only_trace_lines) std::printf("trace: %s\n", line.c_str());
  for (size_t b = 0; b < report->only_outputs.size(); b++) {
    std::printf("%s\n----\n%s\n\n", report->only_blocks[b].c_str(),
                report->only_outputs[b].c_str());
  }
  for (const scenarios::ExploreViolation& violation : report->violations) {
    const std::string at = scenarios::FormatCrashPoint(violation.point);
    std::printf("VIOLATION at %s: block %zu (%s): %s\n  replay: walsim explore %s --at %s%s%s\n",
                at.c_str(), violation.block_number, violation.block_text.c_str(),
                violation.verdict.c_str(), explored->replay_source.c_str(), at.c_str(),
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

void AddExploreCommands(CLI::App& app) {
  auto flags = std::make_shared<ExploreFlags>();
  CLI::App* explore = app.add_subcommand(
      "explore",
      "Crash a script (or a torture seed's workload) at every crash point in every crash state "
      "and check recovery");
  explore->add_option("script", flags->script, "Script file (or --target T --torture-seed W)");
  explore->add_option("--model", flags->model,
                      "Crash model to explore: clean, prefix or reorder (default: the script's)");
  AddUnsignedOption(explore, "--states", &flags->states,
                    "Crash states per point (1..): depth first up to half, then sampled",
                    scenarios::kExploreStatesPerPointMax);
  AddUnsignedOption(explore, "--points", &flags->points,
                    "Crash points at most (1..; evenly spaced when the script has more operations)",
                    scenarios::kExplorePointsMax);
  AddUnsignedOption(explore, "--seed", &flags->seed, "Seed of the sampled crash states");
  explore->add_option("--at", flags->at,
                      "Replay one crash state, OP:CHOICES as a violation prints it");
  explore->add_flag("--trace", flags->trace,
                    "With --at: print the simulated disk's trace of the replayed run");
  flags->torture_seed_option =
      AddUnsignedOption(explore, "--torture-seed", &flags->torture_seed,
                        "Explore the workload torture generates for this seed of --target");
  flags->target_option = explore->add_option(
      "--target", flags->target, "With --torture-seed: a scripted target (default: both)");
  explore->add_option("--param", flags->params, "A target's knob NAME=VALUE (repeatable)");
  flags->component_option = AddWorkloadFlags(explore, &flags->workload);
  explore->callback([flags] { RunExplore(*flags); });
}

}  // namespace walsim::tools
