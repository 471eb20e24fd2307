#include "tools/torture_run.h"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "scenarios/runner.h"
#include "scenarios/script/script.h"
#include "scenarios/targets/registry.h"

namespace walsim::tools {
namespace {

using Json = nlohmann::json;

struct StatusName {
  SeedStatus status;
  std::string_view name;
};
constexpr StatusName kStatusNames[] = {
    {SeedStatus::kPassed, "passed"},      {SeedStatus::kViolation, "violation"},
    {SeedStatus::kRunError, "run-error"}, {SeedStatus::kNondeterministic, "nondeterministic"},
    {SeedStatus::kCrash, "crash"},        {SeedStatus::kTimeout, "timeout"},
};

SeedStatus FromTortureStatus(scenarios::TortureStatus status) {
  switch (status) {
    case scenarios::TortureStatus::kPassed:
      return SeedStatus::kPassed;
    case scenarios::TortureStatus::kViolation:
      return SeedStatus::kViolation;
    case scenarios::TortureStatus::kRunError:
      return SeedStatus::kRunError;
    case scenarios::TortureStatus::kNondeterministic:
      return SeedStatus::kNondeterministic;
  }
  WALSIM_UNREACHABLE();
}

Result<uint64_t> ParseHexHash(const std::string& text) {
  uint64_t value = 0;
  const char* digits = text.c_str() + std::min<size_t>(2, text.size());
  const auto [end, ec] = std::from_chars(digits, text.c_str() + text.size(), value, 16);
  if (text.size() != 18 || text.compare(0, 2, "0x") != 0 || ec != std::errc() ||
      end != text.c_str() + text.size()) {
    return Status::InvalidArgument("trace_hash \"" + text + "\" is not 0x and 16 hex digits");
  }
  return value;
}

Status WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(text.data(), static_cast<std::streamsize>(text.size()));
  file.close();
  if (!file) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

// The generated script with the outputs of its traced run, and the trace.
Status WriteRunFiles(const std::filesystem::path& folder, const scenarios::Script& script) {
  Result<scenarios::ScriptRun> run = scenarios::RunScript(script, scenarios::TraceOptions(true));
  if (!run.ok()) return WriteFile(folder / "trace.txt", "run error: " + run.status().ToString());
  WALSIM_RETURN_IF_ERROR(
      WriteFile(folder / "script.scn", scenarios::RenderScript(script, run->outputs)));
  std::string trace;
  for (const std::string& line : run->trace_lines) trace += line + "\n";
  trace += "trace hash: " + HexHash(run->trace_hash) + "\n";
  return WriteFile(folder / "trace.txt", trace);
}

// A loop target's traced run: its notes, then the disk's trace.
Status WriteLoopRunFiles(const std::filesystem::path& folder, const SeedResult& failure,
                         const targets::Target& target, const targets::TargetOptions& options) {
  const targets::TargetRun run = target.Run(failure.seed, options, /*keep_trace=*/true);
  std::string trace = "verdict: " + run.outcome.verdict + "\n";
  for (const std::string& note : run.notes) trace += "note: " + note + "\n";
  for (const std::string& line : run.trace_lines) trace += line + "\n";
  trace += "trace hash: " + HexHash(run.outcome.trace_hash) + "\n";
  return WriteFile(folder / "trace.txt", trace);
}

Status WriteShrunk(const std::filesystem::path& folder, const SeedResult& failure,
                   const targets::Target& target, const targets::TargetOptions& options,
                   size_t shrink_run_count_max) {
  Result<targets::ShrunkSeed> shrunk =
      target.Shrink(failure.seed, options, failure.invariant, shrink_run_count_max);
  if (!shrunk.ok()) {
    return WriteFile(folder / "shrink-error.txt", shrunk.status().ToString() + "\n");
  }
  return WriteFile(folder / shrunk->file_name, shrunk->file_text);
}

}  // namespace

Result<std::vector<TortureTarget>> ResolveTargets(std::string_view spec,
                                                  const targets::TargetParams& params) {
  WALSIM_ASSIGN_OR_RETURN(std::vector<const targets::Target*> found, targets::ResolveTargets(spec));
  WALSIM_ASSIGN_OR_RETURN(std::vector<targets::TargetParams> split,
                          targets::SplitParams(found, params));
  std::vector<TortureTarget> out;
  for (size_t t = 0; t < found.size(); t++) out.push_back({found[t], std::move(split[t])});
  return out;
}

targets::TargetOptions TargetOptions(const targets::TargetOptions& base,
                                     const TortureTarget& target) {
  targets::TargetOptions options = base;
  options.params = target.params;
  return options;
}

std::string_view SeedStatusName(SeedStatus status) {
  for (const StatusName& entry : kStatusNames) {
    if (entry.status == status) return entry.name;
  }
  WALSIM_UNREACHABLE();
}

SeedResult FromOutcome(const scenarios::TortureOutcome& outcome, std::string_view target) {
  SeedResult result;
  result.seed = outcome.seed;
  result.target = std::string(target);
  result.status = FromTortureStatus(outcome.status);
  result.block_number = outcome.block_number;
  result.block_line = outcome.block_line;
  result.verdict = outcome.verdict;
  result.invariant = outcome.invariant;
  result.trace_hash = outcome.trace_hash;
  result.probe_counts = outcome.probe_counts;
  return result;
}

SeedResult TimeoutResult(uint64_t seed, std::string_view target, double timeout_seconds) {
  SeedResult result;
  result.seed = seed;
  result.target = std::string(target);
  result.status = SeedStatus::kTimeout;
  char text[96];
  std::snprintf(text, sizeof(text), "timeout: the seed ran longer than %.1f s (--seed-timeout)",
                timeout_seconds);
  result.verdict = text;
  result.invariant = "timeout";
  return result;
}

SeedResult CrashResult(uint64_t seed, std::string_view target, std::string_view reason) {
  SeedResult result;
  result.seed = seed;
  result.target = std::string(target);
  result.status = SeedStatus::kCrash;
  result.verdict = "crash: the worker running the seed " + std::string(reason);
  result.invariant = "crash";
  return result;
}

Json ToJson(const SeedResult& result) {
  Json probes = Json::object();
  for (const auto& [name, count] : result.probe_counts) probes[name] = count;
  return Json{{"seed", result.seed},
              {"target", result.target},
              {"status", SeedStatusName(result.status)},
              {"block", result.block_number},
              {"line", result.block_line},
              {"verdict", result.verdict},
              {"invariant", result.invariant},
              {"trace_hash", HexHash(result.trace_hash)},
              {"probes", probes},
              {"run_ms", result.run_ms}};
}

Result<SeedResult> SeedResultFromJson(const Json& json) {
  SeedResult result;
  try {
    result.seed = json.at("seed").get<uint64_t>();
    result.target = json.at("target").get<std::string>();
    const std::string status = json.at("status").get<std::string>();
    bool known = false;
    for (const StatusName& entry : kStatusNames) {
      if (entry.name == status) result.status = entry.status, known = true;
    }
    if (!known) return Status::InvalidArgument("unknown status \"" + status + "\"");
    result.block_number = json.at("block").get<size_t>();
    result.block_line = json.at("line").get<int>();
    result.verdict = json.at("verdict").get<std::string>();
    result.invariant = json.at("invariant").get<std::string>();
    WALSIM_ASSIGN_OR_RETURN(result.trace_hash,
                            ParseHexHash(json.at("trace_hash").get<std::string>()));
    const Json probes = json.value("probes", Json::object());
    for (const auto& [name, count] : probes.items()) {
      result.probe_counts[name] = count.get<uint64_t>();
    }
    result.run_ms = json.value("run_ms", 0.0);
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("seed result: ") + e.what());
  }
  return result;
}

