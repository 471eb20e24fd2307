// `walsim torture`, `walsim replay`, `walsim shrink`: the seeded-workload
// workflow of docs/torture.md (scenarios/search/torture.h, scenarios/search/shrink.h).
//
//   walsim torture --seeds A:B [--shard I/N] [workload flags]
//   [--stop-on-failure]
//                  [--check-determinism]
//   walsim replay  --seed S [workload flags] [--script] [--trace]
//   walsim shrink  --seed S [workload flags] --out FILE [--max-runs N]
//   walsim replay  --seed S [workload flags] --no-run   (the script only)
// Workload flags: --ops N, --component wal|logstore|both, --illegal,
// --purge-past-snapshot. Output is deterministic (no timings); torture
// reports progress on stderr every 1000 seeds.
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "scenarios/runner.h"
#include "scenarios/search/shrink.h"
#include "scenarios/search/torture.h"
#include "scenarios/search/workload.h"
#include "tools/commands.h"

namespace walsim::tools {

void AddTortureCommands(CLI::App& app);

namespace {

constexpr uint64_t kProgressSeedCount = 1000;

struct WorkloadFlags {
  uint64_t op_count = scenarios::kWorkloadOpCountDefault;
  std::string component = "both";
  bool illegal = false;
  bool torn_sectors = false;
  bool purge_past_snapshot = false;
};

void AddWorkloadFlags(CLI::App* command, WorkloadFlags* flags) {
  command->add_option("--ops", flags->op_count, "Operations per workload")
      ->check(CLI::Range(uint64_t{1}, scenarios::kWorkloadOpCountMax));
  command->add_option("--component", flags->component, "Components to drive")
      ->check(CLI::IsMember({"wal", "logstore", "both"}));
  command->add_flag("--illegal", flags->illegal,
                    "Also inject illegal faults (fsync-lie, bitrot, latent, misdirect)");
  command->add_flag("--torn-sectors", flags->torn_sectors,
                    "Also draw disks with non-atomic sectors (exposes the etcd format's "
                    "known limitation, see docs/wal-format.md)");
  command->add_flag("--purge-past-snapshot", flags->purge_past_snapshot,
                    "Deliberate misuse that tests the harness: purge WAL segments past the "
                    "snapshot");
}

scenarios::WorkloadOptions ToOptions(const WorkloadFlags& flags) {
  scenarios::WorkloadOptions options;
  options.op_count = flags.op_count;
  options.component = *scenarios::ParseWorkloadComponent(flags.component);  // checked by CLI11
  options.illegal = flags.illegal;
  options.torn_sectors = flags.torn_sectors;
  options.purge_past_snapshot = flags.purge_past_snapshot;
  return options;
}

std::string HexHash(uint64_t hash) {
  char text[32];
  std::snprintf(text, sizeof(text), "0x%016" PRIx64, hash);
  return text;
}

void PrintFailure(const scenarios::TortureOutcome& outcome,
                  const scenarios::WorkloadOptions& options) {
  const std::string seed = std::to_string(outcome.seed);
  const std::string flags = scenarios::WorkloadFlags(options);
  std::printf("FAIL seed=%s block=%zu: %s\n", seed.c_str(), outcome.block_number,
              outcome.verdict.c_str());
  std::printf("  replay: walsim replay --seed %s %s --script\n", seed.c_str(), flags.c_str());
  if (outcome.status == scenarios::TortureStatus::kViolation) {
    std::printf("  shrink: walsim shrink --seed %s %s --out regression.scn\n", seed.c_str(),
                flags.c_str());
  }
}

struct TortureFlags {
  WorkloadFlags workload;
  std::string seeds = "0:1000";
  std::string shard = "0/1";
  bool stop_on_failure = false;
  bool check_determinism = false;
};

void RunTortureCommand(const TortureFlags& flags) {
  Result<scenarios::SeedRange> range = scenarios::ParseSeedRange(flags.seeds);
  if (!range.ok()) return SetExitCode(ReportError("torture --seeds", range.status()));
  Result<scenarios::Shard> shard = scenarios::ParseShard(flags.shard);
  if (!shard.ok()) return SetExitCode(ReportError("torture --shard", shard.status()));
  scenarios::TortureOptions options;
  options.workload = ToOptions(flags.workload);
  options.check_determinism = flags.check_determinism;
  uint64_t done_count = 0;
  uint64_t failed_count = 0;
  const scenarios::TortureSummary summary =
      scenarios::RunTorture(*range, *shard, options, [&](const scenarios::TortureOutcome& outcome) {
        done_count++;
        if (outcome.failed()) {
          failed_count++;
          PrintFailure(outcome, options.workload);
          std::fflush(stdout);
        }
        if (done_count % kProgressSeedCount == 0) {
          std::fprintf(stderr,
                       "torture: %" PRIu64 " seeds, %" PRIu64 " failed, last seed %" PRIu64 "\n",
                       done_count, failed_count, outcome.seed);
        }
        return !(outcome.failed() && flags.stop_on_failure);
      });
  std::printf("%" PRIu64 " passed, %" PRIu64 " failed\n", summary.passed_count,
              summary.failed_count);
  SetExitCode(summary.failed_count > 0 ? kExitFailure : kExitOk);
}

struct ReplayFlags {
  WorkloadFlags workload;
  uint64_t seed = 0;
  bool script = false;
  bool trace = false;
  bool no_run = false;
};

void RunReplayCommand(const ReplayFlags& flags) {
  const scenarios::WorkloadOptions options = ToOptions(flags.workload);
  const scenarios::Script script = scenarios::GenerateWorkload(flags.seed, options);
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

struct ShrinkFlags {
  WorkloadFlags workload;
  uint64_t seed = 0;
  std::string out;
  size_t run_count_max = scenarios::kShrinkRunCountMax;
};

void RunShrinkCommand(const ShrinkFlags& flags) {
  Result<std::string> path = NormalizeUserPath(flags.out);
  if (!path.ok()) return SetExitCode(ReportError("shrink --out", path.status()));
  scenarios::TortureOptions options;
  options.workload = ToOptions(flags.workload);
  const scenarios::TortureOutcome outcome = scenarios::RunSeed(flags.seed, options);
  if (outcome.status != scenarios::TortureStatus::kViolation) {
    return SetExitCode(ReportError(
        "shrink", Status::FailedPrecondition(
                      "seed " + std::to_string(flags.seed) + " reports no violation with " +
                      scenarios::WorkloadFlags(options.workload) +
                      (outcome.failed() ? " (" + outcome.verdict + ")" : ""))));
  }
  const scenarios::Script script = scenarios::GenerateWorkload(flags.seed, options.workload);
  Result<scenarios::ShrinkResult> shrunk = scenarios::Shrink(
      script, outcome.invariant, scenarios::ShrinkOptions{.run_count_max = flags.run_count_max});
  if (!shrunk.ok()) return SetExitCode(ReportError("shrink", shrunk.status()));
  const std::string text = scenarios::RenderRegression(
      *shrunk, {flags.seed, scenarios::WorkloadFlags(options.workload)});
  std::ofstream file(*path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) return SetExitCode(ReportError("shrink", Status::IoError("cannot write " + *path)));
  std::printf("wrote %s: %zu blocks (from %zu, %zu runs)\n", path->c_str(),
              shrunk->script.blocks.size(), shrunk->original_block_count, shrunk->run_count);
  std::printf("block %zu: %s\n", shrunk->failure.block_number, shrunk->failure.verdict.c_str());
  SetExitCode(kExitOk);
}

}  // namespace

void AddTortureCommands(CLI::App& app) {
  auto torture = std::make_shared<TortureFlags>();
  CLI::App* command = app.add_subcommand("torture",
                                         "Run seeded random workloads under faults "
                                         "and crashes; print failing seeds");
  command->add_option("--seeds", torture->seeds, "Seed range A:B (B excluded)");
  command->add_option("--shard", torture->shard, "Run only the seeds equal to I modulo N (I/N)");
  AddWorkloadFlags(command, &torture->workload);
  command->add_flag("--stop-on-failure", torture->stop_on_failure, "Stop at the first failure");
  command->add_flag("--check-determinism", torture->check_determinism,
                    "Run each seed twice and compare trace hashes");
  command->callback([torture] { RunTortureCommand(*torture); });

  auto replay = std::make_shared<ReplayFlags>();
  command = app.add_subcommand("replay", "Rerun one torture seed exactly");
  command->add_option("--seed", replay->seed, "The seed")->required();
  AddWorkloadFlags(command, &replay->workload);
  command->add_flag("--script", replay->script, "Print the generated script with its outputs");
  command->add_flag("--trace", replay->trace, "Print the simulated disk's trace");
  command->add_flag("--no-run", replay->no_run,
                    "Print the generated script without running it (empty outputs)");
  command->callback([replay] { RunReplayCommand(*replay); });

  auto shrink = std::make_shared<ShrinkFlags>();
  command = app.add_subcommand("shrink",
                               "Shrink a failing torture seed to a small regression script (.scn)");
  command->add_option("--seed", shrink->seed, "The failing seed")->required();
  AddWorkloadFlags(command, &shrink->workload);
  command->add_option("--out", shrink->out, "The regression script to write")->required();
  command->add_option("--max-runs", shrink->run_count_max, "Candidate runs at most")
      ->check(CLI::Range(size_t{1}, scenarios::kShrinkRunCountMax * 100));
  command->callback([shrink] { RunShrinkCommand(*shrink); });
}

}  // namespace walsim::tools
