#include "scenarios/targets/registry.h"

#include <algorithm>
#include <string>

namespace walsim::targets {

// Each target's file defines one of these. To add a target: write its file
// (see example/example_target.cc), add it to CMakeLists.txt, and add its
// line here and in the list below.
const Target& WalTarget();
const Target& LogStoreTarget();
const Target& LogCacheTarget();
const Target& BothTarget();
const Target& SqliteTarget();
const Target& LevelDbTarget();
const Target& ExampleKvTarget();

const std::vector<const Target*>& AllTargets() {
  static const std::vector<const Target*> kTargets = {
      &WalTarget(),    &LogStoreTarget(), &LogCacheTarget(),  &BothTarget(),
      &SqliteTarget(), &LevelDbTarget(),  &ExampleKvTarget(),
  };
  return kTargets;
}

const Target* FindTarget(std::string_view name) {
  for (const Target* target : AllTargets()) {
    if (target->name() == name) return target;
  }
  return nullptr;
}

namespace {

std::string KnownNames() {
  std::string known;
  for (const Target* target : AllTargets()) known += std::string(target->name()) + ", ";
  return known + "all";
}

void AddOnce(std::vector<const Target*>* out, const Target* target) {
  if (std::find(out->begin(), out->end(), target) == out->end()) out->push_back(target);
}

}  // namespace

Result<std::vector<const Target*>> ResolveTargets(std::string_view spec) {
  std::vector<const Target*> out;
  size_t start = 0;
  for (size_t part_count = 0; start <= spec.size(); part_count++) {
    WALSIM_ASSERT(part_count <= spec.size());
    size_t end = spec.find(',', start);
    if (end == std::string_view::npos) end = spec.size();
    const std::string_view name = spec.substr(start, end - start);
    if (name == "all") {
      for (const Target* target : AllTargets()) {
        if (target->in_all()) AddOnce(&out, target);
      }
    } else if (const Target* target = FindTarget(name); target != nullptr) {
      AddOnce(&out, target);
    } else {
      return Status::InvalidArgument("unknown target \"" + std::string(name) +
                                     "\" (known: " + KnownNames() + ")");
    }
    start = end + 1;
  }
  return out;
}

Result<std::vector<TargetParams>> SplitParams(const std::vector<const Target*>& targets,
                                              const TargetParams& params) {
  std::vector<TargetParams> out(targets.size());
  for (const auto& [name, value] : params) {
    bool declared = false;
    for (size_t t = 0; t < targets.size(); t++) {
      bool has = false;
      for (const ParamSpec& spec : targets[t]->params()) has = has || spec.name == name;
      if (!has) continue;
      declared = true;
      TargetParams one = {{name, value}};
      WALSIM_RETURN_IF_ERROR(CheckParams(*targets[t], one));
      out[t].emplace(name, value);
    }
    if (!declared) {
      return Status::InvalidArgument("--param " + name +
                                     ": no selected target takes it (see walsim targets)");
    }
  }
  return out;
}

}  // namespace walsim::targets
