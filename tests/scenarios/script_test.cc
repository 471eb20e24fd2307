// The scenario script format: parsing, arguments, rewriting and diffs.
#include "scenarios/script/script.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace walsim::scenarios {
namespace {

constexpr std::string_view kTwoBlocks =
    "# A comment that belongs to the first block.\n"
    "wal-create dir=/w metadata=\"two words\"\n"
    "----\n"
    "ok\n"
    "\n"
    "crash\n"
    "----\n"
    "crashed model=clean\n"
    "files=2\n";

TEST(ScriptTest, ParsesBlocksWithArgumentsAndExpectedOutput) {
  Result<Script> script = ParseScript(kTwoBlocks, "t.scn");
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  ASSERT_EQ(script->blocks.size(), 2u);
  const ScriptBlock& first = script->blocks[0];
  EXPECT_EQ(first.name, "wal-create");
  EXPECT_EQ(first.command_line, 2);
  ASSERT_EQ(first.args.size(), 2u);
  EXPECT_EQ(first.args[0], (ScriptArg{"dir", "/w"}));
  EXPECT_EQ(first.args[1], (ScriptArg{"metadata", "two words"}));
  EXPECT_EQ(first.expected, "ok");
  EXPECT_EQ(first.preamble.size(), 1u);
  EXPECT_EQ(script->blocks[1].expected, "crashed model=clean\nfiles=2");
}

TEST(ScriptTest, RenderWithSameOutputsReproducesText) {
  Result<Script> script = ParseScript(kTwoBlocks, "t.scn");
  ASSERT_TRUE(script.ok());
  std::string rendered = RenderScript(*script, {"ok", "crashed model=clean\nfiles=2"});
  EXPECT_EQ(rendered, kTwoBlocks);
}

TEST(ScriptTest, RewriteReplacesOnlyExpectedOutput) {
  Result<Script> script = ParseScript(kTwoBlocks, "t.scn");
  ASSERT_TRUE(script.ok());
  std::string rendered = RenderScript(*script, {"error: busy", ""});
  EXPECT_NE(rendered.find("# A comment"), std::string::npos);
  EXPECT_NE(rendered.find("----\nerror: busy\n\ncrash\n----\n"), std::string::npos);
}

TEST(ScriptTest, MissingSeparatorNamesTheLine) {
  Result<Script> script = ParseScript("# c\nsave term=1\nok\n", "x.scn");
  ASSERT_FALSE(script.ok());
  EXPECT_EQ(script.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(script.status().message().find("x.scn:2:"), std::string::npos)
      << script.status().message();
}

TEST(ScriptTest, MalformedArgumentsAreErrorsNamingTheLine) {
  for (std::string_view bad :
       {"save term\n----\n", "save =1\n----\n", "save a=1 a=2\n----\n", "save a=\"open\n----\n"}) {
    Result<Script> script = ParseScript(bad, "y.scn");
    ASSERT_FALSE(script.ok()) << bad;
    EXPECT_NE(script.status().message().find("y.scn:1:"), std::string::npos)
        << script.status().message();
  }
}

TEST(ScriptTest, QuotedValuesUnescape) {
  std::string name;
  std::vector<ScriptArg> args;
  ASSERT_TRUE(ParseCommandLine(R"(put data="a \"b\" \\c")", &name, &args).ok());
  ASSERT_EQ(args.size(), 1u);
  EXPECT_EQ(args[0].value, R"(a "b" \c)");
}

TEST(ScriptTest, ArgReaderReportsUnknownAndMalformedArguments) {
  Result<Script> script = ParseScript("cmd n=12 h=0x1f b=true x=1\n----\n", "z.scn");
  ASSERT_TRUE(script.ok());
  ArgReader args(script->blocks[0]);
  EXPECT_EQ(*args.U64("n"), 12u);
  EXPECT_EQ(*args.U64("h"), 31u);
  EXPECT_EQ(*args.Bool("b"), true);
  EXPECT_EQ(*args.U64Or("missing", 7), 7u);
  Status unused = args.CheckAllUsed();
  EXPECT_EQ(unused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unused.message().find("x="), std::string::npos);
  Result<Script> bad = ParseScript("cmd n=abc\n----\n", "z.scn");
  ASSERT_TRUE(bad.ok());
  ArgReader bad_args(bad->blocks[0]);
  EXPECT_EQ(bad_args.U64("n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_args.U64("absent").status().code(), StatusCode::kInvalidArgument);
}

TEST(ScriptTest, DiffMarksChangedLinesWithScriptLineNumbers) {
  std::string diff = UnifiedDiff("a\nb\nc", "a\nB\nc", 10);
  EXPECT_NE(diff.find("-b  (line 11)"), std::string::npos) << diff;
  EXPECT_NE(diff.find("+B"), std::string::npos) << diff;
  EXPECT_NE(diff.find(" a"), std::string::npos) << diff;
}

RC_GTEST_PROP(ScriptProperty, RenderParseRoundTrips, ()) {
  const auto count = *rc::gen::inRange<size_t>(0, 6);
  std::string text;
  std::vector<std::string> outputs;
  for (size_t i = 0; i < count; i++) {
    const auto value = *rc::gen::inRange<uint64_t>(0, 1000);
    const auto lines = *rc::gen::inRange<size_t>(0, 3);
    std::string output;
    for (size_t l = 0; l < lines; l++)
      output += (l ? "\n" : "") + std::string("out") + std::to_string(l);
    text += "# block " + std::to_string(i) + "\ncmd k=" + std::to_string(value) + "\n----\n";
    if (!output.empty()) text += output + "\n";
    text += "\n";
    outputs.push_back(output);
  }
  while (text.size() >= 2 && text.ends_with("\n\n")) text.pop_back();
  Result<Script> script = ParseScript(text, "p.scn");
  RC_ASSERT(script.ok());
  RC_ASSERT(script->blocks.size() == count);
  RC_ASSERT(RenderScript(*script, outputs) == text);
}

}  // namespace
}  // namespace walsim::scenarios
