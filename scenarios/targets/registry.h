// The registry of torture targets (target.h) by name: an explicit list in
// registry.cc, so that a static library never drops a target the way it
// drops an unreferenced static initialiser.
//
// Names: wal, logstore, logcache, both, sqlite, leveldb, example-kv; `all`
// selects every target whose in_all() is true, in registry order.
//
// Invariant: names are unique and the list's order is fixed (it is the
// order targets run in per seed, and so the order of reports).
// Threading: the list is built once, then read-only; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "scenarios/targets/target.h"

namespace walsim::targets {

// Every registered target, in registry order.
const std::vector<const Target*>& AllTargets();

// The target called name, or nullptr.
const Target* FindTarget(std::string_view name);

// The targets of a --target value: a name, "all", or a comma list of them
// ("wal,sqlite"), without repeats, in the order given ("all" in registry
// order). Failure: kInvalidArgument listing the known names.
[[nodiscard]] Result<std::vector<const Target*>> ResolveTargets(std::string_view spec);

// Checks params against the selected targets: every name must be declared
// by at least one of them, with a value each declaring target accepts.
// Returns, per target (same order), the params it declares.
// Failure: kInvalidArgument naming the param.
[[nodiscard]] Result<std::vector<TargetParams>> SplitParams(
    const std::vector<const Target*>& targets, const TargetParams& params);

}  // namespace walsim::targets
