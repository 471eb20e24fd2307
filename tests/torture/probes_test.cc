// Coverage probes: every probe of the catalogue is reached by the seed range
// CI runs, so no fault kind, crash class or recovery branch silently stops
// being exercised (a probe that no seed hits fails this test).
#include "scenarios/world/probes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "scenarios/search/torture.h"

namespace walsim::scenarios {
namespace {

constexpr uint64_t kSeedCount = 300;

std::set<std::string> ProbesHit(const TortureOptions& options) {
  std::set<std::string> hit;
  for (uint64_t seed = 0; seed < kSeedCount; seed++) {
    const TortureOutcome outcome = RunSeed(seed, options);
    EXPECT_FALSE(outcome.failed()) << "seed " << seed << ": " << outcome.verdict;
    for (const auto& [name, count] : outcome.probe_counts) {
      if (count > 0) hit.insert(name);
    }
  }
  return hit;
}

TEST(ProbesTest, EveryProbeIsHitByTheCiSeedRange) {
  TortureOptions legal;
  TortureOptions illegal;
  illegal.workload.illegal = true;
  std::set<std::string> hit = ProbesHit(legal);
  const std::set<std::string> illegal_hit = ProbesHit(illegal);
  hit.insert(illegal_hit.begin(), illegal_hit.end());
  for (const ProbeInfo& info : kProbeCatalogue) {
    EXPECT_TRUE(hit.contains(std::string(info.name)))
        << "probe " << info.name << " (" << info.meaning
        << ") was never hit by seeds 0:" << kSeedCount << " with and without --illegal";
  }
}

TEST(ProbesTest, ASeedsProbesAreAPureFunctionOfTheSeed) {
  const TortureOptions options;
  for (uint64_t seed : {3u, 17u, 101u}) {
    EXPECT_EQ(RunSeed(seed, options).probe_counts, RunSeed(seed, options).probe_counts);
  }
}

}  // namespace
}  // namespace walsim::scenarios
