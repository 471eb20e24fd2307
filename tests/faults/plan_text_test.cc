// The fault plan language (faults/plan.h, faults/plan_text.h): parsing,
// canonical printing, and the errors bad rules get.
#include "faults/plan_text.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace walsim::faults {
namespace {

class PlanTextTest : public ::testing::Test {
 protected:
  // Parses text, which must fail, and returns the error message.
  static std::string ErrorOf(std::string_view text) {
    Result<FaultPlan> plan = ParsePlan(text);
    EXPECT_FALSE(plan.ok()) << text;
    if (plan.ok()) return "";
    EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument) << text;
    return plan.status().message();
  }
};

TEST_F(PlanTextTest, ParsesEveryPartOfARule) {
  Result<FaultPlan> plan = ParsePlan("write /wal/*.wal after=10 nth=3 p=0.5 eio\n");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->size(), 1u);
  const Rule& rule = plan->rule(0);
  EXPECT_EQ(rule.op, OpSelector::Kind(OpKind::kWrite));
  EXPECT_EQ(rule.path.pattern(), "/wal/*.wal");
  EXPECT_EQ(rule.trigger.after_op_number, 10u);
  EXPECT_EQ(rule.trigger.nth, 3u);
  EXPECT_FALSE(rule.trigger.every.has_value());
  EXPECT_EQ(rule.trigger.probability, 0.5);
  EXPECT_EQ(rule.effect, Effect::kEio);
}

TEST_F(PlanTextTest, CommentsAndBlankLinesAreIgnoredAndPrintIsCanonical) {
  const std::string text =
      "# a plan\n"
      "\n"
      "  class:sync\t/wal/**   p=0.25 every=2  fsync-eio   # comment after a rule\n"
      "any * nth=500 crash";
  Result<FaultPlan> plan = ParsePlan(text);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(PrintPlan(*plan),
            "class:sync /wal/** every=2 p=0.25 fsync-eio\n"
            "any * nth=500 crash\n");
}

TEST_F(PlanTextTest, EmptyTextIsAnEmptyPlan) {
  Result<FaultPlan> plan = ParsePlan("# nothing\n\n");
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->empty());
  EXPECT_EQ(PrintPlan(*plan), "");
}

TEST_F(PlanTextTest, UnknownEffectNamesLineAndColumn) {
  EXPECT_EQ(ErrorOf("read /a nth=1 eio\nwrite /wal/*.wal nth=3 eioo\n"),
            "line 2, column 24: unknown effect \"eioo\"");
}

TEST_F(PlanTextTest, EffectInvalidForTheOperationIsRejectedAtTheEffect) {
  const std::string message = ErrorOf("write /w fsync-eio");
  EXPECT_EQ(message.rfind("line 1, column 10: effect \"fsync-eio\" is not valid for write", 0), 0u)
      << message;
  EXPECT_NE(message.find("valid for: syncdir, sync, syncdata"), std::string::npos) << message;
  // A class covering one kind the effect cannot hit is rejected as a whole.
  const std::string class_message = ErrorOf("class:write /w short");
  EXPECT_NE(class_message.find("not valid for truncate, allocate"), std::string::npos)
      << class_message;
  EXPECT_NE(ErrorOf("stat /w bitrot").find("column 9"), std::string::npos);
  EXPECT_NE(ErrorOf("read /w enospc").find("not valid for read"), std::string::npos);
}

TEST_F(PlanTextTest, BadWordsAreReportedWhereTheyStand) {
  struct Case {
    std::string_view text;
    std::string_view expected;
  };
  const Case cases[] = {
      {"wrte /a eio", "line 1, column 1: unknown operation \"wrte\""},
      {"class:wrte /a eio", "line 1, column 7: unknown operation class \"wrte\""},
      {"write wal eio", "line 1, column 7: path glob \"wal\" must start with '/'"},
      {"write /a/[b eio", "line 1, column 10: glob has an unterminated '['"},
      {"write /a nth=0 eio", "line 1, column 14: nth must be at least 1"},
      {"write /a every=x eio", "line 1, column 16: every=\"x\" is not a whole number"},
      {"write /a nth=-1 eio", "line 1, column 14: nth=\"-1\" is not a whole number"},
      {"write /a p=1.5 eio", "line 1, column 12: p=\"1.5\" is not a probability in (0, 1]"},
      {"write /a p=0 eio", "line 1, column 12: p=\"0\" is not a probability"},
      {"write /a p=nan eio", "line 1, column 12: p=\"nan\" is not a probability"},
      {"write /a nth=1 every=2 eio", "line 1, column 16: nth and every cannot be combined"},
      {"write /a nth=1 nth=2 eio", "line 1, column 16: trigger \"nth\" given twice"},
      {"write /a when=1 eio", "line 1, column 10: unknown trigger \"when\""},
      {"write /a eio nth=1", "line 1, column 10: effect \"eio\" must be the last word"},
      {"write /a nth=1", "line 1, column 15: missing effect after the triggers"},
      {"write /a eio crash", "line 1, column 10: effect \"eio\" must be the last word"},
      {"write /a", "line 1, column 9: expected \"<operation> <path-glob>"},
      {"write /a nth=1 after=1 p=1 every=1 x=1 eio",
       "line 1, column 40: too many words for one rule"},
  };
  for (const Case& c : cases) {
    const std::string message = ErrorOf(c.text);
    EXPECT_EQ(message.rfind(c.expected, 0), 0u) << c.text << "\n  got: " << message;
  }
}

