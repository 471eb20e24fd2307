// The LogStore damage sweep: a small SegmentStore on SimFs (several segments,
// a head deletion), then every single-byte damage of every file (a bit
// flipped, zeroed, set to 0xff), every truncation, each file deleted, and
// each segment copied under the next sequence. After each: a read-only Open
// and every GetLog, then a writable Open (which cleans up) and every GetLog.
// Outcomes as in wal_sweep_test.cc: correct view, legal prefix (the damage
// is in the last batch, or the last segment lost its end: no evidence
// remains), clear error, defect (wrong data, silent loss before the last
// batch, the writable open seeing another log than the read-only one). The
// test fails on any defect and prints the counts (docs/reliability.md).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/log.h"
#include "fs/path.h"
#include "logstore/segment_format.h"
#include "logstore/segment_store.h"
#include "sim/sim_fs.h"
#include "tests/logstore/logstore_test_util.h"

namespace walsim::logstore {
namespace {

using testing::MakeBatch;

constexpr char kDir[] = "/log";
using Files = std::map<std::string, std::string>;

enum class Outcome : uint8_t { kCorrect, kLegalPrefix, kClearError, kDefect };
constexpr std::array<const char*, 4> kOutcomeNames = {"correct view", "legal prefix", "clear error",
                                                      "defect"};

SegmentStoreOptions Options(bool read_only) {
  SegmentStoreOptions options;
  options.segment_size_bytes = 8 * 512;
  options.write_alignment_bytes = 512;
  options.logger = NullLogger();
  options.read_only = read_only;
  return options;
}

std::string ReadBytes(fs::FileSystem& fs, const std::string& path) {
  auto file = fs.Open(path, {.read_only = true}).value();
  std::string bytes(file->Size().value(), '\0');
  WALSIM_ASSERT(
      file->ReadAt(0, std::span(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size())).value() ==
      bytes.size());
  return bytes;
}

Files Snapshot(fs::FileSystem& fs) {
  Files files;
  const std::vector<std::string> names = fs.List(kDir).value();
  for (const std::string& name : names) files[name] = ReadBytes(fs, fs::Join(kDir, name));
  return files;
}

void WriteFiles(sim::SimFs& fs, const Files& files) {
  WALSIM_ASSERT(fs.MkDir(kDir).ok());
  for (const auto& [name, bytes] : files) {
    auto file = fs.Open(fs::Join(kDir, name), {.create = true}).value();
    WALSIM_ASSERT(file->WriteAt(0, AsBytes(bytes)).ok());
    WALSIM_ASSERT(file->Close().ok());
  }
}

Result<std::vector<Log>> ReadLogs(fs::FileSystem& fs, bool read_only) {
  WALSIM_ASSIGN_OR_RETURN(auto store, SegmentStore::Open(fs, kDir, Options(read_only)));
  std::vector<Log> logs;
  WALSIM_ASSIGN_OR_RETURN(uint64_t first, store->FirstIndex());
  WALSIM_ASSIGN_OR_RETURN(uint64_t last, store->LastIndex());
  for (uint64_t index = first; last != 0 && index <= last; index++) {
    Log log;
    WALSIM_RETURN_IF_ERROR(store->GetLog(index, &log));
    logs.push_back(std::move(log));
  }
  WALSIM_RETURN_IF_ERROR(store->Close());
  return logs;
}

// Where the last batch went: the first byte that changed in the last file.
struct LastBatch {
  std::string file;
  uint64_t offset = 0;
};

class LogstoreSweep {
 public:
  LogstoreSweep() {
    sim::SimFs fs(sim::SimOptions{.seed = 1});
    auto store = SegmentStore::Open(fs, kDir, Options(false)).value();
    uint64_t next = 1;
    for (int batch = 0; batch < 24; batch++) {
      WALSIM_ASSERT(store->StoreLogs(MakeBatch(next, 2, 1 + batch / 8)).ok());
      next += 2;
      if (batch == 9) WALSIM_ASSERT(store->DeleteRange(1, 9).ok());  // a head deletion
    }
    const Files before = Snapshot(fs);
    WALSIM_ASSERT(store->StoreLogs(MakeBatch(next, 2, 4)).ok());
    WALSIM_ASSERT(store->Close().ok());
    original_ = Snapshot(fs);
    FindLastBatch(before);
    full_ = ReadLogs(fs, true).value();
  }

  const Files& original() const { return original_; }
  const std::string& last_segment() const { return last_batch_.file; }

  // at_tail: the damage lies in the last batch (or after it), or is the loss
  // of the last segment's end (truncation, deletion): no evidence remains.
  Outcome Classify(const Files& damaged, bool at_tail, std::string* why) const {
    sim::SimFs fs(sim::SimOptions{.seed = 2});
    WriteFiles(fs, damaged);
    Result<std::vector<Log>> read_only = ReadLogs(fs, true);
    Outcome outcome = ClassifyView(read_only, at_tail, why);
    if (outcome == Outcome::kDefect) return outcome;
    Result<std::vector<Log>> writable = ReadLogs(fs, false);
    if (read_only.ok() && (!writable.ok() || *writable != *read_only)) {
      *why = "the writable open sees another log: " + writable.status().ToString();
      return Outcome::kDefect;
    }
    if (!read_only.ok() && writable.ok() &&
        ClassifyView(writable, at_tail, why) == Outcome::kDefect) {
      return Outcome::kDefect;
    }
    return outcome;
  }

