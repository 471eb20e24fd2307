// The scenario runner: executes a Script (scenarios/script.h) block by block
// in a fresh ScenarioEnv (scenarios/env.h) and compares each block's output
// with what the script expects.
//
// A run is a pure function of the script: the same script gives the same
// outputs and the same trace hash of the simulated disk (the determinism
// invariant; tests/scenarios/runner_test.cc replays one). The op number in
// every model record and verdict is the block's 1-based index in the script.
// A `fault` command that introduces a rule the run did not know restarts the
// run from the first block with that rule planned (env.h explains why); the
// outputs returned are those of the last, complete run.
//
// Failure: a malformed command (unknown name, unknown or unparsable
// argument, `disk` after the disk was used) fails the whole run with
// kInvalidArgument "<file>:<line>: <message>". An operation that fails inside
// the scenario is output, never a run failure.
// Single-threaded; no I/O besides the simulated disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "scenarios/checker.h"
#include "scenarios/script.h"

namespace walsim::scenarios {

struct RunOptions {
  bool trace = false;  // keep the disk's trace lines in ScriptRun::trace_lines
};

struct ScriptRun {
  std::vector<std::string> outputs;      // one per block, lines joined by '\n'
  uint64_t seed = 0;                     // the disk's seed
  uint64_t trace_hash = 0;               // HashLine over the disk's whole trace (sim/trace.h)
  std::vector<std::string> trace_lines;  // with RunOptions::trace
  size_t run_count = 0;                  // 1 + the restarts that learned fault rules
};

Result<ScriptRun> RunScript(const Script& script, const RunOptions& options = {});

// For every block whose output differs from its expected output:
// "<file>:<line>: <command>\n" and a unified diff naming the script's lines.
// Empty when every block matches. REQUIRES: run.outputs.size() == script.blocks.size().
std::string DiffRun(const Script& script, const ScriptRun& run);

}  // namespace walsim::scenarios
