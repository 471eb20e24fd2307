#include "scenarios/search/explore.h"

#include <charconv>
#include <set>

#include "scenarios/runner.h"
#include "scenarios/search/torture.h"

namespace walsim::scenarios {
namespace {

Result<ScriptBlock> MakeBlock(std::string command_text) {
  ScriptBlock block;
  WALSIM_RETURN_IF_ERROR(ParseCommandLine(command_text, &block.name, &block.args));
  block.command_text = std::move(command_text);
  return block;
}

// The script with its disk's crash model replaced (a `disk` block is added
// first when the script has none).
Result<Script> WithCrashModel(const Script& script, std::optional<sim::CrashModel> model) {
  Script result = script;
  if (!model.has_value()) return result;
  const std::string name(sim::CrashModelName(*model));
  if (result.blocks.empty() || result.blocks[0].name != "disk") {
    WALSIM_ASSIGN_OR_RETURN(ScriptBlock disk, MakeBlock("disk model=" + name));
    result.blocks.insert(result.blocks.begin(), std::move(disk));
    return result;
  }
  ScriptBlock& disk = result.blocks[0];
  std::erase_if(disk.args, [](const ScriptArg& arg) { return arg.key == "model"; });
  disk.args.push_back({"model", name});
  disk.command_text += " (model=" + name + ")";
  return result;
}

// The script that crashes at point: its blocks up to the one that issues
// operation point.op_number, with a rule that crashes just before it planned
// first, or all blocks and a `crash`; then `check`.
Result<Script> ScriptForPoint(const Script& script, const std::vector<uint64_t>& block_op_counts,
                              uint64_t op_number) {
  WALSIM_ASSERT(block_op_counts.size() == script.blocks.size());
  Script result;
  result.file_name = script.file_name;
  size_t block_end = script.blocks.size();
  if (op_number > 0) {
    WALSIM_ASSERT(!block_op_counts.empty() && op_number <= block_op_counts.back());
    block_end = 0;
    while (block_op_counts[block_end] < op_number) block_end++;  // bounded by the assert
    block_end++;
  }
  size_t first = 0;
  if (!script.blocks.empty() && script.blocks[0].name == "disk") {
    result.blocks.push_back(script.blocks[0]);
    first = 1;
  }
  if (op_number > 0) {
    WALSIM_ASSIGN_OR_RETURN(
        ScriptBlock fault,
        MakeBlock("fault rule=\"any * nth=" + std::to_string(op_number) + " crash\""));
    result.blocks.push_back(std::move(fault));
  }
  for (size_t b = first; b < block_end; b++) result.blocks.push_back(script.blocks[b]);
  if (op_number == 0) {
    WALSIM_ASSIGN_OR_RETURN(ScriptBlock crash, MakeBlock("crash"));
    result.blocks.push_back(std::move(crash));
  }
  WALSIM_ASSIGN_OR_RETURN(ScriptBlock check, MakeBlock("check"));
  result.blocks.push_back(std::move(check));
  return result;
}

// The crash points to explore: every operation, or points_max of them
// evenly spaced, and the end.
std::vector<uint64_t> PointsToExplore(uint64_t op_count, uint64_t points_max) {
  WALSIM_ASSERT(points_max >= 1);
  std::vector<uint64_t> points;
  const uint64_t op_points_max = points_max - 1;
  if (op_count <= op_points_max) {
    for (uint64_t op = 1; op <= op_count; op++) points.push_back(op);
  } else {
    for (uint64_t k = 0; k < op_points_max; k++) points.push_back(1 + k * op_count / op_points_max);
  }
  points.push_back(0);
  return points;
}

struct PointResult {
  uint64_t state_count = 0;
  bool exhaustive = false;
  std::optional<ExploreViolation> violation;
};

// Runs point_script once with path's decisions; records a first violation.
Status JudgeState(const Script& point_script, uint64_t op_number, DecisionPath* path,
                  std::set<std::vector<uint64_t>>* seen, PointResult* result,
                  ExploreReport* only_report = nullptr, bool trace = false) {
  RunOptions run_options;
  run_options.trace = trace;
  path->Rewind();
  run_options.crash_choices = path;
  WALSIM_ASSIGN_OR_RETURN(ScriptRun run, RunScript(point_script, run_options));
  if (only_report != nullptr) {
    only_report->only_outputs = run.outputs;
    only_report->only_trace_lines = std::move(run.trace_lines);
  }
  std::vector<uint64_t> choices = path->choices();
  seen->insert(choices);
  TortureOutcome outcome;
  if (result->violation.has_value() || !FindViolation(point_script, run, &outcome)) {
    return Status::Ok();
  }
  ExploreViolation violation;
  violation.point = CrashPoint{op_number, std::move(choices)};
  violation.block_number = outcome.block_number;
  violation.block_text = point_script.blocks[outcome.block_number - 1].command_text;
  violation.verdict = outcome.verdict;
  result->violation = std::move(violation);
  return Status::Ok();
}

// Depth first over the point's decision tree for half the budget, then
// seeded samples for the rest when the tree was not exhausted.
Result<PointResult> ExplorePoint(const Script& point_script, uint64_t op_number,
                                 const ExploreOptions& options) {
  PointResult result;
  std::set<std::vector<uint64_t>> seen;
  DecisionPath path;
  const uint64_t depth_first_max = std::max<uint64_t>(1, options.states_per_point_max / 2);
  for (uint64_t k = 0; k < depth_first_max; k++) {
    WALSIM_RETURN_IF_ERROR(JudgeState(point_script, op_number, &path, &seen, &result));
    if (!path.Advance()) {
      result.exhaustive = true;
      break;
    }
  }
  if (!result.exhaustive) {
    Rng sampler = Rng(options.seed).Stream("explore/" + std::to_string(op_number));
    for (uint64_t k = depth_first_max; k < options.states_per_point_max; k++) {
      path.Restart(&sampler);
      WALSIM_RETURN_IF_ERROR(JudgeState(point_script, op_number, &path, &seen, &result));
    }
  }
  result.state_count = seen.size();
  return result;
}

Status CheckOptions(const ExploreOptions& options) {
  if (options.states_per_point_max < 1 ||
      options.states_per_point_max > kExploreStatesPerPointMax) {
    return Status::InvalidArgument("states per point must be in [1, " +
                                   std::to_string(kExploreStatesPerPointMax) + "]");
  }
  if (options.points_max < 1 || options.points_max > kExplorePointsMax) {
    return Status::InvalidArgument("crash points must be in [1, " +
                                   std::to_string(kExplorePointsMax) + "]");
  }
  return Status::Ok();
}

}  // namespace

DecisionPath::DecisionPath(const std::vector<uint64_t>& choices) {
  WALSIM_ASSERT(choices.size() <= kDecisionPathLengthMax);
  // The option counts are learned when the run asks; until then, unbounded.
  for (uint64_t choice : choices) path_.push_back({choice, UINT64_MAX});
}

void DecisionPath::Restart(Rng* sampler) {
  path_.clear();
  depth_ = 0;
  sampler_ = sampler;
}

bool DecisionPath::Advance() {
  path_.resize(depth_);
  // Bounded: each pass pops one decision.
  while (!path_.empty() && path_.back().choice + 1 >= path_.back().option_count) path_.pop_back();
  if (path_.empty()) return false;
  path_.back().choice++;
  return true;
}

std::vector<uint64_t> DecisionPath::choices() const {
  std::vector<uint64_t> choices;
  choices.reserve(depth_);
  for (size_t k = 0; k < depth_; k++) choices.push_back(path_[k].choice);
  return choices;
}

uint64_t DecisionPath::Choose(uint64_t option_count) {
  WALSIM_ASSERT(option_count >= 1);
  WALSIM_ASSERT_MSG(depth_ < kDecisionPathLengthMax, "a crash made too many decisions");
  if (depth_ < path_.size()) {
    Decision& decision = path_[depth_++];
    // A replayed run asks the same questions; a choice given by hand that is
    // out of range is clamped to the last option.
    decision.option_count = option_count;
    decision.choice = std::min(decision.choice, option_count - 1);
    return decision.choice;
  }
  const uint64_t choice = sampler_ != nullptr ? sampler_->Below(option_count) : 0;
  path_.push_back({choice, option_count});
  depth_++;
  return choice;
}

Result<ExploreReport> Explore(const Script& script, const ExploreOptions& options) {
  WALSIM_RETURN_IF_ERROR(CheckOptions(options));
  WALSIM_ASSIGN_OR_RETURN(Script base, WithCrashModel(script, options.crash_model));
  WALSIM_ASSIGN_OR_RETURN(ScriptRun base_run, RunScript(base));
  ExploreReport report;
  report.op_count = base_run.block_op_counts.empty() ? 0 : base_run.block_op_counts.back();
  if (options.only.has_value()) {
    const CrashPoint& point = *options.only;
    if (point.op_number > report.op_count) {
      return Status::InvalidArgument("crash point " + std::to_string(point.op_number) +
                                     " is past the script's " + std::to_string(report.op_count) +
                                     " operations");
    }
    WALSIM_ASSIGN_OR_RETURN(Script point_script,
                            ScriptForPoint(base, base_run.block_op_counts, point.op_number));
    report.only_blocks.clear();
    for (const ScriptBlock& block : point_script.blocks)
      report.only_blocks.push_back(block.command_text);
    DecisionPath path(point.choices);
    std::set<std::vector<uint64_t>> seen;
    PointResult result;
    WALSIM_RETURN_IF_ERROR(
        JudgeState(point_script, point.op_number, &path, &seen, &result, &report, options.trace));
    report.point_count = 1;
    report.state_count = 1;
    if (result.violation.has_value()) report.violations.push_back(*std::move(result.violation));
    return report;
  }
  for (uint64_t op_number : PointsToExplore(report.op_count, options.points_max)) {
    WALSIM_ASSIGN_OR_RETURN(Script point_script,
                            ScriptForPoint(base, base_run.block_op_counts, op_number));
    WALSIM_ASSIGN_OR_RETURN(PointResult result, ExplorePoint(point_script, op_number, options));
    report.point_count++;
    report.exhaustive_point_count += result.exhaustive ? 1 : 0;
    report.state_count += result.state_count;
    if (result.violation.has_value()) report.violations.push_back(*std::move(result.violation));
  }
  return report;
}

Result<CrashPoint> ParseCrashPoint(std::string_view text) {
  auto invalid = [&] {
    return Status::InvalidArgument("crash point \"" + std::string(text) +
                                   "\" is not OP:CHOICES (\"17:0,1,2\" or \"end:\")");
  };
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return invalid();
  CrashPoint point;
  const std::string_view op = text.substr(0, colon);
  if (op != "end") {
    auto [end, error] = std::from_chars(op.data(), op.data() + op.size(), point.op_number);
    if (error != std::errc() || end != op.data() + op.size() || point.op_number == 0) {
      return invalid();
    }
  }
  std::string_view rest = text.substr(colon + 1);
  // Bounded: each pass consumes at least one character.
  while (!rest.empty()) {
    const size_t comma = std::min(rest.find(','), rest.size());
    const std::string_view item = rest.substr(0, comma);
    uint64_t choice = 0;
    auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), choice);
    if (item.empty() || error != std::errc() || end != item.data() + item.size()) return invalid();
    if (point.choices.size() >= kDecisionPathLengthMax) return invalid();
    point.choices.push_back(choice);
    rest.remove_prefix(std::min(comma + 1, rest.size()));
  }
  return point;
}

std::string FormatCrashPoint(const CrashPoint& point) {
  std::string text = point.op_number == 0 ? "end" : std::to_string(point.op_number);
  text += ':';
  for (size_t k = 0; k < point.choices.size(); k++) {
    if (k > 0) text += ',';
    text += std::to_string(point.choices[k]);
  }
  return text;
}

}  // namespace walsim::scenarios
