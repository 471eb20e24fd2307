// FaultPlan: which faults happen where, as an ordered list of rules.
//
// A rule is (operations, path glob, trigger, effect). For every filesystem
// operation, FaultFs offers the operation to the rules in order; the first
// rule that fires decides the fault and the rules after it do not see the
// operation (so rule order is priority, as in Pebble's errorfs).
//
// Triggers (all optional, combinable as below; docs/fault-plans.md):
//   after=K  the rule only sees operations whose global number is > K (the
//            first operation of a FaultFs is number 1);
//   nth=N    fires on the Nth operation the rule sees, once;
//   every=N  fires on every Nth operation the rule sees (N, 2N, ...);
//   p=P      fires with probability P, drawn from the rule's own seeded
//            stream, on each operation that passed the triggers above.
// nth and every exclude each other; with no trigger the rule fires on every
// operation it sees.
//
// Invariant: every Rule in a FaultPlan passed ValidateRule (the effect is
// valid on every kind its selector covers, the trigger is well formed), and a
// plan holds at most kRuleCountMax rules. Equality compares the rules' text
// meaning, so Parse(Print(plan)) == plan. Rules carry no run state (match and
// fired counts live in the PlanRunner, see faults/plan_runner.h).
// Values; not thread-safe to mutate concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "faults/effect.h"
#include "faults/glob.h"
#include "faults/op_kind.h"

namespace walsim::faults {

// Which operation kinds a rule covers: one kind ("write"), a class
// ("class:sync") or all of them ("any").
class OpSelector {
 public:
  enum class Scope : uint8_t { kKind, kClass, kAny };

  static OpSelector Kind(OpKind kind) { return OpSelector(Scope::kKind, kind, OpClass::kRead); }
  static OpSelector Class(OpClass op_class) {
    return OpSelector(Scope::kClass, OpKind::kOpen, op_class);
  }
  static OpSelector Any() { return OpSelector(Scope::kAny, OpKind::kOpen, OpClass::kRead); }

  Scope scope() const { return scope_; }
  // The covered kinds as KindBit()s; never 0.
  uint32_t KindMask() const;
  bool Covers(OpKind kind) const { return (KindMask() & KindBit(kind)) != 0; }
  // "write", "class:sync" or "any".
  std::string ToString() const;

  friend bool operator==(const OpSelector& a, const OpSelector& b) {
    return a.ToString() == b.ToString();
  }

 private:
  OpSelector(Scope scope, OpKind kind, OpClass op_class)
      : scope_(scope), kind_(kind), op_class_(op_class) {}
  Scope scope_;
  OpKind kind_;       // kKind only
  OpClass op_class_;  // kClass only
};

struct Trigger {
  std::optional<uint64_t> after_op_number;  // after=K
  std::optional<uint64_t> nth;              // nth=N, N >= 1
  std::optional<uint64_t> every;            // every=N, N >= 1
  std::optional<double> probability;        // p=P, 0 < P <= 1

  friend bool operator==(const Trigger&, const Trigger&) = default;
};

struct Rule {
  OpSelector op;
  Glob path;
  Trigger trigger;
  Effect effect;

  friend bool operator==(const Rule&, const Rule&) = default;
};

// OK when rule may be in a plan. Failure: kInvalidArgument naming what is
// wrong: the effect is not valid on a covered kind (naming the kind and the
// kinds it is valid on), nth together with every, nth or every of 0, a
// probability outside (0, 1] or not finite.
Status ValidateRule(const Rule& rule);

class FaultPlan {
 public:
  static constexpr size_t kRuleCountMax = 1024;

  // Appends rule. Failure: as ValidateRule, or kInvalidArgument when the
  // plan already holds kRuleCountMax rules; the plan is unchanged.
  Status Add(Rule rule);

  size_t size() const { return rules_.size(); }
  bool empty() const { return rules_.empty(); }
  // REQUIRES: index < size().
  const Rule& rule(size_t index) const;
  const std::vector<Rule>& rules() const { return rules_; }

  friend bool operator==(const FaultPlan&, const FaultPlan&) = default;

 private:
  std::vector<Rule> rules_;
};

}  // namespace walsim::faults
