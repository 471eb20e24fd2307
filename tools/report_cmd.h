// `walsim report merge` and `walsim replay --report` (tools/report_cmd.cc):
// the commands that read torture reports and artifacts folders back
// (docs/torture.md, "Reports" and "Artifacts"). Registered by
// AddTortureCommands. Single-threaded (replay forks one worker).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace walsim::tools {

// `walsim report merge FILES... [--json OUT] [--junit OUT]`.
void AddReportCommands(CLI::App& app);

// `walsim replay --report DIR`: reruns the failure saved in DIR/verdict.json
// on this build. Exit code: 1 if it still fails, 0 if it passes now, 2 if
// DIR holds no readable verdict.json.
void RunReplayReport(const std::string& dir);

}  // namespace walsim::tools
