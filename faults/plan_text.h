// The text form of fault plans: one rule per line.
//
//   # a comment runs from '#' (at the start of a word) to the end of the line
//   write /wal/*.wal nth=3 eio
//   class:sync /wal/** after=100 p=0.05 fsync-eio
//   any * nth=500 crash
//
// Grammar (docs/fault-plans.md has the full reference and examples):
//   line     = [rule] [comment]
//   rule     = selector SP glob *(SP trigger) SP effect
//   selector = kind-name | "class:" class-name | "any"
//   trigger  = "after=" uint | "nth=" uint | "every=" uint | "p=" decimal
// Words are separated by spaces or tabs; a trigger key may appear once per
// rule, in any order. The canonical form (what Print writes) is the rule's
// words separated by one space, triggers in the order after, nth, every, p,
// numbers in shortest round-trip form, one rule per line ending in '\n', no
// comments or blank lines. Print(Parse(text)) is the canonical form of text
// and Parse(Print(plan)) == plan.
//
// Errors are kInvalidArgument with the 1-based line and column of the word at
// fault: `line 2, column 14: unknown effect "eioo"`.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "faults/plan.h"

namespace walsim::faults {

// Longest plan text accepted (a bound, not a tuning knob).
inline constexpr size_t kPlanTextBytesMax = size_t{1} << 20;

// Parses a whole plan. Failure: kInvalidArgument "line L, column C: ...".
Result<FaultPlan> ParsePlan(std::string_view text);

// Parses one rule (no newline; a trailing comment is allowed, an empty or
// comment-only line is an error). Failure: kInvalidArgument "column C: ...".
Result<Rule> ParseRule(std::string_view line);

// The canonical text of one rule, without newline.
std::string PrintRule(const Rule& rule);
// The canonical text of a plan: PrintRule of each rule plus '\n'.
std::string PrintPlan(const FaultPlan& plan);

}  // namespace walsim::faults
