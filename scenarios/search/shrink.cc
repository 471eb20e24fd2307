#include "scenarios/search/shrink.h"

#include <algorithm>

#include "scenarios/search/workload.h"

namespace walsim::scenarios {
namespace {

// Runs candidates against the failure signature, within the run budget.
class Shrinker {
 public:
  Shrinker(std::string invariant, size_t run_count_max)
      : invariant_(std::move(invariant)), run_count_max_(run_count_max) {}

  // True when candidate violates the invariant; then it becomes the best
  // script so far, cut after its first violation.
  bool TryCandidate(const Script& candidate);
  // Judges a run of candidate; keeps candidate when it violates the invariant.
  bool Accept(const Script& candidate, ScriptRun run);
  bool budget_left() const { return run_count_ < run_count_max_; }

  // The shrinking passes; each returns whether it made progress.
  bool RemoveChunks();
  bool SimplifyBlocks();

  Script best;
  ScriptRun best_run;
  TortureOutcome best_failure;
  size_t run_count_ = 0;

 private:
  bool TryReplaceBlock(size_t b, std::vector<ScriptArg> args);

  const std::string invariant_;
  const size_t run_count_max_;
};

bool Shrinker::TryCandidate(const Script& candidate) {
  if (!budget_left()) return false;
  run_count_++;
  Result<ScriptRun> run = RunScript(candidate);
  if (!run.ok()) return false;  // a variant the runner rejects is no smaller failure
  return Accept(candidate, std::move(run).value());
}

bool Shrinker::Accept(const Script& candidate, ScriptRun run) {
  TortureOutcome failure;
  if (!FindViolation(candidate, run, &failure) || failure.invariant != invariant_) return false;
  // Blocks after the first violation cannot have caused it: drop them.
  best = candidate;
  best.blocks.resize(failure.block_number);
  best_run = std::move(run);
  best_run.outputs.resize(failure.block_number);
  best_failure = std::move(failure);
  return true;
}

// ddmin over the blocks after the kept `disk` block: remove chunks of
// halving size; a removal that keeps the failure is kept.
bool Shrinker::RemoveChunks() {
  const size_t keep_count = !best.blocks.empty() && best.blocks[0].name == "disk" ? 1 : 0;
  bool progress = false;
  size_t chunk_size = std::max<size_t>((best.blocks.size() - keep_count) / 2, 1);
  for (size_t pass_count = 0; budget_left(); pass_count++) {
    WALSIM_ASSERT(pass_count <= kScriptBlockCountMax);
    bool removed_any = false;
    for (size_t start = keep_count; start < best.blocks.size() && budget_left();) {
      Script candidate = best;
      const size_t end = std::min(start + chunk_size, candidate.blocks.size());
      candidate.blocks.erase(candidate.blocks.begin() + static_cast<ptrdiff_t>(start),
                             candidate.blocks.begin() + static_cast<ptrdiff_t>(end));
      if (!candidate.blocks.empty() && TryCandidate(candidate)) {
        removed_any = true;  // the same start now names the next chunk
      } else {
        start += chunk_size;
      }
    }
    progress = progress || removed_any;
    if (!removed_any) {
      if (chunk_size == 1) break;
      chunk_size /= 2;
    }
  }
  return progress;
}

bool Shrinker::TryReplaceBlock(size_t b, std::vector<ScriptArg> args) {
  Script candidate = best;
  ScriptBlock block = MakeBlock(best.blocks[b].name, std::move(args));
  block.preamble = best.blocks[b].preamble;
  block.command_line = best.blocks[b].command_line;
  candidate.blocks[b] = std::move(block);
  return TryCandidate(candidate);
}

// The variants of one argument list that are cheaper to read: a batch of
// one entry, no large payload, a fault rule without its after= trigger.
std::vector<std::vector<ScriptArg>> Variants(const ScriptBlock& block) {
  std::vector<std::vector<ScriptArg>> variants;
  for (size_t i = 0; i < block.args.size(); i++) {
    const ScriptArg& arg = block.args[i];
    std::vector<ScriptArg> variant = block.args;
    if (arg.key == "bytes") {
      variant.erase(variant.begin() + static_cast<ptrdiff_t>(i));
      variants.push_back(std::move(variant));
    } else if (arg.key == "entries" && arg.value.find("..") != std::string::npos) {
      variant[i].value = arg.value.substr(0, arg.value.find(".."));
      variants.push_back(std::move(variant));
    } else if (block.name == "log-store" && arg.key == "count" && arg.value != "1") {
      variant[i].value = "1";
      variants.push_back(std::move(variant));
    } else if (arg.key == "rule" && arg.value.find(" after=") != std::string::npos) {
      const size_t at = arg.value.find(" after=");
      const size_t end = arg.value.find(' ', at + 1);
      if (end == std::string::npos) continue;  // not a rule the generator wrote
      variant[i].value = arg.value.substr(0, at) + arg.value.substr(end);
      variants.push_back(std::move(variant));
    }
  }
  return variants;
}

bool Shrinker::SimplifyBlocks() {
  bool progress = false;
  for (size_t b = 0; b < best.blocks.size() && budget_left(); b++) {
    for (std::vector<ScriptArg>& variant : Variants(best.blocks[b])) {
      // A kept variant may have cut the script short.
      if (b >= best.blocks.size()) break;
      if (TryReplaceBlock(b, std::move(variant))) progress = true;
    }
  }
  return progress;
}

// The output lines of a block that are not violations.
std::string WithoutViolations(std::string_view output) {
  std::string kept;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string_view::npos) end = output.size();
    const std::string_view line = output.substr(start, end - start);
    if (ViolatedInvariant(line).empty()) {
      if (!kept.empty()) kept += '\n';
      kept += line;
    }
    start = end + 1;
  }
  return kept;
}

}  // namespace

