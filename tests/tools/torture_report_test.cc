// Torture reports as a specification: JSON round-trips; shard reports merge
// only when they cover one range exactly once, and the error names what is
// missing or doubled; a time-budget merge ends where the shortest shard
// stopped; JUnit text is escaped.
#include "tools/torture_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace walsim::tools {
namespace {

class TortureReportTest : public ::testing::Test {
 protected:
  // A report of shard index/count over [first, end) whose seeds ran on "wal";
  // seeds divisible by 5 failed.
  static TortureReport Shard(uint64_t index, uint64_t count, uint64_t first, uint64_t end,
                             bool budget = false) {
    TortureReport report;
    report.targets = {TargetTotals{.name = "wal"}};
    report.options.workload.component = scenarios::WorkloadComponent::kWal;
    report.range = {first, end};
    report.has_seed_results = true;
    report.job_count = 2;
    for (uint64_t seed = first; seed < end; seed++) {
      if (seed % count != index) continue;
      SeedResult result;
      result.seed = seed;
      result.target = "wal";
      result.trace_hash = seed * 7919;
      result.probe_counts["fault/eio"] = seed % 3;
      if (seed % 5 == 0) {
        result.status = SeedStatus::kViolation;
        result.invariant = "durable";
        result.verdict = "wal: violated durable at op 3: <lost> & \"gone\"";
      }
      AddResult(result, report.options, &report);
      report.seed_count++;
    }
    ShardCover cover;
    cover.shard = {index, count};
    cover.first = first;
    cover.end = end;
    cover.budget = budget;
    cover.source = "shard" + std::to_string(index) + ".json";
    report.covers = {cover};
    return report;
  }

  static std::vector<TortureReport> FourShards(uint64_t end) {
    std::vector<TortureReport> reports;
    for (uint64_t index = 0; index < 4; index++) reports.push_back(Shard(index, 4, 0, end));
    return reports;
  }
};

TEST_F(TortureReportTest, JsonRoundTripsTheReport) {
  const TortureReport report = Shard(1, 4, 0, 40);
  Result<TortureReport> back = ReportFromJson(nlohmann::json::parse(ToJson(report).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ToJson(*back), ToJson(report));
  EXPECT_EQ(back->failures.size(), 2u);  // seeds 5 and 25
  EXPECT_EQ(back->failures[0].replay, "walsim replay --seed 5 --target wal --ops 40 --script");
}

TEST_F(TortureReportTest, FourShardsMergeIntoTheWholeRange) {
  Result<TortureReport> merged = MergeReports(FourShards(40));
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->range.first, 0u);
  EXPECT_EQ(merged->range.end, 40u);
  EXPECT_EQ(merged->run_count(), 40u);
  EXPECT_EQ(merged->failed_count(), 8u);
  ASSERT_EQ(merged->seed_results.size(), 40u);
  for (uint64_t seed = 0; seed < 40; seed++) EXPECT_EQ(merged->seed_results[seed].seed, seed);
  EXPECT_EQ(merged->probes.at("fault/eio").hit_count, 39u);  // 13 ones and 13 twos
  EXPECT_EQ(merged->probes.at("fault/eio").seed_count, 26u);
  EXPECT_EQ(ToJson(*merged)["shard"], (nlohmann::json{{"index", 0}, {"count", 1}}));
}

TEST_F(TortureReportTest, AMissingShardIsNamed) {
  std::vector<TortureReport> reports = FourShards(40);
  reports.erase(reports.begin() + 2);
  Result<TortureReport> merged = MergeReports(reports);
  ASSERT_FALSE(merged.ok());
  EXPECT_NE(merged.status().message().find("shard 2/4 is missing"), std::string::npos)
      << merged.status().ToString();
}

TEST_F(TortureReportTest, ADoublyCoveredShardIsNamedWithItsFiles) {
  std::vector<TortureReport> reports = FourShards(40);
  reports.push_back(Shard(1, 4, 20, 60));
  reports.back().covers[0].source = "again.json";
  Result<TortureReport> merged = MergeReports(reports);
  ASSERT_FALSE(merged.ok());
  const std::string& message = merged.status().message();
  EXPECT_NE(message.find("seeds 20:40 of shard 1/4 are covered twice (shard1.json and again.json)"),
            std::string::npos)
      << message;
  // And the other shards miss 40:60.
  EXPECT_NE(message.find("seeds 40:60 of shard 0/4 are missing"), std::string::npos) << message;
}

TEST_F(TortureReportTest, AGapBetweenTwoReportsOfAShardIsNamed) {
  std::vector<TortureReport> reports = FourShards(40);
  reports[3] = Shard(3, 4, 0, 16);
  reports.push_back(Shard(3, 4, 24, 40));
  Result<TortureReport> merged = MergeReports(reports);
  ASSERT_FALSE(merged.ok());
  EXPECT_NE(merged.status().message().find("seeds 16:24 of shard 3/4 are missing"),
            std::string::npos)
      << merged.status().ToString();
}

TEST_F(TortureReportTest, ShardsSplitInTimeMergeWhenTheyAbut) {
  std::vector<TortureReport> reports = FourShards(40);
  reports[3] = Shard(3, 4, 0, 16);
  reports.push_back(Shard(3, 4, 16, 40));
  EXPECT_TRUE(MergeReports(reports).ok());
}

TEST_F(TortureReportTest, BudgetShardsMergeUpToTheShortest) {
  std::vector<TortureReport> reports;
  for (uint64_t index = 0; index < 4; index++) {
    reports.push_back(Shard(index, 4, 100, 100 + 20 + index * 8, /*budget=*/true));
  }
  Result<TortureReport> merged = MergeReports(reports);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->range.first, 100u);
  EXPECT_EQ(merged->range.end, 120u);
}

TEST_F(TortureReportTest, ReportsOfOtherShardCountsOrOptionsDoNotMerge) {
  std::vector<TortureReport> reports = FourShards(40);
  reports.push_back(Shard(0, 8, 40, 80));
  EXPECT_FALSE(MergeReports(reports).ok());
  reports = FourShards(40);
  reports[1].options.workload.illegal = true;
  EXPECT_FALSE(MergeReports(reports).ok());
}

TEST_F(TortureReportTest, JunitEscapesVerdictsAndCountsFailures) {
  const std::string xml = ToJunitXml(Shard(0, 1, 0, 10));
  EXPECT_NE(xml.find("<testsuite name=\"torture.wal\" tests=\"10\" failures=\"2\" errors=\"0\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("&lt;lost&gt; &amp; &quot;gone&quot;"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<lost>"), std::string::npos);
}

}  // namespace
}  // namespace walsim::tools
