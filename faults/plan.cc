#include "faults/plan.h"

#include <cmath>

namespace walsim::faults {
namespace {

// "sync, syncdata, syncdir": the kinds of a mask, in table order.
std::string KindList(uint32_t mask) {
  std::string list;
  for (const OpKindInfo& info : kOpKindTable) {
    if ((mask & KindBit(info.kind)) == 0) continue;
    if (!list.empty()) list += ", ";
    list += info.name;
  }
  return list;
}

}  // namespace

uint32_t OpSelector::KindMask() const {
  switch (scope_) {
    case Scope::kKind:
      return KindBit(kind_);
    case Scope::kClass:
      return ClassMask(op_class_);
    case Scope::kAny:
      return kAllKindsMask;
  }
  WALSIM_UNREACHABLE();
}

std::string OpSelector::ToString() const {
  switch (scope_) {
    case Scope::kKind:
      return std::string(OpKindName(kind_));
    case Scope::kClass:
      return "class:" + std::string(OpClassName(op_class_));
    case Scope::kAny:
      return "any";
  }
  WALSIM_UNREACHABLE();
}

Status ValidateRule(const Rule& rule) {
  const EffectInfo& effect = Info(rule.effect);
  const uint32_t invalid_kinds_mask = rule.op.KindMask() & ~effect.valid_kinds_mask;
  if (invalid_kinds_mask != 0) {
    return Status::InvalidArgument("effect \"" + std::string(effect.name) + "\" is not valid for " +
                                   KindList(invalid_kinds_mask) +
                                   " (valid for: " + KindList(effect.valid_kinds_mask) + ")");
  }
  const Trigger& trigger = rule.trigger;
  if (trigger.nth.has_value() && trigger.every.has_value()) {
    return Status::InvalidArgument("nth and every cannot be combined in one rule");
  }
  if (trigger.nth.has_value() && *trigger.nth == 0) {
    return Status::InvalidArgument("nth must be at least 1 (operations count from 1)");
  }
  if (trigger.every.has_value() && *trigger.every == 0) {
    return Status::InvalidArgument("every must be at least 1");
  }
  if (trigger.probability.has_value()) {
    const double p = *trigger.probability;
    if (!std::isfinite(p) || p <= 0.0 || p > 1.0) {
      return Status::InvalidArgument("probability p must be in (0, 1]");
    }
  }
  return Status::Ok();
}

Status FaultPlan::Add(Rule rule) {
  if (rules_.size() >= kRuleCountMax) {
    return Status::InvalidArgument("a fault plan holds at most " + std::to_string(kRuleCountMax) +
                                   " rules");
  }
  WALSIM_RETURN_IF_ERROR(ValidateRule(rule));
  rules_.push_back(std::move(rule));
  WALSIM_ASSERT(rules_.size() <= kRuleCountMax);
  return Status::Ok();
}

const Rule& FaultPlan::rule(size_t index) const {
  WALSIM_ASSERT(index < rules_.size());
  return rules_[index];
}

}  // namespace walsim::faults
