#include "tools/torture_report.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "scenarios/search/workload.h"
#include "scenarios/targets/registry.h"

namespace walsim::tools {
namespace {

using Json = nlohmann::json;

bool SeedTargetLess(const SeedResult& a, const SeedResult& b) {
  return std::tie(a.seed, a.target) < std::tie(b.seed, b.target);
}

TargetTotals* FindTarget(TortureReport* report, std::string_view name) {
  for (TargetTotals& totals : report->targets) {
    if (totals.name == name) return &totals;
  }
  return nullptr;
}

// The options without the component (each target has its own).
Json OptionsJson(const targets::TargetOptions& options) {
  Json json = ToJson(options);
  json.erase("component");
  return json;
}

Json FailureJson(const FailureEntry& failure) {
  Json json = ToJson(failure.result);
  json["replay"] = failure.replay;
  json["shrink"] = failure.shrink.empty() ? Json(nullptr) : Json(failure.shrink);
  json["artifacts"] = failure.artifacts.empty() ? Json(nullptr) : Json(failure.artifacts);
  json["known_finding"] =
      failure.known_finding.empty() ? Json(nullptr) : Json(failure.known_finding);
  return json;
}

Json CoverJson(const ShardCover& cover) {
  return Json{{"index", cover.shard.index}, {"count", cover.shard.count}, {"first", cover.first},
              {"end", cover.end},           {"budget", cover.budget},     {"source", cover.source}};
}

// Reads the parts of a report that ReportFromJson does not read field by
// field. Throws Json::exception for a missing or ill-typed field.
void ReadLists(const Json& json, TortureReport* report) {
  for (const Json& target : json.at("targets")) {
    report->targets.push_back(TargetTotals{.name = target.at("name").get<std::string>(),
                                           .run_count = target.at("runs").get<uint64_t>(),
                                           .failure_count = target.at("failures").get<uint64_t>(),
                                           .error_count = target.at("errors").get<uint64_t>(),
                                           .run_seconds = target.at("run_seconds").get<double>()});
  }
  for (const Json& cover : json.at("shards")) {
    report->covers.push_back(
        ShardCover{.shard = {cover.at("index").get<uint64_t>(), cover.at("count").get<uint64_t>()},
                   .first = cover.at("first").get<uint64_t>(),
                   .end = cover.at("end").get<uint64_t>(),
                   .budget = cover.at("budget").get<bool>(),
                   .source = cover.value("source", "")});
  }
  for (const auto& [name, probe] : json.at("probes").items()) {
    report->probes[name] = ProbeTotals{.hit_count = probe.at("hits").get<uint64_t>(),
                                       .seed_count = probe.at("seeds").get<uint64_t>()};
  }
}

Status ReadResults(const Json& json, TortureReport* report) {
  for (const Json& failure : json.at("failures")) {
    FailureEntry entry;
    WALSIM_ASSIGN_OR_RETURN(entry.result, SeedResultFromJson(failure));
    entry.replay = failure.at("replay").get<std::string>();
    if (!failure.at("shrink").is_null()) entry.shrink = failure.at("shrink").get<std::string>();
    if (!failure.at("artifacts").is_null()) {
      entry.artifacts = failure.at("artifacts").get<std::string>();
    }
    // Reports written before known findings existed have no such field.
    if (failure.contains("known_finding") && !failure.at("known_finding").is_null()) {
      entry.known_finding = failure.at("known_finding").get<std::string>();
    }
    report->failures.push_back(std::move(entry));
  }
  report->has_seed_results = json.contains("seed_results");
  if (!report->has_seed_results) return Status::Ok();
  for (const Json& entry : json.at("seed_results")) {
    Json full = entry;
    full["block"] = 0;
    full["line"] = 0;
    full["verdict"] = "";
    full["invariant"] = "";
    WALSIM_ASSIGN_OR_RETURN(SeedResult result, SeedResultFromJson(full));
    report->seed_results.push_back(std::move(result));
  }
  return Status::Ok();
}

// XML 1.0 text: markup characters escaped, control characters and invalid
// UTF-8 (both illegal in XML) replaced by '?'.
std::string XmlEscape(std::string_view text) {
  const std::string valid =
      Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
  // The JSON dump quoted and escaped it; parse back the now valid UTF-8.
  const std::string utf8 = Json::parse(valid).get<std::string>();
  std::string out;
  out.reserve(utf8.size());
  for (const char c : utf8) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += (byte < 0x20 && c != '\n' && c != '\t' && c != '\r') ? '?' : c;
    }
  }
  return out;
}

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f", seconds);
  return text;
}

