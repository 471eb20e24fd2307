#include "faults/fault_fs.h"

#include <fiu.h>

#include "base/hash.h"
#include "faults/fault_file.h"
#include "faults/fiu_points.h"
#include "faults/plan_text.h"

namespace walsim::faults {
namespace {

bool HasByteRange(OpKind kind) {
  return kind == OpKind::kRead || kind == OpKind::kWrite || kind == OpKind::kTruncate ||
         kind == OpKind::kAllocate;
}

FaultFs::Gate Fail(Status status) {
  WALSIM_ASSERT(!status.ok());
  return {FaultFs::Gate::Action::kFail, std::move(status), {}};
}

}  // namespace

std::string DescribeOp(const OpContext& op) {
  std::string text(OpKindName(op.kind));
  text += ' ';
  text += op.path;
  if (!op.other_path.empty()) {
    text += " -> ";
    text += op.other_path;
  }
  if (HasByteRange(op.kind)) {
    text += op.kind == OpKind::kTruncate ? " to size " : " at offset ";
    text += std::to_string(op.offset);
  }
  return text;
}

FaultFs::FaultFs(fs::FileSystem& inner, FaultPlan plan, const Rng& rng, DeviceFaults* device)
    : inner_(inner),
      device_(device),
      runner_(std::move(plan), rng),
      short_rng_(rng.Stream("faults/short")) {}

Result<std::unique_ptr<FaultFs>> FaultFs::Create(fs::FileSystem& inner, FaultPlan plan,
                                                 const Rng& rng, DeviceFaults* device) {
  // Safe to call more than once; libfiu needs it before the first fiu_fail.
  if (fiu_init(0) != 0) return Status::IoError("fiu_init failed");
  std::unique_ptr<FaultFs> fault_fs(new FaultFs(inner, std::move(plan), rng, device));
  WALSIM_RETURN_IF_ERROR(fault_fs->CheckDeviceCoversPlan());
  return fault_fs;
}

Status FaultFs::CheckDeviceCoversPlan() const {
  for (size_t i = 0; i < plan().size(); i++) {
    WALSIM_RETURN_IF_ERROR(CheckDeviceCovers(plan().rule(i), i));
  }
  return Status::Ok();
}

Status FaultFs::CheckDeviceCovers(const Rule& rule, size_t rule_index) const {
  if (Info(rule.effect).fault_fs_can_emulate) return Status::Ok();
  for (const OpKindInfo& info : kOpKindTable) {
    if (!rule.op.Covers(info.kind)) continue;
    if (device_ != nullptr && device_->Handles(rule.effect, info.kind)) continue;
    return Status::NotSupported(
        "fault rule " + std::to_string(rule_index) + " (\"" + PrintRule(rule) + "\"): effect " +
        std::string(EffectName(rule.effect)) + " on " + std::string(info.name) +
        " needs a simulated disk that produces it (DeviceFaults); " +
        (device_ == nullptr ? "none was given" : "the one given does not"));
  }
  return Status::Ok();
}

Result<size_t> FaultFs::AddRule(Rule rule) {
  const size_t rule_index = plan().size();
  WALSIM_RETURN_IF_ERROR(ValidateRule(rule));
  WALSIM_RETURN_IF_ERROR(CheckDeviceCovers(rule, rule_index));
  if (op_count_ > rule.trigger.after_op_number.value_or(0)) {
    rule.trigger.after_op_number = op_count_;
  }
  WALSIM_RETURN_IF_ERROR(runner_.Append(std::move(rule)));
  WALSIM_ASSERT(plan().size() == rule_index + 1);
  return rule_index;
}

void FaultFs::ResetAfterCrash() {
  crashed_ = false;
  epoch_++;
  RecordTrace("reset after crash, epoch " + std::to_string(epoch_));
}

void FaultFs::RecordTrace(std::string line) {
  trace_hash_ = Fnv1a64Extend(trace_hash_, line);
  trace_hash_ = Fnv1a64Extend(trace_hash_, "\n");
  if (trace_.size() < kTraceLinesMax) trace_.push_back(std::move(line));
  WALSIM_ASSERT(trace_.size() <= kTraceLinesMax);
}

uint64_t FaultFs::ShortPrefixBytes(uint64_t length_bytes) {
  if (length_bytes == 0) return 0;
  const uint64_t prefix_bytes = short_rng_.Below(length_bytes);
  WALSIM_ASSERT(prefix_bytes < length_bytes);
  return prefix_bytes;
}

FaultFs::Gate FaultFs::Before(OpContext* op, uint64_t handle_epoch) {
  if (crashed_) {
    return Fail(Status::Closed("crashed: " + DescribeOp(*op) + " refused until ResetAfterCrash"));
  }
  if (handle_epoch != epoch_) {
    return Fail(Status::Closed(DescribeOp(*op) + ": handle opened before a crash"));
  }
  if (suspended_) return {};
  op->op_number = ++op_count_;
  if (const std::optional<PlanRunner::Decision> decision = runner_.Decide(*op)) {
    const std::string origin = "fault rule " + std::to_string(decision->rule_index) + " \"" +
                               PrintRule(plan().rule(decision->rule_index)) + "\"";
    return Inject(decision->effect, *op, origin, decision->rule_index);
  }
  const std::optional<uintptr_t> failinfo = CheckFaultPoint(*op);
  if (!failinfo.has_value()) return {};
  const std::string origin = "libfiu point " + std::string(FaultPointName(op->kind));
  const std::optional<Effect> effect = EffectFromFailinfo(*failinfo);
  if (!effect.has_value() || !EffectValidOn(*effect, op->kind)) {
    // An operator's fiu-ctrl typo must not pass silently as a success.
    return Fail(Status::InvalidArgument(
        origin + " failed with failinfo " + std::to_string(*failinfo) + ", which is not an " +
        "effect valid for " + std::string(OpKindName(op->kind)) + " (see faults/effect.h)"));
  }
  return Inject(*effect, *op, origin, std::nullopt);
}

FaultFs::Gate FaultFs::Inject(Effect effect, const OpContext& op, const std::string& origin,
                              std::optional<size_t> rule_index) {
  WALSIM_ASSERT(EffectValidOn(effect, op.kind));
  const std::string where =
      DescribeOp(op) + " (" + origin + ", op " + std::to_string(op.op_number) + ")";
  const bool on_device = device_ != nullptr && device_->Handles(effect, op.kind);
  if (!on_device && !Info(effect).fault_fs_can_emulate) {
    // Only a libfiu point can get here: Create checked the plan's rules.
    WALSIM_ASSERT(!rule_index.has_value());
    return Fail(Status::NotSupported("effect " + std::string(EffectName(effect)) +
                                     " needs a simulated disk (DeviceFaults): " + where));
  }
  if (on_device) {
    Status applied = device_->Apply(effect, op);
    if (applied.Is(StatusCode::kFailedPrecondition)) return {};  // nothing to damage here
    if (!applied.ok()) return Fail(std::move(applied));
  }
  if (rule_index.has_value()) {
    runner_.RecordFired(*rule_index);
  } else {
    fiu_fired_count_++;
  }
  RecordTrace("fault " + std::string(EffectName(effect)) + (on_device ? " device" : " emulated") +
              ": " + where);
  if (effect == Effect::kCrash) {
    crashed_ = true;
    return Fail(Status::IoError("crashed at " + where));
  }
  if (on_device) return {};  // armed: the inner operation produces the fault
  switch (effect) {
    case Effect::kEio:
    case Effect::kFsyncEio:
      return Fail(Status::IoError("injected " + std::string(EffectName(effect)) + ": " + where));
    case Effect::kNoSpace:
      return Fail(Status::NoSpace("injected enospc: " + where));
    case Effect::kShort:
      return {Gate::Action::kShortWrite, Status::Ok(), where};
    default:
      break;
  }
  WALSIM_UNREACHABLE();
}

Result<std::unique_ptr<fs::File>> FaultFs::Open(std::string_view path, fs::OpenOptions options) {
  OpContext op = OpOn(OpKind::kOpen, path);
  Gate gate = Before(&op, epoch_);
  if (gate.action == Gate::Action::kFail) return std::move(gate.status);
  WALSIM_ASSIGN_OR_RETURN(std::unique_ptr<fs::File> file, inner_.Open(path, options));
  WALSIM_ASSERT(file != nullptr);
  return std::unique_ptr<fs::File>(new FaultFile(this, std::move(file), epoch_));
}

Status FaultFs::Remove(std::string_view path) {
  OpContext op = OpOn(OpKind::kRemove, path);
  Gate gate = Before(&op, epoch_);
  if (gate.action == Gate::Action::kFail) return std::move(gate.status);
  return inner_.Remove(path);
}

Status FaultFs::Rename(std::string_view from, std::string_view to) {
  OpContext op = OpOn(OpKind::kRename, from);
  op.other_path = to;
  Gate gate = Before(&op, epoch_);
  if (gate.action == Gate::Action::kFail) return std::move(gate.status);
  return inner_.Rename(from, to);
}

Result<std::vector<std::string>> FaultFs::List(std::string_view dir) {
  OpContext op = OpOn(OpKind::kList, dir);
  Gate gate = Before(&op, epoch_);
  if (gate.action == Gate::Action::kFail) return std::move(gate.status);
  return inner_.List(dir);
}

Status FaultFs::MkDir(std::string_view path) {
  OpContext op = OpOn(OpKind::kMkDir, path);
  Gate gate = Before(&op, epoch_);
  if (gate.action == Gate::Action::kFail) return std::move(gate.status);
  return inner_.MkDir(path);
}

Result<fs::FileInfo> FaultFs::Stat(std::string_view path) {
  OpContext op = OpOn(OpKind::kStat, path);
  Gate gate = Before(&op, epoch_);
  if (gate.action == Gate::Action::kFail) return std::move(gate.status);
  return inner_.Stat(path);
}

Status FaultFs::SyncDir(std::string_view path) {
  OpContext op = OpOn(OpKind::kSyncDir, path);
  Gate gate = Before(&op, epoch_);
  if (gate.action == Gate::Action::kFail) return std::move(gate.status);
  return inner_.SyncDir(path);
}

Result<std::unique_ptr<fs::FileLock>> FaultFs::Lock(std::string_view path) {
  OpContext op = OpOn(OpKind::kLock, path);
  Gate gate = Before(&op, epoch_);
  if (gate.action == Gate::Action::kFail) return std::move(gate.status);
  WALSIM_ASSIGN_OR_RETURN(std::unique_ptr<fs::FileLock> lock, inner_.Lock(path));
  WALSIM_ASSERT(lock != nullptr);
  return std::unique_ptr<fs::FileLock>(new FaultFileLock(this, std::move(lock), epoch_));
}

}  // namespace walsim::faults
