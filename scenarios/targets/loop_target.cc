#include "scenarios/targets/loop_target.h"

#include "base/hash.h"

namespace walsim::targets {
namespace {

// Rounds of ShrinkLoopSeed over all size params, at most.
constexpr size_t kShrinkRoundCountMax = 4;

std::string InvariantOf(const EngineOutcome& outcome) {
  if (outcome.corrupt_recovery_count > 0) return "integrity";
  if (outcome.lost_acked_unit_count > 0) return "durable";
  return "exact";
}

void AddProbe(TargetRun* run, const std::string& name, uint64_t count) {
  if (count > 0) run->outcome.probe_counts[name] += count;
}

uint64_t OutcomeHash(const EngineOutcome& outcome) {
  uint64_t hash = Fnv1a64(EngineVerdictName(outcome.verdict));
  hash = Fnv1a64Extend(hash, outcome.detail + "\n");
  for (const std::string& event : outcome.events) hash = Fnv1a64Extend(hash, event + "\n");
  const uint64_t counts[] = {outcome.crash_count,
                             outcome.acked_unit_count,
                             outcome.lost_acked_unit_count,
                             outcome.corrupt_recovery_count,
                             outcome.unsynced_loss_count,
                             outcome.not_prefix_count,
                             outcome.paranoid_refusal_count,
                             static_cast<uint64_t>(outcome.deepest_level)};
  for (const uint64_t count : counts) hash = Fnv1a64Extend(hash, std::to_string(count) + ",");
  return hash;
}

}  // namespace

TargetRun ToTargetRun(const EngineOutcome& outcome, const std::string& setting,
                      const std::string& probe_prefix, bool keep_trace) {
  TargetRun run;
  run.outcome.seed = outcome.seed;
  run.outcome.trace_hash = outcome.trace_hash;
  run.output_hash = OutcomeHash(outcome);
  run.notes = outcome.events;
  if (keep_trace) run.trace_lines = outcome.trace;
  AddProbe(&run, "engine/crash", outcome.crash_count);
  AddProbe(&run, "engine/acked-unit", outcome.acked_unit_count);
  AddProbe(&run, "engine/lost-acked-unit", outcome.lost_acked_unit_count);
  AddProbe(&run, "engine/corrupt-recovery", outcome.corrupt_recovery_count);
  AddProbe(&run, "engine/allowed-by-setting",
           outcome.verdict == EngineVerdict::kAllowedLoss ? 1 : 0);
  AddProbe(&run, probe_prefix + "/unsynced-loss", outcome.unsynced_loss_count);
  AddProbe(&run, probe_prefix + "/not-prefix", outcome.not_prefix_count);
  AddProbe(&run, probe_prefix + "/paranoid-refusal", outcome.paranoid_refusal_count);
  if (outcome.deepest_level > 0) {
    AddProbe(&run, probe_prefix + "/level-" + std::to_string(outcome.deepest_level), 1);
  }
  std::string setting_probe = probe_prefix + "/" + setting;
  for (char& c : setting_probe) c = c == ' ' ? ',' : c;
  AddProbe(&run, setting_probe, 1);
  switch (outcome.verdict) {
    case EngineVerdict::kPass:
    case EngineVerdict::kAllowedLoss:
      run.outcome.status = scenarios::TortureStatus::kPassed;
      break;
    case EngineVerdict::kViolation:
      run.outcome.status = scenarios::TortureStatus::kViolation;
      run.outcome.invariant = InvariantOf(outcome);
      run.outcome.verdict = "violated " + run.outcome.invariant + " at op 0: " + probe_prefix +
                            " " + setting + ": " + outcome.detail;
      break;
    case EngineVerdict::kHarnessError:
      run.outcome.status = scenarios::TortureStatus::kRunError;
      run.outcome.verdict =
          "run error (a harness bug): " + probe_prefix + " " + setting + ": " + outcome.detail;
      break;
  }
  return run;
}

Result<ShrunkSeed> ShrinkLoopSeed(const Target& target, uint64_t seed, const TargetOptions& options,
                                  const std::vector<ShrinkParam>& sizes,
                                  const std::string& invariant, size_t run_count_max) {
  size_t run_count = 0;
  auto fails = [&](const TargetOptions& candidate) {
    run_count++;
    const TargetRun run = target.Run(seed, candidate, false);
    return run.outcome.status == scenarios::TortureStatus::kViolation &&
           run.outcome.invariant == invariant;
  };
  if (!fails(options)) {
    return Status::FailedPrecondition("seed " + std::to_string(seed) + " does not violate " +
                                      invariant + " on target " + std::string(target.name()));
  }
  TargetOptions best = options;
  const std::string before = target.Flags(seed, options);
  // Rounds over the params until none moves: a smaller one may let another
  // shrink further (fewer writes make the failure come at an earlier crash).
  for (size_t round = 0; round < kShrinkRoundCountMax; round++) {
    bool moved = false;
    for (const ShrinkParam& size : sizes) {
      const uint64_t before_value = std::stoull(ParamValue(target, best, size.name));
      uint64_t hi = before_value;    // fails at hi
      uint64_t lo = size.min_value;  // lowest untried
      while (lo < hi && run_count < run_count_max) {
        const uint64_t mid = lo + (hi - lo) / 2;
        TargetOptions candidate = best;
        candidate.params[size.name] = std::to_string(mid);
        if (fails(candidate)) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      best.params[size.name] = std::to_string(hi);
      moved = moved || hi != before_value;
    }
    if (!moved) break;
  }
  const TargetRun last = target.Run(seed, best, false);
  WALSIM_ASSERT(last.outcome.invariant == invariant);
  ShrunkSeed out;
  out.file_name = "shrunk.txt";
  const std::string replay = "walsim replay --seed " + std::to_string(seed) + " --target " +
                             std::string(target.name()) + " " + target.Flags(seed, best);
  out.summary = "shrunk in " + std::to_string(run_count) + " runs to: " + replay;
  out.file_text = "# Shrunk failure of seed " + std::to_string(seed) + " on target " +
                  std::string(target.name()) +
                  " (a loop target has no script: shrinking lowers its size params).\n"
                  "# Before: --target " +
                  std::string(target.name()) + " " + before +
                  "\n# Verdict: " + last.outcome.verdict + "\n" + replay + "\n";
  return out;
}

}  // namespace walsim::targets
