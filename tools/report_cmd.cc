#include "tools/report_cmd.h"

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "scenarios/targets/registry.h"
#include "tools/commands.h"
#include "tools/torture_driver.h"
#include "tools/torture_report.h"
#include "tools/torture_run.h"

namespace walsim::tools {
namespace {

using Json = nlohmann::json;

// The JSON document in path. Failure: kInvalidArgument (unreadable or not JSON).
Result<Json> ReadJsonFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::InvalidArgument("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  Json json = Json::parse(text.str(), nullptr, false);
  if (json.is_discarded()) return Status::InvalidArgument(path + " is not JSON");
  return json;
}

Status WriteTextFile(const std::string& path_text, const std::string& text) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, NormalizeUserPath(path_text));
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) return Status::InvalidArgument("cannot write " + path);
  std::fprintf(stderr, "report: wrote %s\n", path.c_str());
  return Status::Ok();
}

struct MergeFlags {
  std::vector<std::string> inputs;
  std::string json_path;
  std::string junit_path;
};

Result<TortureReport> MergeFiles(const std::vector<std::string>& inputs) {
  std::vector<TortureReport> reports;
  for (const std::string& input : inputs) {
    WALSIM_ASSIGN_OR_RETURN(Json json, ReadJsonFile(input));
    Result<TortureReport> report = ReportFromJson(json);
    if (!report.ok()) {
      return Status::InvalidArgument(input + ": " + std::string(report.status().message()));
    }
    for (ShardCover& cover : report->covers) cover.source = input;
    reports.push_back(std::move(*report));
  }
  return MergeReports(reports);
}

void RunMergeCommand(const MergeFlags& flags) {
  Result<TortureReport> merged = MergeFiles(flags.inputs);
  if (!merged.ok()) return SetExitCode(ReportError("report merge", merged.status()));
  Status status = Status::Ok();
  if (!flags.json_path.empty()) {
    status =
        WriteTextFile(flags.json_path,
                      ToJson(*merged).dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
  }
  if (status.ok() && !flags.junit_path.empty()) {
    status = WriteTextFile(flags.junit_path, ToJunitXml(*merged));
  }
  if (!status.ok()) return SetExitCode(ReportError("report merge", status));
  std::printf("%zu shards cover seeds %" PRIu64 ":%" PRIu64 ": %" PRIu64 " passed, %" PRIu64
              " failed\n",
              merged->covers.size(), merged->range.first, merged->range.end,
              merged->run_count() - merged->failed_count(), merged->failed_count());
  SetExitCode(merged->failed_count() > 0 ? kExitFailure : kExitOk);
}

// The saved result and options of an artifacts folder.
struct SavedFailure {
  SeedResult result;
  targets::TargetOptions options;
};

Result<SavedFailure> ReadSavedFailure(const std::string& dir) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, NormalizeUserPath(dir));
  WALSIM_ASSIGN_OR_RETURN(Json json, ReadJsonFile(path + "/verdict.json"));
  SavedFailure saved;
  if (!json.is_object() || !json.contains("result") || !json.contains("options")) {
    return Status::InvalidArgument(path + "/verdict.json has no result and options");
  }
  WALSIM_ASSIGN_OR_RETURN(saved.result, SeedResultFromJson(json["result"]));
  WALSIM_ASSIGN_OR_RETURN(saved.options, TargetOptionsFromJson(json["options"]));
  return saved;
}

}  // namespace

void RunReplayReport(const std::string& dir) {
  Result<SavedFailure> saved = ReadSavedFailure(dir);
  if (!saved.ok()) {
    (void)ReportError("replay --report", saved.status());
    return SetExitCode(kExitUsage);  // a bad folder, whatever the reason
  }
  const SeedResult& before = saved->result;
  const targets::Target* found = targets::FindTarget(before.target);
  if (found == nullptr || !targets::CheckParams(*found, saved->options.params).ok()) {
    (void)ReportError("replay --report",
                      Status::InvalidArgument("the saved target \"" + before.target +
                                              "\" (or its params) is not one this build has"));
    return SetExitCode(kExitUsage);
  }
  const TortureTarget target{found, saved->options.params};
  Result<SeedResult> now = RunSeedInWorker(before.seed, target, saved->options);
  if (!now.ok()) return SetExitCode(ReportError("replay --report", now.status()));
  std::printf("saved: seed=%" PRIu64 " target=%s %s: %s\n", before.seed, before.target.c_str(),
              std::string(SeedStatusName(before.status)).c_str(), before.verdict.c_str());
  if (!now->failed()) {
    std::printf("FIXED seed=%" PRIu64 ": passes on this build (trace hash %s)\n", now->seed,
                HexHash(now->trace_hash).c_str());
    return SetExitCode(kExitOk);
  }
  std::printf("STILL FAILS seed=%" PRIu64 " block=%zu: %s\n", now->seed, now->block_number,
              now->verdict.c_str());
  std::printf("%s invariant (%s); trace hash %s, %s\n",
              now->invariant == before.invariant ? "same" : "another", now->invariant.c_str(),
              HexHash(now->trace_hash).c_str(),
              now->trace_hash == before.trace_hash ? "as saved" : "the saved one differs");
  SetExitCode(kExitFailure);
}

void AddReportCommands(CLI::App& app) {
  CLI::App* report = app.add_subcommand("report", "Work with torture reports");
  report->require_subcommand(1);
  auto merge = std::make_shared<MergeFlags>();
  CLI::App* command = report->add_subcommand(
      "merge", "Merge the JSON reports of N shards, checking they cover the range exactly once");
  command->add_option("files", merge->inputs, "The shards' JSON reports")->required();
  command->add_option("--json", merge->json_path, "Write the merged JSON report");
  command->add_option("--junit", merge->junit_path, "Write the merged JUnit XML report");
  command->callback([merge] { RunMergeCommand(*merge); });
}

}  // namespace walsim::tools
