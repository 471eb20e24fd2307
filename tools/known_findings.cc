#include "tools/known_findings.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace walsim::tools {
namespace {

using Json = nlohmann::json;

Result<std::string> Field(const Json& finding, const char* name, const std::string& where) {
  if (!finding.contains(name) || !finding.at(name).is_string() ||
      finding.at(name).get<std::string>().empty()) {
    return Status::InvalidArgument(where + ": \"" + name + "\" must be a non-empty string");
  }
  return finding.at(name).get<std::string>();
}

}  // namespace

Result<std::vector<KnownFinding>> ReadKnownFindings(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument(path + ": cannot read");
  Json json = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::InvalidArgument(path + ": not JSON");
  if (!json.is_object() || !json.contains("findings") || !json.at("findings").is_array()) {
    return Status::InvalidArgument(path + ": wants {\"findings\": [...]}");
  }
  const Json& list = json.at("findings");
  if (list.size() > kKnownFindingCountMax) {
    return Status::InvalidArgument(path + ": more than " + std::to_string(kKnownFindingCountMax) +
                                   " findings");
  }
  std::vector<KnownFinding> findings;
  std::set<std::string> ids;
  for (size_t i = 0; i < list.size(); i++) {
    const std::string where = path + ": finding " + std::to_string(i + 1);
    if (!list[i].is_object()) return Status::InvalidArgument(where + ": not an object");
    KnownFinding finding;
    WALSIM_ASSIGN_OR_RETURN(finding.id, Field(list[i], "id", where));
    WALSIM_ASSIGN_OR_RETURN(finding.target, Field(list[i], "target", where));
    WALSIM_ASSIGN_OR_RETURN(finding.invariant, Field(list[i], "invariant", where));
    WALSIM_ASSIGN_OR_RETURN(finding.verdict_contains, Field(list[i], "verdict_contains", where));
    WALSIM_ASSIGN_OR_RETURN(finding.reference, Field(list[i], "reference", where));
    if (!ids.insert(finding.id).second) {
      return Status::InvalidArgument(where + ": duplicate id " + finding.id);
    }
    findings.push_back(std::move(finding));
  }
  return findings;
}

const KnownFinding* MatchKnownFinding(const std::vector<KnownFinding>& findings,
                                      const SeedResult& result) {
  if (result.status != SeedStatus::kViolation) return nullptr;
  for (const KnownFinding& finding : findings) {
    if (finding.target == result.target && finding.invariant == result.invariant &&
        result.verdict.find(finding.verdict_contains) != std::string::npos) {
      return &finding;
    }
  }
  return nullptr;
}

}  // namespace walsim::tools
