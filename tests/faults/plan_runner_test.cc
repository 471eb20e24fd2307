// PlanRunner (faults/plan_runner.h): which rule fires on which operation.
#include "faults/plan_runner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "faults/plan_text.h"

namespace walsim::faults {
namespace {

class PlanRunnerTest : public ::testing::Test {
 protected:
  static FaultPlan MustParse(std::string_view text) {
    Result<FaultPlan> plan = ParsePlan(text);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? std::move(plan).value() : FaultPlan();
  }

  // Offers operation_count operations of kind on path (numbered from 1) and
  // returns the numbers of those on which some rule fired, recording fires.
  static std::vector<uint64_t> FiringOps(PlanRunner* runner, OpKind kind, std::string_view path,
                                         uint64_t operation_count) {
    std::vector<uint64_t> fired;
    for (uint64_t number = 1; number <= operation_count; number++) {
      OpContext op = OpOn(kind, path);
      op.op_number = number;
      if (const auto decision = runner->Decide(op)) {
        runner->RecordFired(decision->rule_index);
        fired.push_back(number);
      }
    }
    return fired;
  }
};

TEST_F(PlanRunnerTest, NthFiresOnceOnTheNthMatchingOperation) {
  PlanRunner runner(MustParse("write /w nth=3 eio"), Rng(1));
  EXPECT_EQ(FiringOps(&runner, OpKind::kWrite, "/w", 10), (std::vector<uint64_t>{3}));
  EXPECT_EQ(runner.fired_counts()[0], 1u);
  EXPECT_EQ(runner.matched_counts()[0], 10u);
}

TEST_F(PlanRunnerTest, EveryFiresOnEachMultiple) {
  PlanRunner runner(MustParse("write /w every=4 eio"), Rng(1));
  EXPECT_EQ(FiringOps(&runner, OpKind::kWrite, "/w", 13), (std::vector<uint64_t>{4, 8, 12}));
  EXPECT_EQ(runner.fired_counts()[0], 3u);
}

TEST_F(PlanRunnerTest, NoTriggerFiresOnEveryMatchingOperation) {
  PlanRunner runner(MustParse("write /w eio"), Rng(1));
  EXPECT_EQ(FiringOps(&runner, OpKind::kWrite, "/w", 3), (std::vector<uint64_t>{1, 2, 3}));
}

TEST_F(PlanRunnerTest, AfterIgnoresOperationsUpToK) {
  PlanRunner runner(MustParse("any * after=5 eio"), Rng(1));
  EXPECT_EQ(FiringOps(&runner, OpKind::kStat, "/x", 7), (std::vector<uint64_t>{6, 7}));
  EXPECT_EQ(runner.matched_counts()[0], 2u);  // operations 1..5 were not seen at all
}

TEST_F(PlanRunnerTest, AfterCombinesWithNthCountingOnlyLaterOperations) {
  PlanRunner runner(MustParse("write /w after=10 nth=2 eio"), Rng(1));
  EXPECT_EQ(FiringOps(&runner, OpKind::kWrite, "/w", 20), (std::vector<uint64_t>{12}));
}

TEST_F(PlanRunnerTest, ProbabilityIsAPureFunctionOfTheSeed) {
  const FaultPlan plan = MustParse("read * p=0.3 eio");
  PlanRunner first(plan, Rng(42));
  PlanRunner again(plan, Rng(42));
  PlanRunner other(plan, Rng(43));
  const std::vector<uint64_t> fired = FiringOps(&first, OpKind::kRead, "/r", 2000);
  EXPECT_EQ(FiringOps(&again, OpKind::kRead, "/r", 2000), fired);
  EXPECT_NE(FiringOps(&other, OpKind::kRead, "/r", 2000), fired);
  // The rate is about p (a fixed seed: this is a fact about seed 42, not a flake).
  EXPECT_GT(fired.size(), 500u);
  EXPECT_LT(fired.size(), 700u);
}

TEST_F(PlanRunnerTest, ProbabilityCombinesWithEvery) {
  PlanRunner runner(MustParse("read * every=2 p=0.5 eio"), Rng(7));
  const std::vector<uint64_t> fired = FiringOps(&runner, OpKind::kRead, "/r", 400);
  EXPECT_FALSE(fired.empty());
  EXPECT_LT(fired.size(), 200u);
  for (uint64_t number : fired) EXPECT_EQ(number % 2, 0u) << number;
}

TEST_F(PlanRunnerTest, RuleDrawsDoNotDependOnOtherRules) {
  // Rule "read * p=0.3 eio" makes the same draws whether or not another rule
  // (that never sees these operations) stands before it.
  PlanRunner alone(MustParse("read * p=0.3 eio"), Rng(9));
  PlanRunner second(MustParse("write /never p=0.5 eio\nread * p=0.3 eio"), Rng(9));
  EXPECT_EQ(FiringOps(&alone, OpKind::kRead, "/r", 500),
            FiringOps(&second, OpKind::kRead, "/r", 500));
}

TEST_F(PlanRunnerTest, FirstFiringRuleWinsAndLaterRulesDoNotSeeTheOperation) {
  PlanRunner runner(MustParse("write /w nth=2 enospc\nwrite /w eio"), Rng(1));
  std::vector<Effect> effects;
  for (uint64_t number = 1; number <= 3; number++) {
    OpContext op = OpOn(OpKind::kWrite, "/w");
    op.op_number = number;
    const auto decision = runner.Decide(op);
    ASSERT_TRUE(decision.has_value());
    effects.push_back(decision->effect);
  }
  EXPECT_EQ(effects, (std::vector<Effect>{Effect::kEio, Effect::kNoSpace, Effect::kEio}));
  EXPECT_EQ(runner.matched_counts()[0], 3u);
  EXPECT_EQ(runner.matched_counts()[1], 2u);  // not operation 2, which rule 0 took
}

TEST_F(PlanRunnerTest, OtherKindsAndPathsAreNotCounted) {
  PlanRunner runner(MustParse("write /wal/*.wal nth=2 eio"), Rng(1));
  EXPECT_TRUE(FiringOps(&runner, OpKind::kRead, "/wal/1.wal", 5).empty());
  EXPECT_TRUE(FiringOps(&runner, OpKind::kWrite, "/wal/1.tmp", 5).empty());
  EXPECT_EQ(runner.matched_counts()[0], 0u);
  EXPECT_EQ(FiringOps(&runner, OpKind::kWrite, "/wal/1.wal", 5), (std::vector<uint64_t>{2}));
}

TEST_F(PlanRunnerTest, ClassSelectorCoversExactlyItsKinds) {
  PlanRunner runner(MustParse("class:sync * eio"), Rng(1));
  for (const OpKindInfo& info : kOpKindTable) {
    OpContext op = OpOn(info.kind, "/f");
    op.op_number = 1;
    EXPECT_EQ(runner.Decide(op).has_value(), info.op_class == OpClass::kSync) << info.name;
  }
}

TEST_F(PlanRunnerTest, RenameMatchesEitherPath) {
  PlanRunner runner(MustParse("rename /wal/*.wal eio"), Rng(1));
  OpContext op = OpOn(OpKind::kRename, "/wal/0.tmp");
  op.other_path = "/wal/0.wal";
  op.op_number = 1;
  EXPECT_TRUE(runner.Decide(op).has_value());
  op.other_path = "/wal/1.tmp";
  op.op_number = 2;
  EXPECT_FALSE(runner.Decide(op).has_value());
}

}  // namespace
}  // namespace walsim::faults
