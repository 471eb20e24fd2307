// The scenario runner, specified: scripts run deterministically, mismatches
// and malformed scripts name their line, fault rules see only what follows
// them, and the models follow what the commands acknowledged.
#include "scenarios/runner.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "scenarios/model/checker.h"
#include "scenarios/model/wal_model.h"

namespace walsim::scenarios {
namespace {

class RunnerTest : public ::testing::Test {
 protected:
  static Script Parse(std::string_view text) {
    Result<Script> script = ParseScript(text, "test.scn");
    EXPECT_TRUE(script.ok()) << script.status().ToString();
    return script.ok() ? std::move(script).value() : Script{};
  }

  // A script of the library, read from the source tree.
  static std::string LibraryScript(std::string_view name) {
    const char* root = std::getenv("WALSIM_SOURCE_DIR");
    std::string path =
        std::string(root == nullptr ? "." : root) + "/scenarios/scripts/" + std::string(name);
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_FALSE(text.str().empty()) << "cannot read " << path;
    return text.str();
  }

  static ScriptRun Run(const Script& script) {
    Result<ScriptRun> run = RunScript(script);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? std::move(run).value() : ScriptRun{};
  }
};

// Unsynced writes, then a crash that decides sector by sector what stays:
// the seed shows in the outcome and the trace.
constexpr std::string_view kSmallScript =
    "disk seed=7 model=reorder atomic=false\n----\n\n"
    "fs-write path=/f bytes=4096 fill=a\n----\n\n"
    "fs-syncdir path=/\n----\n\n"
    "fs-sync path=/f\n----\n\n"
    "fs-write path=/f offset=0 bytes=4096 fill=b\n----\n\n"
    "crash\n----\n\n"
    "fs-read path=/f length=4096\n----\n";

TEST_F(RunnerTest, SameScriptTwiceGivesTheSameTraceHash) {
  Script script = Parse(LibraryScript("wal-crash-unsynced-reorder.scn"));
  ScriptRun first = Run(script);
  ScriptRun replay = Run(script);
  Verdict verdict = CheckDeterministic(first.seed, first.trace_hash, replay.trace_hash);
  EXPECT_TRUE(verdict.ok()) << verdict.ToString();
  EXPECT_EQ(first.outputs, replay.outputs);
  EXPECT_EQ(DiffRun(script, first), "") << "the library script must pass";
}

TEST_F(RunnerTest, AnotherSeedGivesAnotherTraceHash) {
  ScriptRun seed7 = Run(Parse(kSmallScript));
  std::string other(kSmallScript);
  other.replace(other.find("seed=7"), 6, "seed=8");
  ScriptRun seed8 = Run(Parse(other));
  EXPECT_EQ(seed7.seed, 7u);
  EXPECT_EQ(seed8.seed, 8u);
  EXPECT_NE(seed7.outputs.back(), seed8.outputs.back()) << "the crash kept other sectors";
  Verdict verdict = CheckDeterministic(seed7.seed, seed7.trace_hash, seed8.trace_hash);
  EXPECT_EQ(verdict.invariant, Invariant::kDeterministic);
}

TEST_F(RunnerTest, WrongExpectationGivesADiffNamingTheLine) {
  Script script = Parse(
      "wal-create dir=/w metadata=m\n----\nok\n\n"
      "wal-save term=1 entries=1..2\n----\nok unsynced\n");
  ScriptRun run = Run(script);
  std::string diff = DiffRun(script, run);
  EXPECT_NE(diff.find("test.scn:5: wal-save term=1 entries=1..2"), std::string::npos) << diff;
  EXPECT_NE(diff.find("-ok unsynced  (line 7)"), std::string::npos) << diff;
  EXPECT_NE(diff.find("+ok synced"), std::string::npos) << diff;
  EXPECT_EQ(diff.find("test.scn:1:"), std::string::npos) << "the first block matches: " << diff;
}

TEST_F(RunnerTest, RewrittenScriptPasses) {
  Script script = Parse(kSmallScript);
  ScriptRun run = Run(script);
  EXPECT_NE(DiffRun(script, run), "");
  Script rewritten = Parse(RenderScript(script, run.outputs));
  EXPECT_EQ(DiffRun(rewritten, Run(rewritten)), "");
}

TEST_F(RunnerTest, UnknownCommandFailsTheScriptNamingTheLine) {
  Result<ScriptRun> run = RunScript(Parse("ls\n----\n\nwal-frobnicate dir=/w\n----\n"));
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(run.status().message(), "test.scn:4: unknown command \"wal-frobnicate\"");
}

TEST_F(RunnerTest, UnknownArgumentFailsTheScriptNamingTheLine) {
  Result<ScriptRun> run = RunScript(Parse("wal-create dir=/w metadata=m colour=red\n----\n"));
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().message(),
            "test.scn:1: wal-create: unknown argument colour= for wal-create");
}

TEST_F(RunnerTest, DiskAfterTheDiskWasUsedIsAScriptError) {
  Result<ScriptRun> run = RunScript(Parse("ls\n----\n\ndisk seed=3\n----\n"));
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().message(),
            "test.scn:4: disk: disk must come before any command that uses the disk");
}

