// PlanRunner: a FaultPlan in motion. Decides, operation by operation, which
// rule (if any) fires.
//
// For each operation, the rules are tried in plan order. A rule sees the
// operation when its selector covers the kind, its glob matches the path
// (for a rename: either path) and the operation's number is past its
// after=K. Seeing it counts a match; the rule then fires when its count
// trigger (nth, every) and its probability (p, a draw from the rule's own
// stream "faults/rule/<rule text>/<copy>" of the run's Rng) agree. The first rule that
// fires decides; later rules do not see the operation.
//
// A plan may grow while it runs (Append): a rule appended after operation K
// is the same rule it would have been in the plan from the start with
// after=K, with the same stream, so growing a plan live and knowing it up
// front give the same decisions.
//
// Invariant: a run is a pure function of (plan, rng seed, the sequence of
// operations and appends): no clock, no hidden state. fired_count(i) <= matched_count(i).
// Fired counts are recorded by the caller (RecordFired) once the effect has
// really been applied, so a count means the fault reached the operation.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/rng.h"
#include "faults/op_context.h"
#include "faults/plan.h"

namespace walsim::faults {

class PlanRunner {
 public:
  struct Decision {
    size_t rule_index;
    Effect effect;
  };

  // rng is the run's generator; each rule draws from its own stream, named
  // after the rule's text, so adding or removing a rule does not change
  // another rule's draws.
  PlanRunner(FaultPlan plan, const Rng& rng);

  // Appends rule at the end of the plan, with its own stream (named as the
  // constructor names it) and zero counts. Failure: as FaultPlan::Add; the
  // plan is unchanged.
  Status Append(Rule rule);

  // The rule that fires for op, or nullopt. Counts matches.
  std::optional<Decision> Decide(const OpContext& op);

  // Counts one firing of rule rule_index. REQUIRES: rule_index < plan().size().
  void RecordFired(size_t rule_index);

  const FaultPlan& plan() const { return plan_; }
  // One count per rule, in plan order.
  std::span<const uint64_t> fired_counts() const { return fired_counts_; }
  std::span<const uint64_t> matched_counts() const { return matched_counts_; }

 private:
  bool Sees(const Rule& rule, const OpContext& op);
  // The stream of the next rule whose text is PrintRule(rule).
  Rng StreamFor(const Rule& rule);

  Rng rng_;
  FaultPlan plan_;
  std::map<std::string, uint64_t, std::less<>> copies_seen_;  // rule text -> copies so far
  std::vector<Rng> rule_rngs_;
  std::vector<uint64_t> matched_counts_;
  std::vector<uint64_t> fired_counts_;
  std::vector<uint8_t> glob_scratch_;  // reused by every glob match
};

}  // namespace walsim::faults
