#include "scenarios/env.h"

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

faults::Rule EffectiveRule(const PlannedRule& planned) {
  faults::Rule rule = planned.rule;
  const uint64_t user_after = rule.trigger.after_op_number.value_or(0);
  if (planned.added_after_op_number > user_after) {
    rule.trigger.after_op_number = planned.added_after_op_number;
  }
  return rule;
}

ScenarioEnv::ScenarioEnv(std::vector<PlannedRule> known_rules, bool trace)
    : rules_(std::move(known_rules)), trace_(trace) {
  WALSIM_ASSERT(rules_.size() <= faults::FaultPlan::kRuleCountMax);
  BuildDisk(sim::SimOptions{});
}

ScenarioEnv::~ScenarioEnv() {
  // Handles first: they hold files of the FaultFs.
  wal.handle.reset();
  log.handle.reset();
}

void ScenarioEnv::BuildDisk(const sim::SimOptions& options) {
  WALSIM_ASSERT(wal.handle == nullptr && log.handle == nullptr);
  fault_fs_.reset();
  device_.reset();
  sim_ = std::make_unique<sim::SimFs>(options);
  sim_->set_trace_enabled(trace_);
  sim_->set_crash_choices(crash_choices_);
  const Rng rng(options.seed);
  device_ = std::make_unique<SimDevice>(*sim_, rng);
  faults::FaultPlan plan;
  for (const PlannedRule& planned : rules_) {
    // Every planned rule was accepted by AddRule on the same kind of disk.
    Status added = plan.Add(EffectiveRule(planned));
    WALSIM_ASSERT(added.ok());
  }
  Result<std::unique_ptr<faults::FaultFs>> fault_fs =
      faults::FaultFs::Create(*sim_, std::move(plan), rng, device_.get());
  WALSIM_ASSERT_MSG(fault_fs.ok(), "a planned rule was refused by FaultFs");
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
  const size_t index = rules_seen_count_;
  if (index < rules_.size()) {
    // The run that planned this rule saw the same command at the same point.
    WALSIM_ASSERT(rules_[index].rule == rule);
    rules_seen_count_++;
    *rule_index = index;
    return Status::Ok();
  }
  WALSIM_ASSERT(index == rules_.size());
  if (rules_.size() >= faults::FaultPlan::kRuleCountMax) {
    return Status::InvalidArgument("the fault plan is full (" +
                                   std::to_string(faults::FaultPlan::kRuleCountMax) + " rules)");
  }
  // Let FaultFs judge whether the disk produces the effect, without
  // disturbing the live one.
  faults::FaultPlan probe;
  WALSIM_RETURN_IF_ERROR(probe.Add(rule));
  WALSIM_RETURN_IF_ERROR(
      faults::FaultFs::Create(*sim_, std::move(probe), Rng(0), device_.get()).status());
  rules_.push_back(PlannedRule{rule, fault_fs_->op_count()});
  restart_requested_ = true;
  return Status::Ok();
}

std::vector<PlannedRule> ScenarioEnv::TakeRulesForRestart() {
  WALSIM_ASSERT(restart_requested_);
  restart_requested_ = false;
  return std::move(rules_);
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
