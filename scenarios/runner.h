// The scenario runner: executes a Script (scenarios/script/script.h) block by block
// in a fresh ScenarioEnv (scenarios/world/env.h) and compares each block's output
// with what the script expects.
//
// A run is a pure function of the script: the same script gives the same
// outputs and the same trace hash of the simulated disk (the determinism
// invariant; tests/scenarios/runner_test.cc replays one). The op number in
// every model record and verdict is the block's 1-based index in the script.
// Every block runs once, in order: a `fault` command adds its rule to the
// running plan (scenarios/world/env.h).
//
// Failure: a malformed command (unknown name, unknown or unparsable
// argument, `disk` after the disk was used) fails the whole run with
// kInvalidArgument "<file>:<line>: <message>". An operation that fails inside
// the scenario is output, never a run failure.
// Single-threaded; no I/O besides the simulated disk.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "scenarios/model/checker.h"
#include "scenarios/script/script.h"
#include "sim/crash_choices.h"

namespace walsim::scenarios {

struct RunOptions {
  bool trace = false;  // keep the disk's trace lines in ScriptRun::trace_lines
  // When set, the disk's crashes take their decisions from it
  // (sim/crash_choices.h), not from the disk's seed. Not owned.
  sim::CrashChoices* crash_choices = nullptr;
};

// RunOptions that keep the trace lines when trace is true.
inline RunOptions TraceOptions(bool trace) {
  RunOptions options;
  options.trace = trace;
  return options;
}

struct ScriptRun {
  std::vector<std::string> outputs;      // one per block, lines joined by '\n'
  uint64_t seed = 0;                     // the disk's seed
  uint64_t trace_hash = 0;               // HashLine over the disk's whole trace (sim/trace.h)
  std::vector<std::string> trace_lines;  // with RunOptions::trace
  // Per block: the FaultFs operations numbered up to its end (fault rules'
  // nth= counts these; the operations of `check` are not numbered).
  std::vector<uint64_t> block_op_counts;
  // Coverage probes hit in the run (scenarios/world/probes.h), by name.
  std::map<std::string, uint64_t, std::less<>> probe_counts;
};

Result<ScriptRun> RunScript(const Script& script, const RunOptions& options = {});

// For every block whose output differs from its expected output:
// "<file>:<line>: <command>\n" and a unified diff naming the script's lines.
// Empty when every block matches. REQUIRES: run.outputs.size() == script.blocks.size().
std::string DiffRun(const Script& script, const ScriptRun& run);

}  // namespace walsim::scenarios