TEST_F(RunnerTest, OperationFailureIsOutputNotAScriptError) {
  ScriptRun run = Run(Parse("wal-open dir=/missing\n----\n"));
  ASSERT_EQ(run.outputs.size(), 1u);
  EXPECT_TRUE(run.outputs[0].starts_with("error: not found (file not found): ")) << run.outputs[0];
}

TEST_F(RunnerTest, FaultRuleSeesOnlyOperationsAfterIt) {
  // Without the rule, nth=1 would hit the create's first write; with it
  // added after the create, it hits the save's.
  ScriptRun run =
      Run(Parse("wal-create dir=/w metadata=m\n----\n\n"
                "fault rule=\"class:sync /w/*.wal nth=1 fsync-eio\"\n----\n\n"
                "wal-save term=1 entries=1..2\n----\n\n"
                "faults\n----\n"));
  ASSERT_EQ(run.outputs.size(), 4u);
  EXPECT_EQ(run.outputs[0], "ok");
  EXPECT_EQ(run.outputs[1], "rule 0: class:sync /w/*.wal nth=1 fsync-eio");
  EXPECT_TRUE(run.outputs[2].starts_with("error: I/O error")) << run.outputs[2];
  EXPECT_NE(run.outputs[3].find("fired=1"), std::string::npos) << run.outputs[3];
}

TEST_F(RunnerTest, FiftyFaultLinesRunInOnePassEachSeeingOnlyWhatFollowsIt) {
  // Each rule fails the first write issued after its command, and sees
  // every later one: rule r is added after the operations of the blocks
  // before it, fires once, and matches the kRuleCount - r writes after it.
  constexpr int kRuleCount = 50;
  std::string text = "fs-write path=/f bytes=8 fill=a\n----\nok\n\n";
  for (int r = 0; r < kRuleCount; r++) {
    text += "fault rule=\"write /f nth=1 eio\"\n----\n\n";
    text += "fs-write path=/f offset=0 data=x\n----\n\n";
  }
  text += "faults\n----\n";
  ScriptRun run = Run(Parse(text));
  ASSERT_EQ(run.outputs.size(), size_t{2 * kRuleCount + 2});
  for (int r = 0; r < kRuleCount; r++) {
    EXPECT_EQ(run.outputs[1 + 2 * r], "rule " + std::to_string(r) + ": write /f nth=1 eio");
    EXPECT_TRUE(run.outputs[2 + 2 * r].starts_with("error: I/O error")) << run.outputs[2 + 2 * r];
  }
  const std::string& listing = run.outputs.back();
  for (int r = 0; r < kRuleCount; r++) {
    const uint64_t added_after = run.block_op_counts[2 * r];  // the block before its `fault`
    const std::string line = "rule " + std::to_string(r) +
                             ": write /f nth=1 eio added-after-op=" + std::to_string(added_after) +
                             " matched=" + std::to_string(kRuleCount - r) + " fired=1";
    EXPECT_NE(listing.find(line), std::string::npos) << line << "\nin:\n" << listing;
  }
  // Every fs-write issues the same operations, once: nothing ran twice.
  EXPECT_EQ(run.block_op_counts.back(), run.block_op_counts[0] * (kRuleCount + 1));
}

