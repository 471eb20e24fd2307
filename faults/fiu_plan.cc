#include "faults/fiu_plan.h"

#include <fiu-control.h>
#include <fiu.h>

#include <atomic>

#include "faults/fiu_points.h"

namespace walsim::faults {
namespace {

// The one installed plan (libfiu's point table is process-global).
std::atomic<FiuPlan*> g_installed_plan{nullptr};

}  // namespace

Result<std::unique_ptr<FiuPlan>> FiuPlan::Install(FaultPlan plan, const Rng& rng) {
  uint32_t covered_kinds_mask = 0;
  for (const Rule& rule : plan.rules()) covered_kinds_mask |= rule.op.KindMask();

  std::unique_ptr<FiuPlan> installed(new FiuPlan(std::move(plan), rng));
  FiuPlan* expected = nullptr;
  if (!g_installed_plan.compare_exchange_strong(expected, installed.get())) {
    return Status::Busy("another fault plan is installed on libfiu; destroy it first");
  }
  // From here on, the destructor of `installed` undoes everything on failure.
  installed->holds_slot_ = true;
  if (fiu_init(0) != 0) return Status::IoError("fiu_init failed");
  for (const OpKindInfo& info : kOpKindTable) {
    if ((covered_kinds_mask & KindBit(info.kind)) == 0) continue;
    // failnum 1; failinfo is set by Decide on each firing.
    if (fiu_enable_external(FaultPointName(info.kind), 1, nullptr, 0, &FiuPlan::Decide) != 0) {
      return Status::IoError("fiu_enable_external(\"" + std::string(FaultPointName(info.kind)) +
                             "\") failed");
    }
    installed->enabled_kinds_.push_back(info.kind);
  }
  WALSIM_ASSERT(installed->enabled_kinds_.size() <= kOpKindCount);
  return installed;
}

FiuPlan::~FiuPlan() {
  if (!holds_slot_) return;  // lost the race in Install: never enabled anything
  DisableAll();
  FiuPlan* expected = this;
  const bool was_installed = g_installed_plan.compare_exchange_strong(expected, nullptr);
  WALSIM_ASSERT(was_installed);
}

void FiuPlan::DisableAll() {
  for (OpKind kind : enabled_kinds_) {
    // A point that was enabled is always known to libfiu; disabling cannot fail.
    const int disabled = fiu_disable(FaultPointName(kind));
    WALSIM_ASSERT(disabled == 0);
  }
  enabled_kinds_.clear();
}

int FiuPlan::Decide(const char* /*name*/, int* /*failnum*/, void** failinfo,
                    unsigned int* /*flags*/) {
  const OpContext* op = PublishedOperation();
  FiuPlan* plan = g_installed_plan.load();
  if (op == nullptr || plan == nullptr) return 0;  // not a FaultFs operation
  std::lock_guard<std::mutex> lock(plan->mutex_);
  const std::optional<PlanRunner::Decision> decision = plan->runner_.Decide(*op);
  if (!decision.has_value()) return 0;
  plan->runner_.RecordFired(decision->rule_index);
  *failinfo = FailinfoOf(decision->effect);
  return 1;
}

std::vector<uint64_t> FiuPlan::fired_counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::span<const uint64_t> counts = runner_.fired_counts();
  return {counts.begin(), counts.end()};
}

}  // namespace walsim::faults