Result<ShrinkResult> Shrink(const Script& failing, std::string_view invariant,
                            const ShrinkOptions& options) {
  WALSIM_ASSERT(options.run_count_max >= 1);
  Result<ScriptRun> first_run = RunScript(failing);
  if (!first_run.ok()) return first_run.status();
  Shrinker shrinker{std::string(invariant), options.run_count_max};
  shrinker.run_count_ = 1;
  if (!shrinker.Accept(failing, std::move(first_run).value())) {
    return Status::FailedPrecondition("the script does not violate \"" + std::string(invariant) +
                                      "\"; nothing to shrink");
  }
  for (size_t round = 0; round < kShrinkRoundCountMax && shrinker.budget_left(); round++) {
    const bool removed = shrinker.RemoveChunks();
    const bool simplified = shrinker.SimplifyBlocks();
    if (!removed && !simplified) break;
  }
  ShrinkResult result;
  result.script = Reparse(shrinker.best);
  result.run = std::move(shrinker.best_run);
  result.failure = std::move(shrinker.best_failure);
  result.failure.block_line = result.script.blocks[result.failure.block_number - 1].command_line;
  result.original_block_count = failing.blocks.size();
  result.run_count = shrinker.run_count_;
  WALSIM_ASSERT(result.script.blocks.size() <= failing.blocks.size());
  WALSIM_ASSERT(result.run.outputs.size() == result.script.blocks.size());
  return result;
}

std::string RenderRegression(const ShrinkResult& result, const RegressionOrigin& origin) {
  WALSIM_ASSERT(!result.script.blocks.empty());
  const std::string flags = origin.workload_flags.empty() ? "" : " " + origin.workload_flags;
  const ScriptBlock& failing = result.script.blocks[result.failure.block_number - 1];
  std::vector<std::string> header = {
      "# Regression found by `walsim torture`: seed " + std::to_string(origin.seed) +
          ", shrunk "
          "from " +
          std::to_string(result.original_block_count) + " blocks to " +
          std::to_string(result.script.blocks.size()) + ".",
      "# It violates \"" + result.failure.invariant + "\" at block " +
          std::to_string(result.failure.block_number) + " (`" + failing.command_text + "`):",
      "#   " + result.failure.verdict,
      "# Reproduce the original run: walsim replay --seed " + std::to_string(origin.seed) + flags +
          " --script",
      "# Run this file:              walsim run <this file>",
      "# The expected outputs are what the run printed MINUS the violation, so this",
      "# script fails until the bug is fixed; then review and record the fixed output",
      "# with `walsim run --rewrite <this file>`.",
      "",
  };
  Script script = result.script;
  script.blocks[0].preamble.insert(script.blocks[0].preamble.begin(), header.begin(), header.end());
  std::vector<std::string> expected;
  expected.reserve(result.run.outputs.size());
  for (const std::string& output : result.run.outputs)
    expected.push_back(WithoutViolations(output));
  return RenderScript(script, expected);
}

}  // namespace walsim::scenarios
