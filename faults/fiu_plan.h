// FiuPlan: a FaultPlan installed on libfiu's fault points, the deterministic
// way to drive FaultFs's "walsim/fs/<op>" points.
//
// Install enables, with fiu_enable_external, the point of every operation
// kind the plan's rules cover. Its callback decides with a PlanRunner over
// the run's seeded Rng, exactly as FaultFs decides for a plan it was built
// with: same rules, same triggers, same draws, so a run stays a pure function
// of its seed. When a rule fires, the callback hands its effect to FaultFs
// through the point's failinfo. Use a FaultFs with an empty plan next to a
// FiuPlan (a plan in both places would be applied twice).
//
// libfiu is process-global, so at most one FiuPlan is installed at a time:
// Install fails with kBusy while another is. The destructor disables every
// point it enabled (also any fiu_enable a test made on those points) and
// frees the slot, so a test that holds its FiuPlan in a scope cleans up.
// Only operations checked by FaultFs (faults/fiu_points.h) are decided; a
// fiu_fail of the same name from elsewhere does not fire.
//
// Fired counts are recorded when the callback fires (the effect then reaches
// the operation: FaultFs applies it, or fails the operation with
// kNotSupported when it needs a device FaultFs does not have).
// Thread-safe: the callback may run on any thread; decisions are serialized.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "base/rng.h"
#include "base/status.h"
#include "faults/plan.h"
#include "faults/plan_runner.h"

namespace walsim::faults {

class FiuPlan {
 public:
  // Installs plan. Failure: kBusy when a FiuPlan is already installed;
  // kIoError when libfiu refuses to enable a point (nothing stays enabled).
  static Result<std::unique_ptr<FiuPlan>> Install(FaultPlan plan, const Rng& rng);

  ~FiuPlan();
  FiuPlan(const FiuPlan&) = delete;
  FiuPlan& operator=(const FiuPlan&) = delete;

  // A snapshot of each rule's fired count, in plan order.
  std::vector<uint64_t> fired_counts() const;
  const FaultPlan& plan() const { return runner_.plan(); }

 private:
  FiuPlan(FaultPlan plan, const Rng& rng) : runner_(std::move(plan), rng) {}
  static int Decide(const char* name, int* failnum, void** failinfo, unsigned int* flags);
  void DisableAll();

  mutable std::mutex mutex_;
  PlanRunner runner_;                  // guarded by mutex_
  std::vector<OpKind> enabled_kinds_;  // the points this plan enabled
  bool holds_slot_ = false;            // this is the installed plan
};

}  // namespace walsim::faults
