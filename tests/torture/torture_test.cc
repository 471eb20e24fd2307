// Torture, replay and shrink as a specification: a seed is a complete,
// deterministic bug report; every generated script is one the runner
// accepts; under legal faults the production code shows no violation; and a
// failing seed shrinks to a small script that still fails the same way and
// round-trips through the script format.
#include "scenarios/search/torture.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "scenarios/runner.h"
#include "scenarios/search/shrink.h"
#include "scenarios/search/workload.h"

namespace walsim::scenarios {
namespace {

// Seeds each whole-run test covers: enough to reach every operation and
// fault kind, small enough for the ASan build.
constexpr uint64_t kSeedCount = 48;

std::string Text(const Script& script) {
  std::vector<std::string> expected;
  for (const ScriptBlock& block : script.blocks) expected.push_back(block.expected);
  return RenderScript(script, expected);
}

// "FAIL seed=S block=K: verdict" lines, for a failure message.
std::string Describe(const std::vector<TortureOutcome>& failures) {
  std::string text;
  for (const TortureOutcome& outcome : failures) {
    text += "FAIL seed=" + std::to_string(outcome.seed) +
            " block=" + std::to_string(outcome.block_number) + ": " + outcome.verdict + "\n";
  }
  return text;
}

class TortureTest : public ::testing::Test {
 protected:
  static std::vector<TortureOutcome> Failures(const TortureOptions& options, uint64_t seed_count) {
    std::vector<TortureOutcome> failures;
    RunTorture({0, seed_count}, {0, 1}, options, [&](const TortureOutcome& outcome) {
      if (outcome.failed()) failures.push_back(outcome);
      return true;
    });
    return failures;
  }

  // The first seed whose workload violates an invariant, with the options
  // of a deliberately misused WAL (purge past the snapshot).
  static TortureOutcome FirstMisuseFailure(const TortureOptions& options) {
    for (uint64_t seed = 0; seed < kSeedCount; seed++) {
      TortureOutcome outcome = RunSeed(seed, options);
      if (outcome.status == TortureStatus::kViolation) return outcome;
    }
    return {};
  }

