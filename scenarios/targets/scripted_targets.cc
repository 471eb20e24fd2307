// The scripted targets: the WAL, the LogStore, LogCache over the LogStore,
// and both stores in one workload. Their operations are the workload
// generator's (scenarios/search/workload.h), open/crash/recover/close are
// the script commands (scenarios/commands/), their models WalModel and
// LogModel and their invariants the checker's (scenarios/model/), all run by
// the scenario runner; a failing seed shrinks to a regression script.
#include <string>

#include "base/hash.h"
#include "base/rng.h"
#include "scenarios/runner.h"
#include "scenarios/search/shrink.h"
#include "scenarios/targets/target.h"

namespace walsim::targets {
namespace {

using scenarios::WorkloadComponent;

// LogCache sizes the logcache target draws for a log-open without cache=.
constexpr uint64_t kLogCacheSizesLogs[] = {1, 4, 16, 64};

class ScriptedTarget : public Target {
 public:
  ScriptedTarget(std::string_view name, std::string_view description, WorkloadComponent component,
                 bool cache_always)
      : name_(name),
        description_(description),
        component_(component),
        cache_always_(cache_always) {}

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }

  std::optional<scenarios::Script> Workload(uint64_t seed,
                                            const TargetOptions& options) const override {
    scenarios::WorkloadOptions workload = options.workload;
    workload.component = component_;
    scenarios::Script script = scenarios::GenerateWorkload(seed, workload);
    if (cache_always_) script = WithCache(seed, script);
    return script;
  }

  TargetRun Run(uint64_t seed, const TargetOptions& options, bool keep_trace) const override {
    TargetRun result;
    result.outcome.seed = seed;
    const scenarios::Script script = *Workload(seed, options);
    Result<scenarios::ScriptRun> run =
        scenarios::RunScript(script, scenarios::TraceOptions(keep_trace));
    if (!run.ok()) {
      result.outcome.status = scenarios::TortureStatus::kRunError;
      result.outcome.verdict = "run error (a generator bug): " + run.status().ToString();
      return result;
    }
    result.outcome.trace_hash = run->trace_hash;
    result.outcome.probe_counts = run->probe_counts;
    result.trace_lines = std::move(run->trace_lines);
    result.output_hash = kFnv1a64Offset;
    for (const std::string& output : run->outputs) {
      result.output_hash = Fnv1a64Extend(result.output_hash, output + "\n");
    }
    if (scenarios::FindViolation(script, *run, &result.outcome)) {
      result.outcome.status = scenarios::TortureStatus::kViolation;
    }
    return result;
  }

  Result<ShrunkSeed> Shrink(uint64_t seed, const TargetOptions& options,
                            const std::string& invariant, size_t run_count_max) const override {
    WALSIM_ASSIGN_OR_RETURN(
        scenarios::ShrinkResult shrunk,
        scenarios::Shrink(*Workload(seed, options), invariant,
                          scenarios::ShrinkOptions{.run_count_max = run_count_max}));
    ShrunkSeed out;
    out.file_name = "regression.scn";
    out.file_text = scenarios::RenderRegression(
        shrunk, {seed, "--target " + std::string(name_) + " " + Flags(seed, options)});
    out.summary = std::to_string(shrunk.script.blocks.size()) + " blocks (from " +
                  std::to_string(shrunk.original_block_count) + ", " +
                  std::to_string(shrunk.run_count) + " runs); block " +
                  std::to_string(shrunk.failure.block_number) + ": " + shrunk.failure.verdict;
    return out;
  }

  // The workload flags without --component (the target decides it).
  std::string Flags(uint64_t /*seed*/, const TargetOptions& options) const override {
    scenarios::WorkloadOptions workload = options.workload;
    workload.component = component_;
    std::string flags = scenarios::WorkloadFlags(workload);
    const std::string component =
        "--component " + std::string(scenarios::WorkloadComponentName(component_));
    if (const size_t at = flags.find(component); at != std::string::npos) {
      flags.erase(at, component.size() + (at + component.size() < flags.size() ? 1 : 0));
    }
    while (!flags.empty() && flags.back() == ' ') flags.pop_back();
    return flags;
  }

 private:
  // Every log-open gets a LogCache: its own cache= if it has one, else a
  // size drawn from the seed (a stream of its own, so the workload's draws
  // stay those of the logstore target).
  static scenarios::Script WithCache(uint64_t seed, const scenarios::Script& script) {
    Rng rng = Rng(seed).Stream("targets/logcache");
    scenarios::Script out = script;
    bool changed = false;
    for (scenarios::ScriptBlock& block : out.blocks) {
      if (block.name != "log-open") continue;
      bool has_cache = false;
      for (const scenarios::ScriptArg& arg : block.args)
        has_cache = has_cache || arg.key == "cache";
      if (has_cache) continue;
      std::vector<scenarios::ScriptArg> args = block.args;
      args.push_back(
          {"cache", std::to_string(kLogCacheSizesLogs[rng.Below(std::size(kLogCacheSizesLogs))])});
      std::vector<std::string> preamble = std::move(block.preamble);
      block = scenarios::MakeBlock(block.name, std::move(args));
      block.preamble = std::move(preamble);
      changed = true;
    }
    return changed ? scenarios::Reparse(out) : out;
  }

  std::string_view name_;
  std::string_view description_;
  WorkloadComponent component_;
  bool cache_always_;
};

}  // namespace

const Target& WalTarget() {
  static const ScriptedTarget kTarget(
      "wal", "the etcd-compatible WAL (wal/): saves, cuts, snapshots, purges, crashes, repair",
      WorkloadComponent::kWal, false);
  return kTarget;
}

const Target& LogStoreTarget() {
  static const ScriptedTarget kTarget(
      "logstore", "the raft LogStore (logstore/ SegmentStore): batches, deletes, gets, crashes",
      WorkloadComponent::kLogStore, false);
  return kTarget;
}

const Target& LogCacheTarget() {
  static const ScriptedTarget kTarget(
      "logcache", "LogCache over the LogStore: the logstore workload with a cache on every open",
      WorkloadComponent::kLogStore, true);
  return kTarget;
}

const Target& BothTarget() {
  static const ScriptedTarget kTarget(
      "both", "the WAL and the LogStore in one workload on one disk (faults hit either)",
      WorkloadComponent::kBoth, false);
  return kTarget;
}

}  // namespace walsim::targets