Json ToJson(const targets::TargetOptions& options) {
  Json params = Json::object();
  for (const auto& [name, value] : options.params) params[name] = value;
  return Json{{"ops", options.workload.op_count},
              {"component", scenarios::WorkloadComponentName(options.workload.component)},
              {"illegal", options.workload.illegal},
              {"torn_sectors", options.workload.torn_sectors},
              {"purge_past_snapshot", options.workload.purge_past_snapshot},
              {"check_determinism", options.check_determinism},
              {"params", params}};
}

Result<targets::TargetOptions> TargetOptionsFromJson(const Json& json) {
  targets::TargetOptions options;
  try {
    options.workload.op_count = json.at("ops").get<uint64_t>();
    const auto component =
        scenarios::ParseWorkloadComponent(json.at("component").get<std::string>());
    if (!component.has_value()) return Status::InvalidArgument("unknown component");
    options.workload.component = *component;
    options.workload.illegal = json.at("illegal").get<bool>();
    options.workload.torn_sectors = json.at("torn_sectors").get<bool>();
    options.workload.purge_past_snapshot = json.at("purge_past_snapshot").get<bool>();
    options.check_determinism = json.at("check_determinism").get<bool>();
    const Json params = json.value("params", Json::object());  // items() needs an lvalue
    for (const auto& [name, value] : params.items())
      options.params[name] = value.get<std::string>();
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("torture options: ") + e.what());
  }
  if (options.workload.op_count < 1 || options.workload.op_count > scenarios::kWorkloadOpCountMax) {
    return Status::InvalidArgument("ops out of range");
  }
  return options;
}