TEST_F(PlanTextTest, ParseRuleNamesTheColumn) {
  Result<Rule> rule = ParseRule("sync /a nth=2 fsync-lie  # lying disk");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  EXPECT_EQ(PrintRule(*rule), "sync /a nth=2 fsync-lie");
  Result<Rule> bad = ParseRule("sync /a nth=2 fsync-lies");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "column 15: unknown effect \"fsync-lies\"");
}

TEST_F(PlanTextTest, ProbabilityPrintsInShortestRoundTripForm) {
  Result<FaultPlan> plan = ParsePlan("read * p=0.1 eio\nread * p=1e-05 eio\nread * p=1 eio\n");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(PrintPlan(*plan), "read * p=0.1 eio\nread * p=1e-05 eio\nread * p=1 eio\n");
}

TEST_F(PlanTextTest, PlanRefusesMoreThanTheRuleLimit) {
  std::string text;
  for (size_t i = 0; i <= FaultPlan::kRuleCountMax; i++) text += "read * eio\n";
  EXPECT_EQ(ErrorOf(text), "line 1025, column 1: a fault plan holds at most 1024 rules");
}

// Random valid plans, for the round-trip property.
rc::Gen<Rule> GenRule() {
  return rc::gen::exec([] {
    const auto effect = static_cast<Effect>(*rc::gen::inRange<int>(1, kEffectCount + 1));
    const uint32_t valid = Info(effect).valid_kinds_mask;
    std::vector<OpSelector> selectors;
    for (const OpKindInfo& info : kOpKindTable) {
      if ((valid & KindBit(info.kind)) != 0) selectors.push_back(OpSelector::Kind(info.kind));
    }
    for (size_t c = 0; c < kOpClassCount; c++) {
      const auto op_class = static_cast<OpClass>(c);
      if ((ClassMask(op_class) & ~valid) == 0) selectors.push_back(OpSelector::Class(op_class));
    }
    if (valid == kAllKindsMask) selectors.push_back(OpSelector::Any());
    const OpSelector selector = *rc::gen::elementOf(selectors);

    const std::vector<std::string> pieces = {"/",     "wal",  "a",    "*",   "**", "?",
                                             "[0-9]", "[!x]", ".wal", "\\*", "-",  "_"};
    std::string pattern = *rc::gen::element<std::string>("*", "/");
    if (pattern == "/") {
      const auto count = *rc::gen::inRange<size_t>(0, 8);
      for (size_t i = 0; i < count; i++) pattern += *rc::gen::elementOf(pieces);
    }
    Trigger trigger;
    if (*rc::gen::arbitrary<bool>()) trigger.after_op_number = *rc::gen::arbitrary<uint64_t>();
    const int count_trigger = *rc::gen::inRange(0, 3);
    if (count_trigger == 1) trigger.nth = *rc::gen::inRange<uint64_t>(1, UINT64_MAX);
    if (count_trigger == 2) trigger.every = *rc::gen::inRange<uint64_t>(1, UINT64_MAX);
    if (*rc::gen::arbitrary<bool>()) {
      // Any double in (0, 1] with a 53-bit mantissa, shortest text or not.
      const uint64_t numerator = *rc::gen::inRange<uint64_t>(1, (uint64_t{1} << 53) + 1);
      trigger.probability = static_cast<double>(numerator) * 0x1.0p-53;
    }
    Result<Glob> glob = Glob::Compile(pattern);
    RC_ASSERT(glob.ok());
    return Rule{selector, std::move(glob).value(), trigger, effect};
  });
}

RC_GTEST_PROP(PlanTextProperty, ParseOfPrintGivesBackThePlan, ()) {
  const auto rules = *rc::gen::container<std::vector<Rule>>(GenRule());
  FaultPlan plan;
  for (const Rule& rule : rules) RC_ASSERT(plan.Add(rule).ok());
  const std::string text = PrintPlan(plan);
  Result<FaultPlan> parsed = ParsePlan(text);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == plan);
  RC_ASSERT(PrintPlan(*parsed) == text);
}

RC_GTEST_PROP(PlanTextProperty, AnyTextParsesOrFailsWithALineAndColumn, ()) {
  const std::string alphabet = "write read sync any class:sync /a/*.wal nth=1 p=0.5 eio # \n\t=";
  const auto words = *rc::gen::container<std::vector<std::string>>(
      rc::gen::container<std::string>(rc::gen::elementOf(alphabet)));
  std::string text;
  for (const std::string& word : words) text += word + " ";
  Result<FaultPlan> plan = ParsePlan(text);
  if (plan.ok()) {
    RC_ASSERT(ParsePlan(PrintPlan(*plan)).value() == *plan);
  } else {
    RC_ASSERT(plan.status().code() == StatusCode::kInvalidArgument);
    RC_ASSERT(plan.status().message().rfind("line ", 0) == 0);
    RC_ASSERT(plan.status().message().find(", column ") != std::string::npos);
  }
}

}  // namespace
}  // namespace walsim::faults
