#include "faults/plan_runner.h"

#include "faults/plan_text.h"

namespace walsim::faults {

PlanRunner::PlanRunner(FaultPlan plan, const Rng& rng) : rng_(rng), plan_(std::move(plan)) {
  WALSIM_ASSERT(plan_.size() <= FaultPlan::kRuleCountMax);
  rule_rngs_.reserve(plan_.size());
  for (const Rule& rule : plan_.rules()) rule_rngs_.push_back(StreamFor(rule));
  WALSIM_ASSERT(rule_rngs_.size() == plan_.size());
  matched_counts_.assign(plan_.size(), 0);
  fired_counts_.assign(plan_.size(), 0);
  glob_scratch_.reserve(256);
}

Rng PlanRunner::StreamFor(const Rule& rule) {
  // A rule's stream is named after its own text (and, for identical rules,
  // which copy it is), not its index: removing or inserting another rule,
  // as the shrinker does, leaves this rule's draws unchanged.
  const std::string text = PrintRule(rule);
  const uint64_t copy_index = copies_seen_[text]++;
  return rng_.Stream("faults/rule/" + text + "/" + std::to_string(copy_index));
}

Status PlanRunner::Append(Rule rule) {
  const size_t rule_count = plan_.size();
  if (Status added = plan_.Add(std::move(rule)); !added.ok()) {
    WALSIM_ASSERT(plan_.size() == rule_count);  // a failed Add leaves the plan as it was
    return added;
  }
  WALSIM_ASSERT(plan_.size() == rule_count + 1 && plan_.size() <= FaultPlan::kRuleCountMax);
  rule_rngs_.push_back(StreamFor(plan_.rules().back()));
  matched_counts_.push_back(0);
  fired_counts_.push_back(0);
  WALSIM_ASSERT(rule_rngs_.size() == plan_.size() && matched_counts_.size() == plan_.size() &&
                fired_counts_.size() == plan_.size());
  return Status::Ok();
}

bool PlanRunner::Sees(const Rule& rule, const OpContext& op) {
  if (!rule.op.Covers(op.kind)) return false;
  if (rule.trigger.after_op_number.has_value() && op.op_number <= *rule.trigger.after_op_number) {
    return false;
  }
  if (rule.path.Matches(op.path, &glob_scratch_)) return true;
  return !op.other_path.empty() && rule.path.Matches(op.other_path, &glob_scratch_);
}

std::optional<PlanRunner::Decision> PlanRunner::Decide(const OpContext& op) {
  WALSIM_ASSERT(op.op_number > 0);
  WALSIM_ASSERT(matched_counts_.size() == plan_.size() && rule_rngs_.size() == plan_.size());
  for (size_t i = 0; i < plan_.size(); i++) {
    const Rule& rule = plan_.rule(i);
    if (!Sees(rule, op)) continue;
    const uint64_t matched_count = ++matched_counts_[i];
    const Trigger& trigger = rule.trigger;
    if (trigger.nth.has_value() && matched_count != *trigger.nth) continue;
    if (trigger.every.has_value() && matched_count % *trigger.every != 0) continue;
    // The draw happens only here, after the count triggers, so a rule's
    // stream advances once per candidate operation: deterministic.
    if (trigger.probability.has_value() && !rule_rngs_[i].Chance(*trigger.probability)) continue;
    WALSIM_ASSERT(matched_count >= fired_counts_[i] + 1);
    return Decision{i, rule.effect};
  }
  return std::nullopt;
}

void PlanRunner::RecordFired(size_t rule_index) {
  WALSIM_ASSERT(rule_index < fired_counts_.size());
  fired_counts_[rule_index]++;
  WALSIM_ASSERT(fired_counts_[rule_index] <= matched_counts_[rule_index]);
}

}  // namespace walsim::faults
