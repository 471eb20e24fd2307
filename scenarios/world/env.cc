#include "scenarios/world/env.h"

#include <algorithm>

#include "base/log.h"
#include "faults/plan_text.h"

namespace walsim::scenarios {
namespace {

// The WAL and LogStore options every scenario uses: no clock (the slow-sync
// warning would read one), no logging (the disk's trace is the record).
wal::WalOptions ScenarioWalOptions() {
  wal::WalOptions options;
  options.logger = NullLogger();
  options.sync_warn_threshold_us = 0;
  return options;
}

logstore::SegmentStoreOptions ScenarioLogOptions(uint32_t sector_size_bytes) {
  logstore::SegmentStoreOptions options;
  options.logger = NullLogger();
  options.segment_size_bytes = uint64_t{1} << 20;  // the smallest the store accepts
  // Batches start on a sector boundary so a torn sector never touches an
  // acknowledged batch; the store accepts 512 .. 1 MiB.
  options.write_alignment_bytes = std::clamp<uint32_t>(sector_size_bytes, 512, 1u << 20);
  return options;
}

}  // namespace

ScenarioEnv::ScenarioEnv(bool trace) : trace_(trace) { BuildDisk(sim::SimOptions{}); }

ScenarioEnv::~ScenarioEnv() {
  // Handles first: they hold files of the FaultFs.
  wal.handle.reset();
  log.handle.reset();
}

void ScenarioEnv::BuildDisk(const sim::SimOptions& options) {
  WALSIM_ASSERT(wal.handle == nullptr && log.handle == nullptr);
  // Rules added before the disk was configured carry over (their after=K
  // is 0: no operation had been issued).
  faults::FaultPlan plan = fault_fs_ == nullptr ? faults::FaultPlan{} : fault_fs_->plan();
  WALSIM_ASSERT(plan.size() == rules_.size());
  WALSIM_ASSERT(fault_fs_ == nullptr || fault_fs_->op_count() == 0);
  fault_fs_.reset();
  device_.reset();
  sim_ = std::make_unique<sim::SimFs>(options);
  sim_->set_trace_enabled(trace_);
  sim_->set_crash_choices(crash_choices_);
  const Rng rng(options.seed);
  device_ = std::make_unique<SimDevice>(*sim_, rng);
  Result<std::unique_ptr<faults::FaultFs>> fault_fs =
      faults::FaultFs::Create(*sim_, std::move(plan), rng, device_.get());
  WALSIM_ASSERT_MSG(fault_fs.ok(), "a rule the disk accepted was refused by FaultFs");
  fault_fs_ = std::move(fault_fs).value();
  wal.options = ScenarioWalOptions();
  log.options = ScenarioLogOptions(options.sector_size_bytes);
}

Status ScenarioEnv::Configure(const sim::SimOptions& options) {
  if (disk_used_) {
    return Status::FailedPrecondition("disk must come before any command that uses the disk");
  }
  BuildDisk(options);
  return Status::Ok();
}

void ScenarioEnv::set_crash_choices(sim::CrashChoices* choices) {
  crash_choices_ = choices;
  sim_->set_crash_choices(choices);
}

fs::FileSystem& ScenarioEnv::fs() {
  disk_used_ = true;
  return *fault_fs_;
}

sim::SimFs& ScenarioEnv::sim() {
  disk_used_ = true;
  return *sim_;
}

Status ScenarioEnv::AddRule(const faults::Rule& rule, size_t* rule_index) {
  if (rules_.size() >= faults::FaultPlan::kRuleCountMax) {
    return Status::InvalidArgument("the fault plan is full (" +
                                   std::to_string(faults::FaultPlan::kRuleCountMax) + " rules)");
  }
  const uint64_t op_count = fault_fs_->op_count();
  WALSIM_ASSIGN_OR_RETURN(*rule_index, fault_fs_->AddRule(rule));
  WALSIM_ASSERT(*rule_index == rules_.size());
  rules_.push_back(AddedRule{rule, op_count});
  return Status::Ok();
}

void ScenarioEnv::DropHandles() {
  wal.handle.reset();
  log.handle.reset();
  // A new process: nothing it does was refused by the dead one's failures.
  wal.failed_op_number.reset();
  log.failed_op_number.reset();
}

void ScenarioEnv::Crash(sim::CrashModel model) {
  disk_used_ = true;
  sim_->Crash(model);
  fault_fs_->ResetAfterCrash();
  DropHandles();
}

bool ScenarioEnv::RecoverFromFaultCrash() {
  if (!fault_fs_->crashed()) return false;
  fault_fs_->ResetAfterCrash();
  DropHandles();
  return true;
}

FaultClass ScenarioEnv::fault_class() const {
  if (damaged_) return FaultClass::kIllegal;
  const faults::FaultPlan& plan = fault_fs_->plan();
  const std::span<const uint64_t> fired = fault_fs_->fired_counts();
  WALSIM_ASSERT(fired.size() == plan.size());
  for (size_t i = 0; i < fired.size(); i++) {
    if (fired[i] > 0 && !faults::Info(plan.rule(i).effect).legal) return FaultClass::kIllegal;
  }
  return FaultClass::kLegal;
}

}  // namespace walsim::scenarios
