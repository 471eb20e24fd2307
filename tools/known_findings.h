// Known findings: failures a torture run expects, because they are real,
// documented bugs of an engine the project does not own (docs/findings.md).
// A nightly job gates on new failures; a known one is still run, printed,
// counted and written to the reports, under its id, but does not fail the
// run (`walsim torture --known-findings FILE`).
//
// FILE is JSON (ci/known-findings.json):
//   {"findings": [{"id": "...", "target": "leveldb", "invariant": "integrity",
//                  "verdict_contains": "...", "reference": "docs/findings.md ..."}]}
// A failure matches a finding when it is a violation (never a crash, a
// timeout or nondeterminism) of that target and invariant whose verdict
// contains the text. Every field is required and non-empty.
//
// Pure functions over values; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "tools/torture_run.h"

namespace walsim::tools {

inline constexpr size_t kKnownFindingCountMax = 256;

struct KnownFinding {
  std::string id;
  std::string target;
  std::string invariant;
  std::string verdict_contains;
  std::string reference;
};

// Failure: kInvalidArgument naming the file and what is wrong (unreadable,
// not JSON, a missing or empty field, a duplicate id, too many findings).
Result<std::vector<KnownFinding>> ReadKnownFindings(const std::string& path);

// The finding result matches, or nullptr.
const KnownFinding* MatchKnownFinding(const std::vector<KnownFinding>& findings,
                                      const SeedResult& result);

}  // namespace walsim::tools
