#include "scenarios/world/env.h"

#include <algorithm>

#include "base/log.h"
#include "faults/plan_text.h"
#include "scenarios/world/probes.h"

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
  log.Drop();
}

logstore::LogStore& LogSlot::api() {
  WALSIM_ASSERT(handle != nullptr);
  if (cache != nullptr) return *cache;
  return *handle;
}

void LogSlot::Adopt(std::unique_ptr<logstore::SegmentStore> opened) {
  WALSIM_ASSERT(handle == nullptr && cache == nullptr && opened != nullptr);
  handle = std::move(opened);
  if (cache_logs > 0) cache = std::make_unique<logstore::LogCache>(*handle, cache_logs);
}

void LogSlot::Drop() {
  cache.reset();  // it refers to handle
  handle.reset();
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
  sim_->set_write_unit_audit(wal::kPageBytes);  // the WAL's page writer is judged by it
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
  if (fs_override_ != nullptr) return *fs_override_;
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
  log.Drop();
  // A new process: nothing it does was refused by the dead one's failures.
  wal.failed_op_number.reset();
  log.failed_op_number.reset();
}

void ScenarioEnv::Crash(sim::CrashModel model) {
  disk_used_ = true;
  // The handles die with the process: their destructors must not reach the
  // disk, neither the crashed one nor the one the next process finds.
  fault_fs_->MarkCrashed();
  DropHandles();
  sim_->Crash(model);
  fault_fs_->ResetAfterCrash();
}

bool ScenarioEnv::RecoverFromFaultCrash() {
  if (!fault_fs_->crashed()) return false;
  DropHandles();  // while crashed: nothing the dead process does reaches the disk
  fault_fs_->ResetAfterCrash();
  return true;
}

void ScenarioEnv::Probe(std::string_view name) {
  bool listed = false;
  for (const ProbeInfo& info : kProbeCatalogue) listed = listed || info.name == name;
  WALSIM_ASSERT_MSG(listed, "a probe missing from kProbeCatalogue");
  auto it = probe_counts_.find(name);
  if (it == probe_counts_.end()) it = probe_counts_.emplace(std::string(name), 0).first;
  it->second++;
}

void ScenarioEnv::NoteBlockDone() {
  (void)sim_->TakeUnitSplits();  // a WAL command judges its own; the rest is not judged
  const faults::FaultPlan& plan = fault_fs_->plan();
  const std::span<const uint64_t> fired = fault_fs_->fired_counts();
  fired_counts_seen_.resize(fired.size(), 0);
  for (size_t i = 0; i < fired.size(); i++) {
    if (fired[i] == fired_counts_seen_[i]) continue;
    for (uint64_t f = fired_counts_seen_[i]; f < fired[i]; f++) {
      Probe("fault/" + std::string(faults::EffectName(plan.rule(i).effect)));
    }
    fired_counts_seen_[i] = fired[i];
    switch (plan.rule(i).effect) {
      case faults::Effect::kBitrot:
      case faults::Effect::kLatent:
        evidence_.last_damage_op_number = op_number_;
        break;
      case faults::Effect::kFsyncLie:
      case faults::Effect::kMisdirect:
        evidence_.silent_loss_possible = true;
        break;
      default:
        break;
    }
  }
}

DamageEvidence ScenarioEnv::damage_evidence() const {
  DamageEvidence evidence = evidence_;
  // Damage commands and operator fiu points: nothing says what they left.
  if (damaged_ || fault_fs_->fiu_fired_count() > 0) evidence.silent_loss_possible = true;
  return evidence;
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