std::string JunitTestcase(const FailureEntry& failure, const std::string& suite_name) {
  const SeedResult& result = failure.result;
  const char* element = result.is_error() ? "error" : "failure";
  std::string body = failure.known_finding.empty() ? std::string()
                                                   : "known finding " + failure.known_finding +
                                                         " (walsim torture "
                                                         "--known-findings)\n";
  body += failure.replay + "\n";
  if (!failure.shrink.empty()) body += failure.shrink + "\n";
  if (!failure.artifacts.empty()) body += "artifacts: " + failure.artifacts + "\n";
  body += "trace hash: " + HexHash(result.trace_hash) + "\n";
  return "    <testcase name=\"seed " + std::to_string(result.seed) + "\" classname=\"" +
         suite_name + "\" time=\"" + Seconds(result.run_ms / 1000) + "\">\n" + "      <" + element +
         " message=\"" + XmlEscape(result.verdict) + "\" type=\"" +
         XmlEscape(std::string(SeedStatusName(result.status)) +
                   (result.invariant.empty() ? "" : ":" + result.invariant)) +
         "\">" + XmlEscape(body) + "</" + element + ">\n    </testcase>\n";
}

std::string SeedsText(const TortureReport& report) {
  return std::to_string(report.range.first) + ":" + std::to_string(report.range.end);
}

}  // namespace

uint64_t TortureReport::known_finding_count() const {
  uint64_t count = 0;
  for (const FailureEntry& failure : failures) count += failure.known_finding.empty() ? 0 : 1;
  return count;
}

uint64_t TortureReport::run_count() const {
  uint64_t count = 0;
  for (const TargetTotals& target : targets) count += target.run_count;
  return count;
}

uint64_t TortureReport::failed_count() const {
  uint64_t count = 0;
  for (const TargetTotals& target : targets) count += target.failure_count + target.error_count;
  return count;
}

uint64_t TortureReport::crashed_count() const {
  uint64_t count = 0;
  for (const FailureEntry& failure : failures) {
    count += failure.result.status == SeedStatus::kCrash ? 1 : 0;
  }
  return count;
}

void AddResult(const SeedResult& result, const targets::TargetOptions& options,
               TortureReport* report) {
  TargetTotals* totals = FindTarget(report, result.target);
  WALSIM_ASSERT(totals != nullptr);
  totals->run_count++;
  totals->run_seconds += result.run_ms / 1000;
  for (const auto& [name, count] : result.probe_counts) {
    ProbeTotals& probe = report->probes[name];
    probe.hit_count += count;
    probe.seed_count += count > 0 ? 1 : 0;
  }
  if (report->has_seed_results) report->seed_results.push_back(result);
  if (!result.failed()) return;
  (result.is_error() ? totals->error_count : totals->failure_count)++;
  FailureEntry entry;
  entry.result = result;
  const targets::Target* target = targets::FindTarget(result.target);
  WALSIM_ASSERT(target != nullptr);
  entry.replay = "walsim " + ReplayCommand(result.seed, *target, options);
  if (result.status == SeedStatus::kViolation) {
    entry.shrink = "walsim " + ShrinkCommand(result.seed, *target, options);
  }
  report->failures.push_back(std::move(entry));
}

void SortReport(TortureReport* report) {
  std::stable_sort(report->failures.begin(), report->failures.end(),
                   [](const FailureEntry& a, const FailureEntry& b) {
                     return SeedTargetLess(a.result, b.result);
                   });
  std::stable_sort(report->seed_results.begin(), report->seed_results.end(), SeedTargetLess);
}