std::string HexHash(uint64_t hash) {
  char text[32];
  std::snprintf(text, sizeof(text), "0x%016" PRIx64, hash);
  return text;
}

std::string ReplayCommand(uint64_t seed, const targets::Target& target,
                          const targets::TargetOptions& options) {
  const std::string flags = target.Flags(seed, options);
  return "replay --seed " + std::to_string(seed) + " --target " + std::string(target.name()) +
         (flags.empty() ? "" : " " + flags) +
         (target.Workload(seed, options).has_value() ? " --script" : "");
}

std::string ShrinkCommand(uint64_t seed, const targets::Target& target,
                          const targets::TargetOptions& options) {
  const std::string flags = target.Flags(seed, options);
  const bool scripted = target.Workload(seed, options).has_value();
  return "shrink --seed " + std::to_string(seed) + " --target " + std::string(target.name()) +
         (flags.empty() ? "" : " " + flags) + " --out " +
         (scripted ? "regression.scn" : "shrunk.txt");
}

std::string DumpLine(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string ArtifactsFolderName(const SeedResult& result) {
  return "seed-" + std::to_string(result.seed) + "-" + result.target;
}

Status WriteArtifacts(const std::string& dir, const SeedResult& failure,
                      const targets::Target& target, const targets::TargetOptions& options,
                      size_t shrink_run_count_max) {
  WALSIM_ASSERT(failure.target == target.name());
  const std::filesystem::path folder = std::filesystem::path(dir) / ArtifactsFolderName(failure);
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return Status::IoError("cannot create " + folder.string() + ": " + ec.message());
  const std::string replay = "walsim " + ReplayCommand(failure.seed, target, options) + "\n";
  const std::string shrink = "walsim " + ShrinkCommand(failure.seed, target, options) + "\n";
  WALSIM_RETURN_IF_ERROR(WriteFile(folder / "replay.txt", replay + shrink));
  const Json verdict = {{"result", ToJson(failure)}, {"options", ToJson(options)}};
  WALSIM_RETURN_IF_ERROR(WriteFile(
      folder / "verdict.json", verdict.dump(2, ' ', false, Json::error_handler_t::replace) + "\n"));
  if (const std::optional<scenarios::Script> script = target.Workload(failure.seed, options)) {
    // The script alone first: if the run below aborts, it is what is left.
    const std::vector<std::string> empty(script->blocks.size());
    WALSIM_RETURN_IF_ERROR(
        WriteFile(folder / "script.scn", scenarios::RenderScript(*script, empty)));
    WALSIM_RETURN_IF_ERROR(WriteRunFiles(folder, *script));
  } else {
    WALSIM_RETURN_IF_ERROR(WriteLoopRunFiles(folder, failure, target, options));
  }
  if (failure.status != SeedStatus::kViolation) return Status::Ok();
  return WriteShrunk(folder, failure, target, options, shrink_run_count_max);
}

}  // namespace walsim::tools
