#include "base/assert.h"
#include "sim/sim_options.h"

namespace walsim::sim {

std::string_view CrashModelName(CrashModel model) {
  switch (model) {
    case CrashModel::kClean:
      return "clean";
    case CrashModel::kPrefix:
      return "prefix";
    case CrashModel::kReorder:
      return "reorder";
  }
  WALSIM_UNREACHABLE();
}

std::optional<CrashModel> ParseCrashModel(std::string_view name) {
  for (uint32_t index = 0; index < kCrashModelCount; index++) {
    auto model = static_cast<CrashModel>(index);
    if (CrashModelName(model) == name) return model;
  }
  return std::nullopt;
}

}  // namespace walsim::sim
