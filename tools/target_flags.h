// The flags that choose torture targets and their workload, shared by
// `walsim torture`, `replay`, `shrink` and `explore --target`: --target,
// --param NAME=VALUE, and the scripted targets' workload flags (--ops,
// --component, --illegal, --torn-sectors, --purge-past-snapshot).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "scenarios/search/workload.h"
#include "scenarios/targets/target.h"
#include "tools/torture_run.h"

namespace walsim::tools {

struct WorkloadFlags {
  uint64_t op_count = scenarios::kWorkloadOpCountDefault;
  std::string component = "both";
  bool illegal = false;
  bool torn_sectors = false;
  bool purge_past_snapshot = false;
};

// Registers the workload flags on command; returns the --component option
// (to tell whether it was given).
CLI::Option* AddWorkloadFlags(CLI::App* command, WorkloadFlags* flags);

scenarios::WorkloadOptions ToOptions(const WorkloadFlags& flags);

// --param K=V values. Failure: kInvalidArgument for a malformed or repeated one.
[[nodiscard]] Result<targets::TargetParams> ParseParams(const std::vector<std::string>& texts);

// The target spec of --target, or of the older --component (both: "both").
// Failure: kInvalidArgument when both are given.
[[nodiscard]] Result<std::string> TargetSpec(const std::string& target,
                                             const CLI::Option* target_option,
                                             const WorkloadFlags& workload,
                                             const CLI::Option* component);

// The one target of replay, shrink and explore, with its params checked and
// the options a seed of it runs with. Failure: kInvalidArgument for a bad
// --param, an unknown target, or a spec naming more than one.
[[nodiscard]] Result<std::pair<TortureTarget, targets::TargetOptions>> ReplayTarget(
    const std::string& target, const CLI::Option* target_option, const WorkloadFlags& workload,
    const CLI::Option* component_option, const std::vector<std::string>& param_texts);

}  // namespace walsim::tools
