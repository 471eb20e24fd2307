// `walsim run SCRIPT... [--rewrite] [--trace]`: runs scenario scripts
// (scenarios/runner.h) and reports each as PASS or FAIL with a diff.
// (`walsim explore` is in tools/explore_cmd.cc.)
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "scenarios/runner.h"
#include "scenarios/script/script.h"
#include "tools/commands.h"

namespace walsim::tools {
namespace {

struct RunFlags {
  std::vector<std::string> scripts;
  bool rewrite = false;
  bool trace = false;
};

enum class Outcome : uint8_t { kPassed, kFailed, kMalformed };

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IoError("error writing " + path);
  return Status::Ok();
}

// Runs one script file; prints its verdict line: PASS, REWROTE, FAIL (with
// the diff) or ERROR (a malformed script, "<file>:<line>: ..."), and the
// trace first when asked.
Outcome RunOne(const std::string& path, const RunFlags& flags) {
  Result<std::string> text = ReadScriptFile(path);
  if (!text.ok()) {
    ReportError("run", text.status());
    return Outcome::kMalformed;
  }
  Result<scenarios::Script> script = scenarios::ParseScript(*text, path);
  if (!script.ok()) {
    std::printf("ERROR %s\n", script.status().message().c_str());
    return Outcome::kMalformed;
  }
  Result<scenarios::ScriptRun> run =
      scenarios::RunScript(*script, scenarios::TraceOptions(flags.trace));
  if (!run.ok()) {
    std::printf("ERROR %s\n", run.status().message().c_str());
    return Outcome::kMalformed;
  }
  if (flags.trace) {
    for (const std::string& line : run->trace_lines) std::printf("trace: %s\n", line.c_str());
  }
  const std::string diff = scenarios::DiffRun(*script, *run);
  char hash[64];
  std::snprintf(hash, sizeof(hash), "seed=%" PRIu64 " trace=0x%016" PRIx64, run->seed,
                run->trace_hash);
  if (diff.empty()) {
    std::printf("PASS %s %s\n", path.c_str(), hash);
    return Outcome::kPassed;
  }
  if (flags.rewrite) {
    Status written = WriteTextFile(path, scenarios::RenderScript(*script, run->outputs));
    if (!written.ok()) {
      ReportError("run --rewrite", written);
      return Outcome::kFailed;
    }
    std::printf("REWROTE %s %s\n", path.c_str(), hash);
    return Outcome::kPassed;
  }
  std::printf("FAIL %s %s\n%s", path.c_str(), hash, diff.c_str());
  return Outcome::kFailed;
}

void RunAll(const RunFlags& flags) {
  size_t passed_count = 0;
  size_t failed_count = 0;
  bool malformed = false;
  for (const std::string& path : flags.scripts) {
    const Outcome outcome = RunOne(path, flags);
    passed_count += outcome == Outcome::kPassed ? 1 : 0;
    failed_count += outcome == Outcome::kPassed ? 0 : 1;
    malformed = malformed || outcome == Outcome::kMalformed;
  }
  std::printf("%zu passed, %zu failed\n", passed_count, failed_count);
  SetExitCode(malformed ? kExitUsage : failed_count > 0 ? kExitFailure : kExitOk);
}

}  // namespace

void AddScenarioCommands(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand(
      "run", "Run scenario scripts (scenarios/scripts/*.scn) and compare their output");
  run->add_option("scripts", flags->scripts, "Script files")->required();
  run->add_flag("--rewrite", flags->rewrite,
                "Rewrite each script's expected output with what the run printed");
  run->add_flag("--trace", flags->trace, "Print the simulated disk's trace of each run");
  run->callback([flags] { RunAll(*flags); });
}

}  // namespace walsim::tools