  static TortureOptions MisuseOptions() {
    TortureOptions options;
    options.workload.component = WorkloadComponent::kWal;
    options.workload.purge_past_snapshot = true;
    return options;
  }
};

TEST_F(TortureTest, GenerationIsDeterministic) {
  for (uint64_t seed = 0; seed < kSeedCount; seed++) {
    const std::string first = Text(GenerateWorkload(seed, {}));
    EXPECT_EQ(first, Text(GenerateWorkload(seed, {}))) << "seed " << seed;
    EXPECT_NE(first, Text(GenerateWorkload(seed + 1, {}))) << "seeds " << seed << ", " << seed + 1;
  }
}

TEST_F(TortureTest, GeneratedScriptsStartWithDiskAndEndWithCrashAndCheck) {
  for (WorkloadComponent component :
       {WorkloadComponent::kWal, WorkloadComponent::kLogStore, WorkloadComponent::kBoth}) {
    WorkloadOptions options;
    options.component = component;
    options.op_count = 12;
    const Script script = GenerateWorkload(7, options);
    ASSERT_GE(script.blocks.size(), 4u);
    EXPECT_EQ(script.blocks.front().name, "disk");
    EXPECT_EQ(script.blocks[script.blocks.size() - 2].name, "crash");
    EXPECT_EQ(script.blocks.back().name, "check");
    for (const ScriptBlock& block : script.blocks) {
      EXPECT_TRUE(block.expected.empty()) << block.command_text;
      if (component == WorkloadComponent::kWal) {
        EXPECT_FALSE(block.name.starts_with("log-")) << block.command_text;
      }
      if (component == WorkloadComponent::kLogStore) {
        EXPECT_FALSE(block.name.starts_with("wal-")) << block.command_text;
      }
    }
  }
}

TEST_F(TortureTest, EveryGeneratedScriptRunsWithoutRunError) {
  for (bool illegal : {false, true}) {
    TortureOptions options;
    options.workload.illegal = illegal;
    for (uint64_t seed = 0; seed < kSeedCount; seed++) {
      const Script script = GenerateWorkload(seed, options.workload);
      Result<ScriptRun> run = RunScript(script);
      ASSERT_TRUE(run.ok()) << "seed " << seed << ": " << run.status().ToString();
      ASSERT_EQ(run->outputs.size(), script.blocks.size());
      // Every fault rule the generator writes is one the runner accepts.
      for (size_t b = 0; b < script.blocks.size(); b++) {
        if (script.blocks[b].name != "fault") continue;
        EXPECT_TRUE(run->outputs[b].starts_with("rule "))
            << "seed " << seed << ": " << run->outputs[b];
      }
    }
  }
}

TEST_F(TortureTest, ScriptWithOutputsRoundTripsThroughTheFormat) {
  const Script script = GenerateWorkload(3, {});
  Result<ScriptRun> run = RunScript(script);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const std::string text = RenderScript(script, run->outputs);
  Result<Script> parsed = ParseScript(text, "seed-3.scn");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->blocks.size(), script.blocks.size());
  for (size_t b = 0; b < script.blocks.size(); b++) {
    EXPECT_EQ(parsed->blocks[b].expected, run->outputs[b]) << script.blocks[b].command_text;
  }
  // The script with its own outputs as expectations passes.
  Result<ScriptRun> rerun = RunScript(*parsed);
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(DiffRun(*parsed, *rerun), "");
}

// Under legal faults correct production code loses nothing it acknowledged
// and recovers by itself. A failure here is a real bug (or a harness
// problem): the message lists the seeds to replay and shrink.
TEST_F(TortureTest, LegalTortureFindsNoViolation) {
  const std::vector<TortureOutcome> failures = Failures({}, kSeedCount);
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << kSeedCount << " seeds failed:\n"
                                << Describe(failures);
}

TEST_F(TortureTest, IllegalTortureIsNeverSilentlyWrong) {
  TortureOptions options;
  options.workload.illegal = true;
  std::vector<TortureOutcome> wrong;
  for (const TortureOutcome& outcome : Failures(options, kSeedCount)) {
    EXPECT_NE(outcome.status, TortureStatus::kRunError) << outcome.verdict;
    if (outcome.invariant == "never silently wrong" || outcome.invariant == "exact") {
      wrong.push_back(outcome);
    }
  }
  EXPECT_TRUE(wrong.empty()) << Describe(wrong);
}

TEST_F(TortureTest, ReplayGivesTheSameTraceHash) {
  TortureOptions options;
  options.check_determinism = true;
  for (uint64_t seed = 0; seed < 8; seed++) {
    const TortureOutcome first = RunSeed(seed, {});
    const TortureOutcome replay = RunSeed(seed, options);
    EXPECT_NE(replay.status, TortureStatus::kNondeterministic) << replay.verdict;
    EXPECT_EQ(first.trace_hash, replay.trace_hash) << "seed " << seed;
    EXPECT_NE(first.trace_hash, 0u);
  }
}

TEST_F(TortureTest, MisuseIsReportedWithSeedBlockAndInvariant) {
  const TortureOutcome outcome = FirstMisuseFailure(MisuseOptions());
  ASSERT_EQ(outcome.status, TortureStatus::kViolation);
  EXPECT_GT(outcome.block_number, 0u);
  EXPECT_GT(outcome.block_line, 0);
  EXPECT_EQ(outcome.invariant, "recovers");
  EXPECT_NE(outcome.verdict.find("violated recovers at op " + std::to_string(outcome.block_number)),
            std::string::npos)
      << outcome.verdict;
}

TEST_F(TortureTest, ShrinkKeepsTheFailureInAMuchSmallerScript) {
  const TortureOptions options = MisuseOptions();
  const TortureOutcome outcome = FirstMisuseFailure(options);
  ASSERT_EQ(outcome.status, TortureStatus::kViolation);
  const Script original = GenerateWorkload(outcome.seed, options.workload);
  Result<ShrinkResult> shrunk = Shrink(original, outcome.invariant);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status().ToString();
  EXPECT_LE(shrunk->script.blocks.size() * 3, original.blocks.size())
      << shrunk->script.blocks.size() << " of " << original.blocks.size() << " blocks";
  EXPECT_LE(shrunk->run_count, kShrinkRunCountMax);
  EXPECT_EQ(shrunk->script.blocks.front().name, "disk");
  EXPECT_EQ(shrunk->failure.invariant, outcome.invariant);
  EXPECT_EQ(shrunk->failure.block_number, shrunk->script.blocks.size());

  // The regression file: parses, still fails the same way through
  // RunScript, differs from its expectations only by the violation, and
  // renders back to the same text.
  const std::string text =
      RenderRegression(*shrunk, {outcome.seed, WorkloadFlags(options.workload)});
  EXPECT_NE(text.find("seed " + std::to_string(outcome.seed)), std::string::npos);
  EXPECT_NE(text.find("walsim replay --seed " + std::to_string(outcome.seed) +
                      " --ops 40 --component wal --purge-past-snapshot"),
            std::string::npos)
      << text;
  Result<Script> parsed = ParseScript(text, "regression.scn");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Result<ScriptRun> run = RunScript(*parsed);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  TortureOutcome again;
  ASSERT_TRUE(FindViolation(*parsed, *run, &again));
  EXPECT_EQ(again.invariant, outcome.invariant);
  const std::string diff = DiffRun(*parsed, *run);
  EXPECT_NE(diff.find("+" + again.verdict), std::string::npos) << diff;
  std::vector<std::string> expected;
  for (const ScriptBlock& block : parsed->blocks) expected.push_back(block.expected);
  EXPECT_EQ(RenderScript(*parsed, expected), text);
}

TEST_F(TortureTest, ShrinkRefusesAScriptThatDoesNotFail) {
  TortureOptions options;
  options.workload.op_count = 6;
  const Script script = GenerateWorkload(2, options.workload);
  ASSERT_EQ(RunSeed(2, options).status, TortureStatus::kPassed);
  Result<ShrinkResult> shrunk = Shrink(script, "durable");
  ASSERT_FALSE(shrunk.ok());
  EXPECT_TRUE(shrunk.status().Is(StatusCode::kFailedPrecondition));
  EXPECT_NE(shrunk.status().message().find("does not violate \"durable\""), std::string::npos);
}

TEST_F(TortureTest, ShrinkStopsAtItsRunBudget) {
  const TortureOptions options = MisuseOptions();
  const TortureOutcome outcome = FirstMisuseFailure(options);
  ASSERT_EQ(outcome.status, TortureStatus::kViolation);
  Result<ShrinkResult> shrunk = Shrink(GenerateWorkload(outcome.seed, options.workload),
                                       outcome.invariant, ShrinkOptions{.run_count_max = 3});
  ASSERT_TRUE(shrunk.ok()) << shrunk.status().ToString();
  EXPECT_EQ(shrunk->run_count, 3u);
  EXPECT_EQ(shrunk->failure.invariant, outcome.invariant);
}

TEST_F(TortureTest, ShardsPartitionTheSeedRange) {
  TortureOptions options;
  options.workload.op_count = 2;
  std::multiset<uint64_t> seen;
  constexpr uint64_t kSeedCountOfShard[] = {4, 3, 4};  // 6 9 12 15 | 7 10 13 | 5 8 11 14
  for (uint64_t index = 0; index < 3; index++) {
    const TortureSummary summary =
        RunTorture({5, 16}, {index, 3}, options, [&](const TortureOutcome& outcome) {
          EXPECT_EQ(outcome.seed % 3, index);
          seen.insert(outcome.seed);
          return true;
        });
    EXPECT_EQ(summary.passed_count + summary.failed_count, kSeedCountOfShard[index]);
  }
  EXPECT_EQ(seen, (std::multiset<uint64_t>{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
}

TEST_F(TortureTest, SeedRangesAndShardsAreParsedStrictly) {
  Result<SeedRange> range = ParseSeedRange("10:20");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->first, 10u);
  EXPECT_EQ(range->end, 20u);
  for (const char* bad : {"", "10", "20:10", "5:5", "a:b", "1:2:3"}) {
    Result<SeedRange> parsed = ParseSeedRange(bad);
    EXPECT_TRUE(parsed.status().Is(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_NE(ParseSeedRange("20:10").status().message().find("\"20:10\" is not A:B"),
            std::string::npos);
  Result<Shard> shard = ParseShard("2/8");
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(shard->index, 2u);
  EXPECT_EQ(shard->count, 8u);
  for (const char* bad : {"", "8/8", "1/0", "x/2", "1"}) {
    EXPECT_TRUE(ParseShard(bad).status().Is(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST_F(TortureTest, ViolatedInvariantIsReadFromAVerdictLine) {
  EXPECT_EQ(ViolatedInvariant("wal: violated durable at op 12: lost acknowledged entry 3"),
            "durable");
  EXPECT_EQ(ViolatedInvariant("violated never silently wrong at op 4: phantom entry 9"),
            "never silently wrong");
  EXPECT_EQ(ViolatedInvariant("ok: wal entries=3 last=3"), "");
  EXPECT_EQ(ViolatedInvariant("violated nothing"), "");
}

TEST_F(TortureTest, WorkloadFlagsNameEveryOption) {
  WorkloadOptions options;
  EXPECT_EQ(WorkloadFlags(options), "--ops 40 --component both");
  options.op_count = 7;
  options.component = WorkloadComponent::kLogStore;
  options.illegal = true;
  options.purge_past_snapshot = true;
  EXPECT_EQ(WorkloadFlags(options), "--ops 7 --component logstore --illegal --purge-past-snapshot");
  EXPECT_EQ(ParseWorkloadComponent("wal"), WorkloadComponent::kWal);
  EXPECT_EQ(ParseWorkloadComponent("disk"), std::nullopt);
}

// Generation alone (no run) for any seed and options: deterministic, and
// the text parses back to the same blocks.
RC_GTEST_PROP(TortureProperties, GeneratedScriptsAreDeterministicAndParseBack,
              (uint64_t seed, bool illegal, uint8_t component_index, uint8_t op_count)) {
  WorkloadOptions options;
  options.illegal = illegal;
  options.component = static_cast<WorkloadComponent>(component_index % 3);
  options.op_count = 1 + op_count % 60;
  const Script script = GenerateWorkload(seed, options);
  const std::string text = Text(script);
  RC_ASSERT(text == Text(GenerateWorkload(seed, options)));
  Result<Script> parsed = ParseScript(text, script.file_name);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(parsed->blocks.size() == script.blocks.size());
  for (size_t b = 0; b < script.blocks.size(); b++) {
    RC_ASSERT(parsed->blocks[b].name == script.blocks[b].name);
    RC_ASSERT(parsed->blocks[b].args == script.blocks[b].args);
  }
}

// FormatCommandLine quotes exactly what ParseCommandLine needs quoted.
RC_GTEST_PROP(TortureProperties, FormattedCommandLinesParseBack, (std::string value)) {
  RC_PRE(value.find('\n') == std::string::npos);
  const std::vector<ScriptArg> args = {{"rule", value}, {"n", "1"}};
  std::string name;
  std::vector<ScriptArg> parsed;
  RC_ASSERT(ParseCommandLine(FormatCommandLine("fault", args), &name, &parsed).ok());
  RC_ASSERT(name == "fault");
  RC_ASSERT(parsed == args);
}

}  // namespace
}  // namespace walsim::scenarios