Json ToJson(const TortureReport& report) {
  Json json = {{"format", kReportFormat}, {"version", kReportVersion}};
  Json targets = Json::array();
  for (const TargetTotals& target : report.targets) {
    targets.push_back({{"name", target.name},
                       {"runs", target.run_count},
                       {"failures", target.failure_count},
                       {"errors", target.error_count},
                       {"run_seconds", target.run_seconds}});
  }
  json["targets"] = targets;
  json["options"] = OptionsJson(report.options);
  json["seeds"] = {
      {"first", report.range.first},
      {"end", report.range.end},
      {"budget_minutes", report.budget_minutes ? Json(*report.budget_minutes) : Json(nullptr)},
      {"stopped_early", report.stopped_early}};
  const bool single = report.covers.size() == 1;
  json["shard"] = {{"index", single ? report.covers[0].shard.index : 0},
                   {"count", single ? report.covers[0].shard.count : 1}};
  json["shards"] = Json::array();
  for (const ShardCover& cover : report.covers) json["shards"].push_back(CoverJson(cover));
  json["jobs"] = report.job_count;
  json["seeds_run"] = report.seed_count;
  json["runs"] = report.run_count();
  json["passed"] = report.run_count() - report.failed_count();
  json["failed"] = report.failed_count();
  json["crashed"] = report.crashed_count();
  json["known_findings"] = report.known_finding_count();
  json["elapsed_seconds"] = report.elapsed_seconds;
  json["seeds_per_second"] = report.seeds_per_second;
  json["probes"] = Json::object();
  for (const auto& [name, probe] : report.probes) {
    json["probes"][name] = {{"hits", probe.hit_count}, {"seeds", probe.seed_count}};
  }
  json["failures"] = Json::array();
  for (const FailureEntry& failure : report.failures)
    json["failures"].push_back(FailureJson(failure));
  if (report.has_seed_results) {
    json["seed_results"] = Json::array();
    for (const SeedResult& result : report.seed_results) {
      json["seed_results"].push_back({{"seed", result.seed},
                                      {"target", result.target},
                                      {"status", SeedStatusName(result.status)},
                                      {"trace_hash", HexHash(result.trace_hash)}});
    }
  }
  return json;
}

Result<TortureReport> ReportFromJson(const Json& json) {
  TortureReport report;
  try {
    if (json.at("format").get<std::string>() != kReportFormat ||
        json.at("version").get<int>() != kReportVersion) {
      return Status::InvalidArgument(std::string("not a ") + kReportFormat + " version " +
                                     std::to_string(kReportVersion));
    }
    Json options = json.at("options");
    options["component"] = "both";
    WALSIM_ASSIGN_OR_RETURN(report.options, TargetOptionsFromJson(options));
    const Json& seeds = json.at("seeds");
    report.range = {seeds.at("first").get<uint64_t>(), seeds.at("end").get<uint64_t>()};
    if (!seeds.at("budget_minutes").is_null()) {
      report.budget_minutes = seeds.at("budget_minutes").get<double>();
    }
    report.stopped_early = seeds.at("stopped_early").get<bool>();
    report.job_count = json.at("jobs").get<size_t>();
    report.seed_count = json.at("seeds_run").get<uint64_t>();
    report.elapsed_seconds = json.at("elapsed_seconds").get<double>();
    report.seeds_per_second = json.at("seeds_per_second").get<double>();
    ReadLists(json, &report);
    WALSIM_RETURN_IF_ERROR(ReadResults(json, &report));
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("report: ") + e.what());
  }
  if (report.covers.empty() || report.targets.empty()) {
    return Status::InvalidArgument("report: no shards or no targets");
  }
  return report;
}

std::string ToJunitXml(const TortureReport& report) {
  uint64_t failure_count = 0;
  uint64_t error_count = 0;
  for (const TargetTotals& target : report.targets) {
    failure_count += target.failure_count;
    error_count += target.error_count;
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites name=\"walsim torture\" tests=\"" + std::to_string(report.run_count()) +
         "\" failures=\"" + std::to_string(failure_count) + "\" errors=\"" +
         std::to_string(error_count) + "\" time=\"" + Seconds(report.elapsed_seconds) + "\">\n";
  const std::string options = XmlEscape(OptionsJson(report.options).dump());
  for (const TargetTotals& target : report.targets) {
    const std::string suite_name = XmlEscape("torture." + target.name);
    xml += "  <testsuite name=\"" + suite_name + "\" tests=\"" + std::to_string(target.run_count) +
           "\" failures=\"" + std::to_string(target.failure_count) + "\" errors=\"" +
           std::to_string(target.error_count) + "\" skipped=\"0\" time=\"" +
           Seconds(target.run_seconds) + "\">\n";
    xml += "    <properties>\n      <property name=\"seeds\" value=\"" + SeedsText(report) +
           "\"/>\n      <property name=\"options\" value=\"" + options +
           "\"/>\n    </properties>\n";
    for (const FailureEntry& failure : report.failures) {
      if (failure.result.target == target.name) xml += JunitTestcase(failure, suite_name);
    }
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

}  // namespace walsim::tools
