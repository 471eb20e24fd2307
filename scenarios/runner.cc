#include "scenarios/runner.h"

#include "scenarios/commands/command.h"
#include "scenarios/world/env.h"

namespace walsim::scenarios {
namespace {

Status LineError(const Script& script, const ScriptBlock& block, std::string_view message) {
  return Status::InvalidArgument(script.file_name + ":" + std::to_string(block.command_line) +
                                 ": " + std::string(message));
}

// Runs one block; its output goes to *output.
Status RunBlock(const Script& script, const ScriptBlock& block, ScenarioEnv& env,
                std::string* output) {
  const CommandSpec* spec = FindCommand(block.name);
  if (spec == nullptr) {
    return LineError(script, block, "unknown command \"" + block.name + "\"");
  }
  ArgReader args(block);
  CommandOutput out;
  Status ran = spec->run(env, args, out);
  if (!ran.ok()) return LineError(script, block, block.name + ": " + ran.message());
  if (env.RecoverFromFaultCrash()) {
    // A rule's crash effect: the process died in the middle of the command.
    out.Line(
        "crashed model=" + std::string(sim::CrashModelName(env.sim_view().options().crash_model)) +
        " (fault rule)");
  }
  WALSIM_ASSERT(!env.fault_fs().crashed());
  *output = out.Text();
  return Status::Ok();
}

}  // namespace

Result<ScriptRun> RunScript(const Script& script, const RunOptions& options) {
  ScenarioEnv env(options.trace);
  if (options.crash_choices != nullptr) env.set_crash_choices(options.crash_choices);
  ScriptRun run;
  run.outputs.reserve(script.blocks.size());
  run.block_op_counts.reserve(script.blocks.size());
  for (size_t b = 0; b < script.blocks.size(); b++) {
    env.set_op_number(b + 1);
    std::string output;
    WALSIM_RETURN_IF_ERROR(RunBlock(script, script.blocks[b], env, &output));
    env.NoteBlockDone();
    run.outputs.push_back(std::move(output));
    run.block_op_counts.push_back(env.fault_fs().op_count());
  }
  WALSIM_ASSERT(run.outputs.size() == script.blocks.size());
  run.seed = env.sim_view().options().seed;
  run.trace_hash = env.sim_view().trace_hash();
  run.probe_counts = env.probe_counts();
  if (options.trace) {
    run.trace_lines = env.sim_view().trace();
    // Say so rather than end a long trace silently short.
    if (uint64_t dropped = env.sim_view().trace_lines_dropped(); dropped > 0) {
      run.trace_lines.push_back(
          "... " + std::to_string(dropped) + " later lines not kept (at most " +
          std::to_string(sim::Trace::kTraceLinesMax) + " are; trace_hash covers them all)");
    }
  }
  return run;
}

std::string DiffRun(const Script& script, const ScriptRun& run) {
  WALSIM_ASSERT(run.outputs.size() == script.blocks.size());
  std::string diff;
  for (size_t b = 0; b < script.blocks.size(); b++) {
    const ScriptBlock& block = script.blocks[b];
    if (block.expected == run.outputs[b]) continue;
    diff += script.file_name + ":" + std::to_string(block.command_line) + ": " +
            block.command_text + "\n";
    // The expected output starts after the command and its "----" line.
    diff += UnifiedDiff(block.expected, run.outputs[b], block.command_line + 2);
  }
  return diff;
}

}  // namespace walsim::scenarios
