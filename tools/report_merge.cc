// MergeReports (tools/torture_report.h): the coverage check and the sums.
#include <algorithm>
#include <limits>

#include "tools/torture_report.h"

namespace walsim::tools {
namespace {

using Json = nlohmann::json;

// The first seed >= from that is index modulo count, if it is < end.
std::optional<uint64_t> FirstOfShard(uint64_t from, uint64_t end, const scenarios::Shard& shard) {
  const uint64_t offset = (shard.index + shard.count - from % shard.count) % shard.count;
  if (from >= end || end - from <= offset) return std::nullopt;
  return from + offset;
}

std::string ShardText(const scenarios::Shard& shard) {
  return std::to_string(shard.index) + "/" + std::to_string(shard.count);
}

std::string SpanText(uint64_t first, uint64_t end) {
  return std::to_string(first) + ":" + std::to_string(end);
}

std::string SourceText(const ShardCover& cover) {
  return cover.source.empty() ? "a report" : cover.source;
}

// Checks that the reports can be merged at all: same targets, options, shard count.
Status CheckCompatible(const std::vector<TortureReport>& reports) {
  const TortureReport& first = reports.front();
  for (const TortureReport& report : reports) {
    if (report.covers.size() != 1) {
      return Status::InvalidArgument("a merged report cannot be merged again (" +
                                     SourceText(report.covers.front()) + ")");
    }
    const ShardCover& cover = report.covers.front();
    if (cover.shard.count != first.covers.front().shard.count) {
      return Status::InvalidArgument("shard counts differ: " + SourceText(first.covers.front()) +
                                     " is of " + std::to_string(first.covers.front().shard.count) +
                                     " shards, " + SourceText(cover) + " of " +
                                     std::to_string(cover.shard.count));
    }
    std::vector<std::string> names;
    std::vector<std::string> first_names;
    for (const TargetTotals& target : report.targets) names.push_back(target.name);
    for (const TargetTotals& target : first.targets) first_names.push_back(target.name);
    if (names != first_names || ToJson(report.options) != ToJson(first.options)) {
      return Status::InvalidArgument("targets or options differ between " +
                                     SourceText(first.covers.front()) + " and " +
                                     SourceText(cover));
    }
  }
  return Status::Ok();
}

struct Coverage {
  scenarios::SeedRange range;
  std::vector<std::string> problems;
};

// The problems of one shard index's covers (sorted by first) within [first, end).
void CheckShard(const scenarios::Shard& shard, std::vector<const ShardCover*> covers,
                const scenarios::SeedRange& range, Coverage* coverage) {
  const auto add = [&](const std::string& problem) {
    if (coverage->problems.size() < kMergeProblemCountMax) coverage->problems.push_back(problem);
  };
  if (covers.empty()) {
    return add("shard " + ShardText(shard) + " is missing (its seeds of " +
               SpanText(range.first, range.end) + ")");
  }
  std::sort(covers.begin(), covers.end(),
            [](const ShardCover* a, const ShardCover* b) { return a->first < b->first; });
  uint64_t covered_end = range.first;  // every seed of the shard below it is covered once
  const ShardCover* previous = nullptr;
  for (const ShardCover* cover : covers) {
    if (FirstOfShard(covered_end, std::min(cover->first, range.end), shard).has_value()) {
      add("seeds " + SpanText(covered_end, cover->first) + " of shard " + ShardText(shard) +
          " are missing");
    }
    if (previous != nullptr &&
        FirstOfShard(cover->first, std::min(cover->end, covered_end), shard)) {
      add("seeds " + SpanText(cover->first, std::min(cover->end, covered_end)) + " of shard " +
          ShardText(shard) + " are covered twice (" + SourceText(*previous) + " and " +
          SourceText(*cover) + ")");
    }
    covered_end = std::max(covered_end, cover->end);
    previous = cover;
  }
  if (FirstOfShard(covered_end, range.end, shard).has_value()) {
    add("seeds " + SpanText(covered_end, range.end) + " of shard " + ShardText(shard) +
        " are missing");
  }
}

// The range the shards cover and what is wrong with it. Budget shards end
// where they ran out of time: the range then ends at the earliest end.
Coverage CheckCoverage(const std::vector<TortureReport>& reports) {
  const uint64_t shard_count = reports.front().covers.front().shard.count;
  Coverage coverage;
  coverage.range.first = std::numeric_limits<uint64_t>::max();
  bool budget = false;
  uint64_t end_min = std::numeric_limits<uint64_t>::max();
  std::vector<std::vector<const ShardCover*>> by_index(shard_count);
  for (const TortureReport& report : reports) {
    const ShardCover& cover = report.covers.front();
    coverage.range.first = std::min(coverage.range.first, cover.first);
    coverage.range.end = std::max(coverage.range.end, cover.end);
    end_min = std::min(end_min, cover.end);
    budget = budget || cover.budget;
    by_index[cover.shard.index].push_back(&cover);
  }
  if (budget) coverage.range.end = std::max(end_min, coverage.range.first);
  for (uint64_t index = 0; index < shard_count; index++) {
    CheckShard({index, shard_count}, by_index[index], coverage.range, &coverage);
  }
  return coverage;
}

}  // namespace

Result<TortureReport> MergeReports(const std::vector<TortureReport>& reports) {
  if (reports.empty()) return Status::InvalidArgument("no reports to merge");
  WALSIM_RETURN_IF_ERROR(CheckCompatible(reports));
  const Coverage coverage = CheckCoverage(reports);
  if (!coverage.problems.empty()) {
    std::string text = "the shards do not cover " +
                       SpanText(coverage.range.first, coverage.range.end) + " exactly once: ";
    for (size_t i = 0; i < coverage.problems.size(); i++) {
      text += (i > 0 ? "; " : "") + coverage.problems[i];
    }
    return Status::InvalidArgument(text);
  }
  TortureReport merged = reports.front();
  merged.range = coverage.range;
  merged.covers.clear();
  merged.failures.clear();
  merged.seed_results.clear();
  merged.probes.clear();
  merged.seed_count = 0;
  merged.elapsed_seconds = 0;
  merged.seeds_per_second = 0;
  for (TargetTotals& target : merged.targets) target = TargetTotals{.name = target.name};
  for (const TortureReport& report : reports) {
    merged.covers.push_back(report.covers.front());
    merged.stopped_early = merged.stopped_early || report.stopped_early;
    merged.has_seed_results = merged.has_seed_results && report.has_seed_results;
    merged.seed_count += report.seed_count;
    // Shards run side by side: the merged run took as long as the longest.
    merged.elapsed_seconds = std::max(merged.elapsed_seconds, report.elapsed_seconds);
    merged.seeds_per_second += report.seeds_per_second;
    for (size_t t = 0; t < report.targets.size(); t++) {
      merged.targets[t].run_count += report.targets[t].run_count;
      merged.targets[t].failure_count += report.targets[t].failure_count;
      merged.targets[t].error_count += report.targets[t].error_count;
      merged.targets[t].run_seconds += report.targets[t].run_seconds;
    }
    for (const auto& [name, probe] : report.probes) {
      merged.probes[name].hit_count += probe.hit_count;
      merged.probes[name].seed_count += probe.seed_count;
    }
    merged.failures.insert(merged.failures.end(), report.failures.begin(), report.failures.end());
    merged.seed_results.insert(merged.seed_results.end(), report.seed_results.begin(),
                               report.seed_results.end());
  }
  if (!merged.has_seed_results) merged.seed_results.clear();
  SortReport(&merged);
  return merged;
}

}  // namespace walsim::tools
