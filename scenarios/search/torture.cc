#include "scenarios/search/torture.h"

#include <charconv>

#include "scenarios/model/checker.h"

namespace walsim::scenarios {
namespace {

constexpr std::string_view kViolated = "violated ";
constexpr std::string_view kAtOp = " at op ";

bool ParseU64(std::string_view text, uint64_t* value) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

// The violation lines of one block's output: the first one wins.
std::string_view FirstViolationLine(std::string_view output) {
  size_t start = 0;
  for (size_t line_count = 0; start < output.size(); line_count++) {
    WALSIM_ASSERT(line_count <= output.size());
    size_t end = output.find('\n', start);
    if (end == std::string_view::npos) end = output.size();
    std::string_view line = output.substr(start, end - start);
    if (!ViolatedInvariant(line).empty()) return line;
    start = end + 1;
  }
  return {};
}

}  // namespace

std::string ViolatedInvariant(std::string_view line) {
  const size_t at = line.find(kViolated);
  if (at == std::string_view::npos) return "";
  const std::string_view rest = line.substr(at + kViolated.size());
  const size_t op = rest.find(kAtOp);
  if (op == std::string_view::npos) return "";
  return std::string(rest.substr(0, op));
}

bool FindViolation(const Script& script, const ScriptRun& run, TortureOutcome* outcome) {
  WALSIM_ASSERT(run.outputs.size() == script.blocks.size());
  for (size_t b = 0; b < run.outputs.size(); b++) {
    const std::string_view line = FirstViolationLine(run.outputs[b]);
    if (line.empty()) continue;
    outcome->block_number = b + 1;
    outcome->block_line = script.blocks[b].command_line;
    outcome->verdict = std::string(line);
    outcome->invariant = ViolatedInvariant(line);
    WALSIM_ASSERT(!outcome->invariant.empty());
    return true;
  }
  return false;
}

TortureOutcome RunSeed(uint64_t seed, const TortureOptions& options) {
  TortureOutcome outcome;
  outcome.seed = seed;
  const Script script = GenerateWorkload(seed, options.workload);
  Result<ScriptRun> run = RunScript(script);
  if (!run.ok()) {
    outcome.status = TortureStatus::kRunError;
    outcome.verdict = "run error (a generator bug): " + run.status().ToString();
    return outcome;
  }
  outcome.trace_hash = run->trace_hash;
  outcome.probe_counts = run->probe_counts;
  if (FindViolation(script, *run, &outcome)) {
    outcome.status = TortureStatus::kViolation;
    return outcome;
  }
  if (options.check_determinism) {
    Result<ScriptRun> replay = RunScript(script);
    const Verdict verdict = CheckDeterministic(seed, run->trace_hash,
                                               replay.ok() ? replay->trace_hash : ~run->trace_hash);
    if (!verdict.ok() || !replay.ok() || replay->outputs != run->outputs) {
      outcome.status = TortureStatus::kNondeterministic;
      outcome.invariant = std::string(InvariantName(Invariant::kDeterministic));
      outcome.verdict = verdict.ok()
                            ? "violated deterministic at op 0: seed " + std::to_string(seed) +
                                  " gave the same trace hash but other outputs"
                            : verdict.ToString();
    }
  }
  return outcome;
}

Result<SeedRange> ParseSeedRange(std::string_view text) {
  const size_t colon = text.find(':');
  SeedRange range;
  if (colon == std::string_view::npos || !ParseU64(text.substr(0, colon), &range.first) ||
      !ParseU64(text.substr(colon + 1), &range.end) || range.first >= range.end) {
    return Status::InvalidArgument("seed range \"" + std::string(text) +
                                   "\" is not A:B with A < B (B excluded)");
  }
  if (range.end - range.first > kTortureSeedCountMax) {
    return Status::InvalidArgument("seed range \"" + std::string(text) + "\" holds more than " +
                                   std::to_string(kTortureSeedCountMax) + " seeds");
  }
  return range;
}

Result<Shard> ParseShard(std::string_view text) {
  const size_t slash = text.find('/');
  Shard shard;
  if (slash == std::string_view::npos || !ParseU64(text.substr(0, slash), &shard.index) ||
      !ParseU64(text.substr(slash + 1), &shard.count) || shard.count == 0 ||
      shard.count > kShardCountMax || shard.index >= shard.count) {
    return Status::InvalidArgument(
        "shard \"" + std::string(text) +
        "\" is not I/N with 0 <= I < N <= " + std::to_string(kShardCountMax));
  }
  return shard;
}

TortureSummary RunTorture(const SeedRange& range, const Shard& shard, const TortureOptions& options,
                          const std::function<bool(const TortureOutcome&)>& on_outcome) {
  WALSIM_ASSERT(shard.count > 0 && shard.index < shard.count);
  WALSIM_ASSERT(range.first < range.end && range.end - range.first <= kTortureSeedCountMax);
  TortureSummary summary;
  // The first seed of the range in the shard, then every shard.count-th.
  const uint64_t offset = (shard.index + shard.count - range.first % shard.count) % shard.count;
  for (uint64_t seed = range.first + offset; seed < range.end && seed >= range.first;
       seed += shard.count) {
    WALSIM_ASSERT(seed % shard.count == shard.index);
    const TortureOutcome outcome = RunSeed(seed, options);
    (outcome.failed() ? summary.failed_count : summary.passed_count)++;
    if (!on_outcome(outcome)) break;
    if (range.end - seed <= shard.count) break;  // the next seed would overflow or leave the range
  }
  return summary;
}

}  // namespace walsim::scenarios