// A crash mid-Save leaves a torn tail (legal faults), then wal-repair runs
// with one more file in the directory, written but never synced.
std::string RepairAfterATornSave(std::string_view extra_block) {
  return "disk seed=3 model=prefix atomic=false\n----\n\n"
         "wal-create dir=/w metadata=m\n----\n\n"
         "wal-save term=1 entries=1..2\n----\n\n"
         "fault rule=\"syncdata /w/*.wal nth=1 crash\"\n----\n\n"
         "wal-save commit=2 entries=3..10 bytes=500\n----\n\n" +
         std::string(extra_block) + "wal-repair dir=/w\n----\n";
}

TEST_F(RunnerTest, RepairIsJudgedDurableOnTheDiskWhenItReturns) {
  ScriptRun clean = Run(Parse(RepairAfterATornSave("")));
  ASSERT_FALSE(clean.outputs.empty());
  EXPECT_EQ(clean.outputs.back(), "repaired");
  // What Repair leaves in the directory must be durable when it returns: a
  // backup (.broken) that is not is a violation, named with its path.
  ScriptRun stray =
      Run(Parse(RepairAfterATornSave("fs-write path=/w/old.wal.broken bytes=8 fill=x\n----\n\n")));
  ASSERT_FALSE(stray.outputs.empty());
  EXPECT_NE(stray.outputs.back().find("repaired\nviolated durable at op"), std::string::npos)
      << stray.outputs.back();
  EXPECT_NE(stray.outputs.back().find("/w/old.wal.broken is not durable"), std::string::npos)
      << stray.outputs.back();
}

TEST_F(RunnerTest, BadRuleTextPrintsTheParsersColumn) {
  ScriptRun run = Run(Parse("fault rule=\"write /w/* nth=1 eioo\"\n----\n"));
  ASSERT_EQ(run.outputs.size(), 1u);
  EXPECT_TRUE(run.outputs[0].starts_with("error: invalid argument: column ")) << run.outputs[0];
  EXPECT_NE(run.outputs[0].find("eioo"), std::string::npos) << run.outputs[0];
}

TEST_F(RunnerTest, WriteAcceptedAfterAFailureIsReportedAsFailsStop) {
  // The WAL must refuse the second save; whatever it does, the runner's
  // output says which way it went.
  ScriptRun run =
      Run(Parse("wal-create dir=/w metadata=m\n----\n\n"
                "fault rule=\"syncdata /w/*.wal nth=1 fsync-eio\"\n----\n\n"
                "wal-save term=1 entries=1\n----\n\n"
                "wal-save entries=2\n----\n"));
  ASSERT_EQ(run.outputs.size(), 4u);
  EXPECT_TRUE(run.outputs[2].starts_with("error: ")) << run.outputs[2];
  EXPECT_TRUE(run.outputs[3].starts_with("error: closed (failed stop)")) << run.outputs[3];
  EXPECT_EQ(run.outputs[3].find("violated"), std::string::npos) << run.outputs[3];
}

TEST_F(RunnerTest, CheckWithNothingUsedSaysSo) {
  ScriptRun run = Run(Parse("check\n----\n"));
  ASSERT_EQ(run.outputs.size(), 1u);
  EXPECT_EQ(run.outputs[0], "ok: nothing to check (no WAL or LogStore was used)");
}

TEST(WalModelTest, WithdrawnSaveLeavesNoRecord) {
  WalModel model;
  model.Create("m", 1);
  std::vector<wal::Entry> entries = {{1, 1, wal::EntryType::kNormal, "a"}};
  EXPECT_TRUE(model.BeginSave({1, 0, 0}, entries, 2));
  EXPECT_EQ(model.record_count(), 3u);
  model.Withdraw();
  EXPECT_EQ(model.record_count(), 1u);
  // The MustSync baseline is restored too: the same term still must sync.
  EXPECT_TRUE(model.BeginSave({1, 0, 0}, {}, 3));
}

TEST(WalModelTest, CreateIsInDoubtUntilAcknowledged) {
  WalModel model;
  model.BeginCreate("m", 1);
  EXPECT_EQ(model.record_count(), 1u);
  EXPECT_EQ(model.durable_count(), 0u);
  model.Acknowledge(true);
  EXPECT_EQ(model.durable_count(), 1u);
  Result<WalView> view = model.ViewAt(1, {});
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->metadata, "m");
}

}  // namespace
}  // namespace walsim::scenarios