  bool InLastBatch(const std::string& file, uint64_t offset) const {
    return file == last_batch_.file && offset >= last_batch_.offset;
  }

 private:
  void FindLastBatch(const Files& before) {
    for (const auto& [name, bytes] : original_) {
      if (!format::ParseSegmentFileName(name)) continue;
      auto old = before.find(name);
      if (old == before.end()) {
        last_batch_ = {name, 0};
        continue;
      }
      for (uint64_t i = 0; i < bytes.size(); i++) {
        if (i >= old->second.size() || bytes[i] != old->second[i]) {
          last_batch_ = {name, i};
          break;
        }
      }
    }
    WALSIM_ASSERT(!last_batch_.file.empty());
  }

  Outcome ClassifyView(const Result<std::vector<Log>>& view, bool at_tail, std::string* why) const {
    if (!view.ok()) {
      if (view.status().message().empty()) {
        *why = "an error without a message";
        return Outcome::kDefect;
      }
      return Outcome::kClearError;
    }
    if (*view == full_) return Outcome::kCorrect;
    const bool prefix =
        view->size() < full_.size() && std::equal(view->begin(), view->end(), full_.begin());
    if (prefix && at_tail) return Outcome::kLegalPrefix;
    *why = prefix ? "silent loss: " + std::to_string(view->size()) + " of " +
                        std::to_string(full_.size()) + " logs"
                  : "wrong data: not a prefix of the log";
    return Outcome::kDefect;
  }

  Files original_;
  LastBatch last_batch_;
  std::vector<Log> full_;
};

struct Tally {
  std::map<std::string, std::array<uint64_t, 4>> counts;
  std::vector<std::string> defects;
  void Add(const std::string& kind, Outcome outcome, const std::string& what,
           const std::string& why) {
    counts[kind][static_cast<size_t>(outcome)]++;
    if (outcome == Outcome::kDefect && defects.size() < 20) defects.push_back(what + ": " + why);
  }
  void Print() const {
    for (const auto& [kind, row] : counts) {
      std::printf("logstore sweep %-10s", kind.c_str());
      for (size_t i = 0; i < row.size(); i++) std::printf("  %s=%lu", kOutcomeNames[i], row[i]);
      std::printf("\n");
    }
  }
};

// Under ASan (~70x slower here) each byte gets one of the three damages, in
// turn, to stay well under two minutes; the default build sweeps all three.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSweepEveryDamage = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSweepEveryDamage = false;
#else
constexpr bool kSweepEveryDamage = true;
#endif
#else
constexpr bool kSweepEveryDamage = true;
#endif

bool DamageSwept(uint64_t offset, size_t damage) {
  return kSweepEveryDamage || offset % 3 == damage;
}

void SweepBytes(const LogstoreSweep& sweep, Tally* tally) {
  for (const auto& [name, bytes] : sweep.original()) {
    for (uint64_t offset = 0; offset < bytes.size(); offset++) {
      const auto old_byte = static_cast<uint8_t>(bytes[offset]);
      const std::array<std::pair<const char*, uint8_t>, 3> damages = {
          {{"bitflip", static_cast<uint8_t>(old_byte ^ (1u << (offset % 8)))},
           {"zero", 0},
           {"0xff", 0xff}}};
      for (size_t d = 0; d < damages.size(); d++) {
        const auto& [kind, new_byte] = damages[d];
        if (new_byte == old_byte || !DamageSwept(offset, d)) continue;
        Files damaged = sweep.original();
        damaged[name][offset] = static_cast<char>(new_byte);
        std::string why;
        tally->Add(kind, sweep.Classify(damaged, sweep.InLastBatch(name, offset), &why),
                   std::string(kind) + " " + name + "@" + std::to_string(offset), why);
      }
    }
  }
}

void SweepFiles(const LogstoreSweep& sweep, Tally* tally) {
  uint64_t seq_max = 0;
  for (const auto& [name, bytes] : sweep.original()) {
    if (auto segment = format::ParseSegmentFileName(name)) {
      seq_max = std::max(seq_max, segment->segment_seq);
    }
  }
  for (const auto& [name, bytes] : sweep.original()) {
    const bool last = name == sweep.last_segment();
    for (uint64_t size = 0; size < bytes.size(); size++) {
      Files damaged = sweep.original();
      damaged[name].resize(size);
      std::string why;
      tally->Add("truncate", sweep.Classify(damaged, last, &why),
                 "truncate " + name + "@" + std::to_string(size), why);
    }
    Files deleted = sweep.original();
    deleted.erase(name);
    std::string why;
    tally->Add("delete", sweep.Classify(deleted, last, &why), "delete " + name, why);
    if (auto segment = format::ParseSegmentFileName(name)) {
      Files duplicated = sweep.original();
      duplicated[format::SegmentFileName(seq_max + 1, segment->first_index)] = bytes;
      tally->Add("duplicate", sweep.Classify(duplicated, false, &why), "duplicate " + name, why);
    }
  }
}

TEST(LogstoreSweepTest, EveryDamageOfASmallStoreIsCorrectALegalPrefixOrAClearError) {
  LogstoreSweep sweep;
  ASSERT_GE(sweep.original().size(), 4u) << "meta and several segments";
  Tally tally;
  SweepBytes(sweep, &tally);
  SweepFiles(sweep, &tally);
  tally.Print();
  for (const std::string& defect : tally.defects) ADD_FAILURE() << defect;
}

}  // namespace
}  // namespace walsim::logstore
